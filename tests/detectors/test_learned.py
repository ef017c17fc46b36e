"""The learned detector v2: its statistics, its weights file, and the SHIPPED weights' ordering."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from synthcheck.detector import DetectorContext
from tests.conftest import REPO, natural_image

pytest.importorskip("safetensors")

import detectors.learned as learned
from detectors.learned import LearnedDetector, check_weights, v2
from detectors.learned.calibrate import Calibration
from detectors.learned.features import NAMES, features

SHIPPED = REPO / "weights" / learned.WEIGHTS


def make_weights(tmp: Path, good_hash: bool = True, coef: float = 1.0) -> Path:
    """Throw-away weights in the shipped format: 'lower residual energy = more synthetic'."""
    names = ("residual_energy", "noise_p25")
    model = v2.LinearModel(names, np.zeros(2), np.ones(2), np.array([-coef, -coef]), 0.0)
    path = tmp / learned.WEIGHTS
    v2.save(model, Calibration((-1.0, -0.5, 0.0, 0.5)), path, {"test": True})
    digest = learned.file_sha256(path) if good_hash else "0" * 64
    (tmp / learned.HASH_FILE).write_text(f"{digest}  {learned.WEIGHTS}\n")
    return path


# -- synthetic stand-ins made here: a "too clean" render and a camera-like photo ----------------
def smooth_render(h: int = 384, w: int = 512, seed: int = 0) -> np.ndarray:
    """Smooth shading and soft shapes with no sensor noise, saved losslessly: generator-like."""
    from scipy.ndimage import gaussian_filter

    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    img = np.zeros((h, w, 3))
    for c in range(3):
        img[..., c] = 90 + 60 * np.sin(xx / rng.uniform(60, 140) + c) * np.cos(yy / rng.uniform(60, 140))
    for _ in range(6):
        cy, cx, r = rng.uniform(0, h), rng.uniform(0, w), rng.uniform(20, 80)
        mask = gaussian_filter(((yy - cy) ** 2 + (xx - cx) ** 2 < r * r).astype(float), 1.5)
        img += mask[..., None] * rng.uniform(-60, 60, 3)
    return np.clip(img, 0, 255).astype(np.uint8)


def camera_like(h: int = 384, w: int = 512, seed: int = 0) -> np.ndarray:
    """The same kind of scene through a toy camera: Bayer sampling, shot + read noise,
    bilinear demosaicing, JPEG q90."""
    import io

    from PIL import Image
    from scipy.ndimage import convolve

    rng = np.random.default_rng(100 + seed)
    scene = smooth_render(h, w, seed).astype(np.float64)
    scene = scene + convolve(rng.normal(0, 6, (h, w)), np.ones((3, 3)) / 9)[..., None]  # fine texture
    mosaic = np.zeros((h, w))
    masks = [np.zeros((h, w), bool) for _ in range(3)]
    masks[0][0::2, 0::2] = True
    masks[1][0::2, 1::2] = True
    masks[1][1::2, 0::2] = True
    masks[2][1::2, 1::2] = True
    for c in range(3):
        mosaic[masks[c]] = scene[..., c][masks[c]]
    mosaic = mosaic + rng.normal(0, 1, mosaic.shape) * np.sqrt(0.5 * np.maximum(mosaic, 0) + 4)
    k_rb = np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]]) / 4
    k_g = np.array([[0, 1, 0], [1, 4, 1], [0, 1, 0]]) / 4
    out = np.stack([convolve(mosaic * masks[c], k_g if c == 1 else k_rb) for c in range(3)], -1)
    buf = io.BytesIO()
    Image.fromarray(np.clip(out, 0, 255).astype(np.uint8)).save(buf, "JPEG", quality=90)
    buf.seek(0)
    return np.asarray(Image.open(buf).convert("RGB"))


# -- the shipped weights: CI fails when they are broken, missing or inverted ---------------------
def test_shipped_weights_are_present_and_match_their_hash():
    status = check_weights(REPO / "weights")
    assert status.ok, status.reason
    model, cal, info = v2.load(SHIPPED)
    assert set(model.names) <= set(NAMES) and "blockiness" not in model.names  # format never an input
    assert len(model.coef) == len(model.names) and np.all(np.isfinite(model.coef))
    assert list(cal.anchors) == sorted(cal.anchors)


def test_shipped_weights_rank_clean_renders_above_camera_like_photos():
    det = LearnedDetector(DetectorContext(weights_dir=REPO / "weights"))
    det.load()
    clean = [smooth_render(seed=s) for s in range(4)]
    camera = [camera_like(seed=s) for s in range(4)]
    s_clean = [float(r) for r in det.raw_scores(clean)[1]]
    s_cam = [float(r) for r in det.raw_scores(camera)[1]]
    assert min(s_clean) > max(s_cam), (s_clean, s_cam)  # every pair in the right order
    assert det.calibration(float(np.mean(s_clean))) > det.calibration(float(np.mean(s_cam)))


def test_shipped_calibration_is_read_on_unseen_sources():
    """The raw score that reaches 0.9 (0.6) is at or above the recorded 99th (95th) percentile of
    the leave-one-source-out real-photo scores, so at most 1% (5%) of those photos reach it."""
    _, cal, info = v2.load(SHIPPED)
    basis = info["calibration_basis"]
    assert basis["method"].startswith("leave-one-source-out") and basis["max_false_likely_per_source"] <= 0.03
    q = {float(k): v for k, v in basis["pooled_quantiles"].items()}
    assert cal.anchors[-1] >= q[0.99] and cal.anchors[-2] >= q[0.95]
    assert cal(q[0.99]) <= 0.9 + 1e-9 and cal(q[0.95]) <= 0.6 + 1e-9
    assert cal(cal.anchors[-1] - 1e-3) < 0.9 <= cal(cal.anchors[-1])  # 0.9 begins exactly at the anchor
    assert all(b > a for a, b in zip(cal.anchors, cal.anchors[1:]))
    for a, t in zip(cal.anchors, (0.1, 0.3, 0.6, 0.9)):
        assert cal(a) == pytest.approx(t, abs=1e-6)
    grid = np.linspace(cal.anchors[0] - 5, cal.anchors[-1] + 5, 2001)
    mapped = np.array([cal(float(r)) for r in grid])
    assert np.all(np.diff(mapped) >= 0) and mapped.min() >= 0 and mapped.max() <= 1


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


def test_loading_and_running_never_imports_torch(tmp_path):
    make_weights(tmp_path)
    code = ("import sys, numpy as np; from detectors.learned import LearnedDetector; "
            "from synthcheck.detector import DetectorContext; from pathlib import Path; "
            f"d = LearnedDetector(DetectorContext(weights_dir=Path({str(tmp_path)!r}))); d.load(); "
            "d.raw_scores([np.zeros((80, 90, 3), np.uint8)]); sys.exit(1 if 'torch' in sys.modules else 0)")
    assert subprocess.run([sys.executable, "-c", code], cwd=REPO).returncode == 0


def test_features_are_finite_deterministic_and_size_robust():
    img = natural_image(300, 260)
    f = features(img)
    assert f.shape == (len(NAMES),) and np.all(np.isfinite(f))
    assert np.array_equal(f, features(img.copy()))
    for h, w in ((40, 50), (1, 1), (64, 2000)):  # tiny and strip-shaped images still give a finite row
        assert np.all(np.isfinite(features(natural_image(w, h) if h > 1 else np.zeros((1, 1, 3), np.uint8))))


def test_noise_statistics_see_added_noise():
    clean = smooth_render()
    noisy = np.clip(clean + np.random.default_rng(0).normal(0, 4, clean.shape), 0, 255).astype(np.uint8)
    fc, fn = features(clean), features(noisy)
    for name in ("noise_p05", "noise_flat", "residual_energy"):
        i = NAMES.index(name)
        assert fn[i] > fc[i] + 0.5, name
    assert fc[NAMES.index("zero_residual")] > fn[NAMES.index("zero_residual")]


def test_save_load_round_trip_and_batch_equals_single(tmp_path):
    make_weights(tmp_path)
    model, cal, info = v2.load(tmp_path / learned.WEIGHTS)
    assert info == {"test": True} and cal.anchors == (-1.0, -0.5, 0.0, 0.5)
    imgs = [natural_image(150, 130, seed=s) for s in range(3)]
    _, batched = v2.score_images(model, imgs)
    for img, b in zip(imgs, batched):
        assert v2.score_images(model, [img])[1][0] == pytest.approx(b)


def loaded_with_photo(tmp_path):
    from PIL import Image

    from synthcheck.media import Media

    make_weights(tmp_path)
    img = tmp_path / "photo.png"
    Image.fromarray(natural_image(200, 160)).save(img)
    det = LearnedDetector(DetectorContext(weights_dir=tmp_path))
    det.load()
    return det, Media.open(img)


def test_run_returns_one_signal_finding(tmp_path):
    det, media = loaded_with_photo(tmp_path)
    findings = det.run(media)
    assert len(findings) == 1
    f = findings[0]
    assert f.detector == "learned" and f.kind.value == "signal" and f.detector_version == "2.1.0"
    assert 0.0 <= f.score <= 1.0
    assert f.evidence["frames_used"] == 1 and "raw_logit" in f.evidence
    assert {s["name"] for s in f.evidence["top_statistics"]} == {"residual_energy", "noise_p25"}
    assert "authentic" not in f.explanation.lower()


def test_run_flags_a_score_that_flips_class_after_reencode(tmp_path, monkeypatch):
    det, media = loaded_with_photo(tmp_path)
    calls = []

    def fake_raw(images):
        calls.append(len(images))
        return np.zeros((len(images), len(NAMES))), np.zeros(len(images))

    monkeypatch.setattr(det, "raw_scores", fake_raw)
    monkeypatch.setattr(det, "calibration", lambda raw: 0.93 if len(calls) == 1 else 0.85)
    f = det.run(media)[0]
    assert f.evidence["unstable"] is True and "0.93 -> 0.85" in f.evidence["unstable_reason"]
    assert len(calls) == 4  # the original plus three perturbed copies


def test_run_skips_the_stability_check_far_from_cut_points(tmp_path, monkeypatch):
    det, media = loaded_with_photo(tmp_path)
    monkeypatch.setattr(det, "calibration", lambda raw: 0.2)
    f = det.run(media)[0]
    assert "unstable" not in f.evidence and "rescored" not in f.evidence
    assert f.strength.value == "info" and f.score == pytest.approx(0.2)


def test_calibration_is_monotone_and_hits_its_anchors():
    cal = Calibration.fit(np.random.default_rng(0).normal(size=500))
    xs = np.linspace(-6, 6, 400)
    ys = [cal(x) for x in xs]
    assert all(0.0 <= y <= 1.0 for y in ys) and np.all(np.diff(ys) >= 0)
    assert cal(cal.anchors[-1]) == pytest.approx(0.9) and cal(cal.anchors[2]) == pytest.approx(0.6)


# -- the retired v1 patch CNN, still the baseline of bench/logo.py --------------------------------
def test_v1_batch_inference_equals_single():
    torch = pytest.importorskip("torch")
    pytest.importorskip("timm")
    from detectors.learned.infer import score_images
    from detectors.learned.model import PatchNet

    torch.manual_seed(1)
    net = PatchNet().eval()
    imgs = [natural_image(150, 130, seed=s) for s in range(3)] + [natural_image(40, 50, seed=9)]
    batched = score_images(net, imgs)
    for img, b in zip(imgs, batched):
        single = score_images(net, [img])[0]
        assert single.boxes == b.boxes and single.raw == pytest.approx(b.raw, abs=1e-4)


def test_taef2_builds_and_round_trips_shape(shared_data):
    torch = pytest.importorskip("torch")
    from detectors.learned.taef2 import load_taef2

    model = load_taef2(shared_data / "models" / "taef2")
    x = torch.rand(1, 3, 64, 96)
    assert model.encoder(x).shape == (1, 32, 8, 12)
    assert model.round_trip(x).shape == x.shape
