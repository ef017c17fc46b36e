"""The v2 "morphing" measurements: noise consistency, texture crawl, structure drift, keypoint churn.

Why these: modern text/image-to-video generators rarely flicker; what gives them away is that the
world does not persist.  A camera adds sensor noise that is independent from frame to frame on
top of a scene that stays put; a generator renders a denoised picture whose fine detail is
re-invented over time.  Each function takes consecutive grey frames (float32, 0-255) and the
dense flow between them (computed once by ``features.FlowEngine``) and returns one number.
"""

from __future__ import annotations

import cv2
import numpy as np

_EPS = 1e-6
CELL = 16  # pixels per side of a structure-drift cell
STATIC_PX = 0.35  # flow magnitude (px/frame) under which a pixel counts as static


def highpass(g: np.ndarray) -> np.ndarray:
    """The finest scale (image minus a sigma-1 blur): mostly sensor noise on flat areas."""
    return g - cv2.GaussianBlur(g, (0, 0), 1.0)


def flat_mask(g: np.ndarray) -> np.ndarray:
    """Pixels whose local structure (smoothed gradient of a blurred frame) is in the lowest 40 %."""
    b = cv2.GaussianBlur(g, (0, 0), 1.5)
    gx = cv2.Sobel(b, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(b, cv2.CV_32F, 0, 1, ksize=3)
    e = cv2.blur(gx * gx + gy * gy, (7, 7))
    mid = (g > 12) & (g < 243)  # clipped pixels carry no noise
    return mid & (e <= np.quantile(e[::3, ::3], 0.4))


def corr(a: np.ndarray, b: np.ndarray) -> float:
    if a.size < 50:
        return float("nan")
    a = a - a.mean()
    b = b - b.mean()
    return float((a * b).sum() / (np.sqrt((a * a).sum() * (b * b).sum()) + _EPS))


def noise_pair(g0: np.ndarray, g1: np.ndarray, flow: np.ndarray, valid: np.ndarray) -> tuple[float, float]:
    """(correlation, level) of the finest-scale residual between motion-compensated frames.

    The previous frame is warped with the flow rounded to whole pixels (interpolation would
    itself correlate and smooth the noise), and only flat pixels are used, where the finest
    scale is noise rather than scene texture.  Independent sensor noise: correlation near 0
    and a level of a few 8-bit levels; a shared denoised look: high correlation, low level.
    """
    h, w = g1.shape
    gx, gy = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    mx = np.rint(gx + flow[..., 0]).astype(np.float32)
    my = np.rint(gy + flow[..., 1]).astype(np.float32)
    w0 = cv2.remap(g0, mx, my, cv2.INTER_NEAREST, borderMode=cv2.BORDER_REFLECT)
    m = flat_mask(g1) & valid
    h0, h1 = highpass(w0), highpass(g1)
    if m.sum() < 200:
        return float("nan"), float("nan")
    level = float(1.4826 * np.median(np.abs(h1[m])))
    return corr(h0[m], h1[m]), level


def band(g: np.ndarray) -> np.ndarray:
    """Fine texture: difference of Gaussians (sigma 0.8 - 2.0)."""
    return cv2.GaussianBlur(g, (0, 0), 0.8) - cv2.GaussianBlur(g, (0, 0), 2.0)


def crawl_pair(b0: np.ndarray, b1: np.ndarray, static: np.ndarray) -> float:
    """1 - correlation of fine texture between two frames on static, textured pixels.

    Where the flow says nothing moved, real texture stays where it was (only noise changes);
    generated texture "crawls": the pattern slides and re-forms although the region is still.
    """
    e = cv2.blur(b1 * b1, (7, 7))
    m = static & (e > np.quantile(e[::3, ::3], 0.6))
    if m.sum() < 200:
        return float("nan")
    return 1.0 - corr(b0[m], b1[m])


def _cells(g: np.ndarray) -> np.ndarray:
    """Per cell of CELL x CELL pixels: an 8-bin gradient-orientation histogram, L2-normalised."""
    gx = cv2.Sobel(g, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(g, cv2.CV_32F, 0, 1, ksize=3)
    mag, ang = cv2.cartToPolar(gx, gy)
    bins = np.minimum((ang % np.pi) / np.pi * 8, 7).astype(np.int32)
    h, w = g.shape
    ch, cw = h // CELL, w // CELL
    out = np.zeros((ch, cw, 8), np.float32)
    mag = mag[:ch * CELL, :cw * CELL]
    bins = bins[:ch * CELL, :cw * CELL]
    for k in range(8):
        out[..., k] = (mag * (bins == k)).reshape(ch, CELL, cw, CELL).sum(axis=(1, 3))
    return out / (np.linalg.norm(out, axis=2, keepdims=True) + _EPS)


def structure_drift(grays: list[np.ndarray], static_all: np.ndarray) -> float:
    """How far local structure (orientation histograms) of still cells moves from the first frame.

    Measured first->last beyond first->second (the noise floor), on cells that the flow calls
    static (60 % of their pixels) through the whole window and that have structure at all: a still wall in camera
    footage keeps its edges; a generated one melts and re-forms them.
    """
    h, w = grays[0].shape
    ch, cw = h // CELL, w // CELL
    if ch < 2 or cw < 2:
        return float("nan")
    st = static_all[:ch * CELL, :cw * CELL].reshape(ch, CELL, cw, CELL).mean(axis=(1, 3)) > 0.6
    g0 = grays[0]
    e = cv2.blur(np.abs(cv2.Laplacian(g0, cv2.CV_32F)), (CELL, CELL))[CELL // 2::CELL, CELL // 2::CELL][:ch, :cw]
    st &= e > np.median(e)
    if st.sum() < 4:
        return float("nan")
    d0, d1, dn = _cells(g0), _cells(grays[1]), _cells(grays[-1])
    far = np.linalg.norm(d0 - dn, axis=2)[st]
    near = np.linalg.norm(d0 - d1, axis=2)[st]
    return float(max(0.0, np.median(far) - np.median(near)))


_LK = dict(winSize=(15, 15), maxLevel=2, criteria=(cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 20, 0.03))


def _vanish(grays8: list[np.ndarray]) -> float:
    """Share of first-frame corners per frame step whose track is lost away from the frame border."""
    n = len(grays8) - 1
    h, w = grays8[0].shape
    margin = 0.05 * max(h, w) + 8
    p = cv2.goodFeaturesToTrack(grays8[0], maxCorners=200, qualityLevel=0.01, minDistance=7)
    if p is None or len(p) < 10 or n < 1:
        return float("nan")
    pts = p.reshape(-1, 2)
    start = len(pts)
    lost = 0

    def inside(x: np.ndarray) -> np.ndarray:
        return (x[:, 0] > margin) & (x[:, 0] < w - margin) & (x[:, 1] > margin) & (x[:, 1] < h - margin)

    for a, b in zip(grays8, grays8[1:]):
        if len(pts) == 0:
            break
        q, st, _ = cv2.calcOpticalFlowPyrLK(a, b, pts.reshape(-1, 1, 2), None, **_LK)
        r, st2, _ = cv2.calcOpticalFlowPyrLK(b, a, q, None, **_LK)
        q, r = q.reshape(-1, 2), r.reshape(-1, 2)
        ok = (st.ravel() == 1) & (st2.ravel() == 1) & (np.linalg.norm(r - pts, axis=1) < 1.0)
        lost += int((~ok & inside(pts)).sum())
        pts = q[ok & inside(q)]
    return lost / start / n


def keypoint_churn(grays8: list[np.ndarray]) -> tuple[float, float]:
    """(vanish, appear): per frame step, the share of tracked corners that vanish / appear in view.

    Corners (goodFeaturesToTrack) of the first frame are followed with pyramidal Lucas-Kanade and
    a forward-backward check; a track lost away from the frame border counts as vanished.
    Appearing is the same run backwards in time (corners of the last frame that cannot be
    followed back to the first), so a camera pan that brings new things in at the border counts
    as neither.  Cameras lose tracks to occlusion and motion blur; generators make things
    appear and dissolve in plain view.
    """
    return _vanish(grays8), _vanish(grays8[::-1])
