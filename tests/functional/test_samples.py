"""The committed demo files in samples/ scan as samples/README.md says (metadata detector only)."""

from __future__ import annotations

from pathlib import Path

import pytest

from synthcheck.api import scan
from synthcheck.model import ErrorCode, Label

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
EXPECTED = {
    "a1111_parameters.png": (Label.AI_GENERATED, "generation record"),
    "comfyui_prompt_workflow.png": (Label.AI_GENERATED, "ComfyUI generation record"),
    "xmp_trained_algorithmic.jpg": (Label.AI_GENERATED, "IPTC digital source type: trainedAlgorithmicMedia"),
    "camera_exif_photo.jpg": (Label.NO_EVIDENCE, "Camera metadata"),
    "mislabelled_png.jpg": (Label.NO_EVIDENCE, "Extension does not match content"),
    "plain_no_metadata.jpg": (Label.NO_EVIDENCE, "No metadata"),
}


@pytest.fixture(scope="module")
def results():
    names = sorted(EXPECTED) + ["truncated.jpg"]
    _, res = scan([str(SAMPLES / n) for n in names], detectors=["metadata"], workers=1)
    return {Path(r.path).name: r for r in res}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample_verdict(results, name):
    label, title = EXPECTED[name]
    r = results[name]
    assert r.verdict.label is label, (r.verdict, [f.title for f in r.findings])
    assert any(title in f.title for f in r.findings), [f.title for f in r.findings]
    assert "metadata" in r.detectors_run


def test_camera_sample_is_never_called_authentic(results):
    text = " ".join([results["camera_exif_photo.jpg"].verdict.summary]
                    + [f.explanation for f in results["camera_exif_photo.jpg"].findings]).lower()
    assert "never proof" in text and "is authentic" not in text.replace("not show the file is authentic", "")


def test_truncated_sample_is_a_typed_error(results):
    r = results["truncated.jpg"]
    assert r.verdict.label is Label.ERROR
    assert [e.code for e in r.errors if e.detector is None] == [ErrorCode.TRUNCATED]


def test_make_samples_recreates_small_files(tmp_path):
    from samples.make_samples import main

    assert main(["make_samples", str(tmp_path)]) == 0
    made = {p.name: p.stat().st_size for p in tmp_path.iterdir()}
    assert set(made) == set(EXPECTED) | {"truncated.jpg"}
    assert all(0 < size < 200_000 for size in made.values())
