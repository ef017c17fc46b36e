"""Per-face measurements: what the rules score and what calibration reads, from one mesh."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from .boundary import BoundaryStats, boundary_stats
from .cover import hand_share, lower_face_chroma
from .geometry import face_size, hull_box, hull_polygon, pose_difference, yaw_degrees

MIN_FACE = 64  # px (square root of the hull area): smaller faces are "too small to judge"
MAX_YAW_BOUNDARY = 50.0  # degrees: beyond this the hull is a guess (profile view)
MAX_YAW_POSE = 30.0  # degrees: the two pose estimates only agree near frontal
MAX_PALETTE = 256  # colours: a GIF or PNG-8 frame holds at most this many
PALETTE_SAMPLE = 65536  # pixels read around a face to count its colours
PALETTE = "palette-quantised"  # the not_judged reason
# Lab a*b* units between the lower face's median chroma and the cheeks': beyond it the lower face
# is covered (or the "face" is none).  Set on the calibration split: every bare face there is at or
# under 16.4 (a blurred face in ml72's people_1); above 20 sat a snorkel mask (21.0) and a pink
# shirt taken for a face (37.1).  docs/targets.md, Faces, gives what it keeps out of the held-out set.
MAX_COVER = 20.0
COVERED = "lower face covered"
# A hand over more than this share of the face's outline makes the hand part of "the face".  Hands
# are looked for only when the blend boundary would be reported (HAND_CHECK_SCORE and up): the
# hand model costs as much as the face mesh, and a face that shows nothing needs no excuse.
MAX_HAND = 0.10
HAND_CHECK_SCORE = 0.3
HAND = "covered by a hand"


def palette_size(rgb: np.ndarray, box: tuple[int, int, int, int]) -> int | None:
    """The number of colours around a face when they fit a palette, else None.

    A GIF or PNG-8 (pngquant) is dithered: its pixel-to-pixel "noise" is the dither pattern, as
    strong inside a face as around it, so the noise and sharpness the blend boundary compares say
    nothing about a camera or a paste (AnimateDiff's GIFs read 38-72, about ten times the median
    real-face measurement of the faces benchmark, 6.4; docs/targets.md).  A
    gray picture is never counted as one: 256 levels is all any gray photo has."""
    x, y, w, h = box
    pad = max(w, h) // 4
    crop = rgb[max(0, y - pad):y + h + pad, max(0, x - pad):x + w + pad]
    if crop.ndim != 3 or crop.size == 0:
        return None
    step = max(1, int(np.sqrt(crop.shape[0] * crop.shape[1] / PALETTE_SAMPLE)))
    px = crop[::step, ::step].reshape(-1, 3).astype(np.uint32)
    if len(px) < 1024 or (px[:, 0] == px[:, 1]).all() and (px[:, 1] == px[:, 2]).all():
        return None
    n = len(np.unique((px[:, 0] << 16) | (px[:, 1] << 8) | px[:, 2]))
    return n if n <= MAX_PALETTE else None


@dataclass(frozen=True)
class FaceMeasure:
    mesh: np.ndarray
    size: float
    box: tuple[int, int, int, int]
    yaw: float
    boundary: BoundaryStats | None
    pose_angle: float | None  # degrees between whole-face and central-face pose, offset removed
    pose_axes: tuple[float, float, float] | None
    not_judged: str = ""  # why nothing was scored ("too small", "profile view"); "" when judged
    cover: float | None = None  # lower face against cheeks, Lab chroma units (``cover.py``)
    hand: float | None = None  # share of the outline under a hand, when hands were looked for

    def as_row(self) -> dict[str, object]:
        axes = None if self.pose_axes is None else [round(v, 2) for v in self.pose_axes]
        row: dict[str, object] = {"size": round(self.size, 1), "yaw": round(self.yaw, 1),
                                  "not_judged": self.not_judged, "box": list(self.box),
                                  "pose": None if self.pose_angle is None else round(self.pose_angle, 3),
                                  "pose_axes": axes,
                                  "cover": None if self.cover is None else round(self.cover, 2),
                                  "hand": None if self.hand is None else round(self.hand, 3)}
        if self.boundary is not None:
            row.update(self.boundary.as_dict())
        return row


def measure_face(rgb: np.ndarray, mesh: np.ndarray, pose_offset: Sequence[float] | None = None,
                 hands: Callable[[], Sequence[np.ndarray]] | None = None) -> FaceMeasure:
    """``hands``: returns the picture's hand landmarks, called only for a face that would be
    reported (so a caller can find hands lazily, once per picture); None: no hand check."""
    h, w = rgb.shape[:2]
    size = face_size(mesh)
    box = hull_box(mesh, w, h)
    yaw = yaw_degrees(mesh)
    if size < MIN_FACE:
        return FaceMeasure(mesh, size, box, yaw, None, None, None, "too small")
    if abs(yaw) > MAX_YAW_BOUNDARY:
        return FaceMeasure(mesh, size, box, yaw, None, None, None, "profile view")
    if palette_size(rgb, box) is not None:
        return FaceMeasure(mesh, size, box, yaw, None, None, None, PALETTE)
    cover = lower_face_chroma(rgb, mesh)
    if cover is not None and cover > MAX_COVER:
        return FaceMeasure(mesh, size, box, yaw, None, None, None, COVERED, cover)
    stats = boundary_stats(rgb, hull_polygon(mesh), size)
    share = None
    if stats is not None and hands is not None:
        from .rules import blend_boundary

        if blend_boundary(stats).score >= HAND_CHECK_SCORE:
            share = hand_share(mesh, hands())
            if share > MAX_HAND:
                return FaceMeasure(mesh, size, box, yaw, None, None, None, HAND, cover, share)
    angle = axes = None
    if abs(yaw) <= MAX_YAW_POSE:
        offset = None if pose_offset is None else np.asarray(pose_offset, dtype=np.float64)
        angle, d = pose_difference(mesh, offset)
        axes = (float(d[0]), float(d[1]), float(d[2]))
    reason = "" if stats is not None else "face cut off by the image edge"
    return FaceMeasure(mesh, size, box, yaw, stats, angle, axes, reason, cover, share)


def measure_image(rgb: np.ndarray, meshes: Sequence[np.ndarray], pose_offset: Sequence[float] | None = None,
                  find_hands: Callable[[np.ndarray], Sequence[np.ndarray]] | None = None) -> list[FaceMeasure]:
    """``find_hands(rgb)``: hand landmarks of a picture, run at most once and only when needed."""
    if find_hands is None:
        return [measure_face(rgb, m, pose_offset) for m in meshes]
    look = find_hands
    found: list[Sequence[np.ndarray]] = []

    def hands() -> Sequence[np.ndarray]:
        if not found:
            found.append(look(rgb))
        return found[0]

    return [measure_face(rgb, m, pose_offset, hands) for m in meshes]
