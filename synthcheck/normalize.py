"""Bring every evaluation file to the same size and encoding before it is scanned.

Labelled sets are rarely matched: the AI images of one set are all 559x559 JPEGs while its
photographs are 2000-4000 px camera JPEGs.  A detector (or a person tuning one) can then score
well by recognising size or compression instead of generation.  Normalising removes both cues:
every image becomes the same square centre crop, re-encoded the same way.

How an image is normalised (preset ``crop<N>-<codec>``):

1. decode, apply the EXIF orientation, convert to 8-bit RGB (alpha is dropped);
2. if both sides are >= N: cut the central N x N pixels, no resampling (pixel-level traces such
   as upsampling periodicity survive unchanged);
3. if a side is < N: cut the central square of side min(width, height), then resize it to N x N
   with Lanczos resampling.  Upscaling adds its own interpolation pattern, so the number of
   files that needed it is recorded in the report (``upscaled``);
4. encode as JPEG (4:2:0 chroma, the stated quality, Pillow/libjpeg defaults otherwise) or PNG.

Videos are not normalised: they are scanned as they are and counted in ``passed_through``.  A
file that cannot be decoded is also passed through unchanged, so the scan reports its error.
Normalised copies go to a temporary directory that is deleted afterwards, never next to inputs.
"""

from __future__ import annotations

import contextlib
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence


@dataclass(frozen=True)
class Preset:
    name: str
    crop: int | None  # side of the square crop; None: no normalisation
    codec: str = "jpeg"  # "jpeg" | "png"
    quality: int | None = None  # JPEG quality

    def describe(self) -> str:
        if self.crop is None:
            return "none: files scanned as they are"
        enc = f"JPEG quality {self.quality} (4:2:0)" if self.codec == "jpeg" else "PNG (lossless)"
        return (f"central {self.crop}x{self.crop} crop (smaller images: central square resized up with "
                f"Lanczos), re-encoded as {enc}")


PRESETS: dict[str, Preset] = {p.name: p for p in (
    Preset("none", None),
    Preset("crop512-jpeg90", 512, "jpeg", 90),
    Preset("crop256-jpeg90", 256, "jpeg", 90),
    Preset("crop512-jpeg75", 512, "jpeg", 75),
    Preset("crop512-png", 512, "png"),
)}


def get_preset(name: str) -> Preset:
    """A named preset, or any ``crop<N>-jpeg<Q>`` / ``crop<N>-png`` (N 64-4096, Q 1-100)."""
    if name in PRESETS:
        return PRESETS[name]
    m = re.fullmatch(r"crop(\d+)-(?:jpeg(\d+)|(png))", name)
    if m and 64 <= int(m[1]) <= 4096 and (m[3] or 1 <= int(m[2]) <= 100):
        return Preset(name, int(m[1]), "png" if m[3] else "jpeg", None if m[3] else int(m[2]))
    raise ValueError(f"unknown normalisation {name!r}; use none or crop<N>-jpeg<Q> / crop<N>-png, "
                     f"e.g. {', '.join(p for p in PRESETS if p != 'none')}")


@dataclass(frozen=True)
class NormalizeStats:
    preset: str
    description: str
    normalised: int = 0
    upscaled: int = 0  # smaller than the crop: resized up
    passed_through: int = 0  # videos and undecodable files, scanned unchanged


def normalize_image(src: str | Path, dst: Path, preset: Preset) -> bool:
    """Write the normalised copy of ``src`` to ``dst``; return whether it had to be upscaled.

    Raises on files Pillow cannot decode; the caller then scans the original instead.
    """
    from PIL import Image, ImageOps

    with Image.open(src) as im:
        if getattr(im, "n_frames", 1) > 1:
            raise ValueError("animated image: treated as video")
        im = ImageOps.exif_transpose(im) or im
        rgb = im.convert("RGB")
    assert preset.crop is not None
    n = preset.crop
    w, h = rgb.size
    upscaled = min(w, h) < n
    side = min(w, h) if upscaled else n
    left, top = (w - side) // 2, (h - side) // 2
    out = rgb.crop((left, top, left + side, top + side))
    if upscaled:
        out = out.resize((n, n), Image.Resampling.LANCZOS)
    if preset.codec == "jpeg":
        out.save(dst, "JPEG", quality=preset.quality or 90, subsampling=2)
    else:
        out.save(dst, "PNG")
    return upscaled


@contextlib.contextmanager
def normalized(paths: Sequence[str], preset: Preset | str) -> Iterator[tuple[list[str], NormalizeStats]]:
    """Yield normalised copies of ``paths`` (same order) in a temporary directory, then delete it."""
    preset = get_preset(preset) if isinstance(preset, str) else preset
    if preset.crop is None:
        yield list(paths), NormalizeStats(preset.name, preset.describe())
        return
    from .sniff import media_kind, sniff

    ext = ".jpg" if preset.codec == "jpeg" else ".png"
    out: list[str] = []
    done = up = passed = 0
    with tempfile.TemporaryDirectory(prefix="synthcheck-eval-") as tmp:
        for i, src in enumerate(paths):
            dst = Path(tmp) / f"{i:06d}{ext}"
            try:
                with open(src, "rb") as fh:
                    kind = media_kind(sniff(fh.read(64 * 1024)))
                if kind != "image":
                    raise ValueError("not a still image")
                up += normalize_image(src, dst, preset)
                done += 1
                out.append(str(dst))
            except Exception:  # noqa: BLE001 - videos, unreadable files: scan the original
                passed += 1
                out.append(str(src))
        yield out, NormalizeStats(preset.name, preset.describe(), done, up, passed)
