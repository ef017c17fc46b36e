"""Where a scan's time goes: each detector alone under cProfile on a 1 MP and a 12 MP JPEG.

    OMP_NUM_THREADS=1 .venv/bin/python bench/profile_detectors.py [--camera FILE] [--repeat 2] [--top 4]

One process, one thread, detectors loaded once (load time is reported apart), each measured on a
freshly opened ``Media`` so the decode it triggers is counted where it happens.  The "open" row is
hashing + sniffing + header parse; "decode" is a full RGB decode.  The 1 MP image is generated
(photo-like, quality 90); the 12 MP one is a camera JPEG from ../shared/data/real-camera when
present.  Prints a Markdown table for docs/performance.md and each detector's top functions.
"""

from __future__ import annotations

import argparse
import cProfile
import glob
import io
import pstats
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

from scan_speed import make_images
from synthcheck.detector import DetectorContext
from synthcheck.limits import Limits
from synthcheck.media import Media
from synthcheck.registry import discover

CAMERA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "real-camera"


def camera_12mp() -> Path | None:
    for f in sorted(glob.glob(str(CAMERA / "**" / "*.[jJ][pP]*"), recursive=True)):
        with Image.open(f) as im:
            if im.size[0] * im.size[1] >= 11_000_000:
                return Path(f)
    return None


def timed(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--camera", type=Path, default=None)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--top", type=int, default=4)
    ap.add_argument("--detectors", default="")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="sc-profile-"))
    small = make_images(tmp, 1, 1024)[0]
    big = args.camera or camera_12mp()
    images = [("1 MP", small)] + ([("12 MP", big)] if big else [])
    limits = Limits()
    ctx = DetectorContext(device="cpu")
    wanted = set(args.detectors.split(",")) if args.detectors else None
    dets = []
    for info in discover():
        if info.cls is None or "image" not in info.cls.media or (wanted and info.id not in wanted):
            continue
        det = info.cls(ctx)
        t0 = time.perf_counter()
        try:
            det.load()
        except Exception as exc:  # noqa: BLE001
            print(f"skip {info.id}: load failed: {exc}", file=sys.stderr)
            continue
        dets.append((info.id, det, time.perf_counter() - t0))

    rows = {}
    profiles = {}
    for label, path in images:
        rows.setdefault("open", {})[label] = timed(lambda: Media.open(path, limits), args.repeat)
        rows.setdefault("decode (full RGB)", {})[label] = timed(lambda: Media.open(path, limits).rgb, args.repeat)
        for det_id, det, _ in dets:
            rows.setdefault(det_id, {})[label] = timed(lambda: det.run(Media.open(path, limits)), args.repeat)
            prof = cProfile.Profile()
            media = Media.open(path, limits)
            prof.enable()
            det.run(media)
            prof.disable()
            out = io.StringIO()
            pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(args.top + 8)
            profiles[(det_id, label)] = out.getvalue()

    labels = [lab for lab, _ in images]
    print(f"| step | load s | {' | '.join(f'{lab} s' for lab in labels)} |")
    print("|---|---|" + "---|" * len(labels))
    loads = {d: t for d, _, t in dets}
    for name, per in rows.items():
        load = f"{loads[name]:.2f}" if name in loads else ""
        print(f"| {name} | {load} | {' | '.join(f'{per[lab]:.3f}' for lab in labels)} |")
    print(f"\nimages: 1 MP generated 1024x1024 q90; 12 MP: {big}")
    for (det_id, label), text in profiles.items():
        lines = [ln for ln in text.splitlines() if ln.strip() and "{" not in ln[:60]]
        body = [ln for ln in lines if "/" in ln or "(" in ln][1:args.top + 1]
        print(f"\n### {det_id} on {label} (top by cumulative time)")
        print("\n".join(body))


if __name__ == "__main__":
    main()
