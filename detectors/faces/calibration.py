"""Calibration constants for the faces detector.

Produced by ``.venv/bin/python bench/faces_calibrate.py`` from the calibration split of
``bench/faces_data.py`` (real faces vs self-blended and landmark-swapped faces made from them);
regenerate with it rather than editing by hand.  Each blend-boundary statistic is standardised
by the median and spread of real faces and signed so that larger is more like a pasted face
(cleaner, softer, without the grid, off-colour); a logistic model with non-negative weights over
those gives a logit that is mapped to the shared score scale through anchors measured on the
calibration real faces, so 0.6 and 0.9 mean fixed real-face false-positive rates (docs/scoring.md).
"""

from __future__ import annotations

# --- BEGIN GENERATED (bench/faces_calibrate.py) ---
# fitted on 93 real and 162 manipulated calibration faces (native + JPEG q75)
STATS = ('noise', 'sharpness', 'jpeg_grid', 'colour', 'noise_band', 'sharpness_band')
REAL_MEDIAN = {
    'noise': 0.1267,
    'sharpness': -0.0049,
    'jpeg_grid': 0.0176,
    'colour': 0.6584,
    'noise_band': 0.0521,
    'sharpness_band': 0.074,
}
REAL_SPREAD = {
    'noise': 0.52588,
    'sharpness': 0.54263,
    'jpeg_grid': 0.083619,
    'colour': 0.62803,
    'noise_band': 0.51446,
    'sharpness_band': 0.55257,
}
FEATURES = ('-noise', '-sharpness', 'jpeg_grid', 'colour', '-noise_band', '-sharpness_band')
COEF = (0.65643, 0.91063, 0.041758, 0.13737, 0, 0)
INTERCEPT = -0.64629
# logit anchors -> scores: calibration real faces' median -> 0.15, 97th pct -> 0.6, 99th pct -> 0.9
ANCHORS_LOGIT = (-10.088, -0.52745, 1.9605, 2.1571, 8.1571)
ANCHORS_SCORE = (0.0, 0.15, 0.6, 0.9, 1.0)
POSE_OFFSET = (-0.08, 20.46, -0.03)
POSE_ANCHORS = (0, 3.42, 19.28, 25.23, 35.23)  # degrees -> ANCHORS_SCORE, same percentiles
# --- END GENERATED ---

SCORE_CAP = 0.75  # blend boundary: at most "possibly-synthetic" alone (held-out, 2 of 52 real faces
# passed the 99th-percentile anchor, and the AUCs in docs/targets.md are far from decisive)
POSE_CAP = 0.45  # head-pose disagreement is weak evidence only: MediaPipe fits one mesh to the face
