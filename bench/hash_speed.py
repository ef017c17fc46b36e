"""Known content: hashing speed for 1 MP images, and what the speed-up costs in bits (issue 14).

    .venv/bin/python bench/hash_speed.py [--n 200] [--workers 2]

1. Writes N one-megapixel JPEGs (1155x866, quality 90; real photos from ../shared/data/real
   upscaled, else generated scenes) to a temp folder and times ``synthcheck hash`` on them
   (decode, SHA-256, PDQ, pHash, dHash: everything the command does) with 1 and with
   ``--workers`` processes.  Prints images per second and the machine's load average, since a
   shared machine slows every number.
2. Compares our PDQ (integer box reduction to a long side of 512-1023 before hashing) with PDQ of
   the full-resolution picture, as other PDQ tools compute it, on the large real photos in
   ../shared/data (real-camera, labelled/ml72/real): the mean and 90th percentile distance.
"""

from __future__ import annotations

import argparse
import io
import os
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

from scenes import test_scene  # bench/scenes.py (this script's folder is on sys.path)

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO / ".." / "shared" / "data"


def _sources(n: int) -> list[np.ndarray]:
    files = sorted((SHARED / "real").rglob("*.JPEG")) + sorted((SHARED / "real").rglob("*.jpg"))
    if files:
        step = max(1, len(files) // n)
        return [np.asarray(Image.open(f).convert("RGB").resize((1155, 866))) for f in files[::step][:n]]
    scene = test_scene()

    return [scene(s, 1155, 866) for s in range(n)]


def speed(n: int, workers: int) -> None:
    from synthcheck.hash_command import run_hash_command

    with tempfile.TemporaryDirectory() as tmp:
        for i, a in enumerate(_sources(n)):
            Image.fromarray(a).save(Path(tmp) / f"{i:04d}.jpg", quality=90)
        for w in (1, workers):
            run_hash_command([tmp], "jsonl", w, out=io.StringIO())  # warm: imports, page cache, forkserver
            t, c = time.perf_counter(), time.process_time()
            code = run_hash_command([tmp], "jsonl", w, out=io.StringIO())
            dt, cpu = time.perf_counter() - t, time.process_time() - c
            print(f"synthcheck hash, {n} images of 1 MP, {w} worker(s): {dt:.2f} s = {n / dt:.0f} images/s "
                  f"(exit {code}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
            if w == 1:  # CPU time does not depend on what else the machine runs, wall time does
                print(f"  CPU time {cpu / n * 1000:.1f} ms per image = {n / cpu:.0f} images/s per idle core")


def fidelity() -> None:
    import pdqhash

    from synthcheck.hashes.compute import bits_to_hex, hamming, image_hashes

    files = sorted((SHARED / "real-camera").rglob("*.jpg")) + sorted((SHARED / "labelled" / "ml72" / "real").glob("*"))
    dists = []
    for f in files:
        try:
            a = np.asarray(Image.open(f).convert("RGB"))
        except OSError:
            continue
        if max(a.shape[:2]) < 1024:
            continue  # no reduction happens below 1024 px
        full = bits_to_hex(pdqhash.compute(a)[0])
        dists.append(hamming(full, image_hashes(a).pdq))
    if not dists:
        print("no large photos in ../shared/data: fidelity not measured")
        return
    d = np.array(dists)
    print(f"reduced vs full-resolution PDQ on {len(d)} photos of 1024 px or more: mean {d.mean():.1f} bits, "
          f"90th percentile {np.percentile(d, 90):.0f}, worst {d.max()}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    speed(args.n, args.workers)
    fidelity()


if __name__ == "__main__":
    main()
