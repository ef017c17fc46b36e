"""Training data: real photos, synthetic twins made from them, and the shared augmentation.

Why twins: every synthetic image is made from a real photo of the training split (a round trip
through the FLUX.2 tiny autoencoder, or a random small upsampling decoder in the spirit of
Zhang et al. 2019 "AutoGAN"), so content cannot separate the classes; only the generator's
upsampling fingerprint can.  Real and synthetic patches then pass through the SAME augmentation
(rescale 0.5-1.5x, blur, JPEG q30-100, random crop) so size and format carry no label.

Splits are fixed by file name so that test images are never trained on:
test = bsds500/val (100) + every 10th ImageNet sample (offset 0); val (model selection and
calibration) = every 10th ImageNet sample at offset 5 + the first 50 of bsds500/test;
train = everything else.  ``labelled/ml72`` is never used here: it stays unseen.
"""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import torch
import torch.nn.functional as F

TAEF2_CROP = 192  # taef2 on one CPU core costs ~1 s per 192x192 crop; this bounds cache time


def splits(data: Path) -> dict[str, list[Path]]:
    real = Path(data) / "real"
    imnet = sorted((real / "imagenet-samples").glob("*.JPEG"))
    out: dict[str, list[Path]] = {"train": [], "val": [], "test": []}
    for i, p in enumerate(imnet):
        out["test" if i % 10 == 0 else "val" if i % 10 == 5 else "train"].append(p)
    out["test"] += sorted((real / "bsds500" / "val").glob("*.jpg"))
    bsds_test = sorted((real / "bsds500" / "test").glob("*.jpg"))
    out["val"] += bsds_test[:50]
    out["train"] += bsds_test[50:] + sorted((real / "bsds500" / "train").glob("*.jpg"))
    return out


def read_rgb(path: Path) -> np.ndarray:
    bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if bgr is None:
        raise ValueError(f"cannot decode {path}")
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def write_jpeg(path: Path, rgb: np.ndarray, quality: int) -> None:
    cv2.imwrite(str(path), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, quality])


def to_tensor(rgb: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(rgb)).permute(2, 0, 1)[None].float() / 255


def to_uint8(t: torch.Tensor) -> np.ndarray:
    return (t[0].clamp(0, 1).permute(1, 2, 0).numpy() * 255 + 0.5).astype(np.uint8)


def _normalised(k: torch.Tensor) -> torch.Tensor:
    return k / k.sum(dim=(-2, -1), keepdim=True)


@torch.no_grad()
def random_upsampler(rgb: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, str]:
    """Downsample 2x or 4x, then decode back up through a random small upsampling decoder."""
    x = to_tensor(rgb)
    h, w = (x.shape[2] // 8) * 8, (x.shape[3] // 8) * 8
    x = x[:, :, :h, :w]
    stages = 1 if rng.random() < 0.7 else 2
    y = F.interpolate(x, scale_factor=0.5**stages, mode="area")
    mode = str(rng.choice(["nearest", "bilinear", "transposed", "shuffle"]))
    gen = torch.Generator().manual_seed(int(rng.integers(2**31)))
    for _ in range(stages):
        if mode in ("nearest", "bilinear"):
            y = F.interpolate(y, scale_factor=2, mode=mode, **({} if mode == "nearest" else {"align_corners": False}))
            centre = torch.eye(3)[1].view(1, 1, 3, 1) * torch.eye(3)[1].view(1, 1, 1, 3)
            k = _normalised(torch.rand(3, 1, 3, 3, generator=gen) + 0.2 + 2.0 * centre)
            y = F.conv2d(F.pad(y, (1, 1, 1, 1), mode="replicate"), k, groups=3)
        elif mode == "transposed":
            base = torch.tensor([0.25, 0.75, 0.75, 0.25])
            k = (base[:, None] * base[None, :]).expand(3, 1, 4, 4).clone()
            k = k * (1 + 0.6 * (torch.rand(3, 1, 4, 4, generator=gen) - 0.5))
            for py in range(2):  # normalise each output phase so flat areas stay flat-ish
                for px in range(2):
                    k[:, :, py::2, px::2] = _normalised(k[:, :, py::2, px::2])
            y = F.conv_transpose2d(F.pad(y, (1, 1, 1, 1), mode="replicate"), k, stride=2, padding=1, groups=3)
            y = y[:, :, 2:-2, 2:-2]
        else:  # pixel shuffle: 3x3 conv to 4 phases (each ~ identity + noise), then shuffle
            k = torch.zeros(12, 3, 3, 3)
            for c in range(3):
                k[c * 4:(c + 1) * 4, c, 1, 1] = 1.0
            noise = 0.04 * torch.randn(12, 3, 3, 3, generator=gen)
            k = k + noise - noise.mean(dim=(1, 2, 3), keepdim=True)  # each phase still sums to 1
            y = F.pixel_shuffle(F.conv2d(F.pad(y, (1, 1, 1, 1), mode="replicate"), k), 2)
    # a random learned-decoder-like residual: conv -> ReLU -> conv on the upsampled features
    feats = torch.relu(F.conv2d(y, torch.randn(16, 3, 3, 3, generator=gen) * 0.5, padding=1))
    r = F.conv2d(feats, torch.randn(3, 16, 3, 3, generator=gen) * 0.1, padding=1)
    r = (r - r.mean()) / (r.std() + 1e-6)
    y = y + float(rng.uniform(0.003, 0.02)) * r
    return to_uint8(y), f"{mode}x{2**stages}"


def build_cache(data: Path, cache: Path, taef2_per_split: dict[str, int], seed: int = 0) -> Path:
    """Write synthetic twins as JPEG (q75-95, like the real photos) plus a manifest; idempotent."""
    from .taef2 import load_taef2

    cache.mkdir(parents=True, exist_ok=True)
    manifest_path = cache / "manifest.json"
    if manifest_path.exists():
        return manifest_path
    rng = np.random.default_rng(seed)
    taef2 = load_taef2(Path(data) / "models" / "taef2")
    manifest: dict[str, list[dict]] = {}
    for split, files in splits(data).items():
        rows = []
        n_tae = taef2_per_split.get(split, 0)
        tae_idx = set(rng.permutation(len(files))[:n_tae].tolist())
        for i, p in enumerate(files):
            rgb = read_rgb(p)
            up, how = random_upsampler(rgb, rng)
            out = cache / f"{split}_{p.stem}_up.jpg"
            write_jpeg(out, up, int(rng.integers(75, 96)))
            rows.append({"real": str(p), "fake": str(out), "gen": f"upsampler-{how}"})
            if i in tae_idx:
                h, w = rgb.shape[:2]
                c = min(TAEF2_CROP, h // 8 * 8, w // 8 * 8)
                y0 = int(rng.integers(0, (h - c) // 8 + 1)) * 8
                x0 = int(rng.integers(0, (w - c) // 8 + 1)) * 8
                rt = to_uint8(taef2.round_trip(to_tensor(rgb[y0:y0 + c, x0:x0 + c])))
                out = cache / f"{split}_{p.stem}_taef2.jpg"
                write_jpeg(out, rt, int(rng.integers(75, 96)))
                rows.append({"real": str(p), "fake": str(out), "gen": "taef2", "crop": [x0, y0, c]})
        manifest[split] = rows
        print(f"cache {split}: {len(rows)} synthetic images", flush=True)
    manifest_path.write_text(json.dumps(manifest, indent=1))
    return manifest_path


def augment(rgb: np.ndarray, rng: np.random.Generator, size: int = 64, strong: bool = True) -> np.ndarray:
    """One training patch: random crop, rescale 0.5-1.5x, blur, JPEG q30-100, final crop."""
    h, w = rgb.shape[:2]
    scale = float(rng.uniform(0.5, 1.5)) if strong and rng.random() < 0.5 else 1.0
    side = min(h, w, int(np.ceil((size + 16) / scale)))
    y0, x0 = int(rng.integers(0, h - side + 1)), int(rng.integers(0, w - side + 1))
    patch = rgb[y0:y0 + side, x0:x0 + side]
    if scale != 1.0:
        n = max(size, int(round(side * scale)))
        interp = [cv2.INTER_AREA, cv2.INTER_LINEAR, cv2.INTER_CUBIC][int(rng.integers(3))]
        patch = cv2.resize(patch, (n, n), interpolation=interp)
    if strong and rng.random() < 0.1:
        patch = cv2.GaussianBlur(patch, (0, 0), float(rng.uniform(0.3, 1.2)))
    if strong and rng.random() < 0.6:
        ok, buf = cv2.imencode(".jpg", patch, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(30, 101))])
        patch = cv2.imdecode(buf, cv2.IMREAD_UNCHANGED)
    ph, pw = patch.shape[:2]
    if ph < size or pw < size:
        patch = cv2.copyMakeBorder(patch, 0, max(0, size - ph), 0, max(0, size - pw), cv2.BORDER_REFLECT)
        ph, pw = patch.shape[:2]
    y0, x0 = int(rng.integers(0, ph - size + 1)), int(rng.integers(0, pw - size + 1))
    return patch[y0:y0 + size, x0:x0 + size]
