"""Score pixels, describe what was found, and check that the score survives mild re-encoding."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Callable

import numpy as np

from synthcheck.detector import strength_for_score

from . import calibration as cal
from .spectrum import GridStats, analyse

STABILITY_MARGIN = 0.1  # re-check scores closer than this to the 0.6 / 0.9 cut points (1.0 is not)
_CUTS = (0.6, 0.9)
_PERIOD_WORDS = {2: "1/2", 4: "1/4", 8: "1/8"}


@dataclass
class Scored:
    score: float
    stat: float
    key: str  # which deviation drove the score: "peak8", "dip4", ...
    stats: GridStats

    @property
    def factor(self) -> int:
        return int(self.key.lstrip("peakdi"))


def score_images(images: list[np.ndarray], jpeg_hint: bool, scale: float = 1.0) -> Scored:
    st = analyse(images, jpeg_hint, scale)
    mode = cal.mode_name(st.jpeg_mode)
    stat, key = cal.combined(st.factors, mode)
    return Scored(cal.to_score(stat, mode), stat, key, st)


def explain(s: Scored) -> str:
    k = s.factor
    where = f"{_PERIOD_WORDS[k]} of the sampling frequency"
    if s.key.startswith("peak"):
        art = "an" if k == 8 else "a"
        what = (f"periodic peaks in the noise residual's spectrum at {where}, typical of {art} {k}x "
                "upsampling layer (transposed convolution or decoder)")
    else:
        what = (f"spectral gaps at {where} in the noise residual, typical of {k}x nearest-neighbour or "
                "bilinear upsampling")
    if s.score >= 0.6:
        rate = "under 1%" if s.score >= 0.9 else "under 7%"
        return f"Found {what}; real photographs score this high {rate} of the time."
    if s.score >= 0.3:
        return f"Weak trace of {what}; within what some real photographs show."
    return ("No upsampling periodicity stood out in the noise residual's spectrum "
            "(this does not show the image is authentic).")


def near_cut(score: float, margin: float = STABILITY_MARGIN) -> bool:
    return any(round(abs(score - c), 9) < margin for c in _CUTS)


def jpeg_q85(rgb: np.ndarray) -> np.ndarray:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "JPEG", quality=85)
    buf.seek(0)
    return np.asarray(Image.open(buf).convert("RGB"))


def resize_09(rgb: np.ndarray) -> np.ndarray:
    from PIL import Image

    im = Image.fromarray(rgb)
    return np.asarray(im.resize((max(1, round(im.width * 0.9)), max(1, round(im.height * 0.9))),
                                Image.Resampling.BICUBIC))


def stability(score: float, images: list[np.ndarray],
              rescore: Callable[[list[np.ndarray], bool, float], float]) -> tuple[bool, str, dict[str, float]]:
    """Re-score after JPEG q85 and a 0.9x resize when ``score`` is near a cut point.

    ``rescore(images, jpeg_hint, scale)``: the resized copy is scored where the resize moved
    the grid (frequency a/8 becomes a/8/0.9, aliased), so the check asks whether the same trace
    is still found, not whether it still sits on the original grid (it never does).
    Returns ``(unstable, reason, rescored)``; unstable when either variant changes the strength
    class (info / weak / moderate / strong) that the original score maps to.
    """
    if not near_cut(score):
        return False, "", {}
    variants = {"jpeg_q85": ([jpeg_q85(im) for im in images], True, 1.0),
                "resize_0.9": ([resize_09(im) for im in images], False, 0.9)}
    rescored: dict[str, float] = {}
    reasons = []
    base = strength_for_score(score)
    for name, (ims, hint, scale) in variants.items():
        try:
            s = float(rescore(ims, hint, scale))
        except ValueError:  # too small after resizing
            continue
        rescored[name] = round(s, 4)
        if strength_for_score(s) is not base:
            label = "JPEG quality 85 re-encode" if name == "jpeg_q85" else "0.9x resize"
            reasons.append(f"score {score:.2f} -> {s:.2f} after a {label}")
    return bool(reasons), "; ".join(reasons), rescored


def write_spectrum_png(stats: GridStats, path: str) -> None:
    """The averaged residual spectrum, centred and log-scaled, as a small greyscale PNG."""
    from PIL import Image

    spec = np.fft.fftshift(np.log10(stats.spectrum + 1e-12))
    lo, hi = np.percentile(spec, 1), np.percentile(spec, 99.9)
    img = np.clip((spec - lo) / max(hi - lo, 1e-9), 0, 1)
    Image.fromarray((img * 255).astype(np.uint8), "L").save(path, "PNG")
