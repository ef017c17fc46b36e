"""Faces for the faces detector's calibration and validation (issue 13), as a JSONL of features.

    OMP_NUM_THREADS=1 .venv/bin/python bench/faces_data.py --out /work/scratch/faces/features.jsonl \
        [--public DIR]   # DIR: get-sources output holding faceswap/ghost, faceswap/simswap, real-face/...

Real faces are mined from ../shared/data/real*, labelled/ml72/real, faces/real (and --public's
real-face, real-vid).  Every source image goes to the calibration or the held-out split by a hash
of its path, so one photo never sits on both sides.  From each split's own real faces it makes
three manipulations: self-blended images (Shiohara & Yamasaki 2022: a face blended with a slightly
shifted, rescaled, recoloured and blurred copy of itself through a soft landmark-hull mask),
landmark swaps (another real face of the same split warped triangle by triangle onto the target's
landmarks, Reinhard colour transfer, cv2.seamlessClone) and rendered swaps (the same warp, the
face rendered small and clean as learned swappers do, scaled up and alpha-blended; its own random
stream, so adding it left the other rows unchanged).  Public swap samples (GHOST, SimSwap:
CC-BY-NC, validation only) are always held-out.  Every image is measured as it is and after JPEG
q75, through the detector's own code path (MediaPipe again on the manipulated image).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import sys
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageSequence

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"

from detectors.faces import features as F  # noqa: E402
from detectors.faces.geometry import OVAL, face_size  # noqa: E402


def split_of(key: str) -> str:
    return "cal" if int(hashlib.sha1(key.encode()).hexdigest(), 16) % 2 == 0 else "held"


def real_paths(public: Path | None) -> list[Path]:
    dirs = [*sorted(SHARED.glob("real*")), SHARED / "labelled" / "ml72" / "real", SHARED / "faces" / "real"]
    if public is not None:
        dirs.append(public / "real-face")
    out = []
    for d in dirs:
        out += sorted(p for p in d.rglob("*") if p.suffix.lower() in (".jpg", ".jpeg", ".png", ".webp"))
    seen, uniq = set(), []
    for p in out:  # the same published face can sit in two folders
        h = hashlib.sha1(p.read_bytes()).hexdigest()
        if h not in seen:
            seen.add(h)
            uniq.append(p)
    return uniq


def load(p: Path, max_frames: int = 6) -> list[np.ndarray]:
    """RGB frames: one for a still, up to ``max_frames`` spread over an animation or a video."""
    if p.suffix.lower() in (".mp4", ".mkv", ".avi"):
        cap = cv2.VideoCapture(str(p))
        n = int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) or 1
        frames = []
        for i in np.linspace(0, n - 1, max_frames).astype(int):
            cap.set(cv2.CAP_PROP_POS_FRAMES, int(i))
            ok, f = cap.read()
            if ok:
                frames.append(cv2.cvtColor(f, cv2.COLOR_BGR2RGB))
        return frames
    with Image.open(p) as im:
        n = getattr(im, "n_frames", 1)
        if n == 1:
            return [np.asarray(im.convert("RGB"))]
        keep = set(np.linspace(0, n - 1, max_frames).astype(int).tolist())
        return [np.asarray(f.convert("RGB")) for i, f in enumerate(ImageSequence.Iterator(im)) if i in keep]


def jpeg(rgb: np.ndarray, q: int = 75) -> np.ndarray:
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "JPEG", quality=q)
    return np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))


def hull_mask(shape, mesh, grow=0.0, blur=0.0) -> np.ndarray:
    m = np.zeros(shape[:2], np.uint8)
    cv2.fillPoly(m, [np.round(mesh[list(OVAL), :2]).astype(np.int32)], 255)
    s = face_size(mesh)
    r = int(abs(grow) * s)
    if r:
        k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
        m = cv2.dilate(m, k) if grow > 0 else cv2.erode(m, k)
    f = m.astype(np.float32) / 255.0
    if blur > 0:
        f = cv2.GaussianBlur(f, (0, 0), max(0.5, blur * s))
    return f


def self_blend(rgb, mesh, rng) -> np.ndarray:
    """Shiohara & Yamasaki's self-blended image, with their kinds of source transforms."""
    s = face_size(mesh)
    src = rgb.astype(np.float32)
    src = np.clip(src + rng.uniform(-20, 20, 3) + rng.uniform(-15, 15), 0, 255)  # colour/brightness
    src = np.clip((src - 128) * rng.uniform(0.9, 1.1) + 128, 0, 255)
    if rng.random() < 0.5:
        src = cv2.GaussianBlur(src, (0, 0), rng.uniform(0.6, 1.6))
    else:  # render at lower resolution and scale back up
        f = rng.uniform(0.4, 0.75)
        h, w = src.shape[:2]
        src = cv2.resize(cv2.resize(src, (max(8, int(w * f)), max(8, int(h * f))), interpolation=cv2.INTER_AREA),
                         (w, h), interpolation=cv2.INTER_LINEAR)
    c = mesh[:, :2].mean(axis=0)
    a = cv2.getRotationMatrix2D((float(c[0]), float(c[1])), 0.0, rng.uniform(0.95, 1.05))
    a[:, 2] += rng.uniform(-0.03, 0.03, 2) * s
    src = cv2.warpAffine(src, a, (rgb.shape[1], rgb.shape[0]), borderMode=cv2.BORDER_REFLECT)
    mask = hull_mask(rgb.shape, mesh, grow=rng.uniform(-0.08, 0.02), blur=rng.uniform(0.01, 0.06))
    mask *= rng.choice([0.5, 0.75, 1.0, 1.0, 1.0])
    out = mask[..., None] * src + (1 - mask[..., None]) * rgb.astype(np.float32)
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)


# Landmarks used for the triangle warp: the oval plus a spread of inner points.
WARP_POINTS = sorted(set(OVAL) | set(range(0, 468, 7)))


def _warp_face(src_rgb, src_mesh, dst_rgb, dst_mesh) -> np.ndarray:
    """The source face warped triangle by triangle onto the target's landmarks (target frame)."""
    from scipy.spatial import Delaunay

    ps, pd = src_mesh[WARP_POINTS, :2], dst_mesh[WARP_POINTS, :2]
    warped = np.zeros_like(dst_rgb)
    for tri in Delaunay(pd).simplices:
        t_s, t_d = ps[tri].astype(np.float32), pd[tri].astype(np.float32)
        x, y, w, h = cv2.boundingRect(t_d)
        if w < 1 or h < 1:
            continue
        m = cv2.getAffineTransform(t_s, t_d - np.float32([x, y]))
        patch = cv2.warpAffine(src_rgb, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
        tm = np.zeros((h, w), np.uint8)
        cv2.fillConvexPoly(tm, np.round(t_d - [x, y]).astype(np.int32), 1)
        y1, x1 = min(y + h, dst_rgb.shape[0]), min(x + w, dst_rgb.shape[1])
        if y < 0 or x < 0 or y1 <= y or x1 <= x:
            continue
        region = warped[y:y1, x:x1]
        sel = tm[: y1 - y, : x1 - x].astype(bool)
        region[sel] = patch[: y1 - y, : x1 - x][sel]
    return warped


def _match_colour(face: np.ndarray, dst_rgb: np.ndarray, sel: np.ndarray) -> np.ndarray:
    """Reinhard colour transfer in Lab: the face's statistics inside ``sel`` set to the target's."""
    lab_w = cv2.cvtColor(face, cv2.COLOR_RGB2LAB).astype(np.float32)
    lab_d = cv2.cvtColor(dst_rgb, cv2.COLOR_RGB2LAB).astype(np.float32)
    mw, sw = lab_w[sel].mean(0), lab_w[sel].std(0) + 1e-3
    md, sd = lab_d[sel].mean(0), lab_d[sel].std(0) + 1e-3
    return cv2.cvtColor(np.clip((lab_w - mw) / sw * sd + md, 0, 255).astype(np.uint8), cv2.COLOR_LAB2RGB)


def landmark_swap(src_rgb, src_mesh, dst_rgb, dst_mesh) -> np.ndarray | None:
    """Warp the source face triangle by triangle onto the target's landmarks, match colour,
    seamless-clone it in: the classic OpenCV face swap."""
    warped = _warp_face(src_rgb, src_mesh, dst_rgb, dst_mesh)
    mask = (hull_mask(dst_rgb.shape, dst_mesh, grow=-0.03) > 0.5).astype(np.uint8) * 255
    if mask.sum() == 0:
        return None
    warped = _match_colour(warped, dst_rgb, mask > 0)
    x, y, w, h = cv2.boundingRect(mask)
    centre = (x + w // 2, y + h // 2)
    try:
        out = cv2.seamlessClone(warped[..., ::-1].copy(), dst_rgb[..., ::-1].copy(), mask, centre, cv2.NORMAL_CLONE)
    except cv2.error:
        return None
    return out[..., ::-1].copy()


def rendered_swap(src_rgb, src_mesh, dst_rgb, dst_mesh, rng) -> np.ndarray | None:
    """A swap the way learned swappers make one: the new face is rendered at a fixed, small size
    (InSwapper 128 px, SimSwap and GHOST 224-256 px), so it carries no camera noise and no JPEG
    grid of the target, is scaled up to the target's face size, colour-matched, and alpha-blended
    through a soft hull mask.  Simulated here by the landmark warp, a downscale of the face to
    96-256 px, a light denoise, a bicubic upscale, Reinhard colour transfer and a feathered mask."""
    warped = _warp_face(src_rgb, src_mesh, dst_rgb, dst_mesh)
    s = face_size(dst_mesh)
    hard = hull_mask(dst_rgb.shape, dst_mesh, grow=-0.03) > 0.5
    if not hard.any():
        return None
    x, y, w, h = cv2.boundingRect(hard.astype(np.uint8))
    f = min(1.0, float(rng.uniform(96, 256)) / max(s, 1.0))
    crop = warped[y:y + h, x:x + w]
    small = cv2.resize(crop, (max(8, round(w * f)), max(8, round(h * f))), interpolation=cv2.INTER_AREA)
    small = cv2.fastNlMeansDenoisingColored(small, None, float(rng.uniform(2, 6)), float(rng.uniform(2, 6)), 5, 15)
    face = warped.copy()
    face[y:y + h, x:x + w] = cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)
    face = _match_colour(face, dst_rgb, hard)
    mask = hull_mask(dst_rgb.shape, dst_mesh, grow=rng.uniform(-0.08, -0.03), blur=rng.uniform(0.02, 0.06))
    out = mask[..., None] * face.astype(np.float32) + (1 - mask[..., None]) * dst_rgb.astype(np.float32)
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)


def nearest_face(meshes: list, target: np.ndarray) -> int | None:
    """Index of the mesh found nearest to ``target`` (the face that was manipulated), or None when
    none lies within half a face of it."""
    c = target[:, :2].mean(axis=0)
    dist = [float(np.linalg.norm(m[:, :2].mean(axis=0) - c)) for m in meshes]
    return int(np.argmin(dist)) if dist and min(dist) < 0.5 * face_size(target) else None


def shared_video_names() -> set[str]:
    """Clips that ``video/real`` already holds: their copies among the public sources are skipped."""
    return {p.name.split("__")[-1] for p in (SHARED / "video" / "real").rglob("*")}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--public", type=Path, default=None)
    ap.add_argument("--limit", type=int, default=0)
    args = ap.parse_args()
    cv2.setNumThreads(1)
    from detectors.faces.mesh import FaceMesh

    mesher = FaceMesh()
    rng = np.random.default_rng(13)
    rng_rendered = np.random.default_rng(131)  # its own stream: the other kinds stay as they were
    rows: list[dict] = []

    def measure(rgb, kind, source, split, variant, frame=0, target=None):
        """``target``: the mesh that was manipulated; only the face found nearest to it is kept."""
        faces = F.measure_image(rgb, mesher.detect(rgb), find_hands=mesher.hands)
        if target is not None:
            k = nearest_face([f.mesh for f in faces], target)
            faces = [] if k is None else [faces[k]]
        for fi, face in enumerate(faces):
            rows.append({"kind": kind, "source": source, "split": split, "variant": variant,
                         "frame": frame, "face": fi, **face.as_row()})

    # 1. Real faces (stills) with their meshes, per split.
    reals: dict[str, list] = {"cal": [], "held": []}
    paths = real_paths(args.public)
    if args.limit:
        paths = paths[: args.limit]
    for i, p in enumerate(paths):
        key = str(p.relative_to(p.parents[2]))
        split = split_of(key)
        try:
            rgb = load(p)[0]
        except Exception as exc:  # noqa: BLE001 - a bad sample is skipped, the rest measured
            print("skip", p, exc, file=sys.stderr)
            continue
        if max(rgb.shape[:2]) > 2000:  # camera originals: the detector sees them at full size,
            pass  # but meshes are found on the 1280 px copy either way
        meshes = mesher.detect(rgb)
        for variant, img in (("native", rgb), ("jpeg75", jpeg(rgb))):
            measure(img, "real", key, split, variant)
        for mesh in meshes:
            if face_size(mesh) >= F.MIN_FACE:
                reals[split].append((key, rgb, mesh))
        if i % 100 == 0:
            print(i, len(paths), {k: len(v) for k, v in reals.items()}, file=sys.stderr, flush=True)
    # 2. Own manipulations from each split's own faces.
    for split, faces in reals.items():
        for j, (key, rgb, mesh) in enumerate(faces):
            sbi = self_blend(rgb, mesh, rng)
            other = faces[(j + 1 + int(rng.integers(0, max(1, len(faces) - 1)))) % len(faces)]
            swap = landmark_swap(other[1], other[2], rgb, mesh) if other[0] != key else None
            rendered = rendered_swap(other[1], other[2], rgb, mesh, rng_rendered) if other[0] != key else None
            for kind, img in (("self-blended", sbi), ("landmark-swap", swap), ("rendered-swap", rendered)):
                if img is None:
                    continue
                for variant, im in (("native", img), ("jpeg75", jpeg(img))):
                    measure(im, kind, key, split, variant, target=mesh)
    # 3. Public swaps and real video frames (held-out only).
    if args.public is not None:
        shared_videos = shared_video_names()
        for kind, folder in (("ghost", "faceswap/ghost"), ("simswap", "faceswap/simswap"),
                             ("real", "real-vid/ghost-target-faces")):
            for p in sorted((args.public / folder).glob("*")):
                if p.name.split("__")[-1] in shared_videos:
                    continue
                for fi, rgb in enumerate(load(p)):
                    for variant, img in (("native", rgb), ("jpeg75", jpeg(rgb))):
                        measure(img, kind, f"{folder}/{p.name}", "held", variant, fi)
    for p in sorted((SHARED / "video" / "real").rglob("*")):
        if p.is_file():
            for fi, rgb in enumerate(load(p)):
                for variant, img in (("native", rgb), ("jpeg75", jpeg(rgb))):
                    measure(img, "real", f"video/real/{p.name}", "held", variant, fi)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w") as fh:
        for r in rows:
            fh.write(json.dumps(r) + "\n")
    print(f"{len(rows)} face rows -> {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
