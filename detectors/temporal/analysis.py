"""Turn sampled frames into per-segment measurements and calibrated scores.

Shared by the detector and by ``bench/temporal_calibrate.py`` so the numbers in the docs come
from exactly the code that runs in a scan.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from . import calibration as cal
from .features import FEATURES, FlowEngine, gray, window_stats

SEGMENT_FRAMES = 16  # consecutive sampled frames per reported segment
MIN_FRAMES = 4
CUT_MIN_DIFF = 15.0  # mean |grey difference| on a 32x32 thumbnail, 8-bit levels
CUT_RATIO = 5.0  # ... and this many times the clip's median change (+1)
REPEAT_DIFF = 0.35  # mean |grey difference| (8-bit levels) below which a frame repeats the last


@dataclass
class Segment:
    t0: float
    t1: float
    indices: list[int]
    stats: dict[str, float]
    logit: float = 0.0
    score: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)


def distinct(frames: Sequence[Any]) -> tuple[list[Any], int]:
    """Drop frames that repeat the previous kept one (frame-rate conversion duplicates them).

    An 8 fps generation shown at 24 fps repeats each frame three times; measuring change
    between a frame and its copy would say "nothing moved", so repeats are analysed once.
    Returns the kept frames and how many were dropped.
    """
    kept: list[Any] = []
    last = None
    for f in frames:
        g = gray(f.rgb).astype(np.int16)
        same_window = kept and getattr(kept[-1], "window", 0) == getattr(f, "window", 0)
        if same_window and last is not None and last.shape == g.shape and np.abs(g - last).mean() < REPEAT_DIFF:
            continue
        kept.append(f)
        last = g
    return kept, len(frames) - len(kept)


def scene_cuts(frames: Sequence[Any]) -> set[int]:
    """Positions i where frame i starts a new shot: a frame-to-frame change far above the clip's norm.

    Editing cuts are not temporal instability; measuring across one would make any edited real
    video look like flicker, so segments are split there.
    """
    import cv2

    small = [cv2.resize(gray(f.rgb), (32, 32), interpolation=cv2.INTER_AREA).astype(np.float32) for f in frames]
    d = np.array([np.abs(a - b).mean() for a, b in zip(small, small[1:])])
    if len(d) == 0:
        return set()
    med = float(np.median(d))
    return {i + 1 for i, v in enumerate(d) if v > CUT_MIN_DIFF and v > CUT_RATIO * (med + 1.0)}


def segments(frames: Sequence[Any]) -> list[list[Any]]:
    """Runs of consecutive distinct samples (same window), cut into pieces of <= SEGMENT_FRAMES.

    A short tail is merged into the previous piece rather than analysed on its own.
    """
    kept = distinct(frames)[0]
    cuts = scene_cuts(kept)
    runs: list[list[Any]] = []
    for i, f in enumerate(kept):
        if runs and runs[-1][-1].window == getattr(f, "window", 0) and i not in cuts:
            runs[-1].append(f)
        else:
            runs.append([f])
    out: list[list[Any]] = []
    for run in runs:
        pieces = [run[i:i + SEGMENT_FRAMES] for i in range(0, len(run), SEGMENT_FRAMES)]
        if len(pieces) > 1 and len(pieces[-1]) < MIN_FRAMES:
            pieces[-2].extend(pieces.pop())
        out.extend(p for p in pieces if len(p) >= MIN_FRAMES)
    return out


def analyse(frames: Sequence[Any], hook_scores: Sequence[float] | None = None) -> list[Segment]:
    """Measure and score every segment.  ``hook_scores``: optional per-frame pixel-detector scores
    (same order as ``frames``) whose frame-to-frame jumps are recorded as extra evidence."""
    engine = FlowEngine()
    out: list[Segment] = []
    pos = {id(f): i for i, f in enumerate(frames)}
    for seg in segments(frames):
        grays = [gray(f.rgb) for f in seg]
        stats = window_stats(grays, engine)
        s = Segment(float(seg[0].time), float(seg[-1].time), [int(f.index) for f in seg], stats)
        s.logit = cal.logit(stats)
        s.score = cal.score(s.logit)
        if hook_scores is not None:
            vals = np.array([hook_scores[pos[id(f)]] for f in seg], float)
            s.extra["pixel_score_jump"] = float(np.max(np.abs(np.diff(vals)))) if len(vals) > 1 else 0.0
        out.append(s)
    return out


def whole(segs: Sequence[Segment]) -> tuple[float, float]:
    """File-level logit and score: the mean segment logit (a single odd segment should not decide)."""
    if not segs:
        return -math.inf, 0.0
    lg = float(np.mean([s.logit for s in segs]))
    return lg, cal.score(lg)


def ratios(stats: dict[str, float]) -> dict[str, float]:
    """Each measurement as a multiple of its median on the real-footage controls."""
    out = {}
    for k in FEATURES:
        v = stats.get(k, float("nan"))
        ref = cal.CONTROL_MEDIAN.get(k, float("nan"))
        out[k] = float(v / ref) if np.isfinite(v) and ref > 0 else float("nan")
    return out
