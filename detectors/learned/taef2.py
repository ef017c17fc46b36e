"""The FLUX.2 tiny autoencoder (TAESD family), rebuilt from its state-dict keys.

Why it is here: encoding a real photo and decoding it again stamps the photo with a
latent-diffusion decoder's upsampling fingerprint while keeping its content, so the pair
(photo, round trip) teaches the detector that fingerprint and nothing about content.

Layout read from ``../shared/data/models/taef2/*.pth`` (print ``state_dict`` keys to check):
the encoder is a 3x3 stem, a residual block, then three stride-2 convs each followed by three
blocks, and a 3x3 conv to 32 latent channels; the decoder mirrors it with nearest 2x upsampling.
Blocks are three 3x3 convs with ReLUs and an identity skip; the deepest blocks add a 1x1
64->256->64 branch (with a group norm) named ``pool`` that is added to the block input.
Images are float RGB in [0, 1]; the weights are loaded with ``weights_only=True``.
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn


def _conv(n_in: int, n_out: int, stride: int = 1, bias: bool = True) -> nn.Conv2d:
    return nn.Conv2d(n_in, n_out, 3, stride=stride, padding=1, bias=bias)


class _Block(nn.Module):
    def __init__(self, ch: int = 64, wide_branch: bool = False, groups: int = 4) -> None:
        super().__init__()
        self.conv = nn.Sequential(_conv(ch, ch), nn.ReLU(), _conv(ch, ch), nn.ReLU(), _conv(ch, ch))
        self.pool = None
        if wide_branch:
            self.pool = nn.Sequential(
                nn.Conv2d(ch, 4 * ch, 1, bias=False),
                nn.GroupNorm(groups, 4 * ch),
                nn.ReLU(),
                nn.Conv2d(4 * ch, ch, 1, bias=False),
            )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.pool is not None:
            x = x + self.pool(x)
        return torch.relu(self.conv(x) + x)


class _Clamp(nn.Module):
    """Soft latent clamp used by TAESD decoders, keeps outliers from blowing up."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.tanh(x / 3) * 3


def build_encoder(latent: int = 32, groups: int = 4) -> nn.Sequential:
    layers: list[nn.Module] = [_conv(3, 64), _Block()]
    for stage in range(3):
        layers.append(_conv(64, 64, stride=2, bias=False))
        layers += [_Block(wide_branch=stage == 2, groups=groups) for _ in range(3)]
    layers.append(_conv(64, latent))
    return nn.Sequential(*layers)


def build_decoder(latent: int = 32, groups: int = 4) -> nn.Sequential:
    layers: list[nn.Module] = [_Clamp(), _conv(latent, 64), nn.ReLU()]
    for stage in range(3):
        layers += [_Block(wide_branch=stage == 0, groups=groups) for _ in range(3)]
        layers += [nn.Upsample(scale_factor=2), _conv(64, 64, bias=False)]
    layers += [_Block(), _conv(64, 3)]
    return nn.Sequential(*layers)


class TAEF2(nn.Module):
    def __init__(self, groups: int = 4) -> None:
        super().__init__()
        self.encoder = build_encoder(groups=groups)
        self.decoder = build_decoder(groups=groups)

    @torch.no_grad()
    def round_trip(self, rgb01: torch.Tensor) -> torch.Tensor:
        """(N,3,H,W) in [0,1] with H, W multiples of 8 -> the decoded image in [0,1]."""
        return self.decoder(self.encoder(rgb01)).clamp(0, 1)


def load_taef2(model_dir: Path, groups: int = 4) -> TAEF2:
    model = TAEF2(groups=groups)
    for part in ("encoder", "decoder"):
        state = torch.load(Path(model_dir) / f"taef2_{part}.pth", map_location="cpu", weights_only=True)
        getattr(model, part).load_state_dict(state, strict=True)
    return model.eval()
