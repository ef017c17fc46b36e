"""Throughput of the learned detector on 1 MP images, batched, on CPU.

    .venv/bin/python bench/learned_speed.py --weights weights/learned-v1.safetensors --threads 2

Times ``LearnedDetector.score`` (patch selection + one batched forward pass + calibration) on
synthetic 1155x866 photo-like images, in batches, after a warm-up; reports images/s.  The
stability re-score (only for scores within 0.1 of 0.6 or 0.9) is not included: it at most
doubles the time of such borderline images.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from detectors.learned import LearnedDetector  # noqa: E402
from synthcheck.detector import DetectorContext  # noqa: E402


def photo_like(h: int, w: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    img = 128 + 40 * np.sin(xx / rng.uniform(5, 40))[..., None] * np.cos(yy / rng.uniform(5, 40))[..., None]
    return np.clip(img + rng.normal(0, 6, (h, w, 3)), 0, 255).astype(np.uint8)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--weights", type=Path, default=Path("weights/learned-v1.safetensors"))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--images", type=int, default=40)
    ap.add_argument("--batch", type=int, default=8)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    det = LearnedDetector(DetectorContext(device="cpu", weights_dir=args.weights.parent))
    det.load()
    imgs = [photo_like(866, 1155, s) for s in range(args.images)]
    det.score(imgs[: args.batch])  # warm-up
    t = time.perf_counter()
    for i in range(0, len(imgs), args.batch):
        det.score(imgs[i:i + args.batch])
    dt = time.perf_counter() - t
    print(f"{len(imgs)} images of 1155x866 (1.0 MP), batch {args.batch}, {args.threads} threads: "
          f"{len(imgs) / dt:.1f} images/s ({1000 * dt / len(imgs):.1f} ms/image)")


if __name__ == "__main__":
    main()
