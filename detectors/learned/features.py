"""Hand-made "too clean" statistics of an image's noise, the inputs of the v2 learned detector.

Why these: real generators (diffusion decoders, GANs) produce pictures that are cleaner and
smoother at the pixel level than camera photographs, which carry sensor noise that rises with
brightness, demosaicing (colour filter array) correlations between neighbouring pixels and
channels, and noise even in flat regions.  Each statistic is computed on the luma/colour noise
residual of up to ``TILES`` 192 px tiles of the image at its own resolution (no resampling, which
would erase exactly these traces), so content matters little and the cost is bounded (about
20 ms per image on one core).

``blockiness`` (8x8 JPEG grid strength) is computed for the LOGO table only: it tells whether a
file was JPEG-compressed, i.e. its format, so it is never an input of the fused score.
numpy and scipy only: the detector needs no torch.
"""

from __future__ import annotations

import numpy as np
from scipy.ndimage import uniform_filter

TILE = 192
TILES = 8
BLOCK = 32
EPS = 1e-3

# stable order: the weights file stores coefficients in this order
NAMES = (
    "noise_p05",  # log noise sigma (Immerkaer) of the cleanest 5% of 32 px blocks
    "noise_p25",
    "noise_p50",
    "noise_flat",  # log noise sigma in the 20% flattest blocks (lowest gradient energy)
    "noise_spread",  # log p75/p25 of block noise: real noise is even, generator noise patchy
    "residual_energy",  # log mean squared luma residual (image minus 3x3 mean): the naive baseline
    "residual_kurtosis",  # heavy tails: residual concentrated on edges, nothing in between
    "zero_residual",  # share of pixels whose residual is below 0.5 grey level ("too clean")
    "noise_vs_brightness",  # correlation of block noise with block brightness (shot noise)
    "cfa_green",  # log ratio of green residual variance on the two diagonal lattices (Bayer)
    "cfa_period2",  # log max/min residual variance over the four 2x2 lattice positions
    "channel_corr",  # mean correlation of R/B residuals with the G residual (demosaicing)
    "chroma_ratio",  # log chroma residual energy relative to luma residual energy
    "saturation_mean",
    "saturation_p95",
    "hf_fraction",  # log share of spectral power in the top frequency band
    "blockiness",  # JPEG 8x8 grid strength: format, NOT used in the fused score
)
FORMAT_FEATURES = ("blockiness",)
PLAIN = {  # what each statistic means, for the finding's sentence
    "noise_p05": "the noise level of its cleanest blocks", "noise_p25": "its typical noise level",
    "noise_p50": "its median noise level", "noise_flat": "the noise in its flattest regions",
    "noise_spread": "how unevenly its noise is spread", "residual_energy": "its overall fine-detail energy",
    "residual_kurtosis": "how much of its fine detail sits on edges only",
    "zero_residual": "how much of it is perfectly smooth",
    "noise_vs_brightness": "whether its noise rises with brightness as sensor noise does",
    "cfa_green": "camera colour-filter (demosaicing) traces", "cfa_period2": "camera colour-filter traces",
    "channel_corr": "how the noise of its colour channels correlates",
    "chroma_ratio": "its colour noise relative to its brightness noise", "saturation_mean": "its colour saturation",
    "saturation_p95": "its colour saturation", "hf_fraction": "its share of the finest frequencies",
    "blockiness": "JPEG block edges",
}


def tiles(rgb: np.ndarray, n: int = TILES, size: int = TILE) -> list[np.ndarray]:
    """Up to ``n`` tiles on an even-aligned grid (so 2x2 lattice phases line up), most textured first."""
    h, w = rgb.shape[:2]
    if h < size or w < size:
        return [rgb[: min(h, size) // 2 * 2, : min(w, size) // 2 * 2]]
    g = max(1, int(np.ceil(np.sqrt(n))))
    ys = np.unique((np.linspace(0, h - size, g) // 2 * 2).astype(int))
    xs = np.unique((np.linspace(0, w - size, g) // 2 * 2).astype(int))
    cands = [(y, x) for y in ys for x in xs][: max(n, 1) * 2]
    picked = cands if len(cands) <= n else [cands[i] for i in np.linspace(0, len(cands) - 1, n).astype(int)]
    return [rgb[y:y + size, x:x + size] for y, x in picked]


def _hp(x: np.ndarray) -> np.ndarray:
    return x - uniform_filter(x, 3, mode="reflect")


def _immerkaer(y: np.ndarray) -> np.ndarray:
    """Per-block noise sigma from the Laplacian-difference kernel (Immerkaer 1996)."""
    c = (y[:-2, :-2] + y[:-2, 2:] + y[2:, :-2] + y[2:, 2:]) - 2 * (y[1:-1, :-2] + y[1:-1, 2:] + y[:-2, 1:-1]
                                                                   + y[2:, 1:-1]) + 4 * y[1:-1, 1:-1]
    a = np.abs(c)
    hb, wb = a.shape[0] // BLOCK, a.shape[1] // BLOCK
    if hb == 0 or wb == 0:
        return np.array([a.mean() * np.sqrt(np.pi / 2) / 6])
    a = a[: hb * BLOCK, : wb * BLOCK].reshape(hb, BLOCK, wb, BLOCK).mean(axis=(1, 3))
    return (a * np.sqrt(np.pi / 2) / 6).ravel()


def _blocks(x: np.ndarray) -> np.ndarray:
    hb, wb = (x.shape[0] - 2) // BLOCK, (x.shape[1] - 2) // BLOCK
    if hb == 0 or wb == 0:
        return np.array([x.mean()])
    return x[1:1 + hb * BLOCK, 1:1 + wb * BLOCK].reshape(hb, BLOCK, wb, BLOCK).mean(axis=(1, 3)).ravel()


def _tile_stats(t: np.ndarray) -> dict[str, np.ndarray | float]:
    f = t.astype(np.float32)
    r, g, b = f[..., 0], f[..., 1], f[..., 2]
    y = 0.299 * r + 0.587 * g + 0.114 * b
    sig = _immerkaer(y)
    rr, rg, rb = _hp(r), _hp(g), _hp(b)
    ry = 0.299 * rr + 0.587 * rg + 0.114 * rb  # the filter is linear: no fourth pass
    gy, gx = np.gradient(y - ry)
    grad = _blocks(gx * gx + gy * gy)
    bright = _blocks(y)
    m = min(len(sig), len(grad), len(bright))
    sig, grad, bright = sig[:m], grad[:m], bright[:m]
    # green interpolation residual on the Bayer diagonals: a camera's demosaiced green differs
    # between measured and interpolated sites
    gi = g - 0.25 * (np.roll(g, 1, 0) + np.roll(g, -1, 0) + np.roll(g, 1, 1) + np.roll(g, -1, 1))
    gi = gi[2:-2, 2:-2]
    d0 = np.var(np.concatenate([gi[0::2, 0::2].ravel(), gi[1::2, 1::2].ravel()]))
    d1 = np.var(np.concatenate([gi[0::2, 1::2].ravel(), gi[1::2, 0::2].ravel()]))
    v4 = np.array([ry[i::2, j::2].var() for i in (0, 1) for j in (0, 1)])
    mx, mn = f.max(axis=2), f.min(axis=2)
    sat = (mx - mn) / np.maximum(mx, 1.0)
    spec = np.abs(np.fft.rfft2(y - y.mean())) ** 2
    fy = np.abs(np.fft.fftfreq(y.shape[0]))[:, None]
    fx = np.fft.rfftfreq(y.shape[1])[None, :]
    rad = np.maximum(fy, fx)
    # JPEG grid: mean jump across 8 px column/row boundaries relative to other positions
    dx = np.abs(np.diff(y, axis=1)).mean(axis=0)
    dy = np.abs(np.diff(y, axis=0)).mean(axis=1)
    blk = []
    for d in (dx, dy):
        k = len(d) // 8 * 8
        if k >= 16:
            ph = d[:k].reshape(-1, 8).mean(axis=0)
            blk.append(np.log((ph[7] + EPS) / (np.median(ph[:7]) + EPS)))
    return {
        "sig": sig, "grad": grad, "bright": bright,
        "ry": ry, "d": (d0, d1), "v4": v4,
        "corr": (np.corrcoef(rr.ravel(), rg.ravel())[0, 1], np.corrcoef(rb.ravel(), rg.ravel())[0, 1]),
        "chroma": (np.mean((rb - ry) ** 2) + np.mean((rr - ry) ** 2)) / 2, "luma": np.mean(ry ** 2),
        "sat": sat, "hf": spec[rad > 0.35].sum() / max(spec.sum(), EPS),
        "blk": float(np.mean(blk)) if blk else 0.0,
    }


def features(rgb: np.ndarray) -> np.ndarray:
    """The ``NAMES`` statistics of one HxWx3 uint8 image, as float64 (finite)."""
    import warnings

    with np.errstate(all="ignore"), warnings.catch_warnings():  # flat tiles: 0/0 correlations, mapped to 0
        warnings.simplefilter("ignore", RuntimeWarning)
        return _features(rgb)


def _features(rgb: np.ndarray) -> np.ndarray:
    rgb = np.asarray(rgb)[..., :3]
    h, w = rgb.shape[:2]
    if min(h, w) < 16:  # too small to measure noise: pad so every statistic stays defined
        rgb = np.pad(rgb, ((0, max(0, 16 - h)), (0, max(0, 16 - w)), (0, 0)), mode="edge")
    st = [_tile_stats(t) for t in tiles(rgb)]
    sig = np.concatenate([s["sig"] for s in st])
    grad = np.concatenate([s["grad"] for s in st])
    bright = np.concatenate([s["bright"] for s in st])
    ry = np.concatenate([s["ry"].ravel() for s in st])
    lsig = np.log(sig + EPS)
    flat = lsig[grad <= np.quantile(grad, 0.2)] if len(grad) > 1 else lsig
    var = ry.var() + EPS
    if len(sig) > 2 and sig.std() > 0 and bright.std() > 0:
        nvb = float(np.corrcoef(sig, bright)[0, 1])
    else:
        nvb = 0.0
    d0 = np.mean([s["d"][0] for s in st])
    d1 = np.mean([s["d"][1] for s in st])
    v4 = np.mean([s["v4"] for s in st], axis=0)
    corr = np.nanmean([c for s in st for c in s["corr"]]) if st else 0.0
    sat = np.concatenate([s["sat"].ravel() for s in st])
    out = [
        np.quantile(lsig, 0.05), np.quantile(lsig, 0.25), np.quantile(lsig, 0.5), flat.mean(),
        np.log((np.quantile(sig, 0.75) + EPS) / (np.quantile(sig, 0.25) + EPS)),
        np.log(np.mean(ry ** 2) + EPS),
        np.mean(ry ** 4) / var ** 2,
        np.mean(np.abs(ry) < 0.5),
        nvb,
        abs(np.log((d0 + EPS) / (d1 + EPS))),
        np.log((v4.max() + EPS) / (v4.min() + EPS)),
        corr,
        np.log((np.mean([s["chroma"] for s in st]) + EPS) / (np.mean([s["luma"] for s in st]) + EPS)),
        sat.mean(), np.quantile(sat, 0.95),
        np.log(np.mean([s["hf"] for s in st]) + 1e-9),
        np.mean([s["blk"] for s in st]),
    ]
    v = np.nan_to_num(np.asarray(out, np.float64), nan=0.0, posinf=0.0, neginf=0.0)
    v[NAMES.index("residual_kurtosis")] = np.log1p(min(v[NAMES.index("residual_kurtosis")], 1e4))
    return v
