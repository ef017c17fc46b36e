"""Face-mesh geometry on plain arrays: hull, size, frontalness, head-pose consistency, eye opening.

Pure numpy on MediaPipe's 478-point face mesh (pixels x, y and a relative depth z in the x
scale), so every rule can be tested on hand-built meshes without MediaPipe.
"""

from __future__ import annotations

import numpy as np

# MediaPipe face-mesh indices (canonical topology).  The oval runs round the face edge from the
# top of the forehead clockwise in the image.
OVAL = (10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377,
        152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109)
FOREHEAD, CHIN, CHEEK_R, CHEEK_L = 10, 152, 234, 454  # CHEEK_R: the subject's right (image left)
EYE_OUTER_R, EYE_OUTER_L = 33, 263
MOUTH_UPPER, MOUTH_LOWER, NOSE_TIP = 13, 14, 1
# Eye-aspect-ratio points (Soukupova & Cech 2016 order: corner, top, top, corner, bottom, bottom).
EYE_R = (33, 160, 158, 133, 153, 144)
EYE_L = (362, 385, 387, 263, 373, 380)
# Central face (eyes, brows, nose): the part a swap replaces; the mouth is left out because
# talking moves it against the head.
CENTRAL = (33, 133, 160, 158, 153, 144, 362, 263, 385, 387, 373, 380, 70, 105, 107, 336, 334, 300,
           168, 6, 197, 195, 5, 4, 1, 98, 327)


def hull_polygon(mesh: np.ndarray) -> np.ndarray:
    """The face oval as an (N, 2) polygon in pixels."""
    return np.asarray(mesh, dtype=np.float64)[list(OVAL), :2]


def face_size(mesh: np.ndarray) -> float:
    """Square root of the oval's area in pixels: the face's side length in one number."""
    p = hull_polygon(mesh)
    x, y = p[:, 0], p[:, 1]
    area = 0.5 * abs(float(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1))))
    return float(np.sqrt(area))


def dedupe(meshes: list[np.ndarray]) -> list[np.ndarray]:
    """Drop a mesh whose centre lies within a third of a face of a larger one: MediaPipe sometimes
    returns one face twice, and one face must not count as two."""
    keep: list[np.ndarray] = []
    for m in sorted(meshes, key=face_size, reverse=True):
        c = np.asarray(m)[:, :2].mean(axis=0)
        if all(np.linalg.norm(c - np.asarray(k)[:, :2].mean(axis=0)) > face_size(k) / 3 for k in keep):
            keep.append(m)
    return keep


def hull_box(mesh: np.ndarray, width: int, height: int) -> tuple[int, int, int, int]:
    """x, y, w, h of the oval, clipped to the image."""
    p = hull_polygon(mesh)
    x0, y0 = np.clip(p.min(axis=0), 0, [width, height])
    x1, y1 = np.clip(p.max(axis=0), 0, [width, height])
    return int(x0), int(y0), max(1, int(round(x1 - x0))), max(1, int(round(y1 - y0)))


def _frame(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Right-handed orthonormal frame (rows) from a left-right axis ``u`` and a top-down axis ``v``."""
    e1 = u / (np.linalg.norm(u) + 1e-9)
    v = v - np.dot(v, e1) * e1
    e2 = v / (np.linalg.norm(v) + 1e-9)
    return np.stack([e1, e2, np.cross(e1, e2)])


def pose_frames(mesh: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Head orientation from the outline (cheek to cheek, forehead to chin) and from the central
    face (outer eye corners, eyes to mouth), as 3x3 rotation matrices."""
    m = np.asarray(mesh, dtype=np.float64)[:, :3]
    whole = _frame(m[CHEEK_L] - m[CHEEK_R], m[CHIN] - m[FOREHEAD])
    eyes = 0.5 * (m[EYE_OUTER_L] + m[EYE_OUTER_R])
    mouth = 0.5 * (m[MOUTH_UPPER] + m[MOUTH_LOWER])
    central = _frame(m[EYE_OUTER_L] - m[EYE_OUTER_R], mouth - eyes)
    return whole, central


def angles(r: np.ndarray) -> np.ndarray:
    """Yaw, pitch, roll in degrees of a frame whose third row is the face normal."""
    n = r[2]
    yaw = np.degrees(np.arctan2(n[0], -n[2] if n[2] != 0 else 1e-9))
    pitch = np.degrees(np.arctan2(n[1], np.hypot(n[0], n[2])))
    roll = np.degrees(np.arctan2(r[0, 1], r[0, 0]))
    return np.array([yaw, pitch, roll])


def pose_difference(mesh: np.ndarray, offset: np.ndarray | None = None) -> tuple[float, np.ndarray]:
    """Angle in degrees between the whole-face and the central-face orientation (after the mean
    offset real faces show), and the per-axis yaw/pitch/roll differences (Yang, Li & Lyu 2019)."""
    whole, central = pose_frames(mesh)
    d = angles(central) - angles(whole)
    d = (d + 180.0) % 360.0 - 180.0
    if offset is not None:
        d = d - np.asarray(offset, dtype=np.float64)
    return float(np.linalg.norm(d)), d


def yaw_degrees(mesh: np.ndarray) -> float:
    """How far the face is turned from frontal, from where the nose tip sits between the cheeks."""
    m = np.asarray(mesh, dtype=np.float64)
    left, right, nose = m[CHEEK_L, 0], m[CHEEK_R, 0], m[NOSE_TIP, 0]
    span = abs(left - right) + 1e-9
    pos = (nose - 0.5 * (left + right)) / (0.5 * span)  # -1..1 across the face
    return float(np.degrees(np.arcsin(np.clip(pos, -1.0, 1.0))))


def eye_aspect_ratio(mesh: np.ndarray) -> tuple[float, float]:
    """Opening of the subject's right and left eye: mean lid distance over eye width."""
    m = np.asarray(mesh, dtype=np.float64)[:, :2]

    def ear(idx: tuple[int, ...]) -> float:
        p = m[list(idx)]
        width = np.linalg.norm(p[0] - p[3]) + 1e-9
        return float((np.linalg.norm(p[1] - p[5]) + np.linalg.norm(p[2] - p[4])) / (2.0 * width))

    return ear(EYE_R), ear(EYE_L)
