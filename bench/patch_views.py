"""Training views and evaluation patches for the patch CNN (``bench/patch_cnn.py prep``).

Why its own module: the view recipe (crop, rescale with a random filter, blur, noise, JPEG, and
optionally a web-size thumbnail) is what decides whether JPEG traces or sizes carry the label, so
it is read and changed apart from the training loop and the held-out report.  Both sides go
through the same pipeline; only the JPEG share differs (``JPEG_P``), so that about as many views
on each side carry no JPEG trace.  Each image's random stream is seeded from its sha256, so a prep
with the defaults reproduces the shipped training patches bit for bit.
"""

from __future__ import annotations

import argparse
import json
import time
from multiprocessing import Pool as Workers

import numpy as np
from PIL import Image, ImageFilter

from detectors.learned import v3
from logo_data import decode, jpeg, norm_view, pool

P = 64            # patch side
TRAIN_VIEWS = {0: 3, 1: 10}   # views per real / AI image (the rarer side gets more)
PATCHES_PER_VIEW = 12
EVAL_PATCHES = 32
# JPEG probability per side: a real photo that is rescaled and not re-compressed loses its JPEG traces
# (0.6 x 0.5 = 30% of real views), so 70% for AI views leaves 30% trace-free on both sides
JPEG_P = {0: 0.5, 1: 0.7}
FILTERS = (Image.BILINEAR, Image.BICUBIC, Image.LANCZOS)
NOISE = {"p": 0.1, "max": 4.0}  # Gaussian noise on training views, both sides: probability, largest sigma
# Share of training views that are the whole picture reduced to a web size (long side 320-800 px),
# as photo sites and datasets publish camera photos (ImageNet's are 500 px, q96).  0 = the shipped
# 3.0.0 recipe, whose random stream it then leaves untouched.
THUMB = {"p": 0.0}


def _patches(rgb: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """Random training windows (evaluation uses the detector's own grid, ``v3.grid_patches``)."""
    h, w = rgb.shape[:2]
    if h < P or w < P:
        rgb = np.asarray(Image.fromarray(rgb).resize((max(P, w), max(P, h)), Image.BICUBIC))
        h, w = rgb.shape[:2]
    coords = [(int(rng.integers(0, h - P + 1)), int(rng.integers(0, w - P + 1))) for _ in range(n)]
    return np.stack([rgb[y:y + P, x:x + P] for y, x in coords])


def train_view(rgb: np.ndarray, label: int, rng: np.random.Generator) -> np.ndarray:
    im = Image.fromarray(rgb)
    if THUMB["p"] > 0 and rng.random() < THUMB["p"]:
        return _finish(_thumbnail(im, rng), label, rng)
    side = int(rng.integers(256, 1025))  # crop first (cheap on 12 MP photos), then rescale
    if im.width > side and im.height > side:
        x, y = int(rng.integers(0, im.width - side)), int(rng.integers(0, im.height - side))
        im = im.crop((x, y, x + side, y + side))
    if rng.random() < 0.6:
        s = float(rng.uniform(0.5, 1.5))
        im = im.resize((max(P, int(im.width * s)), max(P, int(im.height * s))), FILTERS[int(rng.integers(0, 3))])
    return _finish(im, label, rng)


def _thumbnail(im: Image.Image, rng: np.random.Generator) -> Image.Image:
    """The whole picture at a web size; a picture already that small is left as it is."""
    long_side = int(rng.integers(320, 801))
    s = long_side / max(im.size)
    if s >= 1:
        return im
    return im.resize((max(P, round(im.width * s)), max(P, round(im.height * s))), FILTERS[int(rng.integers(0, 3))])


def _finish(im: Image.Image, label: int, rng: np.random.Generator) -> np.ndarray:
    """Blur, noise and JPEG, alike for both sides except the JPEG share (``JPEG_P``)."""
    if rng.random() < 0.1:
        im = im.filter(ImageFilter.GaussianBlur(float(rng.uniform(0.3, 1.0))))
    out = np.asarray(im)
    if rng.random() < NOISE["p"]:
        out = np.clip(out + rng.normal(0, rng.uniform(1, NOISE["max"]), out.shape), 0, 255).astype(np.uint8)
    if rng.random() < JPEG_P[label]:
        out = jpeg(np.ascontiguousarray(out), int(rng.integers(60, 101)))
    return out


def prep_one(it: dict) -> dict | None:
    try:
        rgb = decode(it["path"])
    except (OSError, ValueError) as exc:
        print(f"skipped {it['path']}: {exc}", flush=True)
        return None
    rng = np.random.default_rng(int(it["sha256"][:12], 16))
    train = np.concatenate([_patches(train_view(rgb, it["label"], rng), PATCHES_PER_VIEW, rng)
                            for _ in range(TRAIN_VIEWS[it["label"]])])
    return dict(train=train, raw=v3.grid_patches(rgb, EVAL_PATCHES)[0],
                norm=v3.grid_patches(norm_view(rgb), EVAL_PATCHES)[0])


def prep(args: argparse.Namespace) -> None:
    items = pool(args.sources)
    NOISE.update(p=args.noise_p, max=args.noise_max)  # read by the forked workers
    THUMB.update(p=args.thumb_p)
    t = time.time()
    with Workers(args.workers) as w:
        res = w.map(prep_one, items, chunksize=4)
    keep = [(it, r) for it, r in zip(items, res) if r is not None]
    meta = [{k: it[k] for k in ("path", "label", "group", "publisher", "kind", "sha256")} for it, _ in keep]
    out = {f"{v}": np.stack([r[v] for _, r in keep]) for v in ("raw", "norm")}
    tr = [r["train"] for _, r in keep]
    out["train"] = np.concatenate(tr)
    out["train_owner"] = np.concatenate([np.full(len(a), i) for i, a in enumerate(tr)])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez(args.out, **out)
    args.out.with_suffix(".json").write_text(json.dumps(meta))
    print(f"{len(keep)} images, {len(out['train'])} training patches, {time.time() - t:.0f} s")
