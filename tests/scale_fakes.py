"""A slow test detector for the resume and process-cleanup tests: a scan that is still running
when the test kills it.  It sleeps ``SYNTHCHECK_TEST_SLOW_S`` seconds per file (the runner passes
SYNTHCHECK_* variables to workers) and reports the file's size, so records differ per file."""

from __future__ import annotations

import os
import time

from synthcheck.detector import Detector
from synthcheck.model import Kind, Strength


class SlowDetector(Detector):
    """Sleeps, then reports the file size as a weak signal."""

    id = "slowfake"
    version = "0.1"
    media = frozenset({"image", "video"})

    def run(self, media):
        time.sleep(float(os.environ.get("SYNTHCHECK_TEST_SLOW_S", "0.1")))
        return [self.finding(f"file is {media.size} bytes", strength=Strength.WEAK, score=0.1, kind=Kind.SIGNAL)]


class ProvenanceFake(Detector):
    """Cheap: a decisive AI-generation claim for files named ai*, a capture claim for cam*."""

    id = "provfake"
    version = "0.1"
    media = frozenset({"image"})
    kind = Kind.PROVENANCE

    def run(self, media):
        from synthcheck.model import Claim

        name = media.path.name
        if name.startswith("ai"):
            return [self.finding("signed manifest says generated", strength=Strength.DECISIVE, score=1.0,
                                 kind=Kind.PROVENANCE, claim=Claim.AI_GENERATED)]
        if name.startswith("cam"):
            return [self.finding("camera make and model", strength=Strength.WEAK, kind=Kind.PROVENANCE,
                                 claim=Claim.CAPTURE)]
        return []


class ShapeFake(Detector):
    """Expensive: reports the shape of the pixels it was given (decode_max_side set per test)."""

    id = "shapefake"
    version = "0.1"
    media = frozenset({"image"})
    cost = "expensive"

    def run(self, media):
        h, w, _ = media.rgb.shape
        return [self.finding(f"{w}x{h}", strength=Strength.INFO, kind=Kind.SIGNAL, evidence={"w": w, "h": h})]
