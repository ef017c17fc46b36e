"""Synthetic stand-ins for the learned detector's tests: a "too clean" render and a camera-like photo."""

from __future__ import annotations

import numpy as np


def smooth_render(h: int = 384, w: int = 512, seed: int = 0) -> np.ndarray:
    """Smooth shading and soft shapes with no sensor noise, saved losslessly: generator-like."""
    from scipy.ndimage import gaussian_filter

    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    img = np.zeros((h, w, 3))
    for c in range(3):
        img[..., c] = 90 + 60 * np.sin(xx / rng.uniform(60, 140) + c) * np.cos(yy / rng.uniform(60, 140))
    for _ in range(6):
        cy, cx, r = rng.uniform(0, h), rng.uniform(0, w), rng.uniform(20, 80)
        mask = gaussian_filter(((yy - cy) ** 2 + (xx - cx) ** 2 < r * r).astype(float), 1.5)
        img += mask[..., None] * rng.uniform(-60, 60, 3)
    return np.clip(img, 0, 255).astype(np.uint8)


def camera_like(h: int = 384, w: int = 512, seed: int = 0) -> np.ndarray:
    """The same kind of scene through a toy camera: Bayer sampling, shot + read noise,
    bilinear demosaicing, JPEG q90."""
    import io

    from PIL import Image
    from scipy.ndimage import convolve

    rng = np.random.default_rng(100 + seed)
    scene = smooth_render(h, w, seed).astype(np.float64)
    scene = scene + convolve(rng.normal(0, 6, (h, w)), np.ones((3, 3)) / 9)[..., None]  # fine texture
    mosaic = np.zeros((h, w))
    masks = [np.zeros((h, w), bool) for _ in range(3)]
    masks[0][0::2, 0::2] = True
    masks[1][0::2, 1::2] = True
    masks[1][1::2, 0::2] = True
    masks[2][1::2, 1::2] = True
    for c in range(3):
        mosaic[masks[c]] = scene[..., c][masks[c]]
    mosaic = mosaic + rng.normal(0, 1, mosaic.shape) * np.sqrt(0.5 * np.maximum(mosaic, 0) + 4)
    k_rb = np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]]) / 4
    k_g = np.array([[0, 1, 0], [1, 4, 1], [0, 1, 0]]) / 4
    out = np.stack([convolve(mosaic * masks[c], k_g if c == 1 else k_rb) for c in range(3)], -1)
    buf = io.BytesIO()
    Image.fromarray(np.clip(out, 0, 255).astype(np.uint8)).save(buf, "JPEG", quality=90)
    buf.seek(0)
    return np.asarray(Image.open(buf).convert("RGB"))
