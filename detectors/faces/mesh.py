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

    def detect(self, rgb: np.ndarray) -> list[np.ndarray]:
        from .geometry import dedupe

        return dedupe([f.image for f in self._landmarker.detect(rgb).faces])

    def close(self) -> None:
        self._landmarker.close()


def models_missing() -> list[str]:
    from detectors.anatomy.landmarks import check_models_shipped

    return check_models_shipped()
