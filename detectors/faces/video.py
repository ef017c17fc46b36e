"""Faces in video: the temporal detector's frame sample, one face track per segment.

Segments are the sample's windows of consecutive frames.  In each, the largest face is followed
from frame to frame (nearest centre); its blend boundary is measured on up to
``BOUNDARY_FRAMES`` frames and the dynamics rules run on the whole track.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np

from synthcheck.model import Finding, Kind, Strength

if TYPE_CHECKING:  # pragma: no cover
    from synthcheck.media import Media

    from . import FacesDetector


def _track(frames: list[Any], meshes: list[list[np.ndarray]]) -> list[tuple[Any, np.ndarray]]:
    """The largest face of the segment's first frame with a face, then the nearest face after it."""
    from .geometry import face_size

    out: list[tuple[Any, np.ndarray]] = []
    last = None
    for f, ms in zip(frames, meshes):
        if not ms:
            continue
        if last is None:
            m = max(ms, key=face_size)
        else:
            c = last[:, :2].mean(axis=0)
            m = min(ms, key=lambda x: float(np.linalg.norm(x[:, :2].mean(axis=0) - c)))
            if np.linalg.norm(m[:, :2].mean(axis=0) - c) > face_size(last):
                continue  # a different face (or a cut): not this track
        out.append((f, m))
        last = m
    return out


def _to_source(box: tuple[int, int, int, int], shape: tuple[int, ...], media: "Media") -> tuple[int, int, int, int]:
    """A box on a sampled (downscaled) frame in the pixels of the video itself."""
    w = getattr(media, "width", None)
    if not w or not shape[1] or w == shape[1]:
        return box
    f = w / shape[1]
    return tuple(int(round(v * f)) for v in box)  # type: ignore[return-value]


def video_findings(det: "FacesDetector", media: "Media") -> list[Finding]:
    from detectors.temporal import sample_options

    from . import calibration as C
    from . import dynamics
    from .features import COVERED, HAND, MIN_FACE, PALETTE, measure_face
    from .geometry import face_size

    frames = media.frames(**sample_options(det.context.options))
    windows: dict[int, list[Any]] = defaultdict(list)
    for f in frames:
        windows[f.window].append(f)
    findings: list[Finding] = []
    faces_seen = 0
    for w in sorted(windows):
        seg = windows[w]
        track = _track(seg, [det.detect(f.rgb) for f in seg])
        if not track:
            continue
        faces_seen += 1
        t0, t1 = float(seg[0].time), float(seg[-1].time)
        span = (t0, t1)
        base = {"segment": w, "frames": [int(f.index) for f, _ in track]}
        sizes = [face_size(m) for _, m in track]
        if np.median(sizes) < MIN_FACE:
            findings.append(det.finding(f"face {np.median(sizes):.0f} px across in {t0:.1f}-{t1:.1f} s, "
                                        "too small to judge (64 px needed)", strength=Strength.INFO,
                                        evidence=base, time=span, title="face not judged"))
            continue
        picks = np.unique(np.linspace(0, len(track) - 1, min(len(track), 4)).round().astype(int))
        find = det.hand_finder()
        measured = [measure_face(track[k][0].rgb, track[k][1], C.POSE_OFFSET,
                                 None if find is None else partial(find, track[k][0].rgb)) for k in picks]
        judged = [m for m in measured if not m.not_judged and m.boundary is not None]
        if not judged:
            why = measured[0].not_judged
            if why == PALETTE:
                why = "in palette-quantised frames (256 colours or fewer, as a GIF: the noise is the dither's)"
            elif why == HAND:
                why = "covered by a hand in the frames measured"
            elif why == COVERED:
                why = ("covered below the nose (its lower half differs in colour from its cheeks: a mask, a scarf "
                       "or an object) or not a human face")
            findings.append(det.finding(f"face in {t0:.1f}-{t1:.1f} s is {why}; not judged",
                                        strength=Strength.INFO, evidence=base, time=span, title="face not judged",
                                        region=_to_source(measured[0].box, track[0][0].rgb.shape, media)))
            continue
        from .rules import blend_boundary

        dyn = []
        meshes = [m for _, m in track]
        if len(meshes) >= 6:
            diffs = [d for d in (dynamics.face_minus_ring(f.rgb, m) for f, m in track) if d is not None]
            dyn = [dynamics.blinks(meshes, [f.time for f, _ in track]), dynamics.jitter(meshes),
                   dynamics.colour_drift(diffs)]
        results = [blend_boundary(m.boundary) for m in judged]  # type: ignore[arg-type]
        order = np.argsort([r.score for r in results])
        mid = int(order[len(order) // 2])  # the median frame speaks for the segment
        evidence = {**base, "frame_scores": [round(r.score, 3) for r in results],
                    "dynamics": {r.rule: dict(r.evidence) for r in dyn}}
        box = _to_source(judged[mid].box, track[0][0].rgb.shape, media)
        findings.append(det.rule_finding(results[mid], evidence, box, span, None))
        for r in dyn:  # the dynamics' values ride on the segment finding; a rule that fires is its own
            if r.score >= 0.3:
                f = det.rule_finding(r, base, box, span, None)
                findings.append(replace(f, kind=Kind.TEMPORAL))
    if not findings:
        return [det.finding(f"no face detected in {len(frames)} sampled frames; face-swap evidence not checked",
                            strength=Strength.INFO, title="faces not checked")]
    return findings
