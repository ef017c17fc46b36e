"""A soft decoder for invisible-watermark's ``dwtDct`` embedding, and its match statistic.

How the embedder works (imwatermark/maxDct.py, ``EmbedMaxDct`` with scales [0, 36, 36]):
BGR -> YUV with OpenCV; only channel 1 (U) is used, because its loop runs over channels 0-1 and
Y has scale 0.  One Haar DWT level of U (cropped to a multiple of 4); the approximation band is
cut into 4x4 blocks in raster order, block ``k`` carrying message bit ``k mod L``.  In each block
the largest-magnitude coefficient other than the first is re-quantised so that
``|c| mod 36`` becomes 9 for a 0-bit and 27 for a 1-bit (the "DCT" in the name is never applied).

Why not the package's decoder: it thresholds the mean of hard per-block votes at 0.5.  Lowering a
coefficient to residue 9 often makes another coefficient the block's largest, whose residue is
random, so a 0-bit's mean vote is about 0.55 and every bit decodes as 1.  Here each block gives a
soft score, the phasor ``exp(2j*pi*r/36)`` of its residue ``r`` (1-bits point to -i, 0-bits to +i,
a random residue averages to 0).  Per message position the phasors are averaged, and the
difference D between the means over the message's 1-bits and its 0-bits is divided by its
standard error.  Comparing the two groups (rather than correlating with a +-1 vector) cancels the
offset that flat or grey images give every block.  We use |D| / se, not its projection on -i,
because JPEG shrinks the marked coefficients and so rotates D by 20-90 degrees: on JPEG quality
90 the magnitude keeps about twice the evidence of the projection.  Under the null the two
components are near Gaussian and R^2 is near chi-square with 2 degrees of freedom; the scale is
calibrated on clean photographs in ``bench/watermark_calibrate.py``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from .messages import KNOWN_MESSAGES, KnownMessage

SCALE = 36.0  # imwatermark's default quantisation step for U
BLOCK = 4
MIN_SIDE = 256  # the package refuses smaller images; with fewer blocks per bit we would guess

# Null distribution of R on clean photographs: Rayleigh, P(R > r) = exp(-r^2 / (2 scale^2)).
# Produced by: .venv/bin/python bench/watermark_calibrate.py
# on /work/shared/data/real/{bsds500,imagenet-samples}: 1141 photos >= 256 px a side, 16
# hypotheses each (18256 values).  Moment fit: scale 0.775; max R 4.38.  The tail is heavier than
# that fit: the scale implied by the empirical 0.9 / 0.99 / 0.999 / 0.9997 quantiles is
# 0.79 / 0.84 / 0.89 / 0.91, growing about 0.05 per decade.  We use 1.1, the trend carried on to
# the 1e-8 tail the decisive threshold needs; at every tail we could measure it over-predicts
# the clean count (e.g. 6.6 expected above the observed maximum 4.38, where 1 was seen).
NULL_SCALE = 1.1
# Thresholds on the family-wise p-value (Bonferroni over all messages and conventions tried).
P_DECISIVE = 1e-6  # R >= 6.34; clean maximum 4.38
P_MODERATE = 1e-4  # R >= 5.39
P_WEAK = 1e-2  # R >= 4.23: one clean photo of 1141 reaches it (at 4.38)

# How the image may have been processed since embedding; each is tried, since a PNG can hold
# pixels that went through JPEG once.  "jpeg420": JPEG with 4:2:0 chroma, whose decoder
# (libjpeg "fancy" upsampling) blurs each chroma sample's 2x2 cell average with [1, 6, 1] / 8
# in both directions; inverting that blur restores the stored chroma samples, which is what
# the Haar approximation of U measures.  Without it, JPEG at quality 95 already hides the mark.
PROCESSING = ("direct", "jpeg420")
CONVENTIONS = ("float", "uint8")
_UINT8_OFFSET = 255.0  # OpenCV: U = ... + 128 for uint8 input, + 0.5 for float; x2 in the band


def approximation_band(rgb: np.ndarray) -> np.ndarray:
    """Haar approximation of U as the embedder computes it for float input (one pass)."""
    import cv2
    import pywt

    h, w = rgb.shape[0] // 4 * 4, rgb.shape[1] // 4 * 4
    bgr = np.ascontiguousarray(rgb[:h, :w, ::-1], dtype=np.float32)
    u = cv2.cvtColor(bgr, cv2.COLOR_BGR2YUV)[:, :, 1]
    return pywt.dwt2(u.astype(np.float64), "haar")[0]


def undo_chroma_upsampling(ca: np.ndarray) -> np.ndarray:
    """Invert the [1, 6, 1] / 8 blur (edge samples replicated) along both axes."""
    from scipy.linalg import solve_banded

    def banded(n: int) -> np.ndarray:
        ab = np.empty((3, n))
        ab[0], ab[1], ab[2] = 0.125, 0.75, 0.125
        ab[1, 0] += 0.125
        ab[1, -1] += 0.125
        return ab

    x = solve_banded((1, 1), banded(ca.shape[0]), ca, check_finite=False)
    return solve_banded((1, 1), banded(ca.shape[1]), x.T, check_finite=False).T


def block_scores(ca: np.ndarray, convention: str) -> np.ndarray:
    """Residue phasor per embedding block, in the embedder's raster order.

    For uint8 input the embedder's band is this float band plus 255 (OpenCV's U offset is 128
    instead of 0.5; rounding to whole U levels moves it by well under one quantisation step).
    """
    band = ca + _UINT8_OFFSET if convention == "uint8" else ca
    nr, nc = band.shape[0] // BLOCK, band.shape[1] // BLOCK
    blocks = band[: nr * BLOCK, : nc * BLOCK].reshape(nr, BLOCK, nc, BLOCK).swapaxes(1, 2)
    flat = np.abs(blocks.reshape(nr * nc, BLOCK * BLOCK)[:, 1:])
    top = flat[np.arange(flat.shape[0]), np.argmax(flat, axis=1)]
    return np.exp(2j * np.pi * np.mod(top, SCALE) / SCALE)


def per_bit(scores: np.ndarray, length: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean and count of block phasors for each of ``length`` message positions."""
    idx = np.arange(scores.size) % length
    counts = np.bincount(idx, minlength=length).astype(np.float64)
    sums = (np.bincount(idx, weights=scores.real, minlength=length)
            + 1j * np.bincount(idx, weights=scores.imag, minlength=length))
    return sums / np.maximum(counts, 1.0), counts


@dataclass(frozen=True)
class Statistic:
    r: float  # |D| / se: large means the message is there
    angle: float  # degrees; -90 for an untouched mark, rotated towards -180 by JPEG
    decoded: tuple[int, ...]  # per-position bits read along D's direction


def match_statistic(scores: np.ndarray, bits: Sequence[int]) -> Statistic:
    """Compare per-position phasor means of the message's 1-bits with its 0-bits.

    The standard error is the larger of the spread between per-position means (which absorbs
    the correlation between neighbouring blocks in smooth images) and the independent-block
    value, per real component.
    """
    e = np.asarray(bits, dtype=bool)
    means, counts = per_bit(scores, e.size)
    a, b = means[e], means[~e]
    d = complex(a.mean() - b.mean())
    mid = 0.5 * (a.mean() + b.mean())
    direction = d / abs(d) if d != 0 else 1j
    decoded = tuple(int(((m - mid) * direction.conjugate()).real > 0) for m in means)
    if abs(d) == 0.0:
        return Statistic(0.0, 0.0, decoded)
    dof = max(e.size - 2, 1)
    var_bits = ((np.abs(a - a.mean()) ** 2).sum() + (np.abs(b - b.mean()) ** 2).sum()) / dof / 2
    se_bits = math.sqrt(var_bits * (1.0 / a.size + 1.0 / b.size))
    var_blocks = float((np.abs(scores - scores.mean()) ** 2).mean()) / 2
    se_blocks = math.sqrt(var_blocks * (1.0 / counts[e].sum() + 1.0 / counts[~e].sum()))
    r = abs(d) / max(se_bits, se_blocks, 1e-9)
    return Statistic(r, math.degrees(math.atan2(d.imag, d.real)), decoded)


def null_p_value(r: float) -> float:
    """P(a clean image scores r or higher for one message and convention): Rayleigh tail."""
    return math.exp(-0.5 * (r / NULL_SCALE) ** 2)


@dataclass(frozen=True)
class MessageMatch:
    message: KnownMessage
    convention: str  # "float" / "uint8": how the embedder was fed
    processing: str  # "direct" / "jpeg420": what the decoder undid first
    r: float  # the match statistic |D| / se
    angle: float
    p_value: float  # one message, one convention
    p_family: float  # Bonferroni over every message and convention tried
    matching_bits: int
    decoded_bits: tuple[int, ...]
    blocks: int

    def decoded_text(self) -> str:
        raw = np.packbits(np.array(self.decoded_bits, dtype=np.uint8)).tobytes()
        if self.message.key.startswith("bytes:"):
            return raw.decode("ascii", "replace")
        return "0x" + raw.hex().upper()


def match_known(rgb: np.ndarray, messages: Sequence[KnownMessage] = KNOWN_MESSAGES) -> list[MessageMatch]:
    """Score every known message under every convention and processing; best first.

    One colour conversion, one DWT and one deblur serve all hypotheses.  Messages of different
    lengths share blocks, so a strong mark leaks into the others' statistics (an SDXL mark at
    R = 60 gives "StableDiffusionV1" R ~ 5); when the best message is at least a weak match, the
    others are re-scored after removing its per-position means (explaining it away).
    """
    n_hyp = len(messages) * len(CONVENTIONS) * len(PROCESSING)
    ca = approximation_band(rgb)
    bands = {"direct": ca, "jpeg420": undo_chroma_upsampling(ca)}
    scores = {(p, c): block_scores(bands[p], c) for p in PROCESSING for c in CONVENTIONS}

    def score(msg: KnownMessage, key: tuple[str, str], z: np.ndarray) -> MessageMatch:
        st = match_statistic(z, msg.bits)
        p = null_p_value(st.r)
        return MessageMatch(msg, key[1], key[0], st.r, st.angle, p, min(1.0, p * n_hyp),
                            sum(int(d == b) for d, b in zip(st.decoded, msg.bits)), st.decoded,
                            int(z.size))

    out = sorted((score(m, k, z) for k, z in scores.items() for m in messages), key=lambda m: -m.r)
    top = out[0]
    if top.p_family > P_WEAK:
        return out
    rescored = [top]
    for m in out[1:]:
        if m.message.key == top.message.key:
            rescored.append(m)
            continue
        z = scores[(m.processing, m.convention)]
        means, _ = per_bit(z, top.message.length)
        rescored.append(score(m.message, (m.processing, m.convention),
                              z - means[np.arange(z.size) % top.message.length]))
    return sorted(rescored, key=lambda m: -m.r)
