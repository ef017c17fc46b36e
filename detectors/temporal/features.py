"""Per-pair and per-window temporal measurements (OpenCV; imported only when the detector runs).

Why these measurements: a camera films a world that persists, so after compensating the motion
the next frame is predictable, and texture in places that do not move stays put (sensor noise
changes every frame, but its *local energy* does not).  Frame-by-frame generators re-synthesise
texture each frame: detail "boils" in regions the optical flow calls static, the motion-
compensated residual is large relative to the image's own detail, and the pattern of fine
texture drifts away from where it was a few frames earlier.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from . import tells

STATIC_FLOW_PX = 0.35  # flow magnitude (pixels per frame) under which a pixel counts as static
_EPS = 1e-6

FEATURES = ("resid", "static_hf", "drift", "flicker", "jump",
            "noise_corr", "noise_level", "crawl", "structure_drift", "kp_vanish", "kp_appear", "framediff")


@dataclass
class PairStats:
    resid: float  # motion-compensated residual / image detail
    static_hf: float  # mean |log change| of local fine-texture energy where flow says static
    static_frac: float  # fraction of pixels counted static
    luma: float  # mean luminance of frame 2 (for flicker spectra)
    noise_corr: float = float("nan")  # correlation of finest-scale residuals, motion-compensated, flat areas
    noise_level: float = float("nan")  # robust sigma of the finest scale on flat areas (8-bit levels)
    crawl: float = float("nan")  # 1 - correlation of fine texture on static textured pixels
    framediff: float = 0.0  # naive baseline: mean |frame difference| (8-bit levels)


def gray(rgb: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)


def _band(g: np.ndarray) -> np.ndarray:
    """Fine texture: difference of Gaussians (sigma 0.8 - 2.0) on the float image."""
    return cv2.GaussianBlur(g, (0, 0), 0.8) - cv2.GaussianBlur(g, (0, 0), 2.0)


def _energy(band: np.ndarray) -> np.ndarray:
    return cv2.GaussianBlur(band * band, (0, 0), 3.0)


class FlowEngine:
    """One DIS optical-flow instance reused across pairs (its setup is not free)."""

    def __init__(self) -> None:
        self.dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_FAST)

    def pair(self, g0: np.ndarray, g1: np.ndarray) -> tuple[PairStats, np.ndarray, np.ndarray]:
        """Stats for frames g0 -> g1 (uint8 gray); also returns the static mask and flow."""
        flow = self.dis.calc(g1, g0, None)  # for each pixel of g1, where it came from in g0
        h, w = g0.shape
        gx, gy = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
        mx, my = gx + flow[..., 0], gy + flow[..., 1]
        f0, f1 = g0.astype(np.float32), g1.astype(np.float32)
        warped = cv2.remap(f0, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
        valid = (mx >= 1) & (mx < w - 2) & (my >= 1) & (my < h - 2)
        mag = np.hypot(flow[..., 0], flow[..., 1])
        detail = np.abs(cv2.Laplacian(f1, cv2.CV_32F, ksize=3))
        resid = float(np.abs(f1 - warped)[valid].mean() / (detail[valid].mean() + 1.0)) if valid.any() else 0.0
        b0, b1 = _band(f0), _band(f1)
        e0, e1 = _energy(b0), _energy(b1)
        floor = max(float(np.median(e1[::3, ::3])), 1.0)  # ignore flat areas where energy is only noise
        static = (cv2.blur(mag, (7, 7)) < STATIC_FLOW_PX) & valid
        textured = static & ((e0 + e1) > 2 * floor)
        if textured.sum() > 0.01 * h * w:
            change = np.abs(np.log((e1 + floor) / (e0 + floor)))
            static_hf = float(change[textured].mean())
        else:
            static_hf = float("nan")
        nc, nl = tells.noise_pair(f0, f1, flow, valid)
        return PairStats(resid, static_hf, float(static.mean()), float(f1.mean()), nc, nl,
                         tells.crawl_pair(b0, b1, static), float(np.abs(f1 - f0).mean())), static, flow


def window_stats(grays: list[np.ndarray], engine: FlowEngine) -> dict[str, float]:
    """Measurements over one window of consecutive frames (>= 3)."""
    pairs: list[PairStats] = []
    static_all = np.ones(grays[0].shape, bool)
    for g0, g1 in zip(grays, grays[1:]):
        st, static, _ = engine.pair(g0, g1)
        pairs.append(st)
        static_all &= static
    resid = np.array([p.resid for p in pairs])
    hf = np.array([p.static_hf for p in pairs])
    luma = np.array([grays[0].mean()] + [p.luma for p in pairs])
    vanish, appear = tells.keypoint_churn(grays)
    floats = [g.astype(np.float32) for g in grays]
    return {
        "noise_corr": _nanmed([p.noise_corr for p in pairs]),
        "noise_level": _nanmed([p.noise_level for p in pairs]),
        "crawl": _nanmed([p.crawl for p in pairs]),
        "structure_drift": tells.structure_drift(floats, static_all),
        "kp_vanish": vanish,
        "kp_appear": appear,
        "framediff": float(np.median([p.framediff for p in pairs])),
        "resid": float(np.median(resid)),
        "static_hf": float(np.nanmedian(hf)) if np.isfinite(hf).any() else float("nan"),
        "drift": _drift(grays, static_all),
        "flicker": _flicker(luma),
        "jump": float(resid.max() / (np.median(resid) + 0.02)),
        "static_frac": float(np.mean([p.static_frac for p in pairs])),
        "luma_hf_share": _hf_share(luma),  # evidence only: share of the brightness spectrum above fs/4
        "resid_hf_share": _hf_share(resid),
    }


def _nanmed(v: list[float]) -> float:
    a = np.array(v, float)
    return float(np.nanmedian(a)) if np.isfinite(a).any() else float("nan")


def _hf_share(series: np.ndarray) -> float:
    p = spectrum(series)
    return float(p[len(p) // 2:].sum()) if len(p) > 2 else float("nan")


def _drift(grays: list[np.ndarray], static_all: np.ndarray) -> float:
    """1 - correlation of fine texture between the first and last frame where nothing moved."""
    if static_all.mean() < 0.02:
        return float("nan")
    b0 = _band(grays[0].astype(np.float32))[static_all]
    b1 = _band(grays[-1].astype(np.float32))[static_all]
    # correlation of consecutive frames sets the noise ceiling: drift is the loss beyond it
    bn = _band(grays[1].astype(np.float32))[static_all]
    c_end = _corr(b0, b1)
    c_next = _corr(b0, bn)
    return float(max(0.0, c_next - c_end))


def _corr(a: np.ndarray, b: np.ndarray) -> float:
    a = a - a.mean()
    b = b - b.mean()
    return float((a * b).sum() / (np.sqrt((a * a).sum() * (b * b).sum()) + _EPS))


def _flicker(luma: np.ndarray) -> float:
    """Share of the luminance series' variation at the highest temporal frequencies.

    A camera's exposure drifts smoothly; frame-wise synthesis flickers from frame to frame.
    Second differences isolate the frame-to-frame part; divide by a floor so a locked-off shot
    with almost no variation does not produce a large ratio out of rounding noise.
    """
    if len(luma) < 4:
        return float("nan")
    d2 = np.diff(luma, 2)
    return float(np.sqrt(np.mean(d2 * d2)) / (np.std(np.diff(luma)) + 0.25))


def spectrum(series: np.ndarray) -> np.ndarray:
    """Normalised power spectrum of a detrended series (for the evidence record)."""
    x = np.asarray(series, float)
    if len(x) < 4:
        return np.zeros(0)
    x = x - np.polyval(np.polyfit(np.arange(len(x)), x, 1), np.arange(len(x)))
    p = np.abs(np.fft.rfft(x)) ** 2
    return p / (p.sum() + _EPS)
