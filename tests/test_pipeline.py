"""The batch contract: one bad file never stops the batch, and nothing is written to the inputs."""

import os

import pytest
from PIL import Image

from synthcheck.api import scan
from synthcheck.limits import Limits
from synthcheck.model import ErrorCode, Label

from .conftest import natural_image
from .fakes import EchoDetector, MisbehavingDetector


@pytest.fixture
def hostile_folder(tmp_path):
    d = tmp_path / "batch"
    d.mkdir()
    good = natural_image(64, 64)
    Image.fromarray(good).save(d / "good1.png")
    Image.fromarray(good).save(d / "good2.jpg", quality=90)
    Image.fromarray(good).save(d / "mislabelled.jpg", format="PNG")
    data = (d / "good1.png").read_bytes()
    (d / "corrupt.png").write_bytes(data[:40] + os.urandom(200))
    (d / "truncated.png").write_bytes(data[: len(data) // 2])
    (d / "empty.jpg").write_bytes(b"")
    (d / "notes.txt").write_text("not media")
    Image.new("L", (6000, 6000)).save(d / "bomb.png", optimize=True)
    return d


def _snapshot(folder):
    return {p: (p.stat().st_mtime_ns, p.stat().st_size, p.read_bytes()) for p in sorted(folder.rglob("*"))}


def test_bad_files_are_typed_errors_and_good_files_are_scanned(hostile_folder):
    before = _snapshot(hostile_folder)
    run, results = scan([str(hostile_folder)], detectors=["echo"], extra=[EchoDetector], workers=2,
                        limits=Limits(max_pixels=10_000_000))
    by_name = {os.path.basename(r.path): r for r in results}
    assert len(results) == 8
    for name in ("good1.png", "good2.jpg", "mislabelled.jpg"):
        assert by_name[name].verdict.label is Label.NO_EVIDENCE and not by_name[name].errors, name
        assert by_name[name].detectors_run == ("echo",)
    assert by_name["mislabelled.jpg"].format == "png"
    assert any(f.detector == "format" for f in by_name["mislabelled.jpg"].findings)
    expected = {"corrupt.png": {ErrorCode.DECODE_ERROR, ErrorCode.TRUNCATED}, "truncated.png": {ErrorCode.TRUNCATED},
                "empty.jpg": {ErrorCode.TRUNCATED}, "notes.txt": {ErrorCode.UNSUPPORTED_FORMAT},
                "bomb.png": {ErrorCode.LIMIT_EXCEEDED}}
    for name, codes in expected.items():
        r = by_name[name]
        assert r.verdict.label is Label.ERROR, name
        assert r.errors and r.errors[0].code in codes, (name, r.errors)
    assert _snapshot(hostile_folder) == before, "the scan must not write to or touch the scanned folder"
    assert run.detectors == {"echo": "0.1"} and run.finished


def test_detector_exception_crash_and_hang_are_isolated(tmp_path):
    for name in ("ok.png", "raise.png", "segv.png", "hang.png", "after.png"):
        Image.fromarray(natural_image(32, 32)).save(tmp_path / name)
    _, results = scan([str(tmp_path)], detectors=["echo", "misbehave"], extra=[EchoDetector, MisbehavingDetector],
                      workers=2, limits=Limits(timeout_s=5))
    by_name = {os.path.basename(r.path): r for r in results}
    assert by_name["ok.png"].verdict.label is Label.NO_EVIDENCE and not by_name["ok.png"].errors
    assert by_name["after.png"].verdict.label is Label.NO_EVIDENCE
    raised = by_name["raise.png"]
    assert raised.errors[0].code is ErrorCode.DETECTOR_ERROR and raised.errors[0].detector == "misbehave"
    assert raised.findings and raised.verdict.label is Label.NO_EVIDENCE  # echo still ran
    assert by_name["segv.png"].errors[0].code is ErrorCode.CRASHED
    assert by_name["hang.png"].errors[0].code is ErrorCode.TIMEOUT
    assert [os.path.basename(r.path) for r in results] == sorted(by_name)  # input order kept


def test_results_follow_input_order_and_signal_threshold(tmp_path):
    for name in ("b.png", "a_likely.png", "c.png"):
        Image.fromarray(natural_image(16, 16)).save(tmp_path / name)
    paths = [str(tmp_path / n) for n in ("c.png", "a_likely.png", "b.png")]
    _, results = scan(paths, detectors=["echo"], extra=[EchoDetector], workers=2)
    assert [r.path for r in results] == paths
    assert results[1].verdict.label is Label.LIKELY
