"""Speed and behaviour of the metadata detector, ExifTool reader vs built-in Python reader.

    .venv/bin/python bench/metadata_bench.py samples ../shared/data --repeat 1

Runs in one process (no worker pool) so the numbers are the detector's own cost: ``Media.open``
(stat, hash, header parse) is timed apart from ``run``.  The ExifTool process is started before
timing (a worker starts it once and reuses it).  Also prints what each reader found, so a
disagreement between them, or an AI claim on a folder of real photographs, shows up.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

from detectors.metadata import MetadataDetector, exiftool
from synthcheck.detector import DetectorContext
from synthcheck.discover import iter_files
from synthcheck.limits import MediaError
from synthcheck.media import Media


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--repeat", type=int, default=1, help="passes over the files per reader")
    ap.add_argument("--show-ai", action="store_true", help="list every file with an AI claim")
    args = ap.parse_args()
    files = list(iter_files(args.paths, (), ()))
    readers = ["python"] + (["exiftool"] if exiftool.available() else [])
    if "exiftool" in readers:
        exiftool.shared().read(Path(__file__))  # start the stay-open process outside the timing
    print(f"{len(files)} files; readers: {', '.join(readers)}")
    for reader in readers:
        det = MetadataDetector(DetectorContext(options={"metadata.reader": reader}))
        open_ms: list[float] = []
        run_ms: list[float] = []
        titles: Counter[str] = Counter()
        errors: Counter[str] = Counter()
        ai: list[str] = []
        for _ in range(args.repeat):
            for path in files:
                t0 = time.perf_counter()
                try:
                    media = Media.open(path)
                except MediaError as exc:
                    errors[f"open:{exc.code.value}"] += 1
                    continue
                t1 = time.perf_counter()
                try:
                    findings = det.run(media)
                except Exception as exc:  # noqa: BLE001 - a bench reports, it does not stop
                    errors[f"run:{type(exc).__name__}"] += 1
                    continue
                t2 = time.perf_counter()
                open_ms.append((t1 - t0) * 1000)
                run_ms.append((t2 - t1) * 1000)
                for f in findings:
                    titles[f"{f.strength.value:8s} {f.claim.value if f.claim else '-':12s} {f.title}"] += 1
                    if f.claim and f.claim.value.startswith("ai") and args.show_ai:
                        ai.append(f"{path}: {f.title}")
        n = len(run_ms)
        if n:
            q = statistics.quantiles(run_ms, n=20) if n > 1 else [run_ms[0]] * 19
            print(f"\n[{reader}] run(): mean {statistics.fmean(run_ms):.2f} ms, "
                  f"median {statistics.median(run_ms):.2f} ms, "
                  f"p95 {q[18]:.2f} ms, max {max(run_ms):.1f} ms per file over {n} runs; "
                  f"Media.open mean {statistics.fmean(open_ms):.2f} ms")
        for title, count in sorted(titles.items(), key=lambda kv: -kv[1]):
            print(f"  {count:5d}  {title}")
        for key, count in errors.items():
            print(f"  {count:5d}  ERROR {key}")
        for line in ai:
            print(f"  AI: {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
