"""Map the raw image score (mean patch logit) onto the shared [0, 1] evidence scale.

Why piecewise-linear on real-photo quantiles: the shared cut points must mean the same thing for
every signal detector, so they are pinned to false-positive rates on held-back real photos:
raw at the real 99th percentile -> 0.9 (<=1% FPR), 95th -> 0.6, 80th -> 0.3, median -> 0.1.
Between anchors the map is linear; above the top anchor it saturates towards 1, below the
median it decays towards 0.  Monotone, so it never changes the ranking (AUC is unchanged).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

QUANTILES = (0.5, 0.8, 0.95, 0.99)
TARGETS = (0.1, 0.3, 0.6, 0.9)


@dataclass(frozen=True)
class Calibration:
    anchors: tuple[float, ...]  # raw scores at QUANTILES of val real photos, ascending

    @classmethod
    def fit(cls, real_raw: np.ndarray) -> "Calibration":
        q = np.quantile(np.asarray(real_raw, float), QUANTILES)
        q = np.maximum.accumulate(q + np.arange(len(q)) * 1e-6)  # strictly increasing
        return cls(tuple(float(v) for v in q))

    def to_dict(self) -> dict:
        return {"anchors": list(self.anchors), "quantiles": list(QUANTILES), "targets": list(TARGETS)}

    @classmethod
    def from_dict(cls, d: dict) -> "Calibration":
        return cls(tuple(float(v) for v in d["anchors"]))

    def __call__(self, raw: float) -> float:
        a, t = self.anchors, TARGETS
        spread = max(a[-1] - a[0], 1e-6) / 2
        if raw >= a[-1]:
            return t[-1] + (1 - t[-1]) * (1 - math.exp(-(raw - a[-1]) / spread))
        if raw <= a[0]:
            return t[0] * math.exp((raw - a[0]) / spread)
        return float(np.interp(raw, a, t))
