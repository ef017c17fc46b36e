"""Throughput of ``synthcheck scan`` against decoding the same files alone with Pillow.

    .venv/bin/python bench/scan_speed.py [--n 200] [--size 1024] [--workers 2] [--detectors metadata,c2pa]

Generates N photo-like JPEGs in a temporary folder, then times (a) a Pillow decode of every
file in this process, (b) ``synthcheck scan`` as a user runs it (a subprocess, JSON output),
and prints files per second and the ratio.  Startup (process pool, imports) is included in
(b), so small N understates steady-state throughput.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image


def make_images(folder: Path, n: int, size: int) -> list[Path]:
    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
    paths = []
    for i in range(n):
        f = rng.uniform(0.002, 0.02, 3)
        img = np.stack([np.sin(xx * f[c] + yy * f[(c + 1) % 3] + i) * 60 + 128 for c in range(3)], -1)
        img += rng.normal(0, 5, img.shape)
        p = folder / f"img{i:05d}.jpg"
        Image.fromarray(np.clip(img, 0, 255).astype(np.uint8)).save(p, quality=90)
        paths.append(p)
    return paths


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--size", type=int, default=1024)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--detectors", default="", help="comma list; default: every available detector")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paths = make_images(folder, args.n, args.size)
        t0 = time.perf_counter()
        for p in paths:
            with Image.open(p) as im:
                im.convert("RGB").load()
        pil_s = time.perf_counter() - t0
        cmd = [str(Path(sys.executable).with_name("synthcheck")), "scan", str(folder), "-f", "json", "-q",
               "--workers", str(args.workers), "--exit-zero", "-o", str(folder / "report.json")]
        if args.detectors:
            cmd += ["--detectors", args.detectors]
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True)
        scan_s = time.perf_counter() - t0
        if proc.returncode not in (0, 1):
            sys.exit(f"scan failed ({proc.returncode}): {proc.stderr[-2000:]}")
    print(f"files: {args.n} JPEG {args.size}x{args.size}; workers: {args.workers}; "
          f"detectors: {args.detectors or 'all available'}")
    print(f"Pillow decode only : {args.n / pil_s:8.1f} files/s ({pil_s:.2f} s)")
    print(f"synthcheck scan    : {args.n / scan_s:8.1f} files/s ({scan_s:.2f} s)")
    print(f"ratio scan/decode  : {scan_s / pil_s:8.1f}x slower")


if __name__ == "__main__":
    main()
