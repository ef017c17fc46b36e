"""Channel coherence (the second statistic of learned since 3.1.0): the statistic, its shipped calibration,
and how the detector reports it.  Images are made here: camera-like ones share their fine
residual across channels, noise-like ones do not."""

from __future__ import annotations

import numpy as np
import pytest

from detectors.learned import VIDEO_ADVISORY, coherence
from synthcheck.fusion import fuse
from synthcheck.model import Label, Strength
from tests.detectors.learned_scenes import camera_like, smooth_render


def colour_noise(size: int = 256, sigma: float = 25.0, seed: int = 0) -> np.ndarray:
    """A faint blob under strong noise drawn independently per channel (a run stopped early)."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[:size, :size] / size
    blob = 110 + 60 * np.exp(-((xx - 0.5) ** 2 + (yy - 0.4) ** 2) * 8)
    base = np.stack([blob, blob * 0.8, blob * 0.6], -1)
    return np.clip(base + rng.normal(0, sigma, base.shape), 0, 255).astype(np.uint8)


def grey_noise(size: int = 256, sigma: float = 25.0, seed: int = 0) -> np.ndarray:
    """The same noise in all three channels: perfectly coherent."""
    rng = np.random.default_rng(seed)
    n = rng.normal(0, sigma, (size, size, 1))
    return np.clip(np.full((size, size, 3), 120.0) + n, 0, 255).astype(np.uint8)


def patches_of(rgb: np.ndarray) -> np.ndarray:
    from detectors.learned.v3 import grid_patches

    return grid_patches(rgb)[0]


def test_independent_channel_noise_has_coherence_near_zero_and_shared_noise_near_one():
    assert abs(coherence.image_coherence(patches_of(colour_noise()))) < 0.15
    assert coherence.image_coherence(patches_of(grey_noise())) > 0.99


def test_flat_patches_are_not_judged():
    flat = np.full((256, 256, 3), 128, np.uint8)
    flat[..., 0] += np.random.default_rng(0).integers(0, 2, (256, 256)).astype(np.uint8)  # rounding-level
    cor, sd = coherence.patch_coherence(patches_of(flat))
    assert (sd < coherence.MIN_STD).all()
    assert coherence.image_coherence(patches_of(flat)) is None
    assert coherence.measure([flat]) is None


def test_shipped_calibration_puts_colour_noise_at_likely_and_camera_like_photos_below_moderate():
    assert list(coherence.ANCHORS) == sorted(coherence.ANCHORS) and coherence.BASIS["n_scores"] > 1000
    noisy = coherence.measure([colour_noise()])
    assert coherence.score_of(noisy["coherence"]) >= 0.9
    for seed in range(3):
        cam = coherence.measure([camera_like(seed=seed)])
        assert cam is not None and coherence.score_of(cam["coherence"]) < 0.6, cam  # never moderate


def test_measure_points_at_the_least_coherent_patch():
    img = grey_noise(256)
    img[:64, :64] = colour_noise(64, seed=3)  # the top-left grid patch alone is incoherent
    m = coherence.measure([img])
    assert m["box"][:2] == [0, 0] and m["least_coherent_patch"] < 0.3 and m["coherence"] > 0.9


@pytest.fixture
def detector():
    pytest.importorskip("torch")
    pytest.importorskip("safetensors")
    from detectors.learned import LearnedDetector
    from synthcheck.detector import DetectorContext
    from tests.conftest import REPO

    det = LearnedDetector(DetectorContext(weights_dir=REPO / "weights"))
    det.load()
    return det


def scan(det, rgb, tmp_path):
    from PIL import Image

    from synthcheck.media import Media

    path = tmp_path / "x.png"
    Image.fromarray(rgb).save(path)
    return det.run(Media.open(path))[0]


def test_detector_reports_coherence_as_the_driver_on_colour_noise(detector, tmp_path):
    f = scan(detector, colour_noise(), tmp_path)
    assert f.evidence["driver"] == "coherence" and f.score >= 0.9 and f.strength.value == "strong"
    c = f.evidence["channel_coherence"]
    assert f.score == pytest.approx(c["score"], abs=1e-3) and c["score"] > f.evidence["cnn_score"]
    assert f.region == tuple(c["box"]) and "correlation" in f.explanation


def test_detector_keeps_the_cnn_as_the_driver_on_a_coherent_picture(detector, tmp_path):
    f = scan(detector, smooth_render(seed=0), tmp_path)
    assert f.evidence["driver"] == "cnn" and f.score == pytest.approx(f.evidence["cnn_score"], abs=1e-3)
    c = f.evidence["channel_coherence"]  # a noise-free render has no patch textured enough to judge
    assert c is None or c["score"] <= f.evidence["cnn_score"]
    assert "CNN" in f.explanation



def test_the_score_is_the_higher_of_the_two_and_a_low_one_says_both(detector, tmp_path, monkeypatch):
    monkeypatch.setattr(detector, "calibration", lambda raw: 0.1)
    monkeypatch.setattr(coherence, "score_of", lambda c: 0.2)
    f = scan(detector, colour_noise(), tmp_path)
    assert f.score == pytest.approx(0.2) and f.evidence["driver"] == "coherence"
    assert f.explanation.startswith("Low:") and "0.10" in f.explanation and "0.20" in f.explanation
    monkeypatch.setattr(coherence, "score_of", lambda c: 0.05)
    f = scan(detector, colour_noise(), tmp_path)
    assert f.score == pytest.approx(0.1) and f.evidence["driver"] == "cnn"


def test_video_frames_get_the_cnn_alone(detector, tmp_path):
    """The coherence is calibrated on still photos only; a clip's score is the CNN's."""
    av = pytest.importorskip("av")
    from synthcheck.media import Media

    path = tmp_path / "clip.mp4"
    with av.open(str(path), "w") as out:
        stream = out.add_stream("mpeg4", rate=5)
        stream.width, stream.height = 256, 256
        for i in range(6):
            for packet in stream.encode(av.VideoFrame.from_ndarray(colour_noise(seed=i), format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    f = detector.run(Media.open(path))[0]
    assert f.evidence["channel_coherence"] is None and f.evidence["driver"] == "cnn"
    # since 3.2.0 a clip's finding is context only: shown, capped at weak, never counted, not re-scored
    assert f.evidence["advisory"] == VIDEO_ADVISORY and "Context only" in f.explanation
    assert "no patch with fine texture" not in f.explanation  # not measured on video by design
    assert f.strength.rank <= Strength.WEAK.rank and "rescored" not in f.evidence
    assert fuse([f], [], fatal=False).label is Label.NO_EVIDENCE
    assert f.score == pytest.approx(f.evidence["cnn_score"], abs=1e-3) and f.region is None
    frame = colour_noise(seed=0)  # the same picture as a still: the coherence speaks
    assert detector.image_score([frame]) >= 0.9 and detector.image_score([frame]) > detector.video_score([frame])
