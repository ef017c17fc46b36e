"""MediaPipe landmarking reduced to plain numpy arrays.

Everything MediaPipe-specific lives here so that ``rules.py`` works on arrays alone and can be
tested on hand-built landmark sets.  Only the models that ship inside the ``mediapipe==0.10.21``
wheel are used (palm/hand landmark "full", pose landmark "full" = ``model_complexity=1``, face
mesh with iris): ``model_complexity`` 0 or 2 for pose would make MediaPipe download a model at
run time, which this tool must never do, so :func:`check_models_shipped` refuses to start
without the files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import numpy as np

MAX_SIDE = 1280  # larger images are downscaled: the models work at 224-256 px internally anyway

# Model files the three solutions load from the wheel (relative to the mediapipe package).
SHIPPED_MODELS = (
    "modules/palm_detection/palm_detection_full.tflite",
    "modules/hand_landmark/hand_landmark_full.tflite",
    "modules/pose_detection/pose_detection.tflite",
    "modules/pose_landmark/pose_landmark_full.tflite",
    "modules/face_detection/face_detection_short_range.tflite",
    "modules/face_landmark/face_landmark_with_attention.tflite",
)


@dataclass(frozen=True)
class Hand:
    """One detected hand: 21 landmarks (MediaPipe order: wrist, then thumb..pinky, base to tip)."""

    image: np.ndarray  # (21, 3) pixels x, y and relative depth z in the same pixel scale
    world: np.ndarray  # (21, 3) metres, model's metric 3D estimate centred on the hand
    handedness: str  # "Left"/"Right" as MediaPipe labels it (mirrored-camera convention)
    score: float  # handedness classifier confidence, used as the hand's confidence


@dataclass(frozen=True)
class Pose:
    """The single person MediaPipe Pose finds: 33 landmarks with per-landmark visibility."""

    image: np.ndarray  # (33, 3) pixels
    world: np.ndarray  # (33, 3) metres, centred between the hips
    visibility: np.ndarray  # (33,) in [0, 1]


@dataclass(frozen=True)
class Face:
    """Face mesh with iris refinement: 478 landmarks in pixels (468-472 and 473-477 are irises)."""

    image: np.ndarray  # (478, 3)


@dataclass(frozen=True)
class Landmarks:
    width: int  # of the image the coordinates refer to (the original, not the downscaled copy)
    height: int
    hands: tuple[Hand, ...] = ()
    pose: Pose | None = None
    faces: tuple[Face, ...] = field(default_factory=tuple)

    @property
    def empty(self) -> bool:
        return not self.hands and self.pose is None and not self.faces


def mediapipe_dir() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("mediapipe")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("mediapipe is not installed")
    return Path(list(spec.submodule_search_locations)[0])


def check_models_shipped() -> list[str]:
    """Model files that are missing from the installed wheel (empty when all ship)."""
    root = mediapipe_dir()
    return [m for m in SHIPPED_MODELS if not (root / m).is_file()]


class Landmarker:
    """Runs the three MediaPipe solutions on RGB arrays; create once per worker."""

    def __init__(self, max_hands: int = 6, max_faces: int = 4, faces: bool = True, hands: bool = True,
                 pose: bool = True) -> None:
        missing = check_models_shipped()
        if missing:
            raise RuntimeError(f"mediapipe wheel lacks bundled models {missing}; refusing to download")
        import mediapipe as mp  # heavy: only here
        from mediapipe.python.solutions import download_utils

        download_utils.download_oss_model = _refuse_download  # belt and braces: never fetch
        sol = mp.solutions
        self._hands = (sol.hands.Hands(static_image_mode=True, max_num_hands=max_hands,
                                       model_complexity=1, min_detection_confidence=0.5) if hands else None)
        self._pose = (sol.pose.Pose(static_image_mode=True, model_complexity=1,
                                    enable_segmentation=False, min_detection_confidence=0.5) if pose else None)
        self._face = (sol.face_mesh.FaceMesh(static_image_mode=True, max_num_faces=max_faces,
                                             refine_landmarks=True, min_detection_confidence=0.5)
                      if faces else None)

    def close(self) -> None:
        for sol in (self._hands, self._pose, self._face):
            if sol is not None:
                sol.close()

    def detect(self, rgb: np.ndarray) -> Landmarks:
        h, w = rgb.shape[:2]
        small = downscale(rgb)
        hands = self._detect_hands(small, w, h) if self._hands is not None else ()
        pose = self._detect_pose(small, w, h) if self._pose is not None else None
        faces = self._detect_faces(small, w, h) if self._face is not None else ()
        return Landmarks(width=w, height=h, hands=hands, pose=pose, faces=faces)

    def _detect_hands(self, img: np.ndarray, w: int, h: int) -> tuple[Hand, ...]:
        res = self._hands.process(img)
        if not res.multi_hand_landmarks:
            return ()
        worlds = res.multi_hand_world_landmarks or [None] * len(res.multi_hand_landmarks)
        out = []
        for lms, wlms, cls in zip(res.multi_hand_landmarks, worlds, res.multi_handedness):
            image = _to_pixels(lms.landmark, w, h)
            world = _to_array(wlms.landmark) if wlms is not None else np.full((21, 3), np.nan)
            c = cls.classification[0]
            out.append(Hand(image=image, world=world, handedness=c.label, score=float(c.score)))
        return tuple(out)

    def _detect_pose(self, img: np.ndarray, w: int, h: int) -> Pose | None:
        res = self._pose.process(img)
        if res.pose_landmarks is None:
            return None
        lm = res.pose_landmarks.landmark
        world = (_to_array(res.pose_world_landmarks.landmark) if res.pose_world_landmarks is not None
                 else np.full((33, 3), np.nan))
        vis = np.array([p.visibility for p in lm], dtype=np.float64)
        return Pose(image=_to_pixels(lm, w, h), world=world, visibility=vis)

    def _detect_faces(self, img: np.ndarray, w: int, h: int) -> tuple[Face, ...]:
        res = self._face.process(img)
        return tuple(Face(image=_to_pixels(f.landmark, w, h)) for f in (res.multi_face_landmarks or ()))


def _refuse_download(model_path: str) -> None:
    """Stands in for MediaPipe's downloader: a model missing from the wheel is an error."""
    if not (mediapipe_dir().parent / model_path).is_file():
        raise RuntimeError(f"mediapipe model {model_path} is not in the wheel; synthcheck never downloads")


def downscale(rgb: np.ndarray, max_side: int = MAX_SIDE) -> np.ndarray:
    """A contiguous copy no larger than ``max_side``; normalised coordinates stay valid."""
    h, w = rgb.shape[:2]
    scale = max_side / max(h, w)
    if scale >= 1.0:
        return np.ascontiguousarray(rgb)
    import cv2

    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)


def _to_array(points: Iterable[Any]) -> np.ndarray:  # MediaPipe landmark protos
    return np.array([(p.x, p.y, p.z) for p in points], dtype=np.float64)


def _to_pixels(points: Iterable[Any], w: int, h: int) -> np.ndarray:
    """Normalised MediaPipe coordinates to pixels of the original image (z uses the x scale)."""
    a = _to_array(points)
    return a * np.array([w, h, w], dtype=np.float64)
