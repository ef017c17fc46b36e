"""Findings for the temporal detector: one per segment (with its time span) and one for the file."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

from synthcheck.detector import POSSIBLY_THRESHOLD, strength_for_score
from synthcheck.model import Finding, Strength

from .analysis import MIN_FRAMES, Segment, analyse, distinct, ratios, whole

if TYPE_CHECKING:  # pragma: no cover
    from synthcheck.detector import Detector
    from synthcheck.media import Media

_PHRASES = {
    "static_hf": "fine texture in regions with no motion changed {r:.1f}x as much from frame to frame",
    "resid": "what remains after compensating the motion was {r:.1f}x as large",
    "drift": "fine texture of the still background drifted {r:.1f}x as far",
    "flicker": "brightness flickered {r:.1f}x as much from frame to frame",
    "jump": "the largest frame-to-frame jump was {r:.1f}x as large",
}


def describe(seg: Segment) -> str:
    r = ratios(seg.stats)
    parts = sorted(((v, k) for k, v in r.items() if v == v), reverse=True)
    strongest = [_PHRASES[k].format(r=v) for v, k in parts[:2] if v >= 1.0]
    span = f"seconds {seg.t0:.1f}-{seg.t1:.1f}"
    if not strongest:
        return f"{span}: every measurement was at or below its median on real footage"
    return f"{span}: " + " and ".join(strongest) + " as in the median control clip (real and real-like footage)"


def findings_for(det: "Detector", media: "Media", frames: Sequence[Any],
                 hook_scores: Sequence[float] | None) -> list[Finding]:
    if len(frames) < MIN_FRAMES:
        return [det.finding(
            f"Not checked: only {len(frames)} frame(s) could be sampled; temporal analysis needs at least "
            f"{MIN_FRAMES} consecutive frames.", strength=Strength.INFO, title="Temporal check not run",
            evidence={"frames": len(frames), "checked": False})]
    segs = analyse(frames, hook_scores)
    if not segs:
        return [det.finding(
            f"Not checked: of {len(frames)} sampled frames only {len(distinct(frames)[0])} differ from the one "
            f"before (a still picture, or repeated frames); temporal analysis needs at least {MIN_FRAMES} "
            "consecutive changing frames.", strength=Strength.INFO, title="Temporal check not run",
            evidence={"frames": len(frames), "distinct_frames": len(distinct(frames)[0]), "checked": False})]
    out: list[Finding] = []
    for i, s in enumerate(segs):
        # Segments carry no score of their own: the verdict takes the strongest scored finding, and
        # the calibrated quantity is the whole-clip score; a segment above 0.6 is flagged as a lead.
        out.append(det.finding(
            describe(s) + f" (segment score {s.score:.2f}).",
            strength=Strength.WEAK if s.score >= POSSIBLY_THRESHOLD else Strength.INFO,
            time=(round(s.t0, 3), round(s.t1, 3)), title=f"Temporal segment {i + 1}",
            evidence={"segment": i, "segment_score": round(s.score, 3), "frame_indices": s.indices,
                      "keyframe_indices": [s.indices[0], s.indices[-1]],
                      "measurements": _clean(s.stats), "times_control_median": _clean(ratios(s.stats)),
                      "logit": round(s.logit, 3), **s.extra}))
    lg, score = whole(segs)
    top = sorted(segs, key=lambda s: s.score, reverse=True)[:2]
    lead = ("Over the whole clip there is no more temporal instability than in the real-footage controls"
            if score < 0.3
            else "Over the whole clip the picture is less stable from frame to frame than in real footage")
    names = "; ".join(describe(s) + f" (score {s.score:.2f})" for s in top)
    t0, t1 = float(frames[0].time), float(frames[-1].time)
    repeats = distinct(frames)[1]
    note = (f" {repeats} of {len(frames)} sampled frames repeat the previous one (frame-rate conversion); "
            "each was analysed once." if repeats else "")
    out.append(det.finding(
        f"{lead} (score {score:.2f} from the motion-compensated residual and brightness flicker; "
        f"{len(segs)} segment(s), {len(frames)} frames). Strongest: {names}. "
        "Water, fire, foliage and heavy compression can raise these measurements in real video." + note,
        strength=strength_for_score(score), score=score, time=(round(t0, 3), round(t1, 3)),
        title="Temporal consistency (whole clip)",
        evidence={"segments": len(segs), "frames": len(frames), "repeated_frames": repeats, "logit": round(lg, 3),
                  "segment_scores": [round(s.score, 3) for s in segs],
                  "sample": {"max_side": max(frames[0].rgb.shape[:2]), "windows": len({getattr(f, 'window', 0)
                                                                                         for f in frames})}}))
    return out


def _clean(d: dict[str, float]) -> dict[str, float | None]:
    return {k: (round(float(v), 4) if v == v else None) for k, v in d.items()}
