"""The v3 model: the patch CNN of ``model`` trained on real generator outputs, and its file.

Why a CNN again after v2's statistics: v1's PatchNet failed because it learned simulated
artifacts; trained on outputs of ~37 real generators against camera and web photos, through one
augmentation pipeline for both sides, it ranks held-out generators far better than v2 does after
``crop512-jpeg90`` (bench/patch_cnn.py).  Patches are a fixed grid over the whole picture, the
same grid the bench measured, so the numbers in the card describe what this code computes.
Weights, calibration and the training record travel in one safetensors file; nothing pickled.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

import numpy as np

from .calibrate import Calibration

if TYPE_CHECKING:  # pragma: no cover
    from torch import nn

WEIGHTS = "learned-v3.safetensors"
HASH_FILE = "learned-v3.sha256"
N_PATCHES = 32
PATCH = 64


@dataclass(frozen=True)
class PatchScores:
    raw: float                                   # mean patch logit: the image's raw score
    logits: tuple[float, ...]
    boxes: tuple[tuple[int, int, int, int], ...]  # x, y, w, h in the image's pixels


def grid_patches(rgb: np.ndarray, n: int = N_PATCHES) -> tuple[np.ndarray, list[tuple[int, int, int, int]]]:
    """``n`` 64 px windows on an even grid over the whole image (smaller images are first enlarged
    to 64 px, bicubic).  Deterministic, and no texture choice: flat regions count as they are."""
    from PIL import Image

    h, w = rgb.shape[:2]
    fx = fy = 1.0
    if h < PATCH or w < PATCH:
        nw, nh = max(PATCH, w), max(PATCH, h)
        fx, fy = w / nw, h / nh
        rgb = np.asarray(Image.fromarray(np.ascontiguousarray(rgb)).resize((nw, nh), Image.BICUBIC))
        h, w = rgb.shape[:2]
    g = int(np.ceil(np.sqrt(n)))
    ys = np.linspace(0, h - PATCH, g).astype(int)
    xs = np.linspace(0, w - PATCH, g).astype(int)
    coords = [(int(y), int(x)) for y in ys for x in xs][:n]
    patches = np.stack([rgb[y:y + PATCH, x:x + PATCH] for y, x in coords])
    boxes = [(int(x * fx), int(y * fy), max(1, int(PATCH * fx)), max(1, int(PATCH * fy))) for y, x in coords]
    return patches, boxes


def build() -> "nn.Module":
    from .model import PatchNet

    return PatchNet()


def save(model: "nn.Module", cal: Calibration, path: Path, info: dict) -> None:
    from safetensors.torch import save_file

    state = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    save_file(state, str(path), metadata={"calibration": json.dumps(cal.to_dict()), "info": json.dumps(info),
                                          "arch": "PatchNet(32,48,64)/grid32"})


def load(path: Path, device: str = "cpu") -> tuple["nn.Module", Calibration, dict]:
    from safetensors import safe_open

    with safe_open(str(path), framework="pt") as fh:  # one read: tensors and metadata
        meta = fh.metadata() or {}
        state = {k: fh.get_tensor(k) for k in fh.keys()}
    model = build()
    model.load_state_dict(state, strict=True)
    model.eval().to(device)
    return model, Calibration.from_dict(json.loads(meta["calibration"])), json.loads(meta.get("info", "{}"))


def score_images(model: "nn.Module", images: Sequence[np.ndarray], device: str = "cpu") -> list[PatchScores]:
    """All patches of all images in one batched pass; each image's score is its mean patch logit."""
    picked = [grid_patches(np.asarray(im)) for im in images]
    if not picked:
        return []
    from .infer import patch_logits  # the batched forward pass v1 already had

    logits = patch_logits(model, np.concatenate([p for p, _ in picked]), device)
    out, start = [], 0
    for patches, boxes in picked:
        lg = logits[start:start + len(patches)]
        start += len(patches)
        out.append(PatchScores(float(lg.mean()), tuple(float(v) for v in lg), tuple(boxes)))
    return out
