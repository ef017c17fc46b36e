"""Watermark detector: known dwtDct messages found after PNG and JPEG 90, clean images left alone."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from detectors.watermark import NO_WATERMARK, WatermarkDetector, dwtdct
from detectors.watermark.messages import KNOWN_MESSAGES, SDXL_BITS
from synthcheck.detector import DetectorContext
from synthcheck.media import Media
from synthcheck.model import Claim, Kind, Strength

REPO = Path(__file__).resolve().parents[2]


def colour_photo(side: int = 512, seed: int = 0) -> np.ndarray:
    """Colour 1/f fields plus mild noise: smooth structure in luma and chroma, like a photo."""
    rng = np.random.default_rng(seed)
    f = np.fft.fftfreq(side)
    amp = 1 / np.maximum(np.hypot(f[:, None], f[None, :]), 1 / side)
    chans = []
    for _ in range(3):
        field = np.real(np.fft.ifft2(amp * np.exp(2j * np.pi * rng.random((side, side)))))
        chans.append((field - field.mean()) / field.std())
    base = chans[0] * 35 + 120
    rgb = np.stack([base + 20 * chans[1], base, base + 20 * chans[2]], -1)
    return np.clip(rgb + rng.normal(0, 2, rgb.shape), 0, 255).astype(np.uint8)


def embed_float(rgb: np.ndarray, bits) -> np.ndarray:
    """As diffusers' StableDiffusionXLWatermarker: float BGR in [0, 255], encode, round back."""
    from imwatermark import WatermarkEncoder

    enc = WatermarkEncoder()
    enc.set_watermark("bits", list(bits))
    out = enc.encode(np.ascontiguousarray(rgb[:, :, ::-1], dtype=np.float32), "dwtDct")
    return np.clip(np.round(out[:, :, ::-1]), 0, 255).astype(np.uint8)


def embed_uint8_bytes(rgb: np.ndarray, data: bytes) -> np.ndarray:
    """As the SD 1.x reference script's put_watermark: uint8 BGR from the PIL image."""
    from imwatermark import WatermarkEncoder

    enc = WatermarkEncoder()
    enc.set_watermark("bytes", data)
    return np.ascontiguousarray(enc.encode(np.ascontiguousarray(rgb[:, :, ::-1]), "dwtDct")[:, :, ::-1])


def save(tmp_path: Path, rgb: np.ndarray, name: str, **kw) -> Path:
    path = tmp_path / name
    Image.fromarray(rgb).save(path, **kw)
    return path


def scan(path: Path, rivagan: bool = False):
    det = WatermarkDetector(DetectorContext(options={"watermark.rivagan": rivagan}))
    det.load()
    return det.run(Media.open(path))


def decisive(findings, key: str):
    return [f for f in findings if f.strength is Strength.DECISIVE and f.evidence.get("message") == key]


@pytest.fixture(scope="module")
def photo() -> np.ndarray:
    return colour_photo()


@pytest.mark.parametrize("fmt", ["png", "jpeg90"])
def test_sdxl_mark_is_decisive(tmp_path, photo, fmt):
    marked = embed_float(photo, SDXL_BITS)
    path = (save(tmp_path, marked, "x.png") if fmt == "png"
            else save(tmp_path, marked, "x.jpg", quality=90))
    findings = scan(path)
    hits = decisive(findings, "bits:sdxl")
    assert len(hits) == 1, [f.explanation for f in findings]
    f = hits[0]
    assert f.kind is Kind.PROVENANCE and f.claim is Claim.AI_GENERATED
    assert f.evidence["source"] == "watermark" and f.evidence["p_family"] <= dwtdct.P_DECISIVE
    if fmt == "png":
        assert f.evidence["matching_bits"] >= 44 and f.evidence["decoded"] == "0xB3EC907BB19E"
    # no other message is claimed on the strength of the SDXL mark
    assert all(g.evidence.get("message") in (None, "bits:sdxl") for g in findings)


@pytest.mark.parametrize("fmt", ["png", "jpeg90"])
def test_sd1_bytes_mark_is_decisive(tmp_path, photo, fmt):
    marked = embed_uint8_bytes(photo, b"StableDiffusionV1")
    path = (save(tmp_path, marked, "x.png") if fmt == "png"
            else save(tmp_path, marked, "x.jpg", quality=90))
    hits = decisive(scan(path), "bytes:StableDiffusionV1")
    assert len(hits) == 1
    if fmt == "png":
        assert hits[0].evidence["decoded"] == "StableDiffusionV1"


@pytest.mark.parametrize("seed", [1, 2])
def test_clean_image_is_not_decisive(tmp_path, seed):
    findings = scan(save(tmp_path, colour_photo(seed=seed), "clean.png"))
    assert not [f for f in findings if f.strength.rank >= Strength.MODERATE.rank]
    info = [f for f in findings if f.title == "no known watermark"]
    assert len(info) == 1 and info[0].explanation.lower().startswith(NO_WATERMARK)
    table = info[0].evidence["all_messages"]
    assert {row["message"] for row in table} == {m.key for m in KNOWN_MESSAGES}
    assert all(0.0 <= row["p_family"] <= 1.0 for row in table)


def test_small_image_is_not_checked(tmp_path):
    findings = scan(save(tmp_path, colour_photo(side=512)[:200, :300], "small.png"))
    assert len(findings) == 1
    assert findings[0].strength is Strength.INFO and findings[0].evidence["checked"] is False
    assert "not checked" in findings[0].explanation


def test_package_decoder_and_torch_are_not_used(tmp_path, photo):
    """The detector must not lean on imwatermark's decoder (nor import torch through it)."""
    path = save(tmp_path, embed_float(photo, SDXL_BITS), "x.png")
    code = (
        "import sys\n"
        "from detectors.watermark import WatermarkDetector\n"
        "WatermarkDetector.availability()\n"
        "light = not any(m in sys.modules for m in ('cv2', 'torch', 'pywt', 'imwatermark'))\n"
        "from synthcheck.detector import DetectorContext\n"
        "from synthcheck.media import Media\n"
        f"fs = WatermarkDetector(DetectorContext()).run(Media.open({str(path)!r}))\n"
        "print(light, 'imwatermark' in sys.modules, 'torch' in sys.modules,\n"
        "      any(f.strength.value == 'decisive' for f in fs))\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["True", "False", "False", "True"]


def test_rivagan_payload_reported_without_generator_claim(tmp_path, photo):
    from detectors.watermark import rivagan

    if rivagan.available():
        pytest.skip(rivagan.available())
    from imwatermark import WatermarkEncoder

    bits = [1, 0, 1, 1, 0, 0, 1, 0] * 4
    enc = WatermarkEncoder()
    enc.set_watermark("bits", bits)
    WatermarkEncoder.loadModel()
    marked = enc.encode(np.ascontiguousarray(photo[:256, :256, ::-1]), "rivaGan")[:, :, ::-1]
    findings = scan(save(tmp_path, np.ascontiguousarray(marked), "riva.png"), rivagan=True)
    riva = [f for f in findings if f.evidence.get("method") == "rivaGan"]
    assert len(riva) == 1 and riva[0].title == "RivaGAN watermark"
    got = riva[0].evidence["bits"]
    assert sum(a == str(b) for a, b in zip(got, bits)) >= 30
    assert riva[0].claim is None and riva[0].strength is Strength.INFO
    assert "no generator identity" in riva[0].explanation
    clean = [f for f in scan(save(tmp_path, photo, "c.png"), rivagan=True)
             if f.evidence.get("method") == "rivaGan"]
    assert clean[0].title == "no RivaGAN watermark"


def test_null_p_value_is_the_calibrated_rayleigh_tail():
    assert dwtdct.null_p_value(0.0) == 1.0
    r6 = dwtdct.NULL_SCALE * math.sqrt(2 * math.log(1e6))
    assert dwtdct.null_p_value(r6) == pytest.approx(1e-6, rel=1e-9)
    rs = np.linspace(0, 10, 50)
    ps = [dwtdct.null_p_value(r) for r in rs]
    assert all(a > b for a, b in zip(ps, ps[1:]))


def test_statistic_on_random_residues_follows_the_null():
    """Uniform residues (no mark): R^2 / 2 averages 1 and the decisive threshold is not reached."""
    rng = np.random.default_rng(0)
    rs = np.array([dwtdct.match_statistic(np.exp(2j * np.pi * rng.random(4096)), SDXL_BITS).r
                   for _ in range(600)])
    assert np.mean(rs**2) / 2 == pytest.approx(1.0, abs=0.15)
    assert rs.max() < dwtdct.NULL_SCALE * math.sqrt(2 * math.log(16 / dwtdct.P_DECISIVE))
    # a grey image (every block identical) gives no evidence at all
    assert dwtdct.match_statistic(np.full(4096, np.exp(0.3j)), SDXL_BITS).r < 1e-3
