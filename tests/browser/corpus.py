"""A small report corpus made in a temporary folder: a region, a spectrum, a video timeline, a C2PA chain,
an error, and a file whose name and metadata try to inject markup.  Shared by the unit and browser tests."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from synthcheck import SCHEMA_VERSION, formatters
from synthcheck.model import Claim, ErrorCode, FileError, FileResult, Finding, Kind, Label, RunInfo, Strength, Verdict
from synthcheck.settings import resolve

from ..conftest import natural_image

EVIL_NAME = '"><img src=x onerror="window.__pwned=1">.png'
EVIL_TEXT = '<script>window.__pwned=2</script>"><img src=x onerror=window.__pwned=3>'


def run_info() -> RunInfo:
    return RunInfo(tool_version="0.1.0", schema_version=SCHEMA_VERSION,
                   detectors={"c2pa": "1", "metadata": "1", "frequency": "2", "anatomy": "1", "temporal": "1"},
                   weights={"learned-v2.safetensors": "c" * 64}, options={"device": "cpu"},
                   started="2026-11-23T10:00:00Z", finished="2026-11-23T10:00:05Z", host=None, python="3.11",
                   platform="linux", libraries={"pillow": "11", "exiftool": None})


def f(detector: str, kind: Kind, strength: Strength, explanation: str, **kw) -> Finding:
    return Finding(detector=detector, detector_version="1", kind=kind, strength=strength, explanation=explanation,
                   **kw)


def result(path: Path | str, label: Label, findings: tuple[Finding, ...], **kw) -> FileResult:
    base = dict(sha256="a" * 64, size=1234, media="image", format="png", errors=(), elapsed_ms=100.0, width=320,
                height=240, detectors_run=("metadata", "frequency"))
    base.update(kw)
    score = max((x.score for x in findings if x.score is not None), default=None)
    return FileResult(path=str(path), findings=findings, verdict=Verdict(label, score, "signals", f"{label.value}."),
                      **base)


def make_corpus(folder: Path) -> list[FileResult]:
    """Files on disk and the results a scan of them could give (hand-built: anatomy and C2PA signing
    need models and keys the unit tests do not have; rendering is what is under test)."""
    from ..test_video import make_mp4

    folder.mkdir(parents=True, exist_ok=True)
    art = folder / "artifacts"
    art.mkdir(exist_ok=True)
    hand = folder / "hand.png"
    Image.fromarray(natural_image(320, 240, 1)).save(hand)
    spectrum = art / "spectrum.png"
    Image.fromarray(natural_image(256, 256, 2)[..., 0]).save(spectrum)
    clip = make_mp4(folder / "clip.mp4", n=30, fps=10, w=64, h=48)
    signed = folder / "signed.jpg"
    Image.fromarray(natural_image(200, 300, 3)).save(signed, quality=85)
    plain = folder / "plain.png"
    Image.fromarray(natural_image(64, 64, 4)).save(plain)
    broken = folder / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 20)
    evil = folder / EVIL_NAME
    buf = io.BytesIO()
    Image.fromarray(natural_image(48, 48, 5)).save(buf, "PNG")
    evil.write_bytes(buf.getvalue())

    chain = [{"parent": "urn:c2pa:active", "title": "generated.png", "format": "image/png", "relationship": "parentOf",
              "manifest": "urn:c2pa:parent", "failures": [], "depth": 1},
             {"parent": "urn:c2pa:parent", "title": EVIL_TEXT, "format": "image/png", "relationship": "componentOf",
              "manifest": None, "failures": ["assertion.hashedURI.mismatch"], "depth": 2}]
    c2pa_base = {"source": "c2pa", "manifest": "urn:c2pa:active", "validation_state": "Valid", "failures": [],
                 "claim_generator": "Adobe Firefly " + EVIL_TEXT, "signer": {"issuer": "Adobe Inc.", "cn": "Firefly"},
                 "all_actions": ["c2pa.created", "c2pa.edited"], "ingredients": chain}
    segments = tuple(
        f("temporal", Kind.TEMPORAL, strength, f"seconds {t0:.1f}-{t0 + 1:.1f}: flicker (segment score {s:.2f}).",
          time=(t0, t0 + 1.0), title=f"Temporal segment {i + 1}", evidence={"segment": i, "segment_score": s})
        for i, (t0, s, strength) in enumerate([(0.0, 0.2, Strength.INFO), (1.0, 0.75, Strength.WEAK),
                                              (2.0, 0.4, Strength.INFO)]))
    return [
        result(hand, Label.LIKELY, (
            f("metadata", Kind.PROVENANCE, Strength.INFO, "No metadata.", title="No metadata"),
            f("frequency", Kind.SIGNAL, Strength.STRONG, "Periodic peaks typical of upsampling.", score=0.93,
              title="Upsampling traces (frequency)", evidence={"statistic": 3.1, "spectrum_png": str(spectrum)}),
            f("anatomy", Kind.SEMANTIC, Strength.MODERATE, "The left hand has six fingers.", score=0.7,
              region=(40, 30, 80, 60), title="Six fingers", evidence={"rule": "finger_count"}))),
        result(clip, Label.POSSIBLY, segments + (
            f("temporal", Kind.TEMPORAL, Strength.MODERATE, "Over the whole clip the picture is less stable.",
              score=0.65, time=(0.0, 3.0), title="Temporal consistency (whole clip)",
              evidence={"segment_scores": [0.2, 0.75, 0.4]}),), media="video", format="mp4", width=64, height=48,
            duration=3.0, frames=30, detectors_run=("temporal",)),
        result(signed, Label.AI_GENERATED, (
            f("c2pa", Kind.PROVENANCE, Strength.INFO, "The C2PA manifest is valid.", title="C2PA manifest valid",
              evidence=c2pa_base),
            f("c2pa", Kind.PROVENANCE, Strength.DECISIVE, "The manifest declares the content AI-generated.",
              score=1.0, claim=Claim.AI_GENERATED, title="C2PA: AI-generated",
              evidence={**c2pa_base, "digital_source_type": "trainedAlgorithmicMedia"})),
            format="jpeg", width=200, height=300, detectors_run=("c2pa",)),
        result(plain, Label.NO_EVIDENCE, (
            f("metadata", Kind.PROVENANCE, Strength.INFO, "No metadata.", title="No metadata",
              evidence={"source": "metadata"}),)),
        result(broken, Label.ERROR, (), errors=(FileError(ErrorCode.TRUNCATED, "image data ends early"),),
               width=None, height=None),
        result(evil, Label.POSSIBLY, (
            f("metadata", Kind.PROVENANCE, Strength.WEAK, f"PNG:parameters says {EVIL_TEXT}",
              title=EVIL_TEXT, evidence={"parameters": EVIL_TEXT, EVIL_TEXT: "key too"}),
            f("frequency", Kind.SIGNAL, Strength.MODERATE, "Some peaks.", score=0.62, region=(1, 2, 3, 4),
              evidence={"spectrum_png": str(folder / "missing.png")})),
            errors=(FileError(ErrorCode.DETECTOR_ERROR, EVIL_TEXT, detector="watermark"),), width=48, height=48),
    ]


def render(results: list[FileResult], html_all: bool = False) -> str:
    out = io.StringIO()
    settings = resolve({"format": "html", "html_all": html_all or None})
    fmt = formatters.get("html")(out, run_info(), {}, settings=settings)
    fmt.start()
    for r in results:
        fmt.add(r)
    fmt.finish(run_info())
    return out.getvalue()
