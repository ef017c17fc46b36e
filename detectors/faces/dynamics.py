"""Face dynamics over consecutive video frames: blinking, inner-face jitter, colour drift.

Pure numpy on one face's per-frame meshes (pixels), so each rule is testable on made-up tracks.
All three are weak evidence only (capped at 0.45): their cut points come from a handful of real
clips (bench/faces_video.py), and real people squint, wink, talk and walk through shadows.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from .geometry import CENTRAL, OVAL, eye_aspect_ratio, face_size
from .rules import RuleResult

CAP = 0.45
CLOSED = 0.6  # an eye is closed below this fraction of its open (median) aspect ratio
# (weak, cap) cut points: score 0.3 at the first, 0.45 at the second
CUTS = {
    "one_eye_blinks": (0.5, 0.8),  # share of closed-eye frames in which the other eye stays open
    "jitter": (2.0, 3.5),  # inner-face motion left after following the outline, over the outline's own
    "colour_drift": (4.5, 7.0),  # std over frames of face-minus-ring colour, in Lab units
}


def ramp(value: float, cuts: tuple[float, float]) -> float:
    lo, hi = cuts
    if not np.isfinite(value) or value < lo:
        return float(np.clip(0.3 * value / lo, 0.0, 0.3)) if np.isfinite(value) and lo > 0 else 0.0
    return float(min(CAP, 0.3 + (CAP - 0.3) * (value - lo) / (hi - lo)))


def blinks(meshes: Sequence[np.ndarray], times: Sequence[float]) -> RuleResult:
    """Eye closures from the eye aspect ratio: how many, how long, and whether both eyes close together."""
    ear = np.array([eye_aspect_ratio(m) for m in meshes])  # (n, 2): subject's right, left
    open_ = np.median(ear, axis=0) + 1e-9
    closed = ear < CLOSED * open_
    both = closed.all(axis=1)
    one = closed.any(axis=1) & ~both
    events = int(np.sum(np.diff(np.concatenate([[0], both.astype(int)])) == 1))
    n_closed = int(closed.any(axis=1).sum())
    share = float(one.sum() / n_closed) if n_closed >= 2 else 0.0
    t = np.asarray(times, dtype=np.float64)
    dt = float(np.median(np.diff(t))) if len(t) > 1 else 0.0
    durations = []
    run = 0
    for b in list(both) + [False]:
        if b:
            run += 1
        elif run:
            durations.append(run * dt)
            run = 0
    score = ramp(share, CUTS["one_eye_blinks"]) if n_closed >= 2 else 0.0
    if n_closed >= 2 and share >= CUTS["one_eye_blinks"][0]:
        msg = (f"in {int(one.sum())} of {n_closed} frames with a closed eye the other eye stayed open; "
               "real blinks close both eyes together")
    else:
        msg = f"{events} blink{'s' if events != 1 else ''} in {len(meshes)} frames, both eyes together"
    return RuleResult("video.blink", score, msg, {
        "blinks": events, "blink_seconds": [round(d, 3) for d in durations],
        "one_eye_closed_frames": int(one.sum()), "closed_frames": n_closed,
        "open_ear": [round(float(v), 3) for v in open_]})


def _similarity(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Least-squares similarity (2x3) taking ``src`` points onto ``dst`` (Umeyama)."""
    ms, md = src.mean(axis=0), dst.mean(axis=0)
    a, b = src - ms, dst - md
    u, s, vt = np.linalg.svd(b.T @ a)
    d = np.sign(np.linalg.det(u @ vt))
    dm = np.diag([1.0, d])
    r = u @ dm @ vt
    scale = float(np.trace(np.diag(s) @ dm) / max((a ** 2).sum(), 1e-9))
    return np.column_stack([scale * r, md - scale * r @ ms])


def jitter(meshes: Sequence[np.ndarray]) -> RuleResult:
    """Frame-to-frame motion of the eyes, brows and nose that the outline's motion does not explain,
    over the outline's own leftover motion: a face re-rendered each frame shimmers inside its outline."""
    inner, outer = [], []
    for a, b in zip(meshes[:-1], meshes[1:]):
        pa, pb = np.asarray(a)[:, :2], np.asarray(b)[:, :2]
        o = list(OVAL)
        m = _similarity(pa[o], pb[o])
        moved = pa @ m[:, :2].T + m[:, 2]
        size = face_size(b)
        outer.append(float(np.linalg.norm(moved[o] - pb[o], axis=1).mean() / size))
        inner.append(float(np.linalg.norm(moved[list(CENTRAL)] - pb[list(CENTRAL)], axis=1).mean() / size))
    if not inner:
        return RuleResult("video.jitter", 0.0, "fewer than two frames with this face", {})
    ratio = float(np.median(inner) / (np.median(outer) + 1e-4))
    score = ramp(ratio, CUTS["jitter"])
    msg = (f"the eyes, brows and nose move {ratio:.1f} times as much as the face outline between frames, "
           "after following the head")
    return RuleResult("video.jitter", score, msg, {"ratio": round(ratio, 3),
                                                   "inner_per_face": round(float(np.median(inner)), 5),
                                                   "outline_per_face": round(float(np.median(outer)), 5)})


def colour_drift(differences: Sequence[Sequence[float]]) -> RuleResult:
    """Std over frames of the face's mean Lab colour minus its ring's: lighting moves both together,
    a face rendered per frame drifts on its own."""
    d = np.asarray(differences, dtype=np.float64)
    if len(d) < 3:
        return RuleResult("video.colour_drift", 0.0, "fewer than three frames with this face", {})
    drift = float(np.sqrt(d.var(axis=0).sum()))
    score = ramp(drift, CUTS["colour_drift"])
    msg = f"the face's colour against its surroundings varies by {drift:.1f} Lab units over {len(d)} frames"
    return RuleResult("video.colour_drift", score, msg, {"lab_std": round(drift, 3), "frames": len(d)})


def face_minus_ring(rgb: np.ndarray, mesh: np.ndarray) -> np.ndarray | None:
    """Mean Lab of the face inside its hull minus the ring around it (for :func:`colour_drift`)."""
    import cv2

    from .boundary import face_crop

    cut = face_crop(rgb, np.asarray(mesh, dtype=np.float64)[list(OVAL), :2], face_size(mesh))
    if cut is None:
        return None
    crop, _, _, (inner, _, ring) = cut
    if inner.sum() < 50 or ring.sum() < 50:
        return None
    lab = cv2.cvtColor(crop, cv2.COLOR_RGB2LAB).astype(np.float32)
    return lab[inner].mean(axis=0) - lab[ring].mean(axis=0)
