"""Make simulated 'upsampling decoder' images from real photographs, for the frequency detector.

Each photo is centre-cropped, downsampled by k with area averaging (so the small image has no
periodic trace of its own), then upsampled by k again with one of:

* ``nearest``  - pixel replication (k x k blocks);
* ``bilinear`` - Pillow bilinear;
* ``tconv``    - transposed convolution: zero insertion then a fixed 2k x 2k kernel whose k x k
  polyphase components do not sum to the same value (as in an untrained or checkerboarding
  decoder layer), seeded so every run makes the same images.

With ``--taef2`` the crops also go through a real latent-diffusion autoencoder (the FLUX.2 tiny
autoencoder in /work/shared/data/models/taef2, rebuilt by detectors/learned/taef2.py): encode to
the 8x-smaller latent, decode with its three nearest-2x + conv stages -> ``synthetic/taef2/``.

Real counterparts are the same centre crops with no resampling.  Everything is written as PNG
under the output folder (default /tmp/freqsim): ``real/`` and ``synthetic/<method><k>/`` so the
result can be measured with ``synthcheck eval --real /tmp/freqsim/real --synthetic
/tmp/freqsim/synthetic``.

    .venv/bin/python bench/frequency_sim.py --n 40 --out /tmp/freqsim
"""

from __future__ import annotations

import argparse
import glob
import random
from pathlib import Path

import numpy as np
from PIL import Image
from scipy.signal import fftconvolve

SRC = "/work/shared/data/real"
SIDE = 256


def tconv_kernel(k: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed + k)
    t = np.concatenate([np.arange(1, k + 1), np.arange(k, 0, -1)]).astype(np.float64)
    base = np.outer(t, t)
    kern = base * (1 + 0.35 * rng.standard_normal(base.shape))
    return kern / kern.sum() * k * k  # overall gain 1; the phases still differ


def upsample(small: np.ndarray, k: int, method: str) -> np.ndarray:
    if method == "nearest":
        return small.repeat(k, 0).repeat(k, 1)
    if method == "bilinear":
        im = Image.fromarray(small)
        return np.asarray(im.resize((im.width * k, im.height * k), Image.Resampling.BILINEAR))
    if method == "tconv":
        h, w, c = small.shape
        z = np.zeros((h * k, w * k, c), np.float64)
        z[::k, ::k] = small
        kern = tconv_kernel(k)
        out = np.stack([fftconvolve(z[..., i], kern, mode="same") for i in range(c)], -1)
        return np.clip(np.round(out), 0, 255).astype(np.uint8)
    raise ValueError(method)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=40, help="photos to use")
    ap.add_argument("--out", default="/tmp/freqsim")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--factors", default="2,4,8")
    ap.add_argument("--methods", default="nearest,bilinear,tconv")
    ap.add_argument("--taef2", action="store_true", help="also write latent-autoencoder round trips")
    args = ap.parse_args()
    files = sorted(glob.glob(f"{SRC}/imagenet-samples/*")) + sorted(glob.glob(f"{SRC}/bsds500/*/*.jpg"))
    random.Random(args.seed).shuffle(files)
    out = Path(args.out)
    (out / "real").mkdir(parents=True, exist_ok=True)
    factors = [int(k) for k in args.factors.split(",")]
    methods = args.methods.split(",")
    taef2 = None
    if args.taef2:
        import torch

        from detectors.learned.taef2 import load_taef2

        torch.set_num_threads(1)
        taef2 = load_taef2(Path(SRC).parent / "models" / "taef2")
        (out / "synthetic" / "taef2").mkdir(parents=True, exist_ok=True)
    for i, f in enumerate(files[: args.n]):
        rgb = np.asarray(Image.open(f).convert("RGB"))
        h, w = rgb.shape[:2]
        if min(h, w) < SIDE:
            continue
        y, x = (h - SIDE) // 2, (w - SIDE) // 2
        crop = rgb[y:y + SIDE, x:x + SIDE]
        Image.fromarray(crop).save(out / "real" / f"{i:04d}.png")
        for k in factors:
            small = np.asarray(Image.fromarray(crop).resize((SIDE // k, SIDE // k), Image.Resampling.BOX))
            for m in methods:
                d = out / "synthetic" / f"{m}{k}"
                d.mkdir(parents=True, exist_ok=True)
                Image.fromarray(upsample(small, k, m)).save(d / f"{i:04d}.png")
        if taef2 is not None:
            x = torch.from_numpy(crop.copy()).permute(2, 0, 1)[None].float() / 255
            y = taef2.round_trip(x)[0].permute(1, 2, 0).mul(255).round().byte().numpy()
            Image.fromarray(y).save(out / "synthetic" / "taef2" / f"{i:04d}.png")
    print(f"wrote simulations of {args.n} photos under {out}")


if __name__ == "__main__":
    main()
