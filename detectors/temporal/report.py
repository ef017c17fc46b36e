"""Findings for the temporal detector: one per segment (with its time span) and one for the file."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

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
    "noise_corr": "the finest-scale residual of consecutive frames was {r:.1f}x as correlated",
    "noise_level": "the noise level on flat areas was {r:.1f}x as high",
    "crawl": "texture in still regions crawled (decorrelated) {r:.1f}x as much",
    "structure_drift": "local structure of still regions drifted {r:.1f}x as far",
    "kp_vanish": "tracked corners vanished in view {r:.1f}x as often",
    "kp_appear": "corners appeared in view {r:.1f}x as often",
    "framediff": "frames differed {r:.1f}x as much",
}
# The tells reported one finding each (title, what a reader can check).
TELLS = {
    "noise_corr": ("Temporal noise consistency",
                   "correlation of the finest-scale residual between consecutive motion-compensated frames on flat "
                   "areas (camera sensor noise is independent frame to frame: near 0; a shared denoised look or a "
                   "fixed pattern: high; strong compression that copies blocks also raises it)"),
    "noise_level": ("Residual noise level",
                    "robust standard deviation of the finest scale on flat areas, in 8-bit levels (too-perfect, "
                    "noise-free frames: low; heavy compression also removes noise)"),
    "crawl": ("Texture crawl on static regions",
              "1 - correlation of fine texture between consecutive frames where optical flow says nothing moved"),
    "structure_drift": ("Structure drift without motion",
                        "change of local gradient-orientation histograms of still 16-px cells from the first to the "
                        "last frame of a segment, beyond the change between its first two frames"),
    "kp_vanish": ("Keypoints vanishing in view",
                  "share of tracked corners (Lucas-Kanade, forward-backward checked) lost away from the frame "
                  "border, per frame step"),
    "kp_appear": ("Keypoints appearing in view",
                  "share of last-frame corners that cannot be tracked back to the first frame, away from the "
                  "border, per frame step"),
    "flicker": ("Brightness flicker", "frame-to-frame share of changes in mean brightness"),
}


def _model_words() -> str:
    from . import calibration as cal

    names = {"resid": "motion-compensated residual", "flicker": "brightness flicker",
             "noise_corr": "noise consistency", "noise_level": "noise level", "crawl": "texture crawl",
             "structure_drift": "structure drift", "kp_vanish": "vanishing keypoints",
             "kp_appear": "appearing keypoints", "static_hf": "static texture change", "drift": "texture drift",
             "jump": "residual jumps", "framediff": "frame difference"}
    used = [names.get(k, k) for k, c in zip(cal.FEATURE_ORDER, cal.COEF) if c != 0]
    return ", ".join(used) if used else "no measurement"


def describe(seg: Segment) -> str:
    from . import calibration as cal

    r = ratios(seg.stats)  # the scored measurements only: the evidence-only ones have their own findings
    parts = sorted(((v, k) for k, v in r.items() if v == v and k in cal.FEATURE_ORDER), reverse=True)
    strongest = [_PHRASES[k].format(r=v) for v, k in parts[:2] if v >= 1.0]
    span = f"seconds {seg.t0:.1f}-{seg.t1:.1f}"
    if not strongest:
        return f"{span}: every measurement was at or below its median on real footage"
    return f"{span}: " + " and ".join(strongest) + " as in the median real clip"


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
    out.extend(_tell_findings(det, segs))
    lg, score = whole(segs)
    top = sorted(segs, key=lambda s: s.score, reverse=True)[:2]
    lead = ("Over the whole clip there is no more temporal instability than in the real footage it was fitted on"
            if score < 0.3
            else "Over the whole clip the picture is less stable from frame to frame than in real footage")
    names = "; ".join(describe(s) + f" (score {s.score:.2f})" for s in top)
    t0, t1 = float(frames[0].time), float(frames[-1].time)
    repeats = distinct(frames)[1]
    note = (f" {repeats} of {len(frames)} sampled frames repeat the previous one (frame-rate conversion); "
            "each was analysed once." if repeats else "")
    stable = _stability(frames, score)
    if stable.get("unstable"):
        note += f" Unstable: {stable['unstable_reason']}."
    out.append(det.finding(
        f"{lead} (score {score:.2f} from {_model_words()}; "
        f"{len(segs)} segment(s), {len(frames)} frames). Strongest: {names}. "
        "Water, fire, foliage and heavy compression can raise these measurements in real video." + note,
        strength=strength_for_score(score), score=score, time=(round(t0, 3), round(t1, 3)),
        title="Temporal consistency (whole clip)",
        evidence={"segments": len(segs), "frames": len(frames), "repeated_frames": repeats, "logit": round(lg, 3),
                  "segment_scores": [round(s.score, 3) for s in segs], **stable,
                  "sample": {"max_side": max(frames[0].rgb.shape[:2]), "windows": len({getattr(f, 'window', 0)
                                                                                         for f in frames})}}))
    return out


def _stability(frames: Sequence[Any], score: float) -> dict[str, object]:
    """Re-score after an H.264 low-bit-rate re-encode and a 0.75x downscale when near a cut."""
    from synthcheck import stability

    from .reencode import reencode

    def rescore() -> float:
        steps = [b.time - a.time for a, b in zip(frames, frames[1:])
                 if getattr(a, "window", 0) == getattr(b, "window", 0) and b.time > a.time]
        fps = 1.0 / float(np.median(steps)) if steps else 25.0
        return whole(analyse(reencode(frames, fps)))[1]

    return stability.check(score, {"h264_0.05bpp+resize_0.75": rescore})


def _tell_findings(det: "Detector", segs: Sequence[Segment]) -> list[Finding]:
    """One finding per tell: where in time it was strongest, its value beside the real median."""
    from . import calibration as cal

    out = []
    in_model = set(cal.FEATURE_ORDER)
    for key, (title, what) in TELLS.items():
        vals = [(s.stats.get(key, float("nan")), s) for s in segs]
        vals = [(v, s) for v, s in vals if v == v]
        if not vals:
            continue
        contrib = [cal.contributions(s.stats).get(key, 0.0) for _, s in vals]
        if key in in_model:  # strongest = the segment where it pushed the score up most
            j = int(np.argmax(contrib))
        else:
            j = int(np.argmax([v for v, _ in vals]))
        v, s = vals[j]
        ref = cal.CONTROL_MEDIAN.get(key, float("nan"))
        role = (f"it moved that segment's logit by {contrib[j]:+.2f}" if key in in_model
                else "evidence only: it does not move the score")
        if key in in_model and ref == ref and (v < ref) == (contrib[j] > 0):
            role += (" (a value below the real median points towards generated in the fitted model: on its "
                     "real clips this measurement was higher)" if v < ref else "")
        out.append(det.finding(
            f"{title}: {what}. Strongest in seconds {s.t0:.1f}-{s.t1:.1f}: {v:.3g} "
            f"(median on real footage {ref:.3g}); {role}.",
            strength=Strength.WEAK if key in in_model and contrib[j] >= 1.0 else Strength.INFO,
            time=(round(s.t0, 3), round(s.t1, 3)), title=title,
            evidence={"measurement": key, "value": round(float(v), 4),
                      "real_median": round(float(ref), 4) if ref == ref else None,
                      "logit_contribution": round(float(contrib[j]), 3) if key in in_model else None,
                      "frame_indices": s.indices,
                      "per_segment": [round(float(x), 4) for x, _ in vals]}))
    return out


def _clean(d: dict[str, float]) -> dict[str, float | None]:
    return {k: (round(float(v), 4) if v == v else None) for k, v in d.items()}
