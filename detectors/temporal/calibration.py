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

# --- BEGIN GENERATED (bench/video_logo.py --write) ---
FEATURE_ORDER = ('crawl', 'structure_drift', 'kp_vanish', 'kp_appear', 'flicker')
# median of every measurement on the real segments (the model's features use the same)
CONTROL_MEDIAN = {
    'resid': 0.0743088,
    'static_hf': 0.0285473,
    'drift': 0.0229818,
    'flicker': 0.509352,
    'jump': 1.06305,
    'noise_corr': 0.558479,
    'noise_level': 0.166091,
    'crawl': 0.00587603,
    'structure_drift': 0.0516265,
    'kp_vanish': 0.0116026,
    'kp_appear': 0.0136667,
    'framediff': 1.73572,
}
MEAN = (0.55472, 0.070412, -0.377803, -0.547139, 0.264735)
SCALE = (1.244988, 0.724158, 1.261598, 1.235206, 0.422838)
COEF = (0.086586, 0.072141, 0.688359, -0.951905, 0.72422)
INTERCEPT = 0.096821
# whole-file logit anchors -> scores, from out-of-fold logits of 24 real (file, variant)
#   (10 real sources, leave one source out): median -> 0.15, 90th pct -> 0.6,
#   highest -> 0.9 (so a real clip like the ones seen reaches 'likely' only beyond all of them)
ANCHORS_LOGIT = (-4.20707, -0.20707, 1.140236, 2.177159, 4.177159)
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
