"""Landmark every calibration image once and keep the arrays, so rule thresholds can be tuned
without re-running MediaPipe.  Used by ``bench/anatomy_calibrate.py``; the cache lives outside
the repository (default /tmp/synthcheck-anatomy-cache) and holds plain .npz arrays (no pickle).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from detectors.anatomy.landmarks import Face, Hand, Landmarks, Pose

DEFAULT_CACHE = Path("/tmp/synthcheck-anatomy-cache")


def save(lm: Landmarks, path: Path) -> None:
    arrays = {"size": np.array([lm.width, lm.height])}
    if lm.hands:
        arrays["hands_image"] = np.stack([h.image for h in lm.hands])
        arrays["hands_world"] = np.stack([h.world for h in lm.hands])
        arrays["hands_score"] = np.array([h.score for h in lm.hands])
        arrays["hands_label"] = np.array([h.handedness for h in lm.hands], dtype="U8")
    if lm.pose is not None:
        arrays["pose_image"], arrays["pose_world"] = lm.pose.image, lm.pose.world
        arrays["pose_vis"] = lm.pose.visibility
    if lm.faces:
        arrays["faces"] = np.stack([f.image for f in lm.faces])
    np.savez_compressed(path, **arrays)


def load(path: Path) -> Landmarks:
    with np.load(path, allow_pickle=False) as z:
        w, h = (int(v) for v in z["size"])
        hands = ()
        if "hands_image" in z:
            hands = tuple(Hand(image=i, world=wd, handedness=str(lb), score=float(s)) for i, wd, s, lb in
                          zip(z["hands_image"], z["hands_world"], z["hands_score"], z["hands_label"]))
        pose = Pose(z["pose_image"], z["pose_world"], z["pose_vis"]) if "pose_image" in z else None
        faces = tuple(Face(f) for f in z["faces"]) if "faces" in z else ()
    return Landmarks(width=w, height=h, hands=hands, pose=pose, faces=faces)


def landmarks_for(path: Path, landmarker, cache: Path = DEFAULT_CACHE) -> Landmarks:
    from PIL import Image, ImageOps

    cache.mkdir(parents=True, exist_ok=True)
    key = hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:16]
    cached = cache / f"{key}.npz"
    if cached.exists():
        return load(cached)
    with Image.open(path) as im:
        rgb = np.asarray((ImageOps.exif_transpose(im) or im).convert("RGB"))
    lm = landmarker.detect(rgb)
    save(lm, cached)
    return lm
