"""Residual power spectrum and the upsampling-grid statistics the frequency detector scores.

Why these steps:

* Residual ``r = gray - box3x3(gray)``: a *linear* high-pass, so the spectral replicas that
  upsampling leaves (copies of the image spectrum centred on multiples of 1/k cycles per pixel)
  survive in ``r`` while the smooth scene content that dominates ``gray`` is removed.
* Crops of 256x256 at offsets that are multiples of 8 (up to 8, spread over the image) keep the
  cost bounded for any image size and keep an 8x8 JPEG grid on the same spectral bins; a Hann
  window stops the crop edges from smearing energy along the axes.
* Power spectra of the crops are averaged; bin ``u`` is frequency ``u/256``; the upsampling grid
  points ``(a/8, b/8)`` sit at bins ``(32a, 32b)``.
* A grid point's strength is its peak power (3x3 bins around it, the Hann window spreads a line
  over neighbouring bins) over the median power of a ring of bins 4-12 away that avoids the grid
  lines.  In *JPEG mode* (the file is a JPEG, or a video from a block-transform codec) the points
  on the two axes are masked (JPEG blocking puts its energy there) and the
  other points are compared with the brighter of the ring and the grid lines through them, so a
  point counts only where it stands out from the JPEG lines it lies on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

CROP = 256
MAX_CROPS = 8
MIN_SIDE = 64  # below this the spectrum is too coarse to say anything
STEP = CROP // 8  # bins between grid points (1/8 cycle per pixel)


@dataclass
class GridStats:
    """Log peak ratios per upsampling factor and the context needed to read them."""

    factors: dict[int, float]  # factor (2, 4, 8) -> mean log10 peak ratio of its own grid points
    points: dict[tuple[int, int], float]  # (a, b) in eighths -> log10 peak ratio
    jpeg_mode: bool
    grid_lines: float  # log10 brightness of the k/8 lines over the background (context only)
    hf_slope: float  # log-log slope of the residual spectrum between 1/4 and 1/2 cycle/px
    crops: int
    side: int
    spectrum: np.ndarray = field(repr=False)  # averaged power, side x side (unshifted)


def gray(rgb: np.ndarray) -> np.ndarray:
    rgb = rgb.astype(np.float32)
    return 0.299 * rgb[..., 0] + 0.587 * rgb[..., 1] + 0.114 * rgb[..., 2]


def crop_origins(h: int, w: int, side: int, n: int = MAX_CROPS) -> list[tuple[int, int]]:
    """Up to ``n`` crop corners on a grid over the image, each a multiple of 8."""
    ny = max(1, min(n, (h - side) // side + 1))
    nx = max(1, min(n, (w - side) // side + 1))
    while ny * nx > n:
        if ny >= nx:
            ny -= 1
        else:
            nx -= 1
    ys = np.linspace(0, h - side, ny) if ny > 1 else [(h - side) / 2]
    xs = np.linspace(0, w - side, nx) if nx > 1 else [(w - side) / 2]
    return [(int(y) // 8 * 8, int(x) // 8 * 8) for y in ys for x in xs]


def residual(g: np.ndarray) -> np.ndarray:
    from scipy.ndimage import uniform_filter

    return g - uniform_filter(g, size=3, mode="reflect")


def power_spectrum(images: list[np.ndarray]) -> tuple[np.ndarray, int, int]:
    """Averaged windowed power spectrum of residual crops over one or more frames."""
    side = CROP
    for im in images:
        side = min(side, (min(im.shape[:2]) // 8) * 8)
    if side < MIN_SIDE:
        raise ValueError(f"image too small for a spectrum ({side} px < {MIN_SIDE})")
    win = np.outer(np.hanning(side), np.hanning(side)).astype(np.float32)
    acc = np.zeros((side, side), np.float64)
    count = 0
    per_frame = max(1, MAX_CROPS // len(images))
    for im in images:
        for y, x in crop_origins(im.shape[0], im.shape[1], side, per_frame):
            r = residual(gray(im[y:y + side, x:x + side]))  # crop first: never convert a whole large image
            r = (r - r.mean()) * win
            acc += np.abs(np.fft.fft2(r)) ** 2
            count += 1
    return acc / count, count, side


def _ring(side: int, radius_in: int = 4, radius_out: int = 12) -> list[tuple[int, int]]:
    out = []
    for dy in range(-radius_out, radius_out + 1):
        for dx in range(-radius_out, radius_out + 1):
            if max(abs(dy), abs(dx)) >= radius_in and abs(dy) > 2 and abs(dx) > 2:
                out.append((dy, dx))  # off both lines through the point
    return out


def _line(radius_in: int = 4, radius_out: int = 12) -> list[tuple[int, int]]:
    return [(d, o) for d in range(radius_in, radius_out + 1) for d in (d, -d) for o in (-1, 0, 1)] + \
           [(o, d) for d in range(radius_in, radius_out + 1) for d in (d, -d) for o in (-1, 0, 1)]


def order(a: int, b: int) -> int:
    """The smallest upsampling factor whose replicas land on grid point (a/8, b/8)."""
    for k in (2, 4, 8):
        if (a * k) % 8 == 0 and (b * k) % 8 == 0:
            return k
    return 8


def grid_bin(a: int, side: int, scale: float = 1.0) -> int:
    """Spectrum bin of grid frequency a/8 after the image was resized by ``scale`` (aliased)."""
    f = a / 8 / scale
    f = (f + 0.5) % 1.0 - 0.5
    return int(round(f * side)) % side


def grid_stats(spec: np.ndarray, jpeg_hint: bool, crops: int = 1, scale: float = 1.0) -> GridStats:
    """Grid-point statistics; ``scale`` != 1 looks where a resize by ``scale`` moved the grid."""
    side = spec.shape[0]
    step = side // 8
    eps = 1e-12
    logp = np.log10(spec + eps)
    ring, line = _ring(side), _line()

    def at(offsets: list[tuple[int, int]], u: int, v: int) -> np.ndarray:
        return np.array([logp[(u + dy) % side, (v + dx) % side] for dy, dx in offsets])

    # JPEG grid lines: bins on the k/8 lines away from the grid points, against the ring.
    line_vals, bg_vals = [], []
    for k in range(1, 8):
        for t in (step // 2, side - step // 2):  # between grid points, off the axes
            line_vals.append(np.median(at([(0, dx) for dx in range(-3, 4)], k * step, t)))
            line_vals.append(np.median(at([(dy, 0) for dy in range(-3, 4)], t, k * step)))
            bg_vals.append(np.median(at(ring, k * step, t)))
    grid_lines = float(np.median(line_vals) - np.median(bg_vals))
    # Reported only.  It was tried as a trigger for JPEG mode (PNG re-saves of JPEGs) and rejected:
    # above 0.2 it fired on 8% of decoded real JPEGs but also on 6% of the same photos resized to
    # 0.75x (no grid left), and never on 1/f test images JPEG-compressed at q30-q90.
    jpeg_mode = bool(jpeg_hint)

    points: dict[tuple[int, int], float] = {}
    for a in range(8):
        for b in range(8):
            if (a, b) == (0, 0) or (jpeg_mode and (a == 0 or b == 0)):
                continue
            u, v = grid_bin(a, side, scale), grid_bin(b, side, scale)
            peak = np.log10(spec[[(u + d) % side for d in (-1, 0, 1)]][:, [(v + d) % side for d in (-1, 0, 1)]].mean()
                            + eps)
            ref = np.median(at(ring, u, v))
            if jpeg_mode:
                ref = max(ref, float(np.median(at(line, u, v))))
            points[(a, b)] = float(peak - ref)
    factors: dict[int, float] = {}
    for k in (2, 4, 8):
        vals = [v for (a, b), v in points.items() if order(a, b) == k]
        factors[k] = float(np.mean(vals)) if vals else 0.0
    return GridStats(factors, points, jpeg_mode, grid_lines, hf_slope(spec), crops, side, spec)


def hf_slope(spec: np.ndarray) -> float:
    """Slope of log power against log radius for 1/4-1/2 cycles per pixel (azimuthal average)."""
    side = spec.shape[0]
    f = np.fft.fftfreq(side)
    rad = np.hypot(f[:, None], f[None, :])
    bins = np.linspace(0.25, 0.5, 9)
    idx = np.digitize(rad.ravel(), bins)
    prof = [spec.ravel()[idx == i].mean() for i in range(1, len(bins))]
    centres = (bins[:-1] + bins[1:]) / 2
    return float(np.polyfit(np.log10(centres), np.log10(np.array(prof) + 1e-12), 1)[0])


def analyse(images: list[np.ndarray], jpeg_hint: bool, scale: float = 1.0) -> GridStats:
    spec, crops, _ = power_spectrum(images)
    return grid_stats(spec, jpeg_hint, crops, scale)
