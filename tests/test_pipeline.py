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


def test_every_readable_file_is_hashed_whatever_fails(tmp_path):
    """Each error kind still names the file's bytes: sha256, size and (when sniffable) format.

    Only a file that cannot be read at all has no hash, and then its error is io_error.  Timeout
    and crash records are built by the parent process, which hashes the file itself.
    """
    import hashlib
    import json
    from pathlib import Path

    from jsonschema import Draft202012Validator

    from synthcheck.serialize import result_dict

    d = tmp_path / "kinds"
    d.mkdir()
    img = natural_image(48, 48)
    Image.fromarray(img).save(d / "whole.jpg", quality=90)
    Image.fromarray(img).save(d / "whole.png")
    jpg, png = (d / "whole.jpg").read_bytes(), (d / "whole.png").read_bytes()
    (d / "empty.jpg").write_bytes(b"")
    (d / "cut.jpg").write_bytes(jpg[: len(jpg) // 2])
    (d / "cut.png").write_bytes(png[: len(png) // 2])
    (d / "random.bin").write_bytes(os.urandom(3000))
    (d / "header.png").write_bytes(png[:8] + b"\x00\x00\x00\x0dIHDR" + os.urandom(400))  # garbage IHDR
    Image.new("L", (3000, 3000)).save(d / "bomb.png", optimize=True)  # 9 MP in a few KB
    Image.fromarray(natural_image(200, 200)).save(d / "big.png")  # over max_bytes below
    Image.fromarray(img).save(d / "hang.png")
    Image.fromarray(img).save(d / "segv.png")
    os.mkfifo(d / "fifo.png")  # not a regular file: must be refused, not block the worker
    limits = Limits(max_bytes=40_000, max_pixels=1_000_000, timeout_s=4)
    assert (d / "big.png").stat().st_size > limits.max_bytes > (d / "bomb.png").stat().st_size
    expected = {  # name -> (error code, sniffed format)
        "empty.jpg": (ErrorCode.TRUNCATED, None),
        "cut.jpg": (ErrorCode.TRUNCATED, "jpeg"),
        "cut.png": (ErrorCode.TRUNCATED, "png"),
        "random.bin": (ErrorCode.UNSUPPORTED_FORMAT, None),
        "header.png": (ErrorCode.DECODE_ERROR, "png"),
        "bomb.png": (ErrorCode.LIMIT_EXCEEDED, "png"),
        "big.png": (ErrorCode.LIMIT_EXCEEDED, "png"),
        "hang.png": (ErrorCode.TIMEOUT, "png"),
        "segv.png": (ErrorCode.CRASHED, "png"),
    }
    paths = [str(d / n) for n in (*expected, "fifo.png", "missing.png")]
    _, results = scan(paths, detectors=["echo", "misbehave"], extra=[EchoDetector, MisbehavingDetector],
                      workers=2, limits=limits)
    by_name = {Path(r.path).name: r for r in results}
    schema = json.loads((Path(__file__).resolve().parents[1] / "synthcheck/schema/result.schema.json").read_text())
    validator = Draft202012Validator(schema)
    for name, (code, fmt) in expected.items():
        r, data = by_name[name], (d / name).read_bytes()
        assert r.errors and r.errors[0].code is code and r.verdict.label is Label.ERROR, (name, r.errors)
        assert (r.sha256, r.size, r.format) == (hashlib.sha256(data).hexdigest(), len(data), fmt), name
        validator.validate(result_dict(r))
    for name in ("fifo.png", "missing.png"):
        r = by_name[name]
        assert (r.sha256, r.size, r.format) == (None, None, None), name
        assert [e.code for e in r.errors] == [ErrorCode.IO_ERROR] and r.errors[0].message, name
        validator.validate(result_dict(r))
    assert "not a regular file" in by_name["fifo.png"].errors[0].message


def test_timeout_of_a_file_deleted_meanwhile_says_why_it_has_no_hash(tmp_path):
    from synthcheck.runner import _parent_record

    r = _parent_record(str(tmp_path / "gone.png"), ErrorCode.TIMEOUT, "too slow", 0.0)
    assert r.sha256 is None and [e.code for e in r.errors] == [ErrorCode.TIMEOUT, ErrorCode.IO_ERROR]
