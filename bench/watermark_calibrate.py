"""Calibrate the null distribution of the watermark detector's match statistic.

Runs the dwtDct soft decoder on clean real photographs (no watermark) and fits a Rayleigh law
(R^2 ~ scale^2 * chi-square with 2 degrees of freedom) to the match statistic R of every known
message under every pixel convention and processing.  The scale goes into
``detectors/watermark/dwtdct.py`` (NULL_SCALE); tail counts and tail-implied scales are printed so
the fit can be checked where the data reach.

    .venv/bin/python bench/watermark_calibrate.py [--data ../shared/data/real] [--split calibration]

Only the calibration half of the photos is used by default (``bench/heldout.py: hash_split``, by
the SHA-256 of each path), so false positives can be counted on the held-out half
(``bench/watermark_bench.py --split held-out``, ``bench/heldout_fpr.py``).
Images smaller than 256 px a side are skipped, as the detector does.  Prints the fit, the
empirical maximum and tail counts, so the Gaussian tail can be checked where data allow.
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

import numpy as np
from PIL import Image

from detectors.watermark import dwtdct
from heldout import hash_split

ROOT = Path(__file__).resolve().parents[1]

EXTS = {".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff"}


def real_photos(data: Path, limit: int | None = None, split: str = "all") -> list[Path]:
    files = sorted(p for p in data.rglob("*") if p.suffix.lower() in EXTS
                   and split in ("all", hash_split(p)))
    return files[:limit] if limit else files


def load_rgb(path: Path) -> np.ndarray:
    with Image.open(path) as im:
        return np.asarray(im.convert("RGB"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "real")
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--split", choices=("calibration", "held-out", "all"), default="calibration",
                    help="which half of the photos (bench/heldout.py hash_split; default calibration)")
    ap.add_argument("--rivagan", type=int, default=0, metavar="N",
                    help="also measure RivaGAN decoder confidence on the first N photos")
    args = ap.parse_args()
    if args.rivagan:
        calibrate_rivagan(args.data, args.rivagan)
        return

    rows: dict[str, list[float]] = {}
    n_img, t0 = 0, time.perf_counter()
    for path in real_photos(args.data, args.limit, args.split):
        rgb = load_rgb(path)
        if min(rgb.shape[:2]) < dwtdct.MIN_SIDE:
            continue
        n_img += 1
        for m in dwtdct.match_known(rgb):
            rows.setdefault(f"{m.message.key}/{m.convention}/{m.processing}", []).append(m.r)
    elapsed = time.perf_counter() - t0
    allr = np.concatenate([np.array(v) for v in rows.values()])
    scale = math.sqrt(float((allr**2).mean()) / 2)
    print(f"images: {n_img} from {args.data}, split {args.split}  ({elapsed / max(n_img, 1) * 1000:.0f} ms/image)")
    print(f"pooled over {len(rows)} hypotheses: n={allr.size} Rayleigh scale (moment fit)="
          f"{scale:.4f} max R={allr.max():.3f}")
    print(f"{'hypothesis':45s} {'scale':>6s} {'max':>6s}")
    for key, v in sorted(rows.items()):
        a = np.array(v)
        print(f"{key:45s} {math.sqrt((a**2).mean() / 2):6.3f} {a.max():6.2f}")
    for q in (1e-1, 1e-2, 1e-3, 3e-4):
        thr = scale * math.sqrt(2 * math.log(1 / q))
        implied = np.quantile(allr, 1 - q) / math.sqrt(2 * math.log(1 / q))
        print(f"tail {q:g}: R > {thr:.2f} observed {int((allr > thr).sum())}, fit expects "
              f"{q * allr.size:.1f}; scale implied by the empirical {1 - q:g} quantile: {implied:.3f}")
    per_image_max = np.max(np.stack([np.array(v) for v in rows.values()]), axis=0)
    print(f"per-image max over hypotheses: max={per_image_max.max():.3f}  "
          f"99th pct={np.percentile(per_image_max, 99):.3f}")


def calibrate_rivagan(data: Path, n: int) -> None:
    """Clean photos vs the same photos RivaGAN-marked (random payloads), PNG and JPEG 90.

    The statistic is the weakest bit's margin from the package's 0.52 threshold, on a centred
    crop of 160 (the detector's) and 256 px.
    """
    import io

    from imwatermark import WatermarkEncoder

    from detectors.watermark import rivagan

    WatermarkEncoder.loadModel()
    rng = np.random.default_rng(0)
    crops = (160, 256)
    clean: dict[int, list[float]] = {c: [] for c in crops}
    marked: dict[tuple[str, int], list[tuple[float, int]]] = {}
    t0 = time.perf_counter()
    photos = real_photos(data)
    for i, path in enumerate(photos[:: max(1, len(photos) // n)][:n]):
        rgb = load_rgb(path)
        if min(rgb.shape[:2]) < dwtdct.MIN_SIDE:
            continue
        for c in crops:
            clean[c].append(rivagan.decode(rgb, c).weakest)
        if i % 5:
            continue  # the encoder is slow: mark every 5th photo
        bits = rng.integers(0, 2, 32)
        enc = WatermarkEncoder()
        enc.set_watermark("bits", [int(b) for b in bits])
        w = np.ascontiguousarray(enc.encode(np.ascontiguousarray(rgb[:, :, ::-1]), "rivaGan")[:, :, ::-1])
        buf = io.BytesIO()
        Image.fromarray(w).save(buf, "JPEG", quality=90)
        wj = np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))
        for name, img in (("PNG", w), ("JPEG 90", wj)):
            for c in crops:
                r = rivagan.decode(img, c)
                marked.setdefault((name, c), []).append(
                    (r.weakest, int((np.array(r.bits) == bits).sum())))
    for c in crops:
        a = np.array(clean[c])
        print(f"crop {c}: weakest-bit margin on {a.size} clean photos: mean={a.mean():.3f} "
              f"99th pct={np.percentile(a, 99):.3f} max={a.max():.3f}")
    for (name, c), rows in sorted(marked.items()):
        m = np.array(rows)
        rates = " ".join(f">={t:g}: {(m[:, 0] >= t).mean():.0%}" for t in (1.0, 1.5, 2.0))
        print(f"crop {c} marked {name}: n={len(m)} margin median={np.median(m[:, 0]):.2f} "
              f"detected {rates}; all 32 bits right in {(m[:, 1] == 32).mean():.0%}")
    print(f"{time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
