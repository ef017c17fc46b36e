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
