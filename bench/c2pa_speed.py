"""Milliseconds per file of the C2PA detector's ``run`` (SDK read + validation + interpretation).

    .venv/bin/python bench/c2pa_speed.py [--n 50] [--size 1024] [--repeat 3]

Times, in this process and after one warm-up read, (a) generated photo-like JPEGs without a
manifest, (b) the same signed with a throw-away test certificate (trained-AI manifest), and
(c) every file of ``../shared/data/c2pa`` that synthcheck can open, when that folder exists.
Opening the file (``Media.open``: hashing, sniffing) is excluded: it is shared by all detectors.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from detectors.c2pa import C2PADetector
from synthcheck.detector import DetectorContext
from synthcheck.limits import MediaError
from synthcheck.media import Media

REPO = Path(__file__).resolve().parents[1]


def time_files(det: C2PADetector, paths: list[Path], repeat: int) -> list[float]:
    media = []
    for p in paths:
        try:
            media.append(Media.open(p))
        except MediaError:
            continue
    det.run(media[0])  # warm-up: first SDK call loads tables
    out = []
    for m in media:
        best = float("inf")
        for _ in range(repeat):
            t0 = time.perf_counter()
            det.run(m)
            best = min(best, (time.perf_counter() - t0) * 1000)
        out.append(best)
    return out


def report(name: str, ms: list[float]) -> None:
    if not ms:
        print(f"{name:34s} no files")
        return
    q = statistics.quantiles(ms, n=20) if len(ms) > 1 else ms * 19
    print(f"{name:34s} n={len(ms):4d}  median {statistics.median(ms):7.2f} ms  p95 {q[-1]:7.2f} ms  "
          f"max {max(ms):7.2f} ms")


def _fixtures():
    """The signing helpers live beside the tests, which are not installed: load that one file."""
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location("c2pa_fixtures", REPO / "tests/detectors/c2pa_fixtures.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look their module up there
    spec.loader.exec_module(mod)
    return mod


def main() -> None:
    fx = _fixtures()
    make_pki, manifest, sign = fx.make_pki, fx.manifest, fx.sign

    import numpy as np
    from PIL import Image

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=50)
    ap.add_argument("--size", type=int, default=1024)
    ap.add_argument("--repeat", type=int, default=3, help="best of R runs per file")
    args = ap.parse_args()
    det = C2PADetector(DetectorContext())
    det.load()
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        pki = make_pki(folder)
        plain, signed = [], []
        for i in range(args.n):
            img = np.clip(rng.normal(128, 40, (args.size, args.size, 3)), 0, 255).astype(np.uint8)
            p = folder / f"plain{i}.jpg"
            Image.fromarray(img).save(p, quality=90)
            plain.append(p)
            s = folder / f"signed{i}.jpg"
            s.write_bytes(sign(pki, manifest("trainedAlgorithmicMedia"), p.read_bytes()))
            signed.append(s)
        report(f"jpeg {args.size}px, no manifest", time_files(det, plain, args.repeat))
        report(f"jpeg {args.size}px, signed (valid)", time_files(det, signed, args.repeat))
    shared = (REPO / ".." / "shared" / "data" / "c2pa").resolve()
    if shared.is_dir():
        files = sorted(p for p in shared.rglob("*") if p.is_file() and p.suffix.lower() not in
                       (".pem", ".key", ".pub", ".pub_key"))
        report("../shared/data/c2pa (openable)", time_files(det, files, args.repeat))


if __name__ == "__main__":
    main()
