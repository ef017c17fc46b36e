"""Every output format renders hand-built results faithfully and validates against its schema."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from jsonschema import Draft4Validator, Draft202012Validator

from synthcheck import SCHEMA_VERSION, formatters
from synthcheck.formatters import DetectorDoc
from synthcheck.formatters.csv_fmt import COLUMNS
from synthcheck.model import Claim, ErrorCode, FileError, FileResult, Finding, Kind, Label, RunInfo, Strength, Verdict

REPO = Path(__file__).resolve().parents[1]
SCHEMA = json.loads((REPO / "synthcheck" / "schema" / "result.schema.json").read_text())
SARIF_SCHEMA = json.loads((REPO / "tests" / "data" / "sarif-schema-2.1.0.json").read_text())
SHA_A, SHA_B = "a" * 64, "b" * 64


def part(name: str) -> dict:
    """The schema narrowed to one of its definitions (a result line, or the json document)."""
    return {"$schema": SCHEMA["$schema"], "$ref": f"#/$defs/{name}", "$defs": SCHEMA["$defs"]}


def run_info(finished: str | None = "2026-11-23T10:00:05Z") -> RunInfo:
    return RunInfo(tool_version="0.1.0", schema_version=SCHEMA_VERSION,
                   detectors={"c2pa": "1", "frequency": "2", "anatomy": "1", "temporal": "1", "hashlist": "1"},
                   weights={"learned.safetensors": "c" * 64}, options={"device": "cpu", "limits": {"max_frames": 300}},
                   started="2026-11-23T10:00:00Z", finished=finished, host="h", python="3.11.7", platform="linux",
                   skipped_detectors={"learned": "weights missing"})


def f(detector: str, kind: Kind, strength: Strength, explanation: str, **kw) -> Finding:
    return Finding(detector=detector, detector_version="1", kind=kind, strength=strength, explanation=explanation, **kw)


def image_result() -> FileResult:
    """An image with a finding of every kind, including a provenance contradiction."""
    findings = (
        f("c2pa", Kind.PROVENANCE, Strength.DECISIVE, "A valid C2PA manifest says DALL-E made this.", score=1.0,
          claim=Claim.AI_GENERATED, title="C2PA: AI-generated", evidence={"source": "manifest", "issuer": "OpenAI"}),
        f("metadata", Kind.PROVENANCE, Strength.INFO, "EXIF names a Canon EOS R5 camera.", claim=Claim.CAPTURE,
          title="Camera EXIF"),
        f("contradiction", Kind.PROVENANCE, Strength.STRONG, "Provenance sources disagree.",
          title="Provenance sources disagree"),
        f("format", Kind.PROVENANCE, Strength.INFO, "Named .jpg but the content is png.",
          title="Extension does not match content"),
        f("frequency", Kind.SIGNAL, Strength.STRONG, "Periodic peaks in the spectrum typical of upsampling.",
          score=0.93, region=(0, 0, 64, 64), evidence={"peaks": [1, 2], "ratio": 3.5}),
        f("frequency", Kind.SIGNAL, Strength.INFO, "Low-frequency energy is ordinary.", score=0.1),
        f("anatomy", Kind.SEMANTIC, Strength.MODERATE, "The left hand has six fingers.", score=0.7,
          region=(10, 20, 30, 40), title="Six fingers"),
        f("hashlist", Kind.MATCH, Strength.WEAK, "Perceptual hash is close to a known generated image.", score=0.4),
    )
    return FileResult(path="photos/my photo.png", sha256=SHA_A, size=123456, media="image", format="png",
                      findings=findings, errors=(FileError(ErrorCode.DETECTOR_ERROR, "RuntimeError: boom", "learned"),),
                      verdict=Verdict(Label.AI_GENERATED, 1.0, "provenance", "Provenance says AI made it."),
                      elapsed_ms=12.5, width=640, height=480, detectors_run=("c2pa", "metadata", "frequency"))


def video_result() -> FileResult:
    findings = (
        f("temporal", Kind.TEMPORAL, Strength.MODERATE, "Faces change identity between shots.", score=0.7,
          time=(12.0, 14.5)),
        f("temporal", Kind.TEMPORAL, Strength.STRONG, "Textures flicker between frames.", score=0.93, time=(3.2, 5.0)),
        f("temporal", Kind.TEMPORAL, Strength.INFO, "Motion is smooth overall.", score=0.05),
    )
    return FileResult(path="clips/b.mp4", sha256=SHA_B, size=2_000_000, media="video", format="mp4",
                      findings=findings, errors=(), verdict=Verdict(Label.LIKELY, 0.93, "signals", "Signals."),
                      elapsed_ms=800.0, width=1280, height=720, frames=300, duration=10.0,
                      detectors_run=("temporal",))


def quiet_result() -> FileResult:
    return FileResult(path="/abs/c.jpg", sha256="d" * 64, size=10, media="image", format="jpeg", findings=(),
                      errors=(), verdict=Verdict(Label.NO_EVIDENCE, None, "none",
                                                 "No detector found evidence of generative AI."),
                      elapsed_ms=1.0, width=8, height=8, detectors_run=("frequency",))


def error_result() -> FileResult:
    return FileResult(path="broken.png", sha256="e" * 64, size=10, media=None, format="png", findings=(),
                      errors=(FileError(ErrorCode.TRUNCATED, "file ends inside the IDAT chunk"),),
                      verdict=Verdict(Label.ERROR, None, "none", "The file could not be scanned (truncated)."),
                      elapsed_ms=0.3)


RESULTS = [image_result(), video_result(), quiet_result(), error_result()]
DOCS = {"c2pa": DetectorDoc("c2pa", "1", "C2PA manifest", "Reads C2PA manifests.", "Reads C2PA manifests.\n\nLong."),
        "frequency": DetectorDoc("frequency", "2", "Frequency artefacts", "Spectral peaks.",
                                 "Spectral peaks.\n\nMore.")}


def render(name: str, results=RESULTS, **kw) -> str:
    out = io.StringIO()
    fmt = formatters.get(name)(out, run_info(finished=None), DOCS, **kw)
    fmt.start()
    for r in results:
        fmt.add(r)
    fmt.finish(run_info())
    return out.getvalue()


def test_unknown_format_is_refused():
    with pytest.raises(ValueError, match="unknown format"):
        formatters.get("yaml")


def test_json_document_validates_and_keeps_order():
    doc = json.loads(render("json"))
    Draft202012Validator(SCHEMA).validate(doc)
    Draft202012Validator(part("document")).validate(doc)
    assert list(doc) == ["schema_version", "run", "results"] and doc["schema_version"] == SCHEMA_VERSION
    assert [r["path"] for r in doc["results"]] == [r.path for r in RESULTS]
    assert doc["run"]["finished"] == "2026-11-23T10:00:05Z"  # the final run record, not the initial one
    first = doc["results"][0]
    assert first["verdict"]["label"] == "ai-generated"
    assert {x["kind"] for r in doc["results"] for x in r["findings"]} == {k.value for k in Kind}
    assert first["findings"][4]["region"] == [0, 0, 64, 64] and first["findings"][4]["evidence"]["ratio"] == 3.5
    assert first["errors"] == [{"code": "detector_error", "message": "RuntimeError: boom", "detector": "learned"}]
    assert doc["results"][1]["findings"][1]["time"] == [3.2, 5.0]


def test_jsonl_one_result_per_line_flushed_as_each_file_finishes():
    class Recorder(io.StringIO):
        flushed: list[str] = []

        def flush(self):
            self.flushed.append(self.getvalue())

    out = Recorder()
    fmt = formatters.get("jsonl")(out, run_info(None), DOCS)
    fmt.start()
    for n, r in enumerate(RESULTS, 1):
        fmt.add(r)
        assert out.flushed and out.flushed[-1].count("\n") == n  # the line is out before the next file
    fmt.finish(run_info())
    lines = out.getvalue().splitlines()
    assert len(lines) == len(RESULTS)
    validator = Draft202012Validator(SCHEMA)
    for line, r in zip(lines, RESULTS):
        rec = json.loads(line)
        validator.validate(rec)
        Draft202012Validator(part("result")).validate(rec)
        assert rec["schema_version"] == SCHEMA_VERSION and rec["path"] == r.path and rec["sha256"] == r.sha256


def test_schema_rejects_what_the_model_forbids():
    rec = json.loads(render("jsonl").splitlines()[0])
    validator = Draft202012Validator(SCHEMA)
    for bad in ({**rec, "verdict": {**rec["verdict"], "label": "authentic"}},
                {**rec, "findings": [{**rec["findings"][0], "score": 1.5}]},
                {**rec, "errors": [{**rec["errors"][0], "code": "oops"}]},
                {k: v for k, v in rec.items() if k != "sha256"}):
        assert not validator.is_valid(bad)


def test_csv_columns_are_the_documented_order_and_rows_parse():
    rows = list(csv.reader(io.StringIO(render("csv"))))
    assert tuple(rows[0]) == COLUMNS == (
        "path", "sha256", "size", "media", "format", "width", "height", "frames", "duration", "verdict_label",
        "verdict_score", "verdict_basis", "verdict_summary", "n_findings", "top_detector", "top_score", "detectors",
        "error_codes", "error_messages", "elapsed_ms")
    assert len(rows) == 1 + len(RESULTS) and all(len(r) == len(COLUMNS) for r in rows)
    img = dict(zip(COLUMNS, rows[1]))
    assert img["path"] == "photos/my photo.png" and img["verdict_label"] == "ai-generated"
    assert img["n_findings"] == "8" and img["top_detector"] == "c2pa" and float(img["top_score"]) == 1.0
    assert img["detectors"].split(";")[:3] == ["c2pa:1.0", "metadata:", "frequency:0.93"]
    assert img["error_codes"] == "detector_error" and img["error_messages"] == "learned: RuntimeError: boom"
    vid = dict(zip(COLUMNS, rows[2]))
    assert (vid["frames"], vid["duration"], vid["top_score"]) == ("300", "10.0", "0.93")
    err = dict(zip(COLUMNS, rows[4]))
    assert err["sha256"] == "e" * 64 and err["verdict_label"] == "error" and err["error_codes"] == "truncated"


def test_csv_header_even_without_results():
    assert render("csv", results=[]).splitlines() == [",".join(COLUMNS)]


def sarif() -> dict:
    return json.loads(render("sarif"))


def test_sarif_validates_against_the_official_schema():
    doc = sarif()
    Draft4Validator(SARIF_SCHEMA).validate(doc)
    assert doc["version"] == "2.1.0" and doc["$schema"].endswith("sarif-2.1.0.json")
    assert len(doc["runs"]) == 1


def test_sarif_rules_results_and_levels():
    run = sarif()["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert ids == ["anatomy", "c2pa", "frequency", "hashlist", "metadata", "temporal", "contradiction", "format",
                   "pipeline", "error"]
    for rule in rules:
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"] and rule["help"]["text"]
    assert rules[1]["shortDescription"]["text"] == "Reads C2PA manifests."
    results = run["results"]
    for res in results:  # GitHub needs a resolvable rule and a location on every result
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
        assert res["locations"][0]["physicalLocation"]["region"] == {"startLine": 1}
        assert res["message"]["text"]
    by_file: dict[str, list[dict]] = {}
    for res in results:
        by_file.setdefault(res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], []).append(res)
    assert set(by_file) == {"photos/my%20photo.png", "clips/b.mp4", "broken.png"}  # c.jpg has nothing to report
    img = by_file["photos/my%20photo.png"]
    # info findings are left out unless they carry a claim or are a format mismatch
    assert [r["ruleId"] for r in img] == ["c2pa", "metadata", "contradiction", "format", "frequency", "anatomy",
                                          "hashlist", "error"]
    assert {r["level"] for r in img[:-1]} == {"error"} and img[-1]["level"] == "warning"  # detector error
    assert img[4]["properties"]["score"] == 0.93 and img[4]["properties"]["kind"] == "signal"
    assert img[0]["properties"]["claim"] == "ai-generated"
    vid = by_file["clips/b.mp4"]
    assert [r["properties"]["time"] for r in vid] == [[12.0, 14.5], [3.2, 5.0]]
    broken = by_file["broken.png"]
    assert len(broken) == 1 and broken[0]["ruleId"] == "error" and broken[0]["level"] == "error"
    assert broken[0]["message"]["text"].startswith("truncated")


def test_sarif_levels_follow_the_verdict():
    from synthcheck.formatters.sarif_fmt import LEVELS

    assert LEVELS == {Label.AI_GENERATED: "error", Label.LIKELY: "error", Label.POSSIBLY: "warning",
                      Label.INCONCLUSIVE: "warning", Label.NO_EVIDENCE: "note", Label.ERROR: "error"}
    weak = FileResult(path="w.png", sha256=SHA_A, size=1, media="image", format="png", elapsed_ms=1,
                      findings=(f("frequency", Kind.SIGNAL, Strength.WEAK, "A faint peak.", score=0.35),), errors=(),
                      verdict=Verdict(Label.NO_EVIDENCE, 0.35, "signals", "Nothing above thresholds."))
    res = json.loads(render("sarif", results=[weak]))["runs"][0]["results"]
    assert [r["level"] for r in res] == ["note"]


def test_sarif_fingerprints_are_stable_and_unique():
    def prints(doc):
        return [next(iter(r["partialFingerprints"].values())) for r in doc["runs"][0]["results"]]

    first, second = prints(sarif()), prints(sarif())
    assert first == second and len(set(first)) == len(first)
    assert f"{SHA_A}:c2pa:C2PA: AI-generated" in first
    assert f"{SHA_B}:temporal" in first and f"{SHA_B}:temporal:2" in first  # repeats within a file
    moved = [FileResult(**{**vars(image_result()), "path": "elsewhere/renamed.png"})]
    assert prints(json.loads(render("sarif", results=moved)))[:7] == first[:7]  # independent of the path


def test_sarif_uri_encoding():
    from synthcheck.formatters.sarif_fmt import uri

    assert uri("a b/c#d.png") == "a%20b/c%23d.png"
    assert uri("/abs/x.png") == "file:///abs/x.png"
    assert uri("/work/repo/media/x.png", "/work/repo") == "media/x.png"
    assert uri("/elsewhere/x.png", "/work/repo") == "file:///elsewhere/x.png"


def test_sarif_absolute_paths_under_the_working_directory_become_relative(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    moved = FileResult(**{**vars(video_result()), "path": str(tmp_path / "clips" / "b.mp4")})
    run = json.loads(render("sarif", results=[moved]))["runs"][0]
    assert run["invocations"][0]["workingDirectory"]["uri"] == f"file://{tmp_path.as_posix()}/"
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]} == \
        {"clips/b.mp4"}
    Draft4Validator(SARIF_SCHEMA).validate(json.loads(render("sarif", results=[moved])))


def test_text_report_sections_timeline_and_summary():
    text = render("text", color=False)
    assert "\x1b[" not in text  # no colour codes when not a terminal
    assert "AI-GENERATED" in text and "LIKELY-SYNTHETIC" in text and "ERROR" in text
    assert "PROVENANCE" in text and "SIGNAL:" in text and "SEMANTIC:" in text and "MATCH:" in text
    prov, stats = text.index("PROVENANCE"), text.index("SIGNAL:")
    assert prov < text.index("A valid C2PA manifest") < stats < text.index("Periodic peaks")
    assert "claims ai-generated" in text and "region x=10 y=20 30×40 px" in text
    timeline = [ln for ln in text.splitlines() if re.match(r"\s+\d\d:\d\d\.\d-\d\d:\d\d\.\d", ln)]
    assert len(timeline) == 2
    assert timeline[0].split()[:3] == ["00:03.2-00:05.0", "strong", "0.93"] and "flicker" in timeline[0]
    assert timeline[1].split()[0] == "00:12.0-00:14.5"
    assert "truncated: file ends inside the IDAT chunk" in text
    assert "detector_error (learned): RuntimeError: boom" in text
    flat = " ".join(text.replace("│", " ").split())  # the legend may wrap inside the table
    assert "Summary" in text and "absence of evidence is not proof of authenticity" in flat
    assert "wall time 5.0 s" in text and "not run: learned (weights missing)" in text


def test_text_never_labels_a_file_real_or_authentic():
    text = render("text", color=False)
    shown = re.findall(r"verdict:\s+(\S+)", text)
    assert shown == ["AI-GENERATED", "LIKELY-SYNTHETIC", "NO-EVIDENCE", "ERROR"]
    assert not re.search(r"\b(REAL|AUTHENTIC)\b", text)
    assert not re.search(r"(?i)\bverdict\W+(real|authentic)", text)


def test_text_quiet_hides_files_without_evidence_and_colour_when_asked():
    quiet = render("text", color=False, quiet=True)
    assert "/abs/c.jpg" not in quiet and "broken.png" in quiet and "Summary" in quiet
    assert "/abs/c.jpg" in render("text", color=False)
    assert "\x1b[" in render("text", color=True)


def test_formatters_never_compute_a_verdict():
    """A verdict that disagrees with the findings is rendered as given, in every format."""
    odd = FileResult(**{**vars(video_result()), "verdict": Verdict(Label.INCONCLUSIVE, 0.5, "signals", "Given.")})
    assert json.loads(render("jsonl", results=[odd]))["verdict"]["label"] == "inconclusive"
    assert "INCONCLUSIVE" in render("text", results=[odd])
    assert {r["level"] for r in json.loads(render("sarif", results=[odd]))["runs"][0]["results"]} == {"warning"}
    assert dict(zip(COLUMNS, list(csv.reader(io.StringIO(render("csv", results=[odd]))))[1]))["verdict_label"] \
        == "inconclusive"


def test_text_escapes_control_characters_from_untrusted_files():
    """A file name or metadata string carrying a terminal escape is shown, not executed."""
    evil = FileResult(**{**vars(quiet_result()), "path": "x\x1b]0;pwned\x07.png", "findings": (
        f("metadata", Kind.PROVENANCE, Strength.INFO, "Software: \x1b[2Jwiped", claim=Claim.CAPTURE),)})
    text = render("text", results=[evil], color=True)
    assert "pwned" in text and "wiped" in text
    assert "\x1b]" not in text and "\x07" not in text and "\x1b[2J" not in text
    assert "x\\x1b]0;pwned\\x07.png" in text


def test_text_wraps_long_explanations_under_their_finding():
    long = "The spectrum shows periodic peaks " * 8
    res = FileResult(**{**vars(quiet_result()), "findings": (
        f("frequency", Kind.SIGNAL, Strength.WEAK, long.strip(), score=0.4),)})
    body = render("text", results=[res]).split("Summary")[0]
    lines = [ln for ln in body.splitlines() if "periodic" in ln]
    assert len(lines) >= 3 and all(ln.startswith(" " * 9) and len(ln) <= 100 for ln in lines)
    assert all(ln == ln.rstrip() for ln in body.splitlines() if ln.strip())


def test_numpy_values_from_detectors_serialise_in_every_format():
    np = pytest.importorskip("numpy")
    res = FileResult(**{**vars(quiet_result()), "findings": (
        f("frequency", Kind.SIGNAL, Strength.WEAK, "Peaks.", score=float(np.float32(0.5)),
          region=tuple(np.array([1, 2, 3, 4], dtype=np.int64)),  # type: ignore[arg-type]
          evidence={"spectrum": np.arange(3, dtype=np.float32), "nan": np.float64("nan"), "ok": np.bool_(True)}),)})
    rec = json.loads(render("jsonl", results=[res]))
    Draft202012Validator(SCHEMA).validate(rec)
    assert rec["findings"][0]["region"] == [1, 2, 3, 4] and rec["findings"][0]["evidence"]["nan"] is None
    Draft4Validator(SARIF_SCHEMA).validate(json.loads(render("sarif", results=[res])))
    assert render("csv", results=[res]) and render("text", results=[res])
