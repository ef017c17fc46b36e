"""Measure the watermark detector: SDXL-mark detection after common processing, false positives.

For each clean photo under --data (resized so the short side is --size and centre-cropped to a
square; --size 0 keeps natural sizes >= 256 px), embed the SDXL message the way diffusers'
StableDiffusionXLWatermarker does (float BGR in [0, 255], ``encode(img, "dwtDct")``, back to
RGB, rounded to uint8), then test: lossless (PNG pixels), JPEG quality 90/75/50 (Pillow,
4:2:0), and a 0.5x resize.  The same photos without the mark give the false-positive rate.
The package's own decoder is scored for comparison with Stability's detect.py rule
(>= 34 of 48 bits = "likely watermarked").

    .venv/bin/python bench/watermark_bench.py [--size 512] [--limit N] [--step K] [--split held-out]

The null was fitted on the calibration half of the photos (bench/heldout.py), so the clean rows
count false positives honestly only with ``--split held-out``; ``--clean-only`` skips embedding.

Also times the soft decoder (all messages, one pass) and the RivaGAN crop at 1 MP.
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
from pathlib import Path

import numpy as np
from PIL import Image

from detectors.watermark import dwtdct, rivagan
from detectors.watermark.messages import SDXL_BITS
from watermark_calibrate import load_rgb, real_photos

ROOT = Path(__file__).resolve().parents[1]

CONDITIONS = ("png", "jpeg90", "jpeg75", "jpeg50", "resize0.5")


def embed_sdxl(rgb: np.ndarray) -> np.ndarray:
    from imwatermark import WatermarkEncoder

    enc = WatermarkEncoder()
    enc.set_watermark("bits", list(SDXL_BITS))
    out = enc.encode(np.ascontiguousarray(rgb[:, :, ::-1], dtype=np.float32), "dwtDct")
    return np.clip(np.round(out[:, :, ::-1]), 0, 255).astype(np.uint8)


def jpeg(rgb: np.ndarray, quality: int) -> np.ndarray:
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "JPEG", quality=quality)
    with Image.open(io.BytesIO(buf.getvalue())) as im:
        return np.asarray(im.convert("RGB"))


def process(rgb: np.ndarray, cond: str) -> np.ndarray:
    if cond == "png":
        return rgb
    if cond.startswith("jpeg"):
        return jpeg(rgb, int(cond[4:]))
    h, w = rgb.shape[:2]
    return np.asarray(Image.fromarray(rgb).resize((w // 2, h // 2), Image.BICUBIC))


def prepare(rgb: np.ndarray, size: int) -> np.ndarray | None:
    if size == 0:
        return rgb if min(rgb.shape[:2]) >= dwtdct.MIN_SIDE else None
    im = Image.fromarray(rgb)
    scale = size / min(im.size)
    im = im.resize((max(size, round(im.width * scale)), max(size, round(im.height * scale))),
                   Image.LANCZOS)
    x, y = (im.width - size) // 2, (im.height - size) // 2
    return np.asarray(im.crop((x, y, x + size, y + size)))


def ours(rgb: np.ndarray) -> str:
    """'decisive', 'moderate', 'weak' or 'none' for the SDXL message; 'small' if not checked."""
    if min(rgb.shape[:2]) < dwtdct.MIN_SIDE:
        return "small"
    sdxl = next(m for m in dwtdct.match_known(rgb) if m.message.key == "bits:sdxl")
    for name, p in (("decisive", dwtdct.P_DECISIVE), ("moderate", dwtdct.P_MODERATE),
                    ("weak", dwtdct.P_WEAK)):
        if sdxl.p_family <= p:
            return name
    return "none"


def any_decisive(rgb: np.ndarray) -> str:
    if min(rgb.shape[:2]) < dwtdct.MIN_SIDE:
        return "small"
    p = min(m.p_family for m in dwtdct.match_known(rgb))
    return "decisive" if p <= dwtdct.P_DECISIVE else "moderate" if p <= dwtdct.P_MODERATE else "none"


def package(rgb: np.ndarray) -> bool:
    from imwatermark import WatermarkDecoder

    if rgb.shape[0] * rgb.shape[1] < 256 * 256:
        return False
    bits = WatermarkDecoder("bits", 48).decode(np.ascontiguousarray(rgb[:, :, ::-1]), "dwtDct")
    return int((np.asarray(bits, dtype=int) == np.asarray(SDXL_BITS)).sum()) >= 34


def timing(photo: np.ndarray, repeats: int = 5) -> str:
    big = np.asarray(Image.fromarray(photo).resize((1024, 1024), Image.LANCZOS))
    t_soft, t_riva = [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        dwtdct.match_known(big)
        t_soft.append(time.perf_counter() - t0)
        if not rivagan.available():
            t0 = time.perf_counter()
            rivagan.decode(big)
            t_riva.append(time.perf_counter() - t0)
    riva = f"{statistics.median(t_riva) * 1000:.0f} ms" if t_riva else "not available"
    return (f"1024x1024, median of {repeats}: dwtDct soft decoder (16 hypotheses) "
            f"{statistics.median(t_soft) * 1000:.0f} ms; RivaGAN {rivagan.CROP}x{rivagan.CROP} crop {riva}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "real")
    ap.add_argument("--size", type=int, default=512)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--step", type=int, default=1, help="use every K-th photo (a subset)")
    ap.add_argument("--no-package", action="store_true", help="skip the package's decoder")
    ap.add_argument("--split", choices=("all", "calibration", "held-out"), default="all",
                    help="which half of the photos (bench/heldout.py hash_split)")
    ap.add_argument("--clean-only", action="store_true", help="only the false-positive rows")
    args = ap.parse_args()

    counts: dict[str, dict[str, int]] = {c: {} for c in (*CONDITIONS, "clean", "clean-jpeg90")}
    pkg = {c: 0 for c in counts}
    n, first, t0 = 0, None, time.perf_counter()
    for path in real_photos(args.data, split=args.split)[:: args.step][: args.limit]:
        base = prepare(load_rgb(path), args.size)
        if base is None:
            continue
        first = base if first is None else first
        n += 1
        marked = None if args.clean_only else embed_sdxl(base)
        for cond in () if args.clean_only else CONDITIONS:
            img = process(marked, cond)
            r = ours(img)
            counts[cond][r] = counts[cond].get(r, 0) + 1
            pkg[cond] += 0 if args.no_package else package(img)
        for cond, img in (("clean", base), ("clean-jpeg90", jpeg(base, 90))):
            r = any_decisive(img)
            counts[cond][r] = counts[cond].get(r, 0) + 1
            pkg[cond] += 0 if args.no_package else package(img)
    size = f"{args.size}x{args.size} crops" if args.size else "natural sizes >= 256 px"
    print(f"{n} photos from {args.data} ({size}, every {args.step}th, split {args.split}), "
          f"{time.perf_counter() - t0:.0f} s")
    print("| condition | decisive | >= moderate | >= weak | package decoder (>= 34/48 bits) |")
    print("|---|---|---|---|---|")
    for cond, c in counts.items():
        if not c:
            continue
        dec = c.get("decisive", 0)
        mod = dec + c.get("moderate", 0)
        weak = mod + c.get("weak", 0)
        what = "false positives, any known message" if cond.startswith("clean") else "SDXL mark detected"
        pk = "not run" if args.no_package else f"{pkg[cond]}/{n} ({100 * pkg[cond] / n:.1f}%)"
        weak_s = "-" if cond.startswith("clean") else f"{100 * weak / n:.1f}%"
        print(f"| {cond} ({what}) | {dec}/{n} ({100 * dec / n:.1f}%) | "
              f"{100 * mod / n:.1f}% | {weak_s} | {pk} |")
    if first is not None:
        print(timing(first))


if __name__ == "__main__":
    main()
