"""Stability check: a score near a cut point must survive a mild re-encode and resize.

Why: a borderline score that flips class after JPEG q85 and a 0.9x resize (what any upload
pipeline does) is not evidence anyone should act on; the finding is then marked unstable, which
makes the fused verdict inconclusive.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from synthcheck.detector import LIKELY_THRESHOLD, POSSIBLY_THRESHOLD, strength_for_score

MARGIN = 0.1


def near_cut(score: float, margin: float = MARGIN) -> bool:
    return any(abs(score - cut) < margin for cut in (POSSIBLY_THRESHOLD, LIKELY_THRESHOLD))


def perturb(rgb: np.ndarray) -> np.ndarray:
    """JPEG q85 re-encode, then a 0.9x area resize."""
    import cv2

    ok, buf = cv2.imencode(".jpg", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 85])
    jpg = cv2.cvtColor(cv2.imdecode(buf, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
    return cv2.resize(jpg, None, fx=0.9, fy=0.9, interpolation=cv2.INTER_AREA)


def check(score: float, rgb: np.ndarray, scorer: Callable[[np.ndarray], float],
          transform: Callable[[np.ndarray], np.ndarray] = perturb) -> dict:
    """Evidence keys to merge: empty when the score is far from a cut point or stays in class."""
    if not near_cut(score):
        return {}
    again = float(scorer(transform(rgb)))
    out = {"stability_rescore": round(again, 4)}
    if strength_for_score(again) != strength_for_score(score):
        out["unstable"] = True
        out["unstable_reason"] = (
            f"score {score:.2f} became {again:.2f} after a JPEG q85 re-encode and 0.9x resize, "
            f"crossing a strength boundary")
    return out
