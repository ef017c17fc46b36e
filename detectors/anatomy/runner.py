"""Runs every anatomy rule on one image's landmarks and keeps the ones that fired.

The runner sits above the rule modules: it imports ``rules`` and ``body``, and neither imports
it back, so the rules stay pure functions with no import circle between them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from synthcheck.detector import WEAK_THRESHOLD

from .body import check_body, check_faces
from .rules import RuleResult, check_hands

if TYPE_CHECKING:  # pragma: no cover
    from .landmarks import Landmarks


def check(landmarks: Landmarks) -> list[RuleResult]:
    """Every rule on one image's landmarks, unfiltered (scores may be 0), for calibration."""
    return check_hands(landmarks.hands) + check_body(landmarks) + check_faces(landmarks.faces)


def anomalies(landmarks: Landmarks, min_score: float = WEAK_THRESHOLD) -> list[RuleResult]:
    """The rule results strong enough to be findings (weak or more), strongest first."""
    return sorted((r for r in check(landmarks) if r.score >= min_score), key=lambda r: -r.score)
