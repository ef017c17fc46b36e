"""Scores from face measurements: pure numpy, so each rule can be checked on made-up numbers.

Every rule returns a :class:`RuleResult` whether or not it fires, so calibration sees the whole
distribution; the detector keeps those with ``score >= 0.3``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np

from . import calibration as C
from .boundary import BoundaryStats


@dataclass(frozen=True)
class RuleResult:
    rule: str  # "face.blend_boundary", "face.head_pose", "video.blink", ...
    score: float
    message: str
    evidence: Mapping[str, Any] = field(default_factory=dict)


def standardised(stats: BoundaryStats) -> dict[str, float]:
    """Each statistic in real-face spreads from the real-face median (0 = typical of real faces)."""
    return {k: (getattr(stats, k) - C.REAL_MEDIAN[k]) / C.REAL_SPREAD[k] for k in C.STATS}


def feature_vector(z: Mapping[str, float]) -> np.ndarray:
    """The model's inputs, each signed so that larger means "more like a pasted face" ("-noise":
    the face is cleaner than its ring); the fitted weights are non-negative, so no statistic can
    count against a swap by moving the other way."""
    out = [-z[name[1:]] if name.startswith("-") else z[name] for name in C.FEATURES]
    return np.clip(np.array(out, dtype=np.float64), -8.0, 8.0)  # one wild statistic cannot decide alone


def boundary_logit(stats: BoundaryStats) -> float:
    return float(np.dot(feature_vector(standardised(stats)), C.COEF) + C.INTERCEPT)


def to_score(logit: float) -> float:
    if not math.isfinite(logit):
        return 0.0
    return float(np.clip(np.interp(logit, C.ANCHORS_LOGIT, C.ANCHORS_SCORE), 0.0, C.SCORE_CAP))


_WORDS = {
    "noise": ("cleaner (less noise)", "noisier"),
    "sharpness": ("softer", "sharper"),
    "jpeg_grid": ("carries a different JPEG 8x8 grid", "lacks the surrounding JPEG 8x8 grid"),
    "colour": ("", "differs in colour from"),
    "noise_band": ("cleaner near its outline", "noisier near its outline"),
    "sharpness_band": ("softer near its outline", "sharper near its outline"),
}


def blend_boundary(stats: BoundaryStats) -> RuleResult:
    """The fused inside-vs-outside score of one face, naming the statistics that carry it."""
    z = standardised(stats)
    score = to_score(boundary_logit(stats))
    x = feature_vector(z)
    parts = []
    if score >= 0.3:  # name what pushed the score up, largest contribution first
        contrib = sorted(((c * v, name) for c, v, name in zip(C.COEF, x, C.FEATURES) if c > 0 and v >= 0.5),
                         reverse=True)
        for _, name in contrib[:3]:
            k = name.lstrip("-")
            low, high = _WORDS[k]
            word = high if z[k] > 0 else low
            if word:
                parts.append(f"{word} ({abs(z[k]):.1f} real-face spreads)")
    what = ("the face inside its outline is " + ", ".join(parts) + " than the ring around it"
            if parts else "the face and the ring around it differ only as much as on real faces")
    evidence = {"standardised": {k: round(float(v), 2) for k, v in z.items()}, "measured": stats.as_dict()}
    return RuleResult("face.blend_boundary", score, what, evidence)


def head_pose(angle: float, axes: tuple[float, float, float]) -> RuleResult:
    """Whole-face against central-face orientation (Yang, Li & Lyu 2019), capped as weak evidence."""
    score = float(np.interp(angle, C.POSE_ANCHORS, C.ANCHORS_SCORE))
    score = min(score, C.POSE_CAP)
    msg = (f"head pose from the face outline and from the eyes and nose differ by {angle:.1f} degrees "
           f"(yaw {axes[0]:+.1f}, pitch {axes[1]:+.1f}, roll {axes[2]:+.1f} beyond the real-face offset)")
    return RuleResult("face.head_pose", score, msg, {"degrees": round(angle, 2),
                                                     "yaw_pitch_roll": [round(v, 2) for v in axes]})
