"""Blend-boundary statistics: the face hull against a ring of skin and background around it.

A swapped face is rendered elsewhere (often at 256-512 px), warped onto the target and blended
in, so inside the hull it carries a different noise level, a different sharpness, no trace of the
target's JPEG 8x8 grid (or a shifted one) and a colour that was matched, not photographed.  Each
statistic is measured at the image's own resolution on a crop around one face, inside the hull
(minus a margin, so the blend seam itself is not counted on either side) and in a ring outside
it.  Real faces differ from their surroundings too (skin is smoother than hair), which is why
the ratios are scored against the spread measured on real faces (``calibration.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MARGIN = 0.04  # of face size: the seam band left out on both sides
RING = 0.18  # of face size: width of the outside ring
MIN_PIXELS = 200  # a region smaller than this is not measured
WORK_SIZE = 320  # px: larger faces are measured on a downscaled crop (the JPEG grid at full size)


@dataclass(frozen=True)
class BoundaryStats:
    noise: float  # log(noise inside / noise outside); negative: the face is cleaner
    sharpness: float  # log(fine/medium detail ratio inside / outside); negative: the face is softer
    jpeg_grid: float  # log(8x8 blockiness outside / inside); positive: the grid stops at the face
    colour: float  # chroma distance (Lab a*b*) between the inner edge band and the ring, in ring stds
    noise_band: float  # as ``noise``, for the band just inside the outline (cheeks, jaw, forehead)
    sharpness_band: float  # as ``sharpness``, for that band
    noise_in: float
    noise_out: float
    block_in: float
    block_out: float

    def as_dict(self) -> dict[str, float]:
        return {k: round(float(v), 4) for k, v in self.__dict__.items()}


def _scaled(polygon: np.ndarray, offset: float, size: float) -> np.ndarray:
    """The polygon grown (offset > 0) or shrunk by about ``offset`` px: scaled about its centre as
    a circle of the same area would be.  Cheap at any resolution, unlike morphology with large
    kernels, and close enough for an oval."""
    c = polygon.mean(axis=0)
    radius = size / np.sqrt(np.pi)
    return c + (polygon - c) * max(0.05, 1.0 + offset / radius)


def _masks(shape: tuple[int, int], polygon: np.ndarray, size: float) -> tuple[np.ndarray, ...]:
    """(inside minus the seam margin, the band just inside the outline, the ring outside it)."""
    import cv2

    def fill(off: float) -> np.ndarray:
        m = np.zeros(shape, np.uint8)
        cv2.fillPoly(m, [np.round(_scaled(polygon, off, size)).astype(np.int32)], 1)
        return m.astype(bool)

    m = max(1.0, MARGIN * size)
    inner, deep = fill(-m), fill(-4 * m)
    near, far = fill(m), fill(max(m + 2, RING * size))
    return inner, inner & ~deep, far & ~near


def _blockiness(gray: np.ndarray, mask: np.ndarray, x0: int, y0: int, step: int = 1) -> float:
    """Mean step across 8x8 grid lines over the mean step elsewhere (1 = no grid), in ``mask``;
    ``step`` > 1 reads every step-th row (column) only, for large faces."""
    out = []
    for axis, origin in ((1, x0), (0, y0)):
        g, mk = (gray[::step], mask[::step]) if axis == 1 else (gray[:, ::step], mask[:, ::step])
        d = np.abs(np.diff(g, axis=axis))
        m = mk[:, 1:] & mk[:, :-1] if axis == 1 else mk[1:, :] & mk[:-1, :]
        pos = (np.arange(d.shape[axis]) + origin) % 8 == 7  # step between pixel 8k+7 and 8k+8
        on = m & (pos[None, :] if axis == 1 else pos[:, None])
        off = m & ~(pos[None, :] if axis == 1 else pos[:, None])
        if on.sum() < 20 or off.sum() < 20:
            return float("nan")
        out.append((d[on].mean() + 0.05) / (d[off].mean() + 0.05))
    return float(np.mean(out))


def face_crop(rgb: np.ndarray, polygon: np.ndarray, size: float) -> tuple[np.ndarray, int, int, tuple] | None:
    """The hull's box plus the ring, its offset, and the (inner, band, ring) masks on it."""
    h, w = rgb.shape[:2]
    pad = int(RING * size) + 4
    p = np.asarray(polygon, dtype=np.float64)
    x0 = max(0, int(p[:, 0].min()) - pad)
    y0 = max(0, int(p[:, 1].min()) - pad)
    x1 = min(w, int(p[:, 0].max()) + pad + 1)
    y1 = min(h, int(p[:, 1].max()) + pad + 1)
    if x1 - x0 < 16 or y1 - y0 < 16:
        return None
    crop = np.ascontiguousarray(rgb[y0:y1, x0:x1])
    return crop, x0, y0, _masks(crop.shape[:2], p - [x0, y0], size)


def boundary_stats(rgb: np.ndarray, polygon: np.ndarray, size: float) -> BoundaryStats | None:
    """The four inside-vs-outside statistics of one face, or None when a region is too small."""
    import cv2

    cut = face_crop(rgb, polygon, size)
    if cut is None:
        return None
    crop, x0, y0, (inner, band, ring) = cut
    if inner.sum() < MIN_PIXELS or ring.sum() < MIN_PIXELS or band.sum() < MIN_PIXELS // 4:
        return None
    gray = cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY).astype(np.float32)
    step = max(1, int(size // WORK_SIZE))  # the grid survives row/column subsampling, not resizing
    b_in, b_out = _blockiness(gray, inner, x0, y0, step), _blockiness(gray, ring, x0, y0, step)
    if size > WORK_SIZE:  # noise, detail and colour at a bounded face size: time stays flat
        f = WORK_SIZE / size
        dsize = (max(16, round(crop.shape[1] * f)), max(16, round(crop.shape[0] * f)))
        crop = cv2.resize(crop, dsize, interpolation=cv2.INTER_AREA)
        inner, band, ring = (cv2.resize(m.astype(np.uint8), dsize, interpolation=cv2.INTER_NEAREST) > 0
                             for m in (inner, band, ring))
        gray = cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY).astype(np.float32)
    lap = cv2.Laplacian(gray, cv2.CV_32F, ksize=1)
    fine = cv2.boxFilter(lap * lap, -1, (7, 7))
    mid = cv2.GaussianBlur(gray, (0, 0), 1.0) - cv2.GaussianBlur(gray, (0, 0), 2.5)
    medium = cv2.boxFilter(mid * mid, -1, (7, 7))

    level = cv2.blur(gray, (5, 5))
    usable = (level > 8) & (level < 247)  # clipped shadows and highlights carry no noise
    inner, band, ring = inner & usable, band & usable, ring & usable
    if inner.sum() < MIN_PIXELS or ring.sum() < MIN_PIXELS or band.sum() < MIN_PIXELS // 4:
        return None

    def noise(mask: np.ndarray) -> float:  # the flattest fifth of the region: sensor/render noise
        return float(np.sqrt(np.percentile(fine[mask], 20) + 0.25))

    def detail(mask: np.ndarray) -> float:  # fine over medium detail: falls when a region is blurred
        return float(np.median(np.log((fine[mask] + 1.0) / (medium[mask] + 1.0))))

    n_in, n_out = noise(inner), noise(ring)
    lab = cv2.cvtColor(crop, cv2.COLOR_RGB2LAB).astype(np.float32)[..., 1:]
    ring_ab = lab[ring]
    spread = float(np.sqrt(ring_ab.var(axis=0).sum()) + 2.0)
    colour = float(np.linalg.norm(lab[band].mean(axis=0) - ring_ab.mean(axis=0)) / spread)
    jpeg = float(np.log(b_out / b_in)) if np.isfinite(b_in) and np.isfinite(b_out) else 0.0
    return BoundaryStats(noise=float(np.log(n_in / n_out)), sharpness=detail(inner) - detail(ring),
                         jpeg_grid=jpeg, colour=colour, noise_band=float(np.log(noise(band) / n_out)),
                         sharpness_band=detail(band) - detail(ring), noise_in=n_in, noise_out=n_out,
                         block_in=b_in, block_out=b_out)
