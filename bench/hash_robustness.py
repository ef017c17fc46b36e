"""Known content: does a changed copy still match its original, and do distinct photos stay apart? (issue 14)

    OMP_NUM_THREADS=1 .venv/bin/python bench/hash_robustness.py [--scenes 60] [--real ../shared/data/real]

Robustness: for generated pictures (tests.test_hashing.scene, 640x480) and for real photos, each
transform below is applied to the original and the copy's PDQ is compared with the original's
(and, for the "+dihedral" rows, with the best of the original's eight rotation/mirror variants, as
the known detector matches).  A copy matches when the distance is <= 31.

False matches: every pair of the real photos (1,200: imagenet-samples 700 + bsds500 500) is
compared at the same threshold, once with the plain hash and once with all eight variants; each
pair found is printed with its file names, so a reader can see whether it is the same photo twice
(a real near-duplicate in the set) or two different photos (a false match).
"""

from __future__ import annotations

import argparse
import io
from pathlib import Path

import numpy as np
from PIL import Image

from scenes import test_scene  # bench/scenes.py (this script's folder is on sys.path)
from synthcheck.hashes.compute import PDQ_THRESHOLD, image_hashes
from synthcheck.hashes.index import hex_rows, popcount_rows

REPO = Path(__file__).resolve().parents[1]


def _jpeg(a, q):
    buf = io.BytesIO()
    Image.fromarray(a).save(buf, format="JPEG", quality=q)
    return np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))


def _resize(a, f):
    im = Image.fromarray(a)
    return np.asarray(im.resize((max(8, round(im.width * f)), max(8, round(im.height * f))), Image.Resampling.LANCZOS))


def _crop(a, keep, ox=0.5, oy=0.5):
    h, w = a.shape[:2]
    ch, cw = round(h * keep), round(w * keep)
    y0, x0 = round((h - ch) * oy), round((w - cw) * ox)
    return a[y0:y0 + ch, x0:x0 + cw]


TRANSFORMS = {
    **{f"jpeg q{q}": (lambda a, q=q: _jpeg(a, q)) for q in (50, 60, 70, 80, 95)},
    **{f"resize {f}x": (lambda a, f=f: _resize(a, f)) for f in (0.5, 0.75, 1.5, 2.0)},
    "resize 0.5x + jpeg q50": lambda a: _jpeg(_resize(a, 0.5), 50),
    "crop 5% of area, centred": lambda a: _crop(a, 0.95 ** 0.5),
    "crop 5% of each side length, centred": lambda a: _crop(a, 0.95),
    "crop 5% of each side length, from one corner": lambda a: _crop(a, 0.95, 0.0, 0.0),
    "mirror (plain PDQ)": lambda a: np.ascontiguousarray(a[:, ::-1]),
    "mirror +dihedral": lambda a: np.ascontiguousarray(a[:, ::-1]),
    "rotate 90 +dihedral": lambda a: np.ascontiguousarray(np.rot90(a)),
}


def robustness(pictures: list[np.ndarray], title: str) -> None:
    print(f"\n{title}: {len(pictures)} pictures; match = PDQ distance <= {PDQ_THRESHOLD}")
    print("| transform | matched | mean distance | worst |")
    print("|---|---|---|---|")
    base = [image_hashes(p, dihedral=True) for p in pictures]
    for name, fn in TRANSFORMS.items():
        dists = []
        for p, h in zip(pictures, base):
            q = image_hashes(fn(p)).pdq
            refs = h.dihedral if "+dihedral" in name else (h.pdq,)
            dists.append(min(int(popcount_rows(hex_rows([r]) ^ hex_rows([q]))[0]) for r in refs))
        d = np.array(dists)
        print(f"| {name} | {(d <= PDQ_THRESHOLD).sum()}/{len(d)} | {d.mean():.1f} | {d.max()} |")


def false_matches(files: list[Path]) -> None:
    hashes, variants, names = [], [], []
    for f in files:
        try:
            a = np.asarray(Image.open(f).convert("RGB"))
        except OSError:
            continue
        h = image_hashes(a, dihedral=True)
        if h.quality < 50:
            continue
        hashes.append(h.pdq)
        variants.append(h.dihedral)
        names.append(f"{f.parent.name}/{f.name}")
    plain = hex_rows(hashes)
    print(f"\nFalse matches among {len(names)} real photos (quality >= 50; "
          f"{len(files) - len(names)} left out), {len(names) * (len(names) - 1) // 2} pairs:")
    for label, use_variants in (("plain PDQ", False), ("any of 8 dihedral variants", True)):
        pairs = []
        for i in range(len(names)):
            refs = hex_rows(list(variants[i])) if use_variants else plain[i:i + 1]
            d = np.min(np.stack([popcount_rows(plain[i + 1:] ^ r) for r in refs]), axis=0)
            for j in np.flatnonzero(d <= PDQ_THRESHOLD):
                pairs.append((int(d[j]), names[i], names[i + 1 + j]))
        print(f"- {label}: {len(pairs)} pair(s) within {PDQ_THRESHOLD}")
        for d, a, b in sorted(pairs):
            print(f"    {d:3d}  {a}  {b}")
    allp = np.concatenate([popcount_rows(plain[i + 1:] ^ plain[i]) for i in range(len(names) - 1)])
    print(f"- distance between distinct photos: min {allp.min()}, 0.1th percentile {np.percentile(allp, 0.1):.0f}, "
          f"median {np.median(allp):.0f}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scenes", type=int, default=60)
    ap.add_argument("--real", default=str(REPO / ".." / "shared" / "data" / "real"))
    ap.add_argument("--real-robustness", type=int, default=100, help="real photos used for the robustness table")
    args = ap.parse_args()
    scene = test_scene()

    robustness([scene(s) for s in range(args.scenes)], "Generated pictures (tests.test_hashing.scene, 640x480)")
    real = Path(args.real)
    files = sorted(p for p in real.rglob("*") if p.suffix.lower() in (".jpg", ".jpeg", ".png"))
    if not files:
        print(f"\n{real}: no photos; false-match measurement skipped")
        return
    step = max(1, len(files) // args.real_robustness)
    robustness([np.asarray(Image.open(f).convert("RGB")) for f in files[::step][:args.real_robustness]],
               f"Real photos (every {step}th of {real})")
    false_matches(files)


if __name__ == "__main__":
    main()
