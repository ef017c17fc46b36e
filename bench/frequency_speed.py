"""Time of the frequency detector per image, apart from decoding (one process, one thread).

    .venv/bin/python bench/frequency_speed.py [--n 100] [--data /work/shared/data/real]

Decodes each file once (``media.rgb``, as a scan does), then times ``FrequencyDetector.run``
on the decoded media, and prints the median and 95th percentile of each, plus how many runs
needed the stability re-check (those are about three times slower).
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np

from detectors.frequency import FrequencyDetector
from synthcheck.detector import DetectorContext
from synthcheck.media import Media


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--data", default=str(Path(__file__).resolve().parents[1].parent / "shared/data/real"))
    args = ap.parse_args()
    files = sorted(p for p in Path(args.data).rglob("*") if p.is_file())[: args.n]
    det = FrequencyDetector(DetectorContext())
    det.load()
    decode, analyse, rechecked, pixels = [], [], 0, []
    for p in files:
        t0 = time.perf_counter()
        media = Media.open(p)
        media.rgb
        t1 = time.perf_counter()
        [f] = det.run(media)
        t2 = time.perf_counter()
        decode.append(t1 - t0)
        analyse.append(t2 - t1)
        rechecked += "rescored" in f.evidence
        pixels.append(media.width * media.height)
    ms = lambda xs, q: 1000 * float(np.percentile(xs, q))  # noqa: E731
    print(f"{len(files)} files from {args.data}, median {np.median(pixels) / 1e6:.2f} MP")
    print(f"open+decode: median {ms(decode, 50):.1f} ms, p95 {ms(decode, 95):.1f} ms")
    print(f"frequency run: median {ms(analyse, 50):.1f} ms, p95 {ms(analyse, 95):.1f} ms; "
          f"{rechecked} needed the stability re-check")


if __name__ == "__main__":
    main()
