"""A small residual CNN over high-pass residuals of local patches (NPR / LaDeDa spirit).

Why residuals and small patches: generator decoders leave their fingerprint in how neighbouring
pixels relate (upsampling correlations), not in what the picture shows.  The input is therefore
(a) the NPR residual, the patch minus its nearest-neighbour 2x down-up-sampled copy (Tan et al.
2024), and (b) the patch minus a 3x3 box blur; the net sees 64 px patches and has a receptive
field of a few dozen pixels, so it cannot learn scene content.  Per-patch logits are averaged
into the image score by ``infer``.  Trained from scratch; nothing is downloaded.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from timm.models.resnet import BasicBlock
from torch import nn

PATCH = 64
WIDTHS = (32, 48, 64)


def residuals(x: torch.Tensor) -> torch.Tensor:
    """(N,3,H,W) in [0,1], H and W even -> (N,6,H,W): NPR residual and box high-pass, scaled."""
    npr = x - F.interpolate(F.interpolate(x, scale_factor=0.5, mode="nearest"), scale_factor=2.0, mode="nearest")
    hp = x - F.avg_pool2d(F.pad(x, (1, 1, 1, 1), mode="replicate"), 3, stride=1)
    return torch.cat([npr, hp], dim=1) * 8.0


def _stage(n_in: int, n_out: int) -> BasicBlock:
    down = nn.Sequential(nn.Conv2d(n_in, n_out, 1, stride=2, bias=False), nn.BatchNorm2d(n_out))
    return BasicBlock(n_in, n_out, stride=2, downsample=down)


class PatchNet(nn.Module):
    def __init__(self, widths: tuple[int, ...] = WIDTHS) -> None:
        super().__init__()
        # space-to-depth first: every 2x2 NPR cell becomes one position with 24 channels, which
        # keeps the cell structure intact while making the net 4x cheaper on one CPU core
        self.stem = nn.Sequential(
            nn.PixelUnshuffle(2), nn.Conv2d(24, widths[0], 3, padding=1, bias=False), nn.BatchNorm2d(widths[0]),
            nn.ReLU()
        )
        self.stages = nn.Sequential(*[_stage(a, b) for a, b in zip(widths[:-1], widths[1:])])
        self.head = nn.Linear(widths[-1], 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(N,3,P,P) RGB in [0,1] -> (N,) logits, positive means 'generator-like'."""
        h = self.stages(self.stem(residuals(x)))
        return self.head(h.mean(dim=(2, 3))).squeeze(1)
