"""The learned detector v3 (patch CNN): its SHIPPED weights, its file format, its findings."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
import pytest

from synthcheck.detector import DetectorContext
from tests.conftest import REPO, natural_image

pytest.importorskip("safetensors")
torch = pytest.importorskip("torch")
pytest.importorskip("timm")

import detectors.learned as learned  # noqa: E402
from detectors.learned import LearnedDetector, check_weights, v3  # noqa: E402
from detectors.learned import coherence as learned_coherence  # noqa: E402
from detectors.learned.calibrate import Calibration  # noqa: E402
from tests.detectors.learned_scenes import camera_like, smooth_render  # noqa: E402

SHIPPED = REPO / "weights" / learned.WEIGHTS


def make_weights(tmp: Path, good_hash: bool = True) -> Path:
    """Throw-away weights in the shipped format: a seeded, untrained PatchNet."""
    torch.manual_seed(0)
    path = tmp / learned.WEIGHTS
    v3.save(v3.build().eval(), Calibration((-1.0, -0.5, 0.0, 0.5)), path, {"test": True})
    digest = learned.file_sha256(path) if good_hash else "0" * 64
    (tmp / learned.HASH_FILE).write_text(f"{digest}  {learned.WEIGHTS}\n")
    return path


# -- the shipped weights: CI fails when they are broken, missing or inverted ---------------------
def test_shipped_weights_are_present_safetensors_and_match_their_hash():
    status = check_weights(REPO / "weights")
    assert status.ok, status.reason
    raw = SHIPPED.read_bytes()
    header = json.loads(raw[8:8 + struct.unpack("<Q", raw[:8])[0]])  # safetensors: no pickle anywhere
    assert "__metadata__" in header and "calibration" in header["__metadata__"]
    model, cal, info = v3.load(SHIPPED)
    assert all(torch.isfinite(p).all() for p in model.state_dict().values() if p.is_floating_point())
    assert list(cal.anchors) == sorted(cal.anchors) and info["epochs"] >= 1


def test_shipped_weights_rank_clean_renders_above_camera_like_photos():
    det = LearnedDetector(DetectorContext(weights_dir=REPO / "weights"))
    det.load()
    clean = [smooth_render(seed=s) for s in range(4)]
    camera = [camera_like(seed=s) for s in range(4)]
    s_clean = [s.raw for s in det.raw_scores(clean)]
    s_cam = [s.raw for s in det.raw_scores(camera)]
    assert min(s_clean) > max(s_cam), (s_clean, s_cam)  # every pair in the right order
    assert det.calibration(float(np.mean(s_clean))) > det.calibration(float(np.mean(s_cam)))


def test_shipped_calibration_is_read_on_unseen_sources():
    """The raw score that reaches 0.9 (0.6) is at or above the recorded 99th (95th) percentile of
    the leave-one-source-out real-photo scores, so at most 1% (5%) of those photos reach it."""
    _, cal, info = v3.load(SHIPPED)
    basis = info["calibration_basis"]
    assert basis["method"].startswith("leave-one-source-out") and basis["max_false_likely_per_source"] <= 0.03
    q = {float(k): v for k, v in basis["pooled_quantiles"].items()}
    assert cal.anchors[-1] >= q[0.99] and cal.anchors[-2] >= q[0.95]
    assert cal(cal.anchors[-1] - 1e-3) < 0.9 <= cal(cal.anchors[-1])
    for a, t in zip(cal.anchors, (0.1, 0.3, 0.6, 0.9)):
        assert cal(a) == pytest.approx(t, abs=1e-6)


# -- behaviour on throw-away weights --------------------------------------------------------------
def test_availability_false_without_weights_or_with_wrong_hash(tmp_path, monkeypatch):
    assert not check_weights(tmp_path).ok
    monkeypatch.setattr(learned, "default_weights_dir", lambda: tmp_path)
    assert not LearnedDetector.availability().ok
    make_weights(tmp_path, good_hash=False)
    status = LearnedDetector.availability()
    assert not status.ok and "sha256" in status.reason
    make_weights(tmp_path, good_hash=True)
    assert LearnedDetector.availability().ok


def test_load_refuses_weights_with_wrong_hash(tmp_path):
    path = make_weights(tmp_path)
    with open(path, "ab") as fh:  # tamper after the hash was recorded
        fh.write(b"\0")
    with pytest.raises(RuntimeError, match="sha256"):
        LearnedDetector(DetectorContext(weights_dir=tmp_path)).load()


def test_grid_covers_the_image_and_small_images_are_enlarged():
    patches, boxes = v3.grid_patches(natural_image(640, 480))
    assert patches.shape == (v3.N_PATCHES, 64, 64, 3) and len(boxes) == v3.N_PATCHES
    xs, ys = [b[0] for b in boxes], [b[1] for b in boxes]
    assert min(xs) == 0 and min(ys) == 0 and max(xs) == 640 - 64 and max(ys) > 480 / 2
    small, sboxes = v3.grid_patches(natural_image(40, 30))
    assert small.shape[1:] == (64, 64, 3) and all(x + w <= 40 and y + h <= 30 for x, y, w, h in sboxes)


def test_save_load_round_trip_and_batch_equals_single(tmp_path):
    make_weights(tmp_path)
    model, cal, info = v3.load(tmp_path / learned.WEIGHTS)
    assert info == {"test": True} and cal.anchors == (-1.0, -0.5, 0.0, 0.5)
    imgs = [natural_image(150, 130, seed=s) for s in range(3)] + [natural_image(40, 50, seed=9)]
    batched = v3.score_images(model, imgs)
    for img, b in zip(imgs, batched):
        single = v3.score_images(model, [img])[0]
        assert single.boxes == b.boxes and single.raw == pytest.approx(b.raw, abs=1e-4)


@pytest.fixture
def cnn_only(monkeypatch):
    """These tests are about the CNN's part of the score: the coherence statistic judges nothing
    (``natural_image``'s noise is independent per channel, which coherence would flag)."""
    monkeypatch.setattr(learned_coherence, "measure", lambda images: None)


def loaded_with_photo(tmp_path):
    from PIL import Image

    from synthcheck.media import Media

    make_weights(tmp_path)
    img = tmp_path / "photo.png"
    Image.fromarray(natural_image(200, 160)).save(img)
    det = LearnedDetector(DetectorContext(weights_dir=tmp_path))
    det.load()
    return det, Media.open(img)


def test_run_returns_one_signal_finding_with_its_patch_region(tmp_path, cnn_only):
    det, media = loaded_with_photo(tmp_path)
    findings = det.run(media)
    assert len(findings) == 1
    f = findings[0]
    assert f.detector == "learned" and f.kind.value == "signal" and f.detector_version == "3.2.0"
    assert 0.0 <= f.score <= 1.0
    assert f.evidence["frames_used"] == 1 and f.evidence["patches"] == v3.N_PATCHES
    top = f.evidence["most_generator_like_patches"]
    assert len(top) == 3 and top[0]["logit"] >= top[1]["logit"] >= top[2]["logit"]
    assert f.region == tuple(top[0]["box"])
    assert f.evidence["raw_logit"] == pytest.approx(det.raw_scores([media.rgb])[0].raw, abs=1e-3)
    assert "authentic" not in f.explanation.lower()


def test_run_flags_a_score_that_flips_class_after_reencode(tmp_path, monkeypatch, cnn_only):
    det, media = loaded_with_photo(tmp_path)
    calls = []
    real = det.raw_scores

    def counted(images):
        calls.append(len(images))
        return real(images)

    monkeypatch.setattr(det, "raw_scores", counted)
    monkeypatch.setattr(det, "calibration", lambda raw: 0.93 if len(calls) == 1 else 0.85)
    f = det.run(media)[0]
    assert f.evidence["unstable"] is True and "0.93 -> 0.85" in f.evidence["unstable_reason"]
    assert len(calls) == 4  # the original plus three perturbed copies


def test_run_skips_the_stability_check_far_from_cut_points(tmp_path, monkeypatch, cnn_only):
    det, media = loaded_with_photo(tmp_path)
    monkeypatch.setattr(det, "calibration", lambda raw: 0.2)
    f = det.run(media)[0]
    assert "unstable" not in f.evidence and "rescored" not in f.evidence
    assert f.strength.value == "info" and f.score == pytest.approx(0.2)
