"""End to end: a corpus of small files the test makes, scanned through the CLI, with expected verdicts.

Covers provenance apart from signals, a contradiction between sources, tampering, a decoded
watermark, typed errors, and schema-valid JSON output for all of it.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from PIL import Image, PngImagePlugin
from typer.testing import CliRunner

from samples.make_samples import xmp_packet
from synthcheck.cli import app

from ..conftest import natural_image
from ..detectors.c2pa_fixtures import flip_scan_byte, make_pki, manifest, sign
from ..detectors.test_watermark import colour_photo, embed_float

SDXL_BITS = [int(b) for b in "101100111110110010010000011110111011000110011110"]
SCHEMA = Path(__file__).resolve().parents[2] / "synthcheck" / "schema" / "result.schema.json"


def jpeg(seed: int = 0, side: int = 320, **kw) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(natural_image(side, side, seed)).save(buf, "JPEG", quality=92, **kw)
    return buf.getvalue()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    pytest.importorskip("c2pa")
    root = tmp_path_factory.mktemp("corpus")
    pki = make_pki(tmp_path_factory.mktemp("pki"))
    (root / "c2pa_ai.jpg").write_bytes(sign(pki, manifest("trainedAlgorithmicMedia"), jpeg(1)))
    capture_with_ai_xmp = jpeg(2, xmp=xmp_packet("trainedAlgorithmicMedia"))
    (root / "c2pa_capture_vs_xmp_ai.jpg").write_bytes(sign(pki, manifest("digitalCapture"), capture_with_ai_xmp))
    (root / "c2pa_tampered.jpg").write_bytes(flip_scan_byte(sign(pki, manifest("digitalCapture"), jpeg(3))))
    Image.fromarray(embed_float(colour_photo(512, seed=4), SDXL_BITS)).save(root / "sdxl_watermark.png")
    info = PngImagePlugin.PngInfo()
    info.add_text("parameters", "a cat\nNegative prompt: dog\nSteps: 20, Sampler: Euler a, CFG scale: 7, "
                                "Seed: 1, Size: 256x256, Model: sd_xl_base_1.0")
    Image.fromarray(natural_image(256, 256, 5)).save(root / "a1111.png", pnginfo=info)
    Image.fromarray(natural_image(256, 256, 6)).save(root / "plain.png")
    whole = jpeg(7)
    (root / "truncated.jpg").write_bytes(whole[: len(whole) // 2])
    (root / "garbage.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    return root


@pytest.fixture(scope="module")
def results(corpus, tmp_path_factory) -> dict[str, dict]:
    out = tmp_path_factory.mktemp("out") / "report.json"
    r = CliRunner().invoke(app, ["scan", str(corpus), "-o", str(out), "-q", "--workers", "2", "--no-rivagan",
                                 "--detectors", "metadata,c2pa,watermark,frequency"])
    assert r.exit_code == 2, r.output  # AI files found (1) and unreadable files (2): errors win
    doc = json.loads(out.read_text())
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text()))
    validator.validate(doc)
    return {Path(res["path"]).name: res for res in doc["results"]}


def labels(results):
    return {name: res["verdict"]["label"] for name, res in results.items()}


def test_every_file_gets_the_expected_verdict(results):
    got = labels(results)
    assert got["c2pa_ai.jpg"] == "ai-generated"
    assert got["c2pa_capture_vs_xmp_ai.jpg"] == "ai-generated"
    assert got["c2pa_tampered.jpg"] == "inconclusive"
    assert got["sdxl_watermark.png"] == "ai-generated"
    assert got["a1111.png"] == "ai-generated"
    assert got["plain.png"] in ("no-evidence", "inconclusive")
    assert got["truncated.jpg"] == "error" and got["garbage.png"] == "error"


def test_provenance_basis_and_contradiction_named(results):
    res = results["c2pa_capture_vs_xmp_ai.jpg"]
    assert res["verdict"]["basis"] == "provenance"
    contra = [f for f in res["findings"] if f["detector"] == "contradiction"]
    assert len(contra) == 1 and "c2pa" in contra[0]["explanation"] and "metadata" in contra[0]["explanation"]
    assert "contradicts" in res["verdict"]["summary"]


def test_decisive_findings_come_from_the_right_detector(results):
    def decisive(name):
        return {f["detector"] for f in results[name]["findings"] if f["strength"] == "decisive"}

    assert decisive("c2pa_ai.jpg") == {"c2pa"}
    assert decisive("sdxl_watermark.png") == {"watermark"}
    assert decisive("a1111.png") == {"metadata"}
    assert decisive("plain.png") == set()


def test_errors_are_typed_and_never_labelled_authentic(results):
    assert [e["code"] for e in results["truncated.jpg"]["errors"]][0] == "truncated"
    assert results["garbage.png"]["errors"][0]["code"] in ("decode_error", "truncated")
    for res in results.values():
        assert res["verdict"]["label"] not in ("real", "authentic")
        assert len(res["sha256"] or "") in (0, 64)
