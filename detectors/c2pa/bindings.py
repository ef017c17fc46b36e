"""Soft bindings: the watermarks and fingerprints a manifest says were bound to the content.

A C2PA soft-binding assertion (``c2pa.soft-binding``) names an algorithm that can find the
manifest again after the file was stripped of it (an invisible watermark or a perceptual
fingerprint).  synthcheck lists every one and says whether its own watermark detector can read
that mark: it decodes invisible-watermark ``dwtDct`` (the Stable Diffusion, SDXL and FLUX
reference marks) and, when asked, RivaGAN; every other algorithm (TrustMark, Digimarc, ISCC
fingerprints ...) needs its vendor's tool.
"""

from __future__ import annotations

import re
from typing import Any

CHECKABLE: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"dwt.?dct|invisible.?watermark|imwatermark", re.I),
     "synthcheck's watermark detector decodes this mark (invisible-watermark dwtDct) on every image it scans"),
    (re.compile(r"riva.?gan", re.I),
     "synthcheck's watermark detector decodes this mark when run with --rivagan (the payload names no generator)"),
)
NOT_CHECKABLE = "synthcheck cannot check this algorithm; use the vendor's decoder to read it"


def soft_bindings(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """Every soft-binding assertion of ``manifest``: algorithm, whether synthcheck can check it, and how."""
    out = []
    for assertion in manifest.get("assertions") or []:
        if not str(assertion.get("label", "")).startswith("c2pa.soft-binding"):
            continue
        data = assertion.get("data") or {}
        alg = str(data.get("alg") or "unnamed algorithm")
        note = next((how for pattern, how in CHECKABLE if pattern.search(alg)), None)
        out.append({"alg": alg, "checkable": note is not None, "note": note or NOT_CHECKABLE,
                    "manifest": manifest.get("label")})
    return out
