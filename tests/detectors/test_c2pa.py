"""The C2PA detector on files the tests sign themselves, on the SDK's own test files, offline."""

from __future__ import annotations

import http.server
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from synthcheck.detector import DetectorContext
from synthcheck.fusion import contradictions
from synthcheck.media import Media
from synthcheck.model import Claim, Finding, Kind, Label, Strength

from .c2pa_fixtures import flip_scan_byte, image_bytes, make_pki, manifest, sign, video_bytes

pytest.importorskip("c2pa")

from detectors.c2pa import C2PADetector

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def pki(tmp_path_factory):
    return make_pki(tmp_path_factory.mktemp("pki"))


def detect(path: Path, **options) -> list[Finding]:
    det = C2PADetector(DetectorContext(options=options))
    det.load()
    return det.run(Media.open(path))


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


def only(findings: list[Finding], title_start: str) -> Finding:
    hits = [f for f in findings if f.title.startswith(title_start)]
    assert len(hits) == 1, [f.title for f in findings]
    return hits[0]


# -- contract --------------------------------------------------------------------------------
def test_import_and_availability_do_not_import_the_sdk():
    code = ("import sys; from detectors.c2pa import C2PADetector as D; a = D.availability(); "
            "assert a.ok, a; bad = [m for m in ('c2pa', 'torch', 'cv2') if m in sys.modules]; "
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)


def test_class_data():
    assert (C2PADetector.id, C2PADetector.version, C2PADetector.cost) == ("c2pa", "1.2.0", "cheap")
    assert C2PADetector.media == frozenset({"image", "video", "document"})
    assert C2PADetector.kind is Kind.PROVENANCE and C2PADetector.requires_modules == ("c2pa",)
    doc = C2PADetector.__doc__ or ""
    for words in ("trusted", "invalid", "valid, signer not on a trust list", "absent", "signingCredential.untrusted",
                  "When it fails"):
        assert words in doc


# -- what a manifest declares ----------------------------------------------------------------
@pytest.mark.parametrize("source_type, claim, strength", [
    ("trainedAlgorithmicMedia", Claim.AI_GENERATED, Strength.DECISIVE),
    ("compositeWithTrainedAlgorithmicMedia", Claim.AI_EDITED, Strength.DECISIVE),
    ("algorithmicMedia", Claim.ALGORITHMIC, Strength.INFO),
    ("digitalCapture", Claim.CAPTURE, Strength.INFO),
])
def test_declared_source_type(tmp_path, pki, source_type, claim, strength):
    action = "c2pa.created" if claim is not Claim.AI_EDITED else "c2pa.edited"
    extra = [{"action": "c2pa.created", "digitalSourceType": "http://cv.iptc.org/newscodes/digitalsourcetype/"
              "digitalCapture"}] if action == "c2pa.edited" else []
    data = sign(pki, manifest(source_type, action=action, agent="GenTool", extra_actions=extra), image_bytes())
    findings = detect(write(tmp_path, "f.jpg", data))
    state = only(findings, "C2PA: valid")
    assert state.evidence["validation_state"] == "Valid"
    assert "signingCredential.untrusted" in state.evidence["failures"]
    assert state.evidence["signer"]["common_name"] == "synthcheck test signer"
    assert "synthcheck-tests" in state.evidence["claim_generator"]
    assert {"action": action, "software_agent": "GenTool 1.0", "digital_source_type": source_type} \
        in state.evidence["all_actions"]
    decl = [f for f in findings if f.evidence.get("digital_source_type") == source_type]
    assert len(decl) == 1
    d = decl[0]
    assert (d.claim, d.strength, d.kind) == (claim, strength, Kind.PROVENANCE)
    assert d.evidence["source"] == "c2pa" and d.evidence["manifest"].startswith("urn:c2pa:")
    assert d.evidence["software_agents"] == ["GenTool 1.0"] and action in d.evidence["actions"]
    assert all(f.score is None for f in findings)


def test_signed_video_and_altered_video(tmp_path, pki):
    pytest.importorskip("av")
    signed = sign(pki, manifest("trainedAlgorithmicMedia"), video_bytes(), mime="video/mp4")
    path = write(tmp_path, "v.mp4", signed)
    assert Media.open(path).kind == "video"
    assert any(f.claim is Claim.AI_GENERATED and f.strength is Strength.DECISIVE for f in detect(path))
    mdat = signed.find(b"mdat") + 64  # change a byte of coded frame data
    altered = signed[:mdat] + bytes([signed[mdat] ^ 0xFF]) + signed[mdat + 1:]
    state = only(detect(write(tmp_path, "v2.mp4", altered)), "C2PA: invalid (file altered")
    assert state.claim is Claim.TAMPERED and "assertion.bmffHash.mismatch" in state.evidence["failures"]


def test_no_manifest(tmp_path):
    findings = detect(write(tmp_path, "plain.jpg", image_bytes()))
    assert [(f.title, f.strength, f.claim) for f in findings] == [("C2PA: absent (no manifest)", Strength.INFO, None)]
    assert "provenance is unknown" in findings[0].explanation


def test_pixels_changed_after_signing_is_tampered(tmp_path, pki):
    signed = sign(pki, manifest("trainedAlgorithmicMedia"), image_bytes())
    findings = detect(write(tmp_path, "t.jpg", flip_scan_byte(signed)))
    state = only(findings, "C2PA: invalid (file altered")
    assert (state.claim, state.strength) == (Claim.TAMPERED, Strength.STRONG)
    assert state.evidence["validation_state"] == "Invalid"
    assert "assertion.dataHash.mismatch" in state.evidence["failures"]
    assert "altered after signing" in state.explanation
    # whatever it declares, an altered manifest never counts as AI provenance
    assert not any(f.claim in (Claim.AI_GENERATED, Claim.AI_EDITED) for f in findings)
    assert any(f.evidence.get("digital_source_type") == "trainedAlgorithmicMedia" and f.strength is Strength.INFO
               for f in findings)


def test_ingredient_chain_capture_then_ai_edit(tmp_path, pki):
    parent = sign(pki, manifest("digitalCapture", agent="CameraFW", generator="TestCamera"), image_bytes(seed=1))
    child_def = manifest("compositeWithTrainedAlgorithmicMedia", action="c2pa.edited", agent="GenFill",
                         extra_actions=[{"action": "c2pa.opened", "parameters": {"ingredientIds": ["parent"]}}])
    child = sign(pki, child_def, image_bytes(seed=2),
                 ingredients=[({"title": "parent.jpg", "relationship": "parentOf", "label": "parent"}, parent)])
    findings = detect(write(tmp_path, "edit.jpg", child))
    state = only(findings, "C2PA: valid")
    links = state.evidence["ingredients"]
    assert len(links) == 1 and links[0]["relationship"] == "parentOf" and links[0]["title"] == "parent.jpg"
    ai = [f for f in findings if f.claim is Claim.AI_EDITED]
    cap = [f for f in findings if f.claim is Claim.CAPTURE]
    assert len(ai) == 1 and ai[0].strength is Strength.DECISIVE and ai[0].evidence["via_ingredient"] is None
    assert len(cap) == 1 and cap[0].evidence["via_ingredient"] == "parentOf"
    assert cap[0].evidence["manifest"] == links[0]["manifest"] != ai[0].evidence["manifest"]
    # one manifest history (capture, then AI edit) is not a contradiction ...
    assert contradictions(findings) == []
    # ... nor is camera EXIF beside an AI *edit* (an edited photo legitimately has both); only a
    # claim of AI *creation* contradicts a capture claim from another source
    other = Finding("metadata", "1", Kind.PROVENANCE, Strength.INFO, "EXIF names a camera",
                    evidence={"source": "exif"}, claim=Claim.CAPTURE)
    assert contradictions([*findings, other]) == []
    created = Finding("metadata", "1", Kind.PROVENANCE, Strength.DECISIVE, "A1111 record",
                      evidence={"source": "metadata"}, claim=Claim.AI_GENERATED)
    assert len(contradictions([*findings, created])) == 1


def test_ai_generated_component_counts_as_ai_edit(tmp_path, pki):
    comp = sign(pki, manifest("trainedAlgorithmicMedia", agent="Diffuser"), image_bytes(seed=3))
    base = manifest("digitalCapture", agent="CameraFW")
    out = sign(pki, base, image_bytes(seed=4),
               ingredients=[({"title": "sticker.jpg", "relationship": "componentOf"}, comp)])
    findings = detect(write(tmp_path, "comp.jpg", out))
    ai = [f for f in findings if f.evidence.get("digital_source_type") == "trainedAlgorithmicMedia"]
    assert len(ai) == 1 and ai[0].claim is Claim.AI_EDITED and ai[0].strength is Strength.DECISIVE
    assert ai[0].evidence["via_ingredient"] == "componentOf"


def test_grandparent_reached_through_a_component_is_only_part_of_the_file(tmp_path, pki):
    gen = sign(pki, manifest("trainedAlgorithmicMedia", agent="Diffuser"), image_bytes(seed=5))
    opened = manifest(None, action="c2pa.opened")
    opened["assertions"][0]["data"]["actions"][0]["parameters"] = {"ingredientIds": ["p"]}
    comp = sign(pki, opened, image_bytes(seed=6), ingredients=[({"title": "gen.jpg", "relationship": "parentOf",
                                                                  "label": "p"}, gen)])
    cap = sign(pki, manifest("digitalCapture"), image_bytes(seed=7))
    out = sign(pki, manifest("trainedAlgorithmicMedia"), image_bytes(seed=8),
               ingredients=[({"title": "comp.jpg", "relationship": "componentOf"}, comp),
                            ({"title": "cap.jpg", "relationship": "componentOf"}, cap)])
    findings = detect(write(tmp_path, "nested.jpg", out))
    links = only(findings, "C2PA: valid").evidence["ingredients"]
    assert sorted((link["title"], link["depth"]) for link in links) == [("cap.jpg", 1), ("comp.jpg", 1), ("gen.jpg", 2)]
    deep = [f for f in findings if "Diffuser 1.0" in f.evidence.get("software_agents", [])]
    assert len(deep) == 1 and deep[0].claim is Claim.AI_EDITED and deep[0].evidence["via_ingredient"] == "componentOf"
    # a captured component says nothing about what the whole file is
    component_capture = [f for f in findings if f.evidence.get("digital_source_type") == "digitalCapture"]
    assert len(component_capture) == 1 and component_capture[0].claim is None


# -- trust -----------------------------------------------------------------------------------
def test_user_trust_anchors_make_the_signer_trusted(tmp_path, pki):
    path = write(tmp_path, "g.jpg", sign(pki, manifest("trainedAlgorithmicMedia"), image_bytes()))
    untrusted = only(detect(path), "C2PA: valid")
    assert untrusted.title == "C2PA: valid, signer not on a trust list" and "trust list" in untrusted.explanation
    trusted = only(detect(path, c2pa_trust_anchors=str(pki.root_path)), "C2PA: trusted")
    assert trusted.title == "C2PA: trusted"
    assert trusted.evidence["validation_state"] == "Trusted" and trusted.evidence["failures"] == []


def test_unusable_trust_anchor_file_fails_load(tmp_path):
    bad = write(tmp_path, "anchors.pem", b"not a certificate")
    det = C2PADetector(DetectorContext(options={"c2pa_trust_anchors": str(bad)}))
    with pytest.raises(ValueError, match="no PEM certificate"):
        det.load()


def test_expired_certificate_is_explained_not_called_tampering():
    from detectors.c2pa.interpret import interpret

    fail = {"code": "signingCredential.expired", "explanation": "certificate expired"}
    store = {"active_manifest": "urn:c2pa:x", "manifests": {"urn:c2pa:x": {"label": "urn:c2pa:x", "assertions": []}},
             "validation_state": "Invalid", "validation_results": {"activeManifest": {"failure": [fail]}}}
    det = C2PADetector(DetectorContext())
    [f] = interpret(store, det.finding)
    assert f.claim is None and f.strength is Strength.MODERATE
    assert "certificate had expired" in f.explanation


# -- offline and robustness ------------------------------------------------------------------
class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):
        self.hits.append(self.path)
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_remote_manifest_is_reported_not_fetched(tmp_path, pki):
    import c2pa

    server = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/manifest.c2pa"
        path = write(tmp_path, "r.jpg", sign(pki, manifest("digitalCapture"), image_bytes(), remote_url=url))
        [f] = detect(path)
        assert f.title == "Remote manifest not fetched" and f.evidence["remote_url"] == url
        assert "remote manifest not fetched" in f.explanation
        assert _Recorder.hits == []
        # the SDK's default would have fetched it: the test server does see requests
        with open(path, "rb") as fh, pytest.raises(c2pa.C2paError):
            c2pa.Reader("image/jpeg", fh, None, c2pa.Context())
        assert _Recorder.hits == ["/manifest.c2pa"]
    finally:
        server.shutdown()


def test_damaged_manifest_is_a_finding(tmp_path, pki):
    signed = sign(pki, manifest("trainedAlgorithmicMedia"), image_bytes())
    at = signed.find(b"c2pa.actions")
    broken = signed[:at] + bytes(b ^ 0x5A for b in signed[at:at + 40]) + signed[at + 40:]
    findings = detect(write(tmp_path, "d.jpg", broken))
    [f] = findings
    assert f.title == "C2PA manifest present but unreadable" and f.strength is Strength.WEAK and f.claim is None


def test_unparseable_file_without_c2pa_data_is_not_called_a_manifest(tmp_path):
    path = write(tmp_path, "cut.png", image_bytes("PNG")[:100])  # the header parses, the SDK gives up
    [f] = detect(path)
    assert f.title == "C2PA not checked: file not parsed" and f.strength is Strength.INFO
    assert "could not parse" in f.explanation


def test_mislabelled_extension_read_as_sniffed_format(tmp_path, pki):
    data = sign(pki, manifest("trainedAlgorithmicMedia"), image_bytes("PNG"), mime="image/png")
    path = write(tmp_path, "really_a_png.jpg", data)
    assert Media.open(path).format == "png"
    assert any(f.claim is Claim.AI_GENERATED for f in detect(path))


# -- through the library API -----------------------------------------------------------------
def test_fused_verdicts_through_scan(tmp_path, pki):
    from synthcheck.api import scan

    ai = write(tmp_path, "ai.jpg", sign(pki, manifest("trainedAlgorithmicMedia"), image_bytes()))
    tampered = write(tmp_path, "tampered.jpg", flip_scan_byte(sign(pki, manifest("trainedAlgorithmicMedia"),
                                                                   image_bytes())))
    capture = write(tmp_path, "capture.jpg", sign(pki, manifest("digitalCapture"), image_bytes()))
    _, results = scan([str(ai), str(tampered), str(capture)], detectors=["c2pa"], workers=1, device="cpu")
    labels = {Path(r.path).name: r.verdict.label for r in results}
    assert labels == {"ai.jpg": Label.AI_GENERATED, "tampered.jpg": Label.INCONCLUSIVE,
                      "capture.jpg": Label.NO_EVIDENCE}
    assert all(r.errors == () for r in results)
    assert results[0].verdict.basis == "provenance"


# -- the SDK's own test files ----------------------------------------------------------------
@pytest.mark.corpus
@pytest.mark.parametrize("name, title, code", [
    ("C.jpg", "C2PA: valid, signer not on a trust list", "signingCredential.untrusted"),
    ("files-for-reading-tests/XCA.jpg", "C2PA: invalid (file altered after signing)", "assertion.dataHash.mismatch"),
    ("files-for-reading-tests/E-sig-CA.jpg", "C2PA: invalid (file altered after signing)", "claimSignature.mismatch"),
    ("files-for-reading-tests/CIE-sig-CA.jpg", "C2PA: invalid (ingredient history altered)", "claimSignature.mismatch"),
    ("dashinit.mp4", "C2PA: invalid (file altered after signing)", "assertion.bmffHash.mismatch"),
    ("video1.mp4", "C2PA: valid, signer not on a trust list", "signingCredential.untrusted"),
    ("file_with_wrong_extension.xyz.jpg", "C2PA: valid, signer not on a trust list", "signingCredential.untrusted"),
])
def test_sdk_test_files(shared_data, name, title, code):
    path = shared_data / "c2pa" / name
    if not path.exists():
        pytest.skip(f"{name} not in ../shared")
    f = only(detect(path), title)
    assert code in f.evidence["failures"]


@pytest.mark.corpus
@pytest.mark.parametrize("name, title", [("A.jpg", "C2PA: absent (no manifest)"),
                                         ("cloud.jpg", "Remote manifest not fetched")])
def test_sdk_test_files_without_embedded_manifest(shared_data, name, title):
    path = shared_data / "c2pa" / name
    if not path.exists():
        pytest.skip(f"{name} not in ../shared")
    assert [f.title for f in detect(path)] == [title]


@pytest.mark.corpus
def test_sdk_test_certificate_as_trust_anchor(shared_data, tmp_path):
    """The SDK's own ES256 test chain: signed here, trusted once its root is passed as anchor."""
    from .c2pa_fixtures import SigningPKI

    certs = shared_data / "c2pa" / "es256_certs.pem"
    key = shared_data / "c2pa" / "es256_private.key"
    if not (certs.exists() and key.exists()):
        pytest.skip("es256 test certificates not in ../shared")
    chain = certs.read_bytes()
    root = write(tmp_path, "root.pem", b"-----BEGIN CERTIFICATE-----" + chain.split(b"-----BEGIN CERTIFICATE-----")[-1])
    pki = SigningPKI(chain, key.read_bytes(), root)
    path = write(tmp_path, "s.jpg", sign(pki, manifest("digitalCapture"), image_bytes()))
    assert only(detect(path), "C2PA: valid").evidence["validation_state"] == "Valid"
    trusted = only(detect(path, c2pa_trust_anchors=str(root)), "C2PA: trusted")
    assert trusted.evidence["validation_state"] == "Trusted"


@pytest.mark.corpus
def test_sdk_pdf_through_the_reader(shared_data):
    from detectors.c2pa.reader import ManifestReader

    path = shared_data / "c2pa" / "files-for-reading-tests" / "pdf-file.pdf"
    if not path.exists():
        pytest.skip("pdf-file.pdf not in ../shared")
    with open(path, "rb") as fh:
        res = ManifestReader().read(fh, "pdf")
    assert res.status == "manifest" and res.store["validation_state"] == "Valid"


def test_signed_pdf_is_read_through_a_scan(shared_data):
    from synthcheck.api import scan

    _, [res] = scan([str(shared_data / "c2pa" / "files-for-reading-tests" / "pdf-file.pdf")], detectors=["c2pa"],
                    workers=1)
    assert (res.media, res.format) == ("document", "pdf") and not res.errors
    assert any(f.detector == "c2pa" and "manifest" in f.title.lower() for f in res.findings), res.findings
