"""The face-crop classifier's crop and network for bench/faces_sbi.py (tried for issue 13, not shipped).

Why a fixed crop: the classifier must see every face the same way however large it is in the
picture, with the edge of the face and a ring of its surroundings in view (a blend boundary is
what it looks for), so each face is cut as a square around its landmark hull and resampled to
``CROP`` pixels; the network reads the centre ``INPUT`` pixels.
"""

from __future__ import annotations

from typing import Any

import numpy as np

CROP = 192     # stored / blended crop side, px
INPUT = 160    # network input side (centre of the crop; random offsets in training)
MARGIN = 1.5   # crop side over the hull box's longer side


def face_crop(rgb: np.ndarray, mesh: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The ``CROP`` x ``CROP`` square around the face and the mesh in its pixels.

    Area-averaged when shrinking (no aliasing), bicubic when enlarging; outside the image the
    edge pixels are repeated (faces cut by the edge are not judged by the detector anyway).
    """
    import cv2

    p = np.asarray(mesh, dtype=np.float64)[:, :2]
    (x0, y0), (x1, y1) = p.min(axis=0), p.max(axis=0)
    side = MARGIN * max(x1 - x0, y1 - y0, 8.0)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    left, top = int(round(cx - side / 2)), int(round(cy - side / 2))
    n = int(round(side))
    h, w = rgb.shape[:2]
    pad = max(0, -left, -top, left + n - w, top + n - h)
    src = rgb if pad == 0 else cv2.copyMakeBorder(rgb, pad, pad, pad, pad, cv2.BORDER_REPLICATE)
    sq = src[top + pad:top + pad + n, left + pad:left + pad + n]
    interp = cv2.INTER_AREA if n > CROP else cv2.INTER_CUBIC
    out = cv2.resize(np.ascontiguousarray(sq), (CROP, CROP), interpolation=interp)
    local = np.asarray(mesh, dtype=np.float64).copy()
    local[:, 0] = (local[:, 0] - left) * CROP / n
    local[:, 1] = (local[:, 1] - top) * CROP / n
    local[:, 2] = local[:, 2] * CROP / n
    return out, local


def centre(crop: np.ndarray) -> np.ndarray:
    o = (CROP - INPUT) // 2
    return crop[o:o + INPUT, o:o + INPUT]


def build_net() -> Any:
    """A small plain CNN (about 0.3 M parameters): five stride-2 stages, mean and max pooled."""
    import torch
    from torch import nn

    def stage(cin: int, cout: int) -> nn.Sequential:
        return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout),
                             nn.ReLU(inplace=True),
                             nn.Conv2d(cout, cout, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(cout),
                             nn.ReLU(inplace=True))

    class FaceNet(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.body = nn.Sequential(stage(3, 24), stage(24, 32), stage(32, 48), stage(48, 64), stage(64, 96))
            self.head = nn.Linear(192, 1)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            f = self.body(x)
            return self.head(torch.cat([f.mean(dim=(2, 3)), f.amax(dim=(2, 3))], dim=1)).squeeze(1)

    return FaceNet()


def to_tensor(crops: list[np.ndarray]) -> Any:
    import torch

    x = torch.from_numpy(np.stack(crops).astype(np.float32)).permute(0, 3, 1, 2)
    return x / 127.5 - 1.0


def logits(net: Any, crops: list[np.ndarray], batch: int = 64) -> list[float]:
    """Raw logits of centred ``INPUT`` crops (eval mode, no gradients)."""
    import torch

    net.eval()
    out: list[float] = []
    with torch.inference_mode():
        for i in range(0, len(crops), batch):
            out += net(to_tensor([centre(c) for c in crops[i:i + batch]])).tolist()
    return out
