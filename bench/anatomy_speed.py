"""Anatomy detector speed on ~1 MP images, CPU, with the network switched off in-process.

    .venv/bin/python bench/anatomy_speed.py [--shared ../shared/data] [--repeat 3]

Images: ml72 real 'people' photos resized to 1000x1000 (1.0 MP); skimage's astronaut upscaled
to 1000x1000 when ../shared is absent.  Times the landmarking stages separately (hands, pose,
face mesh) and the whole rule pass, after one warm-up call, median and worst over all runs.
Wall time depends on what else the machine runs; "CPU" is the process CPU time (all threads)
for hands + pose, which varies less with load.
Any attempt to open a socket raises, which proves the models load from the wheel.
"""

from __future__ import annotations

import argparse
import socket
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


class _NoNetwork(socket.socket):
    def __init__(self, *a, **k):
        raise RuntimeError("network access attempted during the anatomy benchmark")


def images(shared: Path) -> list[np.ndarray]:
    from PIL import Image

    files = sorted((shared / "labelled/ml72/real").glob("people_*.jpg"))
    if files:
        return [np.asarray(Image.open(p).convert("RGB").resize((1000, 1000), Image.BILINEAR)) for p in files]
    from skimage import data

    return [np.asarray(Image.fromarray(data.astronaut()).resize((1000, 1000), Image.BILINEAR))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared/data")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    socket.socket = _NoNetwork  # type: ignore[misc]
    from detectors.anatomy import runner
    from detectors.anatomy.landmarks import Landmarker, Landmarks, downscale

    t0 = time.perf_counter()
    lmk = Landmarker()
    print(f"model load: {(time.perf_counter() - t0) * 1000:.0f} ms")
    imgs = images(args.shared)
    lmk.detect(imgs[0])  # warm-up
    stages = {"hands": [], "pose": [], "hands+pose": [], "hands+pose CPU": [], "face": [], "rules": [], "total": []}
    for _ in range(args.repeat):
        for rgb in imgs:
            t, cpu = time.perf_counter(), time.process_time()
            small = downscale(rgb)
            h, w = rgb.shape[:2]
            a = time.perf_counter()
            hands = lmk._detect_hands(small, w, h)
            b = time.perf_counter()
            pose = lmk._detect_pose(small, w, h)
            c, cpu_c = time.perf_counter(), time.process_time()
            faces = lmk._detect_faces(small, w, h)
            d = time.perf_counter()
            runner.anomalies(Landmarks(w, h, hands, pose, faces))
            e = time.perf_counter()
            stages["hands"].append(b - a)
            stages["pose"].append(c - b)
            stages["hands+pose"].append(c - t)
            stages["hands+pose CPU"].append(cpu_c - cpu)
            stages["face"].append(d - c)
            stages["rules"].append(e - d)
            stages["total"].append(e - t)
    print(f"{len(imgs)} images of {imgs[0].shape[1]}x{imgs[0].shape[0]}, {args.repeat} runs each")
    for k, v in stages.items():
        ms = np.array(v) * 1000
        print(f"  {k:14s} median {np.median(ms):6.1f} ms   max {ms.max():6.1f} ms")


if __name__ == "__main__":
    main()
