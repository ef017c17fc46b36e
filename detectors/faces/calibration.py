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
# fitted on 90 real and 157 manipulated calibration faces (native + JPEG q75)
STATS = ('noise', 'sharpness', 'jpeg_grid', 'colour', 'noise_band', 'sharpness_band')
REAL_MEDIAN = {
    'noise': 0.11885,
    'sharpness': 0.0028,
    'jpeg_grid': 0.01805,
    'colour': 0.68405,
    'noise_band': 0.061,
    'sharpness_band': 0.0749,
}
REAL_SPREAD = {
    'noise': 0.5344,
    'sharpness': 0.53893,
    'jpeg_grid': 0.084508,
    'colour': 0.57569,
    'noise_band': 0.51565,
    'sharpness_band': 0.53907,
}
FEATURES = ('-noise', '-sharpness', 'jpeg_grid', 'colour', '-noise_band', '-sharpness_band')
COEF = (0.70044, 0.86519, 0.034234, 0.11041, 0, 0)
INTERCEPT = -0.61109
# logit anchors -> scores: calibration real faces' median -> 0.15, 97th pct -> 0.6, 99th pct -> 0.9
ANCHORS_LOGIT = (-10.038, -0.52976, 2.0096, 2.1966, 8.1966)
ANCHORS_SCORE = (0.0, 0.15, 0.6, 0.9, 1.0)
POSE_OFFSET = (-0.05, 20.17, -0.03)
POSE_ANCHORS = (0, 3.538, 19.24, 25.16, 35.16)  # degrees -> ANCHORS_SCORE, same percentiles
# --- END GENERATED ---

SCORE_CAP = 0.75  # blend boundary: at most "possibly-synthetic" alone (held-out, 2 of 52 real faces
# passed the 99th-percentile anchor, and the AUCs in docs/targets.md are far from decisive)
POSE_CAP = 0.45  # head-pose disagreement is weak evidence only: MediaPipe fits one mesh to the face
