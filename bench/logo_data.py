"""The labelled pool of the leave-one-generator-out protocol, and its per-image feature cache.

    OMP_NUM_THREADS=1 .venv/bin/python bench/logo_data.py --sources /work/scratch/pixel/sources \
        --cache /work/scratch/pixel/cache.jsonl          # resumable: images already cached are skipped

Why one cache: every LOGO fold refits on the same views, so each image is decoded and measured
once.  Each image gives the same views on both sides (never a format or size cue for the label):
``raw`` (as published), ``norm`` (the ``crop512-jpeg90`` preset of ``synthcheck eval``) and
``aug*`` training views (random crop, rescale 0.5-1.25x, JPEG q60-100 or none, seeded by the
file's hash).  For ``raw`` and ``norm`` the v1 baselines are also stored: the frequency and v1
learned detector scores and their max (what the fused verdict takes).

Groups: generator = the SOURCES.tsv group (``*-pngquant`` sets stay their own group), publisher =
the repository it came from; real photos are grouped by source (a camera, a collection).  Files
are de-duplicated by content hash (the shared ``generated/`` samples are also in SOURCES.tsv).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter, ImageOps

ROOT = Path(__file__).resolve().parents[1]

SHARED = ROOT.parent / "shared" / "data"
AUG_REAL, AUG_AI = 2, 5  # more views of the rarer side
OPENCV_PHOTOS = ("aero1 aero3 baboon building butterfly fruits home leuvenA leuvenB messi5 orange "
                 "squirrel_cls stuff graf1 graf3 box_in_scene basketball1 basketball2 rubberwhale1 "
                 "rubberwhale2 aloeL aloeR left01 left02 left03 left04 left05 left06 left07 left08").split()


def pool(sources: Path, shared: Path = SHARED, imagenet_every: int = 2, bsds_every: int = 2) -> list[dict]:
    """Every labelled image: path, label (1 synthetic), group, publisher, kind."""
    items: list[dict] = []
    rows = list(csv.reader(open(shared / "SOURCES.tsv"), delimiter="\t"))
    for kind, group, repo, _commit, path, *_ in rows:
        if kind not in ("ai-img", "real-img"):
            continue
        p = sources / kind / group / path.replace("/", "__")
        if p.is_file():
            items.append(dict(path=str(p), label=int(kind == "ai-img"), group=group, publisher=repo,
                              kind="camera" if kind == "real-img" else "ai"))
    for p in sorted((shared / "labelled" / "ml72" / "ai").glob("*")):
        items.append(dict(path=str(p), label=1, group="ml72-ai", publisher="ML72", kind="ai"))
    for p in sorted((shared / "labelled" / "ml72" / "real").glob("*")):
        items.append(dict(path=str(p), label=0, group="ml72-real", publisher="ML72", kind="camera"))
    for sub in sorted((shared / "real-camera").glob("*")):
        for p in sorted(sub.glob("*")):
            items.append(dict(path=str(p), label=0, group=sub.name, publisher="shared-real-camera", kind="camera"))
    for i, p in enumerate(sorted((shared / "real" / "imagenet-samples").glob("*"))):
        if i % imagenet_every == 0:
            items.append(dict(path=str(p), label=0, group="imagenet", publisher="imagenet", kind="web"))
    for i, p in enumerate(sorted((shared / "real" / "bsds500").glob("*/*.jpg"))):
        if i % bsds_every == 0:
            items.append(dict(path=str(p), label=0, group="bsds500", publisher="bsds500", kind="web"))
    for p in sorted(Path("/usr/share/backgrounds/mate/nature").glob("*.jpg")):
        items.append(dict(path=str(p), label=0, group="mate-backgrounds", publisher="debian", kind="camera"))
    ocv = Path("/usr/share/doc/opencv-doc/examples/data")
    for name in OPENCV_PHOTOS:
        for p in sorted(ocv.glob(name + ".*")):
            items.append(dict(path=str(p), label=0, group="opencv-doc", publisher="debian", kind="web"))
    seen: set[str] = set()
    out = []
    for it in items:
        h = hashlib.sha256(Path(it["path"]).read_bytes()).hexdigest()
        if h not in seen:
            seen.add(h)
            out.append({**it, "sha256": h})
    return out


def decode(path: str) -> np.ndarray:
    with Image.open(path) as im:
        im = ImageOps.exif_transpose(im)
        if im.mode in ("P", "PA", "LA", "RGBA"):
            im = im.convert("RGBA").convert("RGB")
        return np.asarray(im.convert("RGB"))


def jpeg(rgb: np.ndarray, q: int) -> np.ndarray:
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "JPEG", quality=int(q))
    buf.seek(0)
    return np.asarray(Image.open(buf).convert("RGB"))


def norm_view(rgb: np.ndarray, side: int = 512, q: int = 90) -> np.ndarray:
    """The ``crop512-jpeg90`` preset, as synthcheck.normalize applies it, in memory."""
    h, w = rgb.shape[:2]
    if h >= side and w >= side:
        y, x = (h - side) // 2, (w - side) // 2
        out = rgb[y:y + side, x:x + side]
    else:
        s = min(h, w)
        y, x = (h - s) // 2, (w - s) // 2
        out = np.asarray(Image.fromarray(rgb[y:y + s, x:x + s]).resize((side, side), Image.LANCZOS))
    return jpeg(np.ascontiguousarray(out), q)


def aug_view(rgb: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Random crop, rescale, blur and JPEG: the same pipeline for both sides."""
    im = Image.fromarray(rgb)
    scale = rng.choice([1.0, rng.uniform(0.5, 1.0), rng.uniform(1.0, 1.25)], p=[0.4, 0.45, 0.15])
    if scale != 1.0:
        im = im.resize((max(64, int(im.width * scale)), max(64, int(im.height * scale))), Image.LANCZOS)
    side = int(rng.integers(256, 769))
    if im.width > side and im.height > side:
        x, y = int(rng.integers(0, im.width - side)), int(rng.integers(0, im.height - side))
        im = im.crop((x, y, x + side, y + side))
    if rng.random() < 0.1:
        im = im.filter(ImageFilter.GaussianBlur(float(rng.uniform(0.3, 1.0))))
    out = np.asarray(im)
    return jpeg(out, int(rng.integers(60, 101))) if rng.random() < 0.8 else out


class Baselines:
    """frequency and v1 learned detector scores, as the detectors compute them."""

    def __init__(self) -> None:
        import torch
        from safetensors import safe_open
        from safetensors.torch import load_file

        from detectors.learned.calibrate import Calibration
        from detectors.learned.model import PatchNet

        torch.set_num_threads(1)
        w = ROOT / "weights" / "learned-v1.safetensors"
        with safe_open(str(w), framework="pt") as fh:
            self.cal = Calibration.from_dict(json.loads(fh.metadata()["calibration"]))
        self.net = PatchNet()
        self.net.load_state_dict(load_file(str(w)))
        self.net.eval()

    def __call__(self, rgb: np.ndarray, is_jpeg: bool) -> dict[str, float]:
        from detectors.frequency.analysis import score_images as freq
        from detectors.learned.infer import score_images

        try:
            f = float(freq([rgb], is_jpeg).score)
        except ValueError:
            f = 0.0
        v1 = self.cal(score_images(self.net, [rgb])[0].raw)
        return {"frequency": f, "learned_v1": v1, "fused_v1": max(f, v1)}


def measure(it: dict, base: Baselines) -> dict:
    from detectors.learned.features import features

    rgb = decode(it["path"])
    is_jpeg = Path(it["path"]).suffix.lower() in (".jpg", ".jpeg")
    nv = norm_view(rgb)
    rng = np.random.default_rng(int(it["sha256"][:12], 16))
    views = {"raw": features(rgb).tolist(), "norm": features(nv).tolist()}
    for k in range(AUG_AI if it["label"] else AUG_REAL):
        views[f"aug{k}"] = features(aug_view(rgb, rng)).tolist()
    return {**it, "size": list(rgb.shape[:2]), "features": views,
            "baselines": {"raw": base(rgb, is_jpeg), "norm": base(nv, True)}}


def load_cache(*paths: Path) -> list[dict]:
    """Cached rows of one or more cache files, each image once."""
    rows: dict[str, dict] = {}
    for path in paths:
        if Path(path).is_file():
            for line in Path(path).read_text().splitlines():
                if line.strip():
                    try:
                        r = json.loads(line)
                    except json.JSONDecodeError:  # a line cut short by an interrupted run
                        continue
                    rows.setdefault(r["sha256"], r)
    return list(rows.values())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sources", type=Path, required=True, help="DEST of ../shared/bin/get-sources")
    ap.add_argument("--cache", type=Path, required=True)
    ap.add_argument("--reverse", action="store_true", help="work from the end (a second process, own cache)")
    ap.add_argument("--skip-cache", type=Path, action="append", default=[], help="images cached there are done")
    args = ap.parse_args()
    items = pool(args.sources)[::-1] if args.reverse else pool(args.sources)
    done = {r["sha256"] for c in [args.cache, *args.skip_cache] for r in load_cache(c)}
    todo = [it for it in items if it["sha256"] not in done]
    print(f"{len(items)} images ({sum(i['label'] for i in items)} synthetic); {len(todo)} to measure", flush=True)
    base = Baselines()
    with open(args.cache, "a") as fh:
        for n, it in enumerate(todo, 1):
            try:
                fh.write(json.dumps(measure(it, base)) + "\n")
            except (OSError, ValueError, RuntimeError) as exc:  # one bad file never stops the pool
                print(f"skipped {it['path']}: {exc}", flush=True)
            fh.flush()
            if n % 50 == 0:
                print(f"{n}/{len(todo)}", flush=True)


if __name__ == "__main__":
    main()
