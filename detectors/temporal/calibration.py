"""Calibration constants for the temporal detector.

Produced by ``.venv/bin/python bench/temporal_calibrate.py`` (see that script and
detectors/temporal/README.md for the data); regenerate with it rather than editing by hand.
The model is a logistic regression over log-transformed segment measurements; the logit is
mapped to the shared score scale through anchors measured on the control (real/real-like)
segments so that 0.6 and 0.9 mean fixed control false-positive rates.
"""

from __future__ import annotations

import math

import numpy as np

# --- BEGIN GENERATED (bench/temporal_calibrate.py) ---
FEATURE_ORDER = ('resid', 'static_hf', 'drift', 'flicker', 'jump')
CONTROL_MEDIAN = {'resid': 0.0872485, 'static_hf': 0.032127, 'drift': 0.073495, 'flicker': 0.357588, 'jump': 0.849892}
MEAN = (-0.066305, 0.09849, 0.060072, -0.004304, 0.059545)
SCALE = (0.359385, 0.547706, 1.018116, 0.92577, 0.304306)
COEF = (1.512853, 0.0, 0.0, 2.077358, 0.0)
INTERCEPT = -1.905116
# whole-file logit anchors -> scores: control-file median -> 0.15, 85th pct -> 0.6, 95th pct -> 0.9
#   (each the stricter of: all control files, real-footage files only)
ANCHORS_LOGIT = (-4.126325, -0.126325, 0.874567, 1.624393, 3.624393)
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


def logit(stats: dict[str, float]) -> float:
    z = (transform(stats) - np.array(MEAN)) / np.array(SCALE)
    return float(np.dot(z, COEF) + INTERCEPT)


def score(lg: float) -> float:
    if not math.isfinite(lg):
        return 0.0
    return float(np.clip(np.interp(lg, ANCHORS_LOGIT, ANCHORS_SCORE), 0.0, 1.0))
