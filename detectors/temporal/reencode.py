"""The stability variant of a video: the sampled frames through H.264 at a low bit rate, 0.75x.

Why: a re-upload re-encodes and shrinks a clip; a temporal score that changes class after that
is not evidence.  The sampled windows are re-encoded in memory (each window as its own short
stream, so the encoder sees consecutive frames as it would in the file) and decoded back; the
frames keep their index, time and window so the same segments are analysed.
"""

from __future__ import annotations

import io
from dataclasses import replace
from typing import Any, Sequence

BPP = 0.05  # bits per pixel per frame (bench/video_logo_data.py uses the same)
SCALE = 0.75


def reencode(frames: Sequence[Any], fps: float, bpp: float = BPP, scale: float = SCALE) -> list[Any]:
    """Frames (synthcheck.video.Frame) after an H.264 yuv420p re-encode at ``bpp`` and ``scale``.

    Raises ValueError when the frames would become too small to analyse.
    """
    import av
    import cv2
    import numpy as np

    if not frames:
        return []
    h, w = frames[0].rgb.shape[:2]
    nw, nh = int(w * scale) // 2 * 2, int(h * scale) // 2 * 2
    if nw < 32 or nh < 32:
        raise ValueError("too small after the downscale")
    rate = max(1, int(round(fps)))
    out: list[Any] = []
    windows: dict[int, list[Any]] = {}
    for f in frames:
        windows.setdefault(getattr(f, "window", 0), []).append(f)
    for group in windows.values():
        buf = io.BytesIO()
        with av.open(buf, "w", format="matroska") as c:
            st = c.add_stream("libx264", rate=rate)
            st.width, st.height, st.pix_fmt = nw, nh, "yuv420p"
            st.bit_rate = max(100_000, int(bpp * nw * nh * rate))
            st.options = {"preset": "veryfast"}
            for f in group:
                small = cv2.resize(np.ascontiguousarray(f.rgb), (nw, nh), interpolation=cv2.INTER_AREA)
                for p in st.encode(av.VideoFrame.from_ndarray(small, "rgb24")):
                    c.mux(p)
            for p in st.encode():
                c.mux(p)
        buf.seek(0)
        with av.open(buf, "r") as c:
            decoded = [fr.to_ndarray(format="rgb24") for fr in c.decode(video=0)]
        out += [replace(f, rgb=rgb) for f, rgb in zip(group, decoded)]
    return out
