"""Temporal detector: boiling texture scores above smooth camera motion; findings carry time."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("av")
pytest.importorskip("cv2")

from synthcheck.detector import DetectorContext
from synthcheck.media import Media
from synthcheck.model import Kind, Strength
from tests.conftest import natural_image

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))


def _detector():
    from detectors.temporal import TemporalDetector

    return TemporalDetector(DetectorContext())


def _texture(h: int, w: int, seed: int) -> np.ndarray:
    """Photo-like frame with fine texture (smooth structure + fine blotches)."""
    import cv2

    rng = np.random.default_rng(seed)
    base = natural_image(w, h, seed).astype(np.float32)
    fine = cv2.GaussianBlur(rng.normal(0, 40, (h, w, 3)).astype(np.float32), (0, 0), 1.2)
    return np.clip(base + fine, 0, 255).astype(np.uint8)


def pan_clip(n: int = 24, size: int = 128, seed: int = 3) -> list[np.ndarray]:
    """A camera panning smoothly over one still texture, with fresh sensor noise per frame."""
    rng = np.random.default_rng(1)
    big = _texture(size + 80, size + 80, seed)
    return [np.clip(big[10:10 + size, 2 * i:2 * i + size].astype(np.float32) + rng.normal(0, 2, (size, size, 3)),
                    0, 255).astype(np.uint8) for i in range(n)]


def boiling_clip(n: int = 24, size: int = 128) -> list[np.ndarray]:
    """Same scene structure, but the fine texture is re-drawn every frame and brightness flickers."""
    import cv2

    rng = np.random.default_rng(2)
    base = natural_image(size, size, 3).astype(np.float32)
    out = []
    for i in range(n):
        fine = cv2.GaussianBlur(rng.normal(0, 40, (size, size, 3)).astype(np.float32), (0, 0), 1.2)
        out.append(np.clip(base + fine + rng.normal(0, 6), 0, 255).astype(np.uint8))
    return out


def write(path: Path, frames: list[np.ndarray], fps: int = 12) -> Path:
    from temporal_controls import write_mp4

    write_mp4(path, frames, fps, 4_000_000)
    return path


def test_boiling_scores_higher_than_panning_and_segments_carry_time(tmp_path):
    det = _detector()
    pan = det.run(Media.open(write(tmp_path / "pan.mp4", pan_clip())))
    boil = det.run(Media.open(write(tmp_path / "boil.mp4", boiling_clip())))

    def whole(fs):
        return next(f for f in fs if f.title.startswith("Temporal consistency (whole"))

    assert whole(boil).score > whole(pan).score + 0.2
    segs = [f for f in boil if f.kind is Kind.TEMPORAL and f.title.startswith("Temporal segment")]
    assert segs and all(f.time is not None and f.time[1] > f.time[0] for f in segs)
    assert all("frame_indices" in f.evidence and "segment_score" in f.evidence for f in segs)
    assert "seconds" in whole(boil).explanation


def test_gif_input_is_analysed(tmp_path):
    from temporal_controls import write_gif

    p = tmp_path / "pan.gif"
    write_gif(p, pan_clip(12, 160), 12, side=128)
    fs = _detector().run(Media.open(p))
    assert any(f.kind is Kind.TEMPORAL and f.score is not None and f.time is not None for f in fs)


def test_repeated_frames_are_analysed_once():
    from detectors.temporal.analysis import distinct
    from synthcheck.video import Frame

    clip = pan_clip(6, 64)
    frames = [Frame(i, i / 24, clip[i // 3]) for i in range(18)]  # each frame shown 3 times
    kept, dropped = distinct(frames)
    assert len(kept) == 6 and dropped == 12


def test_too_few_frames_is_not_checked(tmp_path):
    fs = _detector().run(Media.open(write(tmp_path / "short.mp4", pan_clip(3))))
    temporal = [f for f in fs if f.kind is Kind.TEMPORAL]
    assert len(temporal) == 1 and temporal[0].strength is Strength.INFO and temporal[0].score is None
    assert "Not checked" in temporal[0].explanation


def tagged_mp4(path: Path, comment: str, frames: list[np.ndarray] | None = None) -> Path:
    """A small H.264 MP4 whose container ``comment`` tag is ``comment``."""
    import av

    with av.open(str(path), "w") as out:
        out.metadata["comment"] = comment
        st = out.add_stream("libx264", rate=10)
        st.width, st.height, st.pix_fmt = 64, 64, "yuv420p"
        for f in frames if frames is not None else pan_clip(6, 64):
            for pkt in st.encode(av.VideoFrame.from_ndarray(f, "rgb24")):
                out.mux(pkt)
        for pkt in st.encode():
            out.mux(pkt)
    return path


def test_only_temporal_findings_container_tags_are_for_the_metadata_detector(tmp_path):
    # A tag naming a generator is provenance: the metadata detector reports it (test_metadata),
    # so a provenance claim never depends on whether the expensive temporal detector ran.
    from detectors.temporal import TemporalDetector

    fs = _detector().run(Media.open(tagged_mp4(tmp_path / "tagged.mp4", "Generated with AnimateDiff")))
    assert fs and all(f.kind is Kind.TEMPORAL and f.claim is None for f in fs), [(f.kind, f.title) for f in fs]
    assert TemporalDetector.version != "1.0.0"  # its output changed


def test_availability_does_not_import_cv2():
    import subprocess

    code = ("import sys; from detectors.temporal import TemporalDetector as T; "
            "assert T.availability().ok; assert 'cv2' not in sys.modules and 'av' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[2])


def test_scene_cut_splits_segments():
    from detectors.temporal.analysis import scene_cuts, segments
    from synthcheck.video import Frame

    shot_a = pan_clip(8, 64)
    shot_b = [(f // 3).astype(np.uint8) for f in pan_clip(8, 64, seed=9)]  # another, darker scene
    frames = [Frame(i, i / 12, f) for i, f in enumerate(shot_a + shot_b)]
    assert scene_cuts(frames) == {8}
    assert [len(s) for s in segments(frames)] == [8, 8]
