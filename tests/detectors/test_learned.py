"""Behaviour of the learned detector with throw-away weights made here (never the shipped ones)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from synthcheck.detector import DetectorContext
from tests.conftest import REPO, natural_image

torch = pytest.importorskip("torch")
pytest.importorskip("timm")
pytest.importorskip("safetensors")

import detectors.learned as learned  # noqa: E402
from detectors.learned import LearnedDetector, check_weights  # noqa: E402
from detectors.learned.calibrate import Calibration  # noqa: E402


def make_weights(tmp: Path, good_hash: bool = True) -> Path:
    """A random-init PatchNet saved like train.py saves it, with calibration metadata."""
    from safetensors.torch import save_file

    from detectors.learned.model import PatchNet

    torch.manual_seed(0)
    net = PatchNet().eval()
    cal = Calibration((-1.0, -0.5, 0.0, 0.5))
    path = tmp / learned.WEIGHTS
    save_file(net.state_dict(), str(path), metadata={"calibration": json.dumps(cal.to_dict())})
    digest = learned.file_sha256(path) if good_hash else "0" * 64
    (tmp / learned.HASH_FILE).write_text(f"{digest}  {learned.WEIGHTS}\n")
    return path


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


def test_availability_does_not_import_torch():
    code = ("import sys; from detectors.learned import LearnedDetector; LearnedDetector.availability(); "
            "sys.exit(1 if 'torch' in sys.modules else 0)")
    assert subprocess.run([sys.executable, "-c", code], cwd=REPO).returncode == 0


def test_run_returns_one_signal_finding(tmp_path):
    from PIL import Image

    from synthcheck.media import Media

    wdir = tmp_path / "w"
    wdir.mkdir()
    make_weights(wdir)
    img = tmp_path / "photo.png"
    Image.fromarray(natural_image(200, 160)).save(img)
    det = LearnedDetector(DetectorContext(weights_dir=wdir))
    det.load()
    findings = det.run(Media.open(img))
    assert len(findings) == 1
    f = findings[0]
    assert f.detector == "learned" and f.kind.value == "signal"
    assert 0.0 <= f.score <= 1.0
    assert f.evidence["patches_used"] > 0 and "raw_logit" in f.evidence
    x, y, w, h = f.region
    assert 0 <= x and 0 <= y and x + w <= 200 and y + h <= 160
    assert "authentic" not in f.explanation.lower()


def test_batch_inference_equals_single(tmp_path):
    from detectors.learned.infer import score_images
    from detectors.learned.model import PatchNet

    torch.manual_seed(1)
    net = PatchNet().eval()
    imgs = [natural_image(150, 130, seed=s) for s in range(3)] + [natural_image(40, 50, seed=9)]
    batched = score_images(net, imgs)
    for img, b in zip(imgs, batched):
        single = score_images(net, [img])[0]
        assert single.boxes == b.boxes
        assert single.raw == pytest.approx(b.raw, abs=1e-4)


def test_calibration_is_monotone_and_hits_its_anchors():
    cal = Calibration.fit(np.random.default_rng(0).normal(size=500))
    xs = np.linspace(-6, 6, 400)
    ys = [cal(x) for x in xs]
    assert all(0.0 <= y <= 1.0 for y in ys) and np.all(np.diff(ys) >= 0)
    assert cal(cal.anchors[-1]) == pytest.approx(0.9) and cal(cal.anchors[2]) == pytest.approx(0.6)


def loaded_with_photo(tmp_path):
    """A detector on throw-away weights, and a small photo-like PNG opened as media."""
    from PIL import Image

    from synthcheck.media import Media

    make_weights(tmp_path)
    img = tmp_path / "photo.png"
    Image.fromarray(natural_image(128, 128)).save(img)
    det = LearnedDetector(DetectorContext(weights_dir=tmp_path))
    det.load()
    return det, Media.open(img)


def test_run_flags_a_score_that_flips_class_after_reencode(tmp_path, monkeypatch):
    from detectors.learned.infer import ImageScore

    det, media = loaded_with_photo(tmp_path)
    calls = []

    def fake_score(images):  # the original scores 0.93 (strong); every perturbed copy 0.85
        calls.append(len(images))
        return [(0.93 if len(calls) == 1 else 0.85, ImageScore(0.0, [0.1], [(0, 0, 64, 64)])) for _ in images]

    monkeypatch.setattr(det, "score", fake_score)
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


def test_taef2_builds_and_round_trips_shape(shared_data):
    from detectors.learned.taef2 import load_taef2

    model = load_taef2(shared_data / "models" / "taef2")
    x = torch.rand(1, 3, 64, 96)
    assert model.encoder(x).shape == (1, 32, 8, 12)
    assert model.round_trip(x).shape == x.shape
