"""Face meshes from MediaPipe, through the anatomy detector's landmarker.

The anatomy landmarker owns the one MediaPipe loading path (models only from the wheel, the
downloader replaced by a refusal, images downscaled to 1280 px with coordinates mapped back), so
faces asks it for the face mesh alone instead of loading MediaPipe a second way.
"""

from __future__ import annotations

import numpy as np


class FaceMesh:
    """Up to ``max_faces`` 478-point meshes per RGB image, in pixels of that image."""

    def __init__(self, max_faces: int = 4) -> None:
        from detectors.anatomy.landmarks import Landmarker

        self._landmarker = Landmarker(max_faces=max_faces, hands=False, pose=False)
        self._hands = None  # loaded on the first face that needs a hand check

    def hands(self, rgb: np.ndarray) -> list[np.ndarray]:
        """21-point hand landmarks (pixels) of up to 4 hands, to tell a hand over a face."""
        from detectors.anatomy.landmarks import Landmarker

        if self._hands is None:
            self._hands = Landmarker(max_hands=4, faces=False, pose=False)
        return [h.image for h in self._hands.detect(rgb).hands]

    def detect(self, rgb: np.ndarray) -> list[np.ndarray]:
        from .geometry import dedupe

        return dedupe([f.image for f in self._landmarker.detect(rgb).faces])

    def close(self) -> None:
        self._landmarker.close()
        if self._hands is not None:
            self._hands.close()


def models_missing() -> list[str]:
    from detectors.anatomy.landmarks import check_models_shipped

    return check_models_shipped()
