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
