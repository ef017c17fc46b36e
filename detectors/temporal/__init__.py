"""Temporal consistency of video: texture that boils where nothing moves, flicker, frame jumps."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from synthcheck.detector import Detector, strength_for_score
from synthcheck.model import Finding, Kind, Strength

if TYPE_CHECKING:  # pragma: no cover
    from synthcheck.media import Media


class TemporalDetector(Detector):
    """Temporal consistency: does fine texture stay put from frame to frame where nothing moves?

    What it measures.  Frames are sampled in windows of consecutive frames (a long clip is read
    as up to 6 evenly spaced windows of 16 frames, long side <= 640 px).  For each pair of
    consecutive frames it computes dense optical flow (OpenCV DIS), warps the first frame onto
    the second and measures (1) the residual left after motion compensation relative to the
    image's own detail and (2) how much the local energy of fine texture changes in regions the
    flow calls static.  Over each window it measures (3) texture drift: how far the fine
    texture of static regions moved away from the first frame beyond what frame-to-frame noise
    explains, (4) luminance flicker (frame-to-frame share of brightness changes) and (5) the
    largest jump in the residual.  A camera films a persistent world, so these stay low;
    frame-by-frame generators re-synthesise texture each frame and it "boils".

    Reading the score.  The whole clip gets a score on the shared scale (the mean over its
    segments of a logistic model on the residual and the flicker): >= 0.9 is rarer than about
    1 in 20 control files (real and real-like footage), >= 0.6 rarer than about 1 in 7.
    Segment findings (time span, frame indices) show their own segment score in the evidence
    but carry no score, so the verdict follows the whole-clip score.  The explanation names
    the strongest segments and how many times the control median each measurement is.
    Container tags (encoder, software, camera make/model) are provenance and are read by the
    metadata detector, not here.

    Measured with ``bench/temporal_calibrate.py gen|features|fit`` (data and caveats in
    detectors/temporal/README.md): 40 AnimateDiff GIFs against 137 control files, file-level
    ROC AUC from 5-fold cross-validation grouped by source:

        vs all controls (real + real-like, MP4 and GIF)    0.94
        vs GIF controls only (same format as AnimateDiff)  0.95
        vs MP4/native controls only                        0.94
        vs real footage only (5 sources, 17 files)         0.83

    With the shipped calibration (in-sample): real footage >= 0.6 in 18 %, >= 0.9 in 6 %
    (1 of 17 files: a clip of foliage); AnimateDiff >= 0.6 in 70 %, >= 0.9 in 53 %.
    Exact repeats (frame-rate conversion) are analysed once and segments are split at
    editing cuts.

    When it fails.  Calibrated on 40 AnimateDiff GIFs versus a few real clips and real
    photographs filmed by a simulated camera; other generators, long clips, and real footage
    with water, fire, foliage in wind, rain, heavy noise reduction, strong compression or
    screen recordings of games can look "boiling" too, and a generator with good temporal
    consistency can look clean.  Low scores do not mean the video is real.  Fewer than 4
    distinct decodable frames gives an INFO "not checked" finding.  Speed (``bench/video_speed.py``,
    2 cores): a 1080p 60 s H.264 clip takes about 10 s; peak memory is about 210 MB for
    both a 10 s and a 10 min clip.
    """

    id: ClassVar[str] = "temporal"
    version: ClassVar[str] = "2.0.0"  # 2.0: noise, crawl, structure-drift and keypoint tells; LOGO fit
    title: ClassVar[str] = "Temporal consistency (texture boiling, flicker, frame jumps)"
    media: ClassVar[frozenset[str]] = frozenset({"video"})
    cost: ClassVar[str] = "expensive"
    kind: ClassVar[Kind] = Kind.TEMPORAL
    requires_modules: ClassVar[tuple[str, ...]] = ("cv2", "av")

    MAX_FRAMES: ClassVar[int] = 96
    FPS: ClassVar[float] = 30.0
    MAX_SIDE: ClassVar[int] = 640
    WINDOW: ClassVar[int] = 16

    def sample(self, media: "Media") -> list[Any]:
        return media.frames(**sample_options(self.context.options))

    def frame_scores(self, media: "Media", frames: list[Any]) -> list[float] | None:
        """Hook: per-frame scores of a pixel detector, for frame-to-frame jump evidence.

        Returns None (not wired): the frequency and learned detectors are separate plugins and
        this detector must not depend on them.  A caller or subclass can return one score per
        frame in ``frames``; the largest jump per segment is then added to the evidence as
        ``pixel_score_jump`` (it does not change the temporal score).
        """
        return None

    def run(self, media: "Media") -> list[Finding]:
        from .report import findings_for

        frames = self.sample(media)
        return list(findings_for(self, media, frames, self.frame_scores(media, frames)))


def sample_options(opts: Any) -> dict[str, Any]:
    """The frame sample this detector reads; other video detectors (faces) pass the same options
    to ``media.frames`` so a clip is decoded once per scan, not once per detector."""
    t = TemporalDetector
    return {"max_frames": int(opts.get("temporal.max_frames", t.MAX_FRAMES)),
            "fps": float(opts.get("temporal.fps", t.FPS)),
            "max_side": int(opts.get("temporal.max_side", t.MAX_SIDE)), "window": t.WINDOW}


__all__ = ["TemporalDetector", "sample_options", "strength_for_score", "Strength"]
