"""Speed and memory of the temporal detector on generated H.264 clips (made here with PyAV).

    .venv/bin/python bench/video_speed.py            # 1080p 60 s timing + peak RSS 10 s vs 10 min
    .venv/bin/python bench/video_speed.py --only speed|memory

Each measurement runs in a fresh subprocess limited to 2 threads (OpenCV, FFmpeg decoder
threads via ``OMP_NUM_THREADS``/``cv2.setNumThreads`` and ``taskset`` to 2 cores when available),
reporting wall time of ``Media.open`` + ``TemporalDetector.run`` with default sampling and the
process's peak RSS.  Clips are written to /tmp/synthcheck_video_bench (kept for re-runs).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = Path("/tmp/synthcheck_video_bench")


def make_clip(path: Path, seconds: float, w: int, h: int, fps: int, bitrate: int) -> Path:
    """A camera panning over noisy texture: not trivially compressible, cheap to generate."""
    if path.exists():
        return path
    import av
    import numpy as np

    rng = np.random.default_rng(0)
    big = rng.integers(0, 255, (h + 64, w * 2, 3), dtype=np.uint8)
    big = (big // 4 + np.linspace(0, 180, w * 2, dtype=np.uint8)[None, :, None]).astype(np.uint8)
    tmp = path.with_suffix(".part.mp4")
    with av.open(str(tmp), "w") as out:
        st = out.add_stream("libx264", rate=fps)
        st.width, st.height, st.pix_fmt, st.bit_rate = w, h, "yuv420p", bitrate
        st.options = {"preset": "ultrafast"}
        n = int(seconds * fps)
        for i in range(n):
            x = (i * 3) % w
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(big[32:32 + h, x:x + w]), "rgb24")
            for p in st.encode(frame):
                out.mux(p)
        for p in st.encode():
            out.mux(p)
    tmp.rename(path)
    return path


CHILD = r"""
import json, os, resource, sys, time
import cv2
cv2.setNumThreads(2)
from synthcheck.media import Media
from synthcheck.detector import DetectorContext
from detectors.temporal import TemporalDetector
t = time.perf_counter()
m = Media.open(sys.argv[1])
fs = TemporalDetector(DetectorContext()).run(m)
dt = time.perf_counter() - t
whole = [f for f in fs if f.title.startswith("Temporal consistency (whole")]
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": round(dt, 2), "peak_rss_mb": round(rss / 1024, 1),
                  "frames": whole[0].evidence["frames"] if whole else None,
                  "score": whole[0].score if whole else None}))
"""


def measure(path: Path) -> dict:
    env = dict(os.environ, OMP_NUM_THREADS="2", OPENBLAS_NUM_THREADS="2")
    cmd = [sys.executable, "-c", CHILD, str(path)]
    if shutil.which("taskset"):
        cmd = ["taskset", "-c", "0,1", *cmd]
    res = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", choices=("speed", "memory"))
    a = ap.parse_args()
    OUT.mkdir(exist_ok=True)
    if a.only in (None, "speed"):
        t = time.perf_counter()
        clip = make_clip(OUT / "1080p_60s.mp4", 60, 1920, 1080, 30, 8_000_000)
        print(f"generated {clip} in {time.perf_counter() - t:.0f} s ({clip.stat().st_size / 1e6:.0f} MB)")
        print("1080p 60 s H.264, 30 fps:", measure(clip))
    if a.only in (None, "memory"):
        short = make_clip(OUT / "360p_10s.mp4", 10, 640, 360, 25, 500_000)
        long = make_clip(OUT / "360p_10min.mp4", 600, 640, 360, 25, 300_000)
        print("640x360 10 s:", measure(short))
        print("640x360 10 min:", measure(long))


if __name__ == "__main__":
    main()
