"""Per-face measurements: what the rules score and what calibration reads, from one mesh."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from .boundary import BoundaryStats, boundary_stats
from .geometry import face_size, hull_box, hull_polygon, pose_difference, yaw_degrees

MIN_FACE = 64  # px (square root of the hull area): smaller faces are "too small to judge"
MAX_YAW_BOUNDARY = 50.0  # degrees: beyond this the hull is a guess (profile view)
MAX_YAW_POSE = 30.0  # degrees: the two pose estimates only agree near frontal
MAX_PALETTE = 256  # colours: a GIF or PNG-8 frame holds at most this many
PALETTE_SAMPLE = 65536  # pixels read around a face to count its colours
PALETTE = "palette-quantised"  # the not_judged reason


def palette_size(rgb: np.ndarray, box: tuple[int, int, int, int]) -> int | None:
    """The number of colours around a face when they fit a palette, else None.

    A GIF or PNG-8 (pngquant) is dithered: its pixel-to-pixel "noise" is the dither pattern, as
    strong inside a face as around it, so the noise and sharpness the blend boundary compares say
    nothing about a camera or a paste (AnimateDiff's GIFs measure 10x the noise of any photo).  A
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

    def as_row(self) -> dict[str, object]:
        axes = None if self.pose_axes is None else [round(v, 2) for v in self.pose_axes]
        row: dict[str, object] = {"size": round(self.size, 1), "yaw": round(self.yaw, 1),
                                  "not_judged": self.not_judged, "box": list(self.box),
                                  "pose": None if self.pose_angle is None else round(self.pose_angle, 3),
                                  "pose_axes": axes}
        if self.boundary is not None:
            row.update(self.boundary.as_dict())
        return row


def measure_face(rgb: np.ndarray, mesh: np.ndarray, pose_offset: Sequence[float] | None = None) -> FaceMeasure:
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
    stats = boundary_stats(rgb, hull_polygon(mesh), size)
    angle = axes = None
    if abs(yaw) <= MAX_YAW_POSE:
        offset = None if pose_offset is None else np.asarray(pose_offset, dtype=np.float64)
        angle, d = pose_difference(mesh, offset)
        axes = (float(d[0]), float(d[1]), float(d[2]))
    reason = "" if stats is not None else "face cut off by the image edge"
    return FaceMeasure(mesh, size, box, yaw, stats, angle, axes, reason)


def measure_image(rgb: np.ndarray, meshes: Sequence[np.ndarray],
                  pose_offset: Sequence[float] | None = None) -> list[FaceMeasure]:
    return [measure_face(rgb, m, pose_offset) for m in meshes]
