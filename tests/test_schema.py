"""The JSON Schema is itself valid, matches the evidence model, and accepts what a real scan writes."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from jsonschema import Draft4Validator, Draft202012Validator

from synthcheck import SCHEMA_VERSION, formatters
from synthcheck.model import Claim, ErrorCode, Kind, Label, Strength

REPO = Path(__file__).resolve().parents[1]
SCHEMA = json.loads((REPO / "synthcheck" / "schema" / "result.schema.json").read_text())
SARIF_SCHEMA = json.loads((REPO / "tests" / "data" / "sarif-schema-2.1.0.json").read_text())
DEFS = SCHEMA["$defs"]


def test_schema_is_valid_draft_2020_12_and_versioned():
    Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert SCHEMA["$id"].endswith(SCHEMA_VERSION)
    Draft202012Validator(DEFS["schema_version"]).validate(SCHEMA_VERSION)


def test_enums_match_the_model():
    """A new label, kind or error code in model.py must be added to the schema (and docs/schema.md)."""
    props = DEFS["finding"]["properties"]
    assert DEFS["verdict"]["properties"]["label"]["enum"] == [x.value for x in Label]
    assert props["kind"]["enum"] == [x.value for x in Kind]
    assert props["strength"]["enum"] == [x.value for x in Strength]
    assert props["claim"]["enum"] == [x.value for x in Claim] + [None]
    assert DEFS["error"]["properties"]["code"]["enum"] == [x.value for x in ErrorCode]
    assert not {"real", "authentic"} & set(DEFS["verdict"]["properties"]["label"]["enum"])


def test_schema_documents_every_field_the_serialiser_writes():
    from synthcheck.serialize import RESULT_KEYS

    assert tuple(DEFS["result"]["required"]) == RESULT_KEYS
    docs = (REPO / "docs" / "schema.md").read_text()
    for name in (*RESULT_KEYS, *DEFS["finding"]["required"], *DEFS["error"]["required"], *DEFS["run"]["required"]):
        assert f"`{name}`" in docs, f"docs/schema.md does not describe {name}"


def test_sarif_schema_is_the_official_one():
    assert SARIF_SCHEMA["id"].startswith("https://docs.oasis-open.org/sarif/sarif/v2.1.0/")
    Draft4Validator.check_schema(SARIF_SCHEMA)


@pytest.fixture(scope="module")
def real_scan(tmp_path_factory):
    """A real scan, through worker processes, of a generated PNG, a 'likely' PNG and a truncated one."""
    from PIL import Image

    from synthcheck.api import scan
    from tests.conftest import natural_image
    from tests.fakes import EchoDetector

    root = tmp_path_factory.mktemp("scan")
    Image.fromarray(natural_image(96, 64)).save(root / "a.png")
    Image.fromarray(natural_image(64, 64, seed=1)).save(root / "b_likely.png")
    data = (root / "a.png").read_bytes()
    (root / "c_truncated.png").write_bytes(data[: len(data) // 2])
    return scan([str(root)], detectors=["echo"], extra=[EchoDetector], workers=1)


def _render(name: str, run, results) -> str:
    out = io.StringIO()
    fmt = formatters.get(name)(out, run, {})
    fmt.start()
    for r in results:
        fmt.add(r)
    fmt.finish(run)
    return out.getvalue()


def test_real_scan_json_validates(real_scan):
    run, results = real_scan
    doc = json.loads(_render("json", run, results))
    Draft202012Validator(SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER).validate(doc)
    labels = {Path(r["path"]).name: r["verdict"]["label"] for r in doc["results"]}
    assert labels["b_likely.png"] == "likely-synthetic" and labels["a.png"] == "no-evidence"
    assert doc["run"]["detectors"] == {"echo": "0.1"} and doc["run"]["finished"]
    for line in _render("jsonl", run, results).splitlines():
        Draft202012Validator(SCHEMA).validate(json.loads(line))


def test_real_scan_sarif_validates(real_scan):
    run, results = real_scan
    doc = json.loads(_render("sarif", run, results))
    Draft4Validator(SARIF_SCHEMA).validate(doc)
    rules = [r["id"] for r in doc["runs"][0]["tool"]["driver"]["rules"]]
    assert rules == ["echo", "contradiction", "format", "pipeline", "error"]


@pytest.mark.slow
def test_builtin_detectors_output_validates(make_png):
    """Whatever the installed cheap and moderate detectors report on a PNG fits both schemas."""
    from synthcheck.api import scan
    from synthcheck.registry import discover

    ids = [i.id for i in discover() if i.cls is not None and i.availability.ok and i.cls.cost != "expensive"
           and "image" in i.cls.media]
    if not ids:
        pytest.skip("no built-in image detector is available here")
    run, results = scan([str(make_png())], detectors=ids, workers=1)
    assert results[0].verdict.label is not Label.ERROR, results[0].errors
    Draft202012Validator(SCHEMA).validate(json.loads(_render("json", run, results)))
    Draft4Validator(SARIF_SCHEMA).validate(json.loads(_render("sarif", run, results)))


def test_docs_example_record_validates():
    import re

    text = (REPO / "docs" / "schema.md").read_text()
    example = re.search(r"## Example result record\s+```json\n(.*?)```", text, re.S)
    assert example, "docs/schema.md lost its example"
    Draft202012Validator(SCHEMA).validate(json.loads(example.group(1)))


def test_a_record_without_a_hash_must_say_the_file_was_unreadable():
    """sha256 may be null only beside an io_error: a crash, timeout or decode error never hides it."""
    from jsonschema import ValidationError

    def record(sha256, size, code):
        return {"schema_version": SCHEMA_VERSION, "path": "x.png", "sha256": sha256, "size": size, "media": None,
                "format": None, "width": None, "height": None, "frames": None, "duration": None,
                "verdict": {"label": "error", "score": None, "basis": "none", "summary": "could not be scanned"},
                "findings": [], "errors": [{"code": code, "message": "m", "detector": None}],
                "detectors_run": [], "elapsed_ms": 1.0}

    validator = Draft202012Validator(SCHEMA)
    validator.validate(record(None, None, "io_error"))
    validator.validate(record("0" * 64, 10, "timeout"))
    for bad in (record(None, None, "timeout"), record(None, None, "crashed"), record(None, None, "decode_error"),
                record("0" * 64, None, "truncated"), record(None, 10, "io_error")):
        with pytest.raises(ValidationError):
            validator.validate(bad)
