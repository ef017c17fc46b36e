"""The stability check shared by every scored signal detector.

Why: a borderline score that changes strength class after the mild processing any upload
pipeline applies (a JPEG q85 re-encode, a 0.9x resize) is not evidence anyone should act on.
A detector re-scores such variants when its score is near a cut point; if the class flips, its
finding carries ``unstable`` and the fused verdict becomes ``inconclusive`` with the reason.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Callable, Mapping

from .detector import LIKELY_THRESHOLD, POSSIBLY_THRESHOLD, strength_for_score

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

MARGIN = 0.1
CUTS = (POSSIBLY_THRESHOLD, LIKELY_THRESHOLD)
LABELS = {"jpeg_q85": "a JPEG quality 85 re-encode", "resize_0.9": "a 0.9x resize",
          "jpeg_q85+resize_0.9": "a JPEG quality 85 re-encode and a 0.9x resize",
          "h264_0.05bpp+resize_0.75": "an H.264 re-encode at 0.05 bit per pixel and a 0.75x downscale"}


def near_cut(score: float, margin: float = MARGIN) -> bool:
    """Within ``margin`` of a verdict cut point (a score of exactly 1.0 is not near 0.9)."""
    return any(round(abs(score - cut), 9) < margin for cut in CUTS)


def jpeg_reencode(rgb: "np.ndarray", quality: int = 85) -> "np.ndarray":
    import numpy as np
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "JPEG", quality=quality)
    buf.seek(0)
    with Image.open(buf) as im:
        return np.asarray(im.convert("RGB"))


def rescale(rgb: "np.ndarray", factor: float = 0.9) -> "np.ndarray":
    import numpy as np
    from PIL import Image

    im = Image.fromarray(rgb)
    size = (max(1, round(im.width * factor)), max(1, round(im.height * factor)))
    return np.asarray(im.resize(size, Image.Resampling.BICUBIC))


def check(score: float, rescorers: Mapping[str, Callable[[], float]]) -> dict[str, object]:
    """Evidence keys to merge into a finding: empty when ``score`` is far from every cut point.

    ``rescorers`` maps a variant name (see ``LABELS``) to a function that scores that variant;
    one that raises ``ValueError`` (the variant became too small) is skipped.
    """
    if not near_cut(score):
        return {}
    base = strength_for_score(score)
    rescored: dict[str, float] = {}
    reasons = []
    for name, rescore in rescorers.items():
        try:
            again = float(rescore())
        except ValueError:
            continue
        rescored[name] = round(again, 4)
        if strength_for_score(again) is not base:
            reasons.append(f"score {score:.2f} -> {again:.2f} after {LABELS.get(name, name)}")
    out: dict[str, object] = {"rescored": rescored}
    if reasons:
        out["unstable"] = True
        out["unstable_reason"] = "; ".join(reasons)
    return out
