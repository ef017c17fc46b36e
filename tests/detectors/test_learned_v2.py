"""The retired learned v2 (noise statistics; bench/logo.py's baseline): statistics, model file, v1 and taef2."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.conftest import REPO, natural_image

pytest.importorskip("safetensors")

from detectors.learned import v2
from detectors.learned.calibrate import Calibration
from detectors.learned.features import NAMES, features
from tests.detectors.learned_scenes import smooth_render


def make_weights(tmp: Path, coef: float = 1.0) -> Path:
    """Throw-away v2 weights: 'lower residual energy = more synthetic'."""
    names = ("residual_energy", "noise_p25")
    model = v2.LinearModel(names, np.zeros(2), np.ones(2), np.array([-coef, -coef]), 0.0)
    path = tmp / v2.WEIGHTS
    v2.save(model, Calibration((-1.0, -0.5, 0.0, 0.5)), path, {"test": True})
    return path


def test_shipped_v2_baseline_weights_still_load():
    model, cal, _ = v2.load(REPO / "weights" / v2.WEIGHTS)
    assert set(model.names) <= set(NAMES) and "blockiness" not in model.names  # format never an input
    assert np.all(np.isfinite(model.coef)) and list(cal.anchors) == sorted(cal.anchors)


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
    model, cal, info = v2.load(tmp_path / v2.WEIGHTS)
    assert info == {"test": True} and cal.anchors == (-1.0, -0.5, 0.0, 0.5)
    imgs = [natural_image(150, 130, seed=s) for s in range(3)]
    _, batched = v2.score_images(model, imgs)
    for img, b in zip(imgs, batched):
        assert v2.score_images(model, [img])[1][0] == pytest.approx(b)


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
