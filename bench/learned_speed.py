"""Throughput of the pixel detectors (learned 3.1 patch CNN and channel coherence + frequency) on 1 MP JPEGs, on CPU.

    .venv/bin/python bench/learned_speed.py [--workers 2] [--images 40] [--no-frequency]

Each worker process (one thread each, as ``synthcheck scan --workers N`` runs them) decodes a
1155x866 JPEG q90 and scores it with learned 3.1 (the patch CNN on 32 patches, torch, and the
channel coherence of the same patches) and, unless ``--no-frequency``, the frequency detector's
spectrum analysis.
Reports images/s over all workers after a warm-up.
The stability re-score (only for scores within 0.1 of 0.6 or 0.9) is not included: it at most
quadruples the time of such borderline images.  A benchmark, never a test: timings depend on
what else the machine runs (this project's machine is shared by several jobs).
"""

from __future__ import annotations

import argparse
import io
import os
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def photo_jpeg(seed: int, h: int = 866, w: int = 1155) -> bytes:
    from PIL import Image

    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    img = 128 + 40 * np.sin(xx / rng.uniform(5, 40))[..., None] * np.cos(yy / rng.uniform(5, 40))[..., None]
    img = np.clip(img + rng.normal(0, 6, (h, w, 3)), 0, 255).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, "JPEG", quality=90)
    return buf.getvalue()


_DET = None


def _score(blob: bytes, frequency: bool) -> float:
    global _DET
    from PIL import Image

    from detectors.learned import LearnedDetector
    from synthcheck.detector import DetectorContext

    if _DET is None:
        _DET = LearnedDetector(DetectorContext(device="cpu", weights_dir=ROOT / "weights"))
        _DET.load()
    rgb = np.asarray(Image.open(io.BytesIO(blob)).convert("RGB"))
    s = _DET.image_score([rgb])
    if frequency:
        from detectors.frequency.analysis import score_images

        s = max(s, score_images([rgb], True).score)
    return s


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--images", type=int, default=40)
    ap.add_argument("--no-frequency", action="store_true")
    args = ap.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    blobs = [photo_jpeg(s) for s in range(args.images)]
    freq = not args.no_frequency
    with ProcessPoolExecutor(args.workers) as pool:
        list(pool.map(_score, blobs[: args.workers * 2], [freq] * args.workers * 2))  # warm-up
        t = time.perf_counter()
        list(pool.map(_score, blobs, [freq] * len(blobs)))
        dt = time.perf_counter() - t
    what = "learned v3 + frequency" if freq else "learned v3"
    print(f"{what}: {len(blobs)} JPEGs of 1155x866 (1.0 MP), decode included, {args.workers} workers: "
          f"{len(blobs) / dt:.1f} images/s ({1000 * dt * args.workers / len(blobs):.0f} ms/image/worker)")


if __name__ == "__main__":
    main()
