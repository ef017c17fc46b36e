"""One provenance vocabulary: a term or a tool name means the same whichever detector reads it.

Each test reads the same declaration through two detectors' own code paths and compares the
claims, so a contradiction between sources can never depend on which detector read a claim.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from synthcheck.detector import DetectorContext
from synthcheck.media import Media
from synthcheck.model import Claim, Kind

IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"
# Every term of the IPTC NewsCodes vocabulary (2025), a retired one, and one it does not have.
TERMS = ["trainedAlgorithmicMedia", "compositeWithTrainedAlgorithmicMedia", "algorithmicMedia",
         "compositeSynthetic", "digitalCapture", "computationalCapture", "compositeCapture", "negativeFilm",
         "positiveFilm", "print", "algorithmicallyEnhanced", "humanEdits", "minorHumanEdits", "digitalArt",
         "digitalCreation", "dataDrivenMedia", "screenCapture", "virtualRecording", "composite", "someFutureTerm"]


def c2pa_findings(term: str):
    """What the c2pa detector reports for an intact manifest whose action declares ``term``."""
    from detectors.c2pa import C2PADetector
    from detectors.c2pa.interpret import interpret

    store = {"active_manifest": "urn:c2pa:test", "validation_state": "Valid", "manifests": {"urn:c2pa:test": {
        "label": "urn:c2pa:test", "assertions": [{"label": "c2pa.actions.v2", "data": {"actions": [
            {"action": "c2pa.created", "digitalSourceType": IPTC + term}]}}]}}}
    return interpret(store, C2PADetector(DetectorContext()).finding)


def c2pa_claim(term: str) -> Claim | None:
    findings = c2pa_findings(term)
    decl = [f for f in findings if f.evidence.get("digital_source_type") == term]
    assert len(decl) == 1, [f.title for f in findings]
    return decl[0].claim


def metadata_findings(term: str):
    """What the metadata detector reports for an XMP DigitalSourceType of ``term``."""
    from detectors.metadata import MetadataDetector
    from detectors.metadata.markers import evaluate
    from detectors.metadata.read import from_exiftool

    det = MetadataDetector(DetectorContext())
    hits = evaluate(from_exiftool({"XMP-iptcExt:DigitalSourceType": IPTC + term}))
    return [det.finding(h.explanation, strength=h.strength, claim=h.claim, title=h.title,
                        evidence={**h.evidence, "source": "metadata"}) for h in hits]


def metadata_claim(term: str) -> Claim | None:
    dst = [f for f in metadata_findings(term) if f.title.startswith("IPTC digital source type")]
    assert len(dst) == 1, [f.title for f in dst]
    return dst[0].claim


@pytest.mark.parametrize("term", TERMS)
def test_c2pa_and_metadata_give_an_iptc_term_the_same_claim(term):
    assert c2pa_claim(term) == metadata_claim(term)


@pytest.mark.parametrize("capture", ["digitalCapture", "negativeFilm", "positiveFilm", "print",
                                     "algorithmicallyEnhanced"])
def test_a_contradiction_does_not_depend_on_which_detector_read_which_claim(capture):
    from synthcheck.fusion import contradictions

    one_way = contradictions(c2pa_findings(capture) + metadata_findings("trainedAlgorithmicMedia"))
    other_way = contradictions(c2pa_findings("trainedAlgorithmicMedia") + metadata_findings(capture))
    assert len(one_way) == len(other_way) <= 1


def test_the_vocabulary_decides_the_meanings():
    from synthcheck.vocabulary import source_type

    assert source_type(IPTC + "trainedAlgorithmicMedia").claim is Claim.AI_GENERATED
    assert source_type("COMPOSITEWITHTRAINEDALGORITHMICMEDIA").claim is Claim.AI_EDITED
    assert source_type("negativeFilm/").claim is Claim.CAPTURE  # a camera photograph, on film
    assert source_type("print").claim is None  # a print can reproduce anything, a generated picture too
    assert source_type("algorithmicallyEnhanced").claim is None  # a correction says nothing about origin
    unknown = source_type("someFutureTerm")
    assert unknown.claim is None and "someFutureTerm" in unknown.label
    assert c2pa_claim("negativeFilm") is Claim.CAPTURE and metadata_claim("print") is None


# -- tool names: an image's Software field and a video's container tag ------------------------------
NAMES = ["Midjourney v6", "OpenAI Sora", "Sora", "Runway Gen-3 Alpha", "AnimateDiff v3", "Pika 1.0", "Pika",
         "Google Veo 3", "Stable Diffusion XL", "Stable Video Diffusion", "Adobe Photoshop 25 (Generative Fill)",
         "LumaFusion 3.1", "Lavf60.16.100", "GIMP 2.10"]


def _provenance_claims(findings) -> set[Claim]:
    return {f.claim for f in findings if f.kind is Kind.PROVENANCE and f.claim in (Claim.AI_GENERATED, Claim.AI_EDITED)}


def image_claims(tmp_path: Path, name: str) -> set[Claim]:
    from detectors.metadata import MetadataDetector

    exif = Image.Exif()
    exif[0x0131] = name  # IFD0:Software
    path = tmp_path / "s.jpg"
    Image.fromarray(np.full((32, 32, 3), 128, np.uint8)).save(path, "JPEG", exif=exif)
    det = MetadataDetector(DetectorContext(options={"metadata.reader": "python"}))
    return _provenance_claims(det.run(Media.open(path)))


def video_claims(tmp_path: Path, name: str) -> set[Claim]:
    """Claims from every detector that reads a video's container tags (metadata, and formerly temporal)."""
    av = pytest.importorskip("av")
    pytest.importorskip("cv2")
    from detectors.metadata import MetadataDetector
    from detectors.temporal import TemporalDetector

    path = tmp_path / "v.mp4"
    with av.open(str(path), "w") as out:
        out.metadata["comment"] = name
        stream = out.add_stream("mpeg4", rate=5)
        stream.width, stream.height = 32, 32
        for i in range(3):  # too few frames for the temporal analysis itself: only its tags matter here
            frame = np.full((32, 32, 3), 40 * i, np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    ctx = DetectorContext(options={"metadata.reader": "python"})
    found = []
    for cls in (MetadataDetector, TemporalDetector):
        found += cls(ctx).run(Media.open(path))
    return _provenance_claims(found)


@pytest.mark.parametrize("name", NAMES)
def test_a_tool_name_gives_the_same_claim_in_an_image_and_in_a_video(tmp_path, name):
    assert image_claims(tmp_path, name) == video_claims(tmp_path, name)


def test_tool_vocabulary():
    from synthcheck.vocabulary import AI_TOOLS, match_ai_tool

    assert match_ai_tool("Adobe Photoshop 25.0 (Generative Fill)").claim is Claim.AI_EDITED
    assert match_ai_tool("OpenAI Sora").name == "OpenAI Sora"  # the product, before the company
    assert match_ai_tool("Adobe Photoshop 25.0 (Windows)") is None
    assert len({t.name for t in AI_TOOLS}) == len(AI_TOOLS)
    assert all(t.claim in (Claim.AI_GENERATED, Claim.AI_EDITED) for t in AI_TOOLS)
