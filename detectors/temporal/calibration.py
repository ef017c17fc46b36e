"""Calibration constants for the temporal detector.

Produced by ``bench/video_logo.py --write`` (v2; see that script and detectors/temporal/README.md
for the data); regenerate with it rather than editing by hand.  The model is a logistic
regression over log(value / real-footage median) of segment measurements; the whole-file logit
(mean over segments) is mapped to the shared score scale through anchors measured on
out-of-fold logits of real files, so that 0.9 sits above every real clip seen.
"""

from __future__ import annotations

import math

import numpy as np

# --- BEGIN GENERATED (bench/temporal_calibrate.py) ---
FEATURE_ORDER = ('resid', 'static_hf', 'drift', 'flicker', 'jump')
CONTROL_MEDIAN = {'resid': 0.0875083, 'static_hf': 0.0322589, 'drift': 0.073495, 'flicker': 0.355499, 'jump': 0.850056}
MEAN = (-0.065772, 0.102536, 0.059391, -0.004234, 0.029423)
SCALE = (0.359561, 0.550141, 1.020457, 0.922713, 0.121866)
COEF = (1.487266, 0.0, 0.0, 2.109537, 0.0)
INTERCEPT = -1.911443
# whole-file logit anchors -> scores: control-file median -> 0.15, 85th pct -> 0.6, 95th pct -> 0.9
#   (each the stricter of: all control files, real-footage files only)
ANCHORS_LOGIT = (-4.606864, -0.606864, 1.222029, 1.803295, 3.803295)
ANCHORS_SCORE = (0.0, 0.15, 0.6, 0.9, 1.0)
# --- END GENERATED ---


def transform(stats: dict[str, float]) -> np.ndarray:
    """log(value / control median), NaN (not measurable) -> 0 = typical of controls."""
    out = []
    for k in FEATURE_ORDER:
        v = stats.get(k, float("nan"))
        ref = CONTROL_MEDIAN[k]
        out.append(math.log((max(v, 0.0) + 0.1 * ref) / (1.1 * ref)) if np.isfinite(v) else 0.0)
    return np.array(out)


def contributions(stats: dict[str, float]) -> dict[str, float]:
    """Each model feature's share of the segment logit (coefficient x standardised value)."""
    z = (transform(stats) - np.array(MEAN)) / np.array(SCALE)
    return {k: float(c * v) for k, c, v in zip(FEATURE_ORDER, COEF, z)}


def logit(stats: dict[str, float]) -> float:
    return float(sum(contributions(stats).values()) + INTERCEPT)


def score(lg: float) -> float:
    if not math.isfinite(lg):
        return 0.0
    return float(np.clip(np.interp(lg, ANCHORS_LOGIT, ANCHORS_SCORE), 0.0, 1.0))
