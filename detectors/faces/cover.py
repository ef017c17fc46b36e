"""Is the face covered?  A mask, a scarf or an object by the colour of the skin, a hand by its landmarks.

MediaPipe fits its mesh to a masked face as to a bare one, and the blend boundary would then
compare a piece of cloth with the skin and hair around it: a plain mask is cleaner and softer
than its ring, the very sign of a paste.  Bare skin keeps one chroma from the cheeks to the chin
(lips and stubble move the median of the lower face little), so a lower face whose median
chroma lies far from the cheeks' is covered by something else, and is not judged.  A hand has
the colour of skin, so it is found as a hand (MediaPipe's hand landmarks) lying over the face.
"""

from __future__ import annotations

import numpy as np

from .geometry import CHIN, FOREHEAD, hull_polygon

UPPER = (0.42, 0.62)  # of the forehead-to-chin axis: cheeks and nose, below the eyes
LOWER = (0.74, 0.97)  # below the upper lip, above the chin's edge
SHRINK = 0.85  # of the oval about its centre: the face's own pixels, not its outline
WORK = 128  # px: the long side the crop is read at (a median of chroma needs no detail)
MIN_PIXELS = 40


def lower_face_chroma(rgb: np.ndarray, mesh: np.ndarray) -> float | None:
    """Distance in Lab a*b* units between the median chroma of the lower face and of the cheeks;
    None when either region is too small to read (a face cut by the image edge)."""
    import cv2

    p = hull_polygon(mesh)
    top, chin = np.asarray(mesh)[FOREHEAD, :2], np.asarray(mesh)[CHIN, :2]
    axis = chin - top
    length = float(np.linalg.norm(axis))
    if length < 8:
        return None
    h, w = rgb.shape[:2]
    x0, y0 = (int(v) for v in np.clip(p.min(axis=0), 0, [w, h]))
    x1, y1 = (int(v) + 1 for v in np.clip(p.max(axis=0), 0, [w, h]))
    if x1 - x0 < 8 or y1 - y0 < 8:
        return None
    f = min(1.0, WORK / max(x1 - x0, y1 - y0))
    crop = rgb[y0:y1, x0:x1]
    if f < 1.0:
        crop = cv2.resize(crop, (max(8, round(crop.shape[1] * f)), max(8, round(crop.shape[0] * f))),
                          interpolation=cv2.INTER_AREA)
    scale = np.array([crop.shape[1] / (x1 - x0), crop.shape[0] / (y1 - y0)])
    c = p.mean(axis=0)
    poly = ((c + (p - c) * SHRINK) - [x0, y0]) * scale
    inside = np.zeros(crop.shape[:2], np.uint8)
    cv2.fillPoly(inside, [np.round(poly).astype(np.int32)], 1)
    yy, xx = np.mgrid[: crop.shape[0], : crop.shape[1]]
    pts = np.stack([xx / scale[0] + x0, yy / scale[1] + y0], axis=-1)
    t = ((pts - top) @ axis) / (length * length)  # 0 at the top of the forehead, 1 at the chin
    lab = cv2.cvtColor(np.ascontiguousarray(crop), cv2.COLOR_RGB2LAB).astype(np.float32)[..., 1:]
    medians = []
    for lo, hi in (UPPER, LOWER):
        sel = inside.astype(bool) & (t >= lo) & (t <= hi)
        if sel.sum() < MIN_PIXELS:
            return None
        medians.append(np.median(lab[sel], axis=0))
    return float(np.linalg.norm(medians[1] - medians[0]))


def hand_share(mesh: np.ndarray, hands: "list[np.ndarray] | tuple[np.ndarray, ...]") -> float:
    """The largest share of the face's outline that one hand (the convex hull of its 21 landmarks,
    pixels) covers: 0 when no hand reaches the face."""
    import cv2

    p = hull_polygon(mesh)
    lo, hi = p.min(axis=0), p.max(axis=0)
    f = WORK / max(float((hi - lo).max()), 1.0)
    size = (int((hi - lo)[1] * f) + 2, int((hi - lo)[0] * f) + 2)
    face = np.zeros(size, np.uint8)
    cv2.fillPoly(face, [np.round((p - lo) * f).astype(np.int32)], 1)
    area = max(int(face.sum()), 1)
    best = 0.0
    for hand in hands:
        pts = np.round((np.asarray(hand, dtype=np.float64)[:, :2] - lo) * f).astype(np.int32)
        m = np.zeros(size, np.uint8)
        cv2.fillPoly(m, [cv2.convexHull(pts)], 1)
        best = max(best, float((m & face).sum()) / area)
    return best
