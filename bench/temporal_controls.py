"""Real-like control clips for calibrating the temporal detector (used by temporal_calibrate.py).

Real video is scarce offline, so besides the few real clips we have, controls are made from real
photographs filmed by a simulated camera: smooth pan / zoom / slight roll (or a locked-off
tripod with hand shake), sometimes a second photo moving across as a foreground object
(occlusions, non-rigid scene), sensor noise drawn independently per frame, slow exposure drift,
then real codecs.  Every control is written twice: H.264 MP4 at one of several bitrates, and an
animated GIF made the way the AnimateDiff GIFs were (FFmpeg GIF encoder with its fixed ``bgr8``
palette, 256x256, 8-24 fps) so that a detector cannot separate the classes by container alone.
"""

from __future__ import annotations

from pathlib import Path

import av
import cv2
import numpy as np

FPS_CHOICES = (8, 12, 24)
LEN_CHOICES = (16, 24, 48)
MP4_SIZES = ((512, 512), (640, 360), (480, 320), (256, 256))
BITRATES = (300_000, 1_000_000, 4_000_000)


def _affine(cx: float, cy: float, zoom: float, angle: float, out_w: int, out_h: int) -> np.ndarray:
    """Matrix taking output pixels to source pixels (for WARP_INVERSE_MAP)."""
    c, s = np.cos(angle) / zoom, np.sin(angle) / zoom
    m = np.array([[c, -s, 0.0], [s, c, 0.0]])
    m[:, 2] = [cx, cy] - m[:, :2] @ np.array([out_w / 2, out_h / 2])
    return m


def camera_frames(photo: np.ndarray, other: np.ndarray | None, rng: np.random.Generator, n: int,
                  out_w: int, out_h: int) -> list[np.ndarray]:
    H, W = photo.shape[:2]
    base = max(out_w / (0.8 * W), out_h / (0.8 * H))  # crop covers <= 80% of the photo
    mode = rng.choice(["pan", "zoom", "panzoom", "tripod"], p=[0.3, 0.2, 0.25, 0.25])
    speed = rng.uniform(0.3, 3.0) * rng.choice([1.0, 3.0])  # output pixels per frame (8 fps moves far)
    direction = rng.uniform(0, 2 * np.pi)
    zoom_rate = rng.uniform(-0.015, 0.02) if mode in ("zoom", "panzoom") else 0.0
    if mode == "zoom":
        speed *= 0.2
    if mode == "tripod":
        speed = 0.0
    roll = rng.uniform(-0.002, 0.002) if rng.random() < 0.3 else 0.0
    shake = rng.uniform(0.0, 0.6)
    sigma = rng.uniform(0.8, 4.0)  # sensor noise, 8-bit levels
    exp_drift = rng.uniform(-0.004, 0.004)
    total = speed * n / base
    cx0 = W / 2 - np.cos(direction) * total / 2
    cy0 = H / 2 - np.sin(direction) * total / 2
    # smooth random shake: low-passed noise
    sh = cv2.GaussianBlur(rng.normal(0, shake, (n, 2)).astype(np.float32), (1, 0), 2.0) if shake else np.zeros((n, 2))
    fg = None
    if other is not None and rng.random() < 0.5:
        r = int(min(out_w, out_h) * rng.uniform(0.2, 0.35))
        oh, ow = other.shape[:2]
        y, x = rng.integers(0, max(1, oh - 2 * r)), rng.integers(0, max(1, ow - 2 * r))
        patch = other[y:y + 2 * r, x:x + 2 * r]
        mask = np.zeros(patch.shape[:2], np.float32)
        cv2.ellipse(mask, (patch.shape[1] // 2, patch.shape[0] // 2),
                    (patch.shape[1] // 2 - 1, patch.shape[0] // 2 - 1),
                    0, 0, 360, 1.0, -1)
        mask = cv2.GaussianBlur(mask, (0, 0), 1.5)[..., None]
        start = np.array([rng.uniform(0, out_w - 2 * r), rng.uniform(0, out_h - 2 * r)])
        vel = rng.normal(0, 2.0, 2) * rng.choice([1.0, 3.0])
        fg = (patch.astype(np.float32), mask, start, vel, rng.uniform(-0.01, 0.01))
    frames = []
    for t in range(n):
        z = base * (1 + zoom_rate * t)
        cx = cx0 + np.cos(direction) * speed * t / base + sh[t][0]
        cy = cy0 + np.sin(direction) * speed * t / base + sh[t][1]
        m = _affine(cx, cy, z, roll * t, out_w, out_h)
        img = cv2.warpAffine(photo, m, (out_w, out_h), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                             borderMode=cv2.BORDER_REFLECT).astype(np.float32)
        if fg is not None:
            patch, mask, start, vel, spin = fg
            p = start + vel * t
            rot = cv2.getRotationMatrix2D((patch.shape[1] / 2, patch.shape[0] / 2), np.degrees(spin * t), 1.0)
            rot[:, 2] += p
            layer = cv2.warpAffine(patch, rot, (out_w, out_h), flags=cv2.INTER_LINEAR)
            alpha = cv2.warpAffine(mask, rot, (out_w, out_h), flags=cv2.INTER_LINEAR)[..., None]
            img = img * (1 - alpha) + layer * alpha
        img = img * (1 + exp_drift * t) + rng.normal(0, sigma, img.shape)
        frames.append(np.clip(img, 0, 255).astype(np.uint8))
    return frames


def write_mp4(path: Path, frames: list[np.ndarray], fps: int, bitrate: int) -> None:
    h, w = frames[0].shape[:2]
    with av.open(str(path), "w") as out:
        st = out.add_stream("libx264", rate=fps)
        st.width, st.height, st.pix_fmt, st.bit_rate = w, h, "yuv420p", bitrate
        st.options = {"preset": "veryfast"}
        for f in frames:
            for p in st.encode(av.VideoFrame.from_ndarray(f, "rgb24")):
                out.mux(p)
        for p in st.encode():
            out.mux(p)


def write_gif(path: Path, frames: list[np.ndarray], fps: float, side: int = 256) -> None:
    """FFmpeg's GIF encoder with the fixed bgr8 palette, square crop scaled to ``side``."""
    h, w = frames[0].shape[:2]
    s = min(h, w)
    y0, x0 = (h - s) // 2, (w - s) // 2
    with av.open(str(path), "w", format="gif") as out:
        st = out.add_stream("gif", rate=int(round(fps)))
        st.width = st.height = side
        st.pix_fmt = "bgr8"
        for f in frames:
            sq = cv2.resize(f[y0:y0 + s, x0:x0 + s], (side, side), interpolation=cv2.INTER_AREA)
            for p in st.encode(av.VideoFrame.from_ndarray(np.ascontiguousarray(sq), "rgb24")):
                out.mux(p)
        for p in st.encode():
            out.mux(p)


def read_clip(path: Path, start: float, n: int) -> tuple[list[np.ndarray], float]:
    """``n`` consecutive frames of a real video from ``start`` seconds, and its frame rate."""
    frames: list[np.ndarray] = []
    with av.open(str(path)) as c:
        st = c.streams.video[0]
        fps = float(st.average_rate or 25)
        for fr in c.decode(st):
            if fr.time is not None and fr.time < start:
                continue
            frames.append(fr.to_ndarray(format="rgb24"))
            if len(frames) >= n:
                break
    return frames, fps


def make_controls(photos: list[Path], out: Path, seed: int = 0) -> list[tuple[Path, str]]:
    """Write one MP4 and one GIF per photo; return (path, group) pairs."""
    rng = np.random.default_rng(seed)
    out.mkdir(parents=True, exist_ok=True)
    items = []
    for i, p in enumerate(photos):
        photo = cv2.cvtColor(cv2.imread(str(p)), cv2.COLOR_BGR2RGB)
        other = cv2.cvtColor(cv2.imread(str(photos[(i + 7) % len(photos)])), cv2.COLOR_BGR2RGB)
        n = int(rng.choice(LEN_CHOICES))
        fps = int(rng.choice(FPS_CHOICES))
        w, h = MP4_SIZES[int(rng.integers(len(MP4_SIZES)))]
        frames = camera_frames(photo, other, rng, n, w, h)
        mp4 = out / f"ctrl_{i:03d}.mp4"
        write_mp4(mp4, frames, fps, int(rng.choice(BITRATES)))
        items.append((mp4, "control-mp4"))
        gsz = 512
        gframes = camera_frames(photo, other, rng, n, gsz, gsz)
        gif = out / f"ctrl_{i:03d}.gif"
        write_gif(gif, gframes, fps)
        items.append((gif, "control-gif"))
    return items
