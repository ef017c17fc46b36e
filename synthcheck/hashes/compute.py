"""Perceptual hashes of one decoded picture (PDQ, pHash, dHash) and PDQ per second of a video.

PDQ is Meta's 256-bit perceptual hash (ThreatExchange, StopNCII); two hashes of the same picture
after re-encoding or resizing differ in a few bits, and 31 of 256 is the published match
threshold.  It is computed with the ``pdqhash`` bindings of the reference C++ code and written as
the reference 64-digit hex, so hashes from other PDQ tools compare with ours.

Why the picture is reduced first: PDQ's cost grows with the pixel count (the reference code hashes
the full image), and a scan must hash 100 one-megapixel images a second on two cores.  The RGB
array is box-averaged by an integer factor so that its long side lies in [512, 1023]; an integer
box average composes with PDQ's own box (Jarosz) filters, so the hash stays close to the
full-resolution one: on 47 photos of 1024 px or more (camera and ml72 photos, up to 12 MP) the
mean difference from the reference hash of the unreduced image was 4.0 bits, 90th percentile 8,
worst 20 (bench/hash_speed.py prints them).
Every synthcheck hash (``synthcheck hash``, ``scan``) goes through the same reduction, so our own
lists match our own scans exactly; against lists made by other tools the reduction spends a few
bits of the 31-bit margin.

pHash and dHash (``imagehash``) are 64-bit, computed from the same reduced picture; they are
reported for people who use them, and are not used for matching (their false-match rate among
distinct photos at usable thresholds is much higher than PDQ's).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from ..media import Media

PDQ_THRESHOLD = 31  # published default: a distance <= 31 of 256 bits is a match
PDQ_MIN_QUALITY = 50  # ThreatExchange's cut: below it a hash is too unreliable to match (flat images)
REDUCE_MIN_SIDE = 512
VIDEO_FPS = 1.0  # vPDQ-style: one hash per second of video
VIDEO_MAX_SIDE = 1024
DIHEDRAL = ("original", "rotate-90", "rotate-180", "rotate-270", "flip-vertical", "flip-horizontal",
            "rotate-90-flip-vertical", "rotate-90-flip-horizontal")  # pdqhash.compute_dihedral's order


@dataclass(frozen=True)
class ImageHashes:
    pdq: str  # 64 hex digits, reference bit order
    quality: int  # 0-100: how much detail the hash rests on
    phash: str  # 16 hex digits (imagehash)
    dhash: str
    dihedral: tuple[str, ...] = ()  # the 8 PDQ variants in DIHEDRAL order when asked for (first == pdq)


@dataclass(frozen=True)
class FrameHash:
    time: float  # seconds from the start
    pdq: str
    quality: int


def reduced(rgb: "np.ndarray") -> "np.ndarray":
    """The picture box-averaged by an integer factor so its long side is in [512, 1023] (see above)."""
    import numpy as np

    k = max(rgb.shape[0], rgb.shape[1]) // REDUCE_MIN_SIDE
    if k <= 1:
        return np.ascontiguousarray(rgb)
    from PIL import Image

    return np.asarray(Image.fromarray(np.ascontiguousarray(rgb)).reduce(k))


def bits_to_hex(bits: "np.ndarray") -> str:
    """pdqhash's 256 0/1 values (most significant bit first) as the reference hex string."""
    import numpy as np

    return np.packbits(np.asarray(bits, dtype=np.uint8)).tobytes().hex()


def image_hashes(rgb: "np.ndarray", *, dihedral: bool = False) -> ImageHashes:
    """PDQ (with quality), pHash and dHash of an HxWx3 uint8 picture; the 8 PDQ variants if asked."""
    import imagehash
    import pdqhash
    from PIL import Image

    small = reduced(rgb)
    if dihedral:
        vectors, quality = pdqhash.compute_dihedral(small)
        variants = tuple(bits_to_hex(v) for v in vectors)
        pdq = variants[0]
    else:
        vector, quality = pdqhash.compute(small)
        pdq, variants = bits_to_hex(vector), ()
    im = Image.fromarray(small)
    return ImageHashes(pdq=pdq, quality=int(quality), phash=str(imagehash.phash(im)), dhash=str(imagehash.dhash(im)),
                       dihedral=variants)


def pdq_only(rgb: "np.ndarray") -> tuple[str, int]:
    import pdqhash

    vector, quality = pdqhash.compute(reduced(rgb))
    return bits_to_hex(vector), int(quality)


def video_hashes(media: "Media") -> list[FrameHash]:
    """PDQ of one frame per second (vPDQ-style), up to the scan's frame limit, spread over the clip."""
    frames = media.frames(fps=VIDEO_FPS, max_side=VIDEO_MAX_SIDE, window=2)
    out = []
    for fr in frames:
        pdq, quality = pdq_only(fr.rgb)
        out.append(FrameHash(round(float(fr.time), 3), pdq, quality))
    return out


def hamming(a: str, b: str) -> int:
    """Bits that differ between two hex hashes of the same length."""
    return (int(a, 16) ^ int(b, 16)).bit_count()
