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


# --- v2 tells, each on clips made here (numpy + PyAV, H.264 at a high bit rate so noise survives) ---

def _stats(tmp_path: Path, name: str, frames: list[np.ndarray]) -> dict:
    from detectors.temporal.analysis import segments
    from detectors.temporal.features import FlowEngine, gray, window_stats

    sampled = _detector().sample(Media.open(write(tmp_path / name, frames)))
    seg = segments(sampled)[0]
    return window_stats([gray(f.rgb) for f in seg], FlowEngine())


def _smooth(size: int = 128, seed: int = 5) -> np.ndarray:
    return natural_image(size, size, seed).astype(np.float32)


def _u8(x: np.ndarray) -> np.ndarray:
    return np.clip(x, 0, 255).astype(np.uint8)


def test_noise_consistency_separates_fresh_sensor_noise_from_a_fixed_or_denoised_look(tmp_path):
    import cv2

    rng = np.random.default_rng(0)  # a flat, smoothly shaded scene: its finest scale is only the noise
    base = cv2.GaussianBlur(_smooth(), (0, 0), 6.0)
    fixed = rng.normal(0, 3, base.shape).astype(np.float32)
    camera = _stats(tmp_path, "cam.mp4", [_u8(base + rng.normal(0, 3, base.shape)) for _ in range(16)])
    pattern = _stats(tmp_path, "fixed.mp4", [_u8(base + fixed + rng.normal(0, 0.3, base.shape)) for _ in range(16)])
    clean = _stats(tmp_path, "clean.mp4", [_u8(base + i) for i in range(16)])  # a slow fade, no noise
    assert camera["noise_corr"] < 0.3 < pattern["noise_corr"] - 0.3, (camera["noise_corr"], pattern["noise_corr"])
    assert camera["noise_level"] > clean["noise_level"] + 1.0, (camera["noise_level"], clean["noise_level"])


def _fine(seed: int, size: int = 128) -> np.ndarray:
    import cv2

    rng = np.random.default_rng(seed)  # one grey texture in all channels: it survives the grey conversion
    return np.repeat(cv2.GaussianBlur(rng.normal(0, 60, (size, size)).astype(np.float32), (0, 0), 1.0)[..., None],
                     3, axis=2)


def test_texture_crawl_is_high_where_static_texture_re_forms(tmp_path):
    base, f1, f2 = _smooth(), _fine(1), _fine(2)
    rng = np.random.default_rng(3)
    still = _stats(tmp_path, "still.mp4", [_u8(base + f1 + rng.normal(0, 1.5, base.shape)) for _ in range(16)])
    crawl = _stats(tmp_path, "crawl.mp4", [_u8(base + np.cos(0.5 * i) * f1 + np.sin(0.5 * i) * f2)
                                           for i in range(16)])
    assert crawl["crawl"] > max(still["crawl"] + 0.04, 5 * still["crawl"]), (still["crawl"], crawl["crawl"])


def test_structure_drift_is_high_when_still_structure_melts_into_another(tmp_path):
    a = _texture(128, 128, 11).astype(np.float32)
    b = _texture(128, 128, 12).astype(np.float32)
    rng = np.random.default_rng(4)
    still = _stats(tmp_path, "still.mp4", [_u8(a + rng.normal(0, 1.5, a.shape)) for _ in range(16)])
    melt = _stats(tmp_path, "melt.mp4", [_u8((1 - i / 15) * a + (i / 15) * b) for i in range(16)])
    assert melt["structure_drift"] > still["structure_drift"] + 0.05, (still["structure_drift"],
                                                                       melt["structure_drift"])


def _dots(visible: np.ndarray, pos: np.ndarray, i: int, size: int = 128) -> np.ndarray:
    img = np.full((size, size, 3), 60 + i, np.float32)  # a slow fade so no frame repeats the last
    for (y, x), on in zip(pos, visible):
        img[y:y + 4, x:x + 4] = 60 + 160 * on
    return img


def test_keypoints_that_appear_and_vanish_in_view_are_counted(tmp_path):
    rng = np.random.default_rng(6)
    pos = rng.integers(24, 100, (40, 2))
    t_on = rng.integers(0, 16, 40)
    steady = _stats(tmp_path, "steady.mp4", [_u8(_dots(np.ones(40), pos, i)) for i in range(16)])
    # half the dots fade out at random times, the other half fade in: things dissolving in plain view
    blink = _stats(tmp_path, "blink.mp4", [_u8(_dots(np.where(np.arange(40) % 2 == 0, i < t_on, i >= t_on), pos, i))
                                           for i in range(16)])
    assert blink["kp_vanish"] > steady["kp_vanish"] + 0.01, (steady["kp_vanish"], blink["kp_vanish"])
    assert blink["kp_appear"] > steady["kp_appear"] + 0.01, (steady["kp_appear"], blink["kp_appear"])


def test_each_tell_is_a_finding_with_its_time_range_and_v2_version(tmp_path):
    from detectors.temporal import TemporalDetector
    from detectors.temporal.report import TELLS

    fs = _detector().run(Media.open(write(tmp_path / "boil.mp4", boiling_clip())))
    titles = {f.title: f for f in fs}
    for key, (title, _) in TELLS.items():
        f = titles[title]
        assert f.time is not None and f.time[1] > f.time[0] and f.score is None
        assert f.evidence["measurement"] == key and "Strongest in seconds" in f.explanation
    assert int(TemporalDetector.version.split(".")[0]) >= 2


def test_stability_variant_is_an_h264_reencode_at_three_quarters_size():
    from detectors.temporal.reencode import reencode
    from detectors.temporal.report import _stability
    from synthcheck.video import Frame

    clip = pan_clip(16, 128)
    frames = [Frame(i, i / 12, f, window=i // 8) for i, f in enumerate(clip)]
    out = reencode(frames, 12)
    assert [f.window for f in out] == [f.window for f in frames] and out[0].rgb.shape == (96, 96, 3)
    assert not np.array_equal(out[3].rgb, frames[3].rgb[::1][:96, :96])
    ev = _stability(frames, 0.6)  # at a cut: the re-encoded clip is scored and recorded
    assert "h264_0.05bpp+resize_0.75" in ev["rescored"]
    assert _stability(frames, 0.3) == {}  # far from every cut: not re-scored
