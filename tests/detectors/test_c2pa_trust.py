"""C2PA trust (issue 11): the official lists ship and load by default, four states in plain words,
the signer named, ingredients as a chain, soft bindings, offline updates, and no network use.

Files are signed here with the SDK's public test certificates (../shared/data/c2pa; skipped when
absent) or with a throw-away CA where a certificate must be made to measure (expired, named like
a conforming product, naming an OCSP responder).
"""

from __future__ import annotations

import io
import json
import time
from pathlib import Path

import pytest

from synthcheck import trust_store
from synthcheck.detector import DetectorContext
from synthcheck.limits import MediaError
from synthcheck.media import Media
from synthcheck.model import Claim, Finding, Strength
from synthcheck.vocabulary import C2PA_STATES

from .c2pa_fixtures import SigningPKI, flip_scan_byte, image_bytes, make_pki, manifest, no_user_lists, sdk_pki, sign

pytest.importorskip("c2pa")

from detectors.c2pa import C2PADetector
from detectors.c2pa.reader import MIME_TYPES, settings_for

REPO = Path(__file__).resolve().parents[2]
SHARED_C2PA = REPO.parent / "shared" / "data" / "c2pa"
WORDS = {k: s.words for k, s in C2PA_STATES.items()}
pytestmark = pytest.mark.usefixtures("no_user_lists")
__all__ = ["no_user_lists", "sdk_pki"]  # fixtures, imported for pytest


@pytest.fixture(scope="module")
def other_pki(tmp_path_factory) -> SigningPKI:
    return make_pki(tmp_path_factory.mktemp("other"))


def detect(path: Path, **options) -> list[Finding]:
    det = C2PADetector(DetectorContext(options=options))
    det.load()
    return det.run(Media.open(path))


def write(folder: Path, name: str, data: bytes) -> Path:
    p = folder / name
    p.write_bytes(data)
    return p


def state_of(findings: list[Finding]) -> Finding:
    hits = [f for f in findings if f.title.startswith("C2PA: ")]
    assert len(hits) == 1, [f.title for f in findings]
    return hits[0]


def assert_state(f: Finding, key: str) -> None:
    """The documented state: its key, its words in the title, its one-sentence meaning first."""
    state = C2PA_STATES[key]
    assert f.evidence["state"] == key and f.evidence["state_words"] == state.words
    assert f.title.startswith(f"C2PA: {state.words}")
    assert f.explanation.startswith(state.meaning)


# -- the vocabulary -------------------------------------------------------------------------------
def test_four_states_each_with_one_sentence():
    assert list(C2PA_STATES) == ["absent", "invalid", "valid-untrusted", "trusted"]
    assert WORDS["valid-untrusted"] == "valid, signer not on a trust list"
    for s in C2PA_STATES.values():
        assert s.meaning.count(". ") == 0 and s.meaning.endswith(".")  # one sentence
    assert "not that what they declare is true" in C2PA_STATES["trusted"].meaning
    assert "unverified" in C2PA_STATES["valid-untrusted"].meaning


# -- the four states, signed here ------------------------------------------------------------------
def test_absent(tmp_path):
    f = state_of(detect(write(tmp_path, "plain.jpg", image_bytes())))
    assert_state(f, "absent")
    assert f.claim is None and f.strength is Strength.INFO


def test_invalid_when_pixels_change_after_signing(tmp_path, sdk_pki):
    signed = sign(sdk_pki, manifest("digitalCapture"), image_bytes())
    f = state_of(detect(write(tmp_path, "t.jpg", flip_scan_byte(signed))))
    assert_state(f, "invalid")
    assert (f.claim, f.strength) == (Claim.TAMPERED, Strength.STRONG)
    assert "assertion.dataHash.mismatch" in f.evidence["failures"]


def test_valid_signer_not_on_the_official_list(tmp_path, sdk_pki):
    findings = detect(write(tmp_path, "v.jpg", sign(sdk_pki, manifest("digitalCapture"), image_bytes())))
    f = state_of(findings)
    assert_state(f, "valid-untrusted")
    assert f.title == "C2PA: valid, signer not on a trust list"
    who = f.evidence["signed_by"]
    assert (who["organisation"], who["common_name"]) == ("C2PA Test Signing Cert", "C2PA Signer")
    assert (who["claim_generator"], who["claim_generator_version"]) == ("synthcheck-tests", "0.1")
    assert who["trust_list"] is None and who["conforming_product"] is None
    assert "Signed by C2PA Test Signing Cert" in f.explanation and "unverified" in f.explanation
    assert f.evidence["trust_list"]["list"] == "official"


@pytest.mark.parametrize("how", ["choose", "add"])
def test_trusted_by_a_chosen_or_added_list(tmp_path, sdk_pki, how):
    path = write(tmp_path, "t.jpg", sign(sdk_pki, manifest("digitalCapture"), image_bytes()))
    opts = {"c2pa.trust": str(sdk_pki.root_path)} if how == "choose" else {
        "c2pa_trust_anchors": str(sdk_pki.root_path)}
    f = state_of(detect(path, **opts))
    assert_state(f, "trusted")
    expected = ("the trust list file sdk_intermediate.pem" if how == "choose"
                else "your trust anchors (sdk_intermediate.pem)")
    assert f.evidence["signed_by"]["trust_list"] == expected and expected in f.explanation
    # with no list at all the same file is only valid
    assert_state(state_of(detect(path, **{"c2pa.trust": "none"})), "valid-untrusted")


def test_expired_signer_is_invalid_but_not_tampered(tmp_path):
    pki = make_pki(tmp_path, valid_days=(-1, 3 / 86400))  # valid for three seconds: the SDK will not sign expired
    data = sign(pki, manifest("digitalCapture"), image_bytes())
    time.sleep(4)
    f = state_of(detect(write(tmp_path, "e.jpg", data), c2pa_trust_anchors=str(pki.root_path)))
    assert_state(f, "invalid")
    assert f.title == "C2PA: invalid (signature not accepted)"
    assert "signingCredential.expired" in f.evidence["failures"]
    assert f.claim is None and f.strength is Strength.MODERATE
    assert "certificate had expired" in f.explanation and "not evidence of tampering" in f.explanation


def test_untrusted_ingredient_inside_a_trusted_asset(tmp_path, sdk_pki, other_pki):
    ingredient = sign(other_pki, manifest("digitalCapture", agent="CameraFW", generator="TestCamera"),
                      image_bytes(seed=1))
    edit = manifest("compositeWithTrainedAlgorithmicMedia", action="c2pa.edited", agent="GenFill",
                    extra_actions=[{"action": "c2pa.opened", "parameters": {"ingredientIds": ["p"]}}])
    asset = sign(sdk_pki, edit, image_bytes(seed=2),
                 ingredients=[({"title": "camera.jpg", "relationship": "parentOf", "label": "p"}, ingredient)])
    findings = detect(write(tmp_path, "a.jpg", asset), c2pa_trust_anchors=str(sdk_pki.root_path))
    f = state_of(findings)
    assert_state(f, "trusted")  # the ingredient's unverified signer is not the asset's problem
    [link] = f.evidence["ingredients"]
    assert (link["title"], link["state"]) == ("camera.jpg", "valid-untrusted")
    assert link["state_words"] == WORDS["valid-untrusted"]
    assert link["signer"] == "synthcheck tests" and link["claim_generator"] == "TestCamera 0.1"
    [history] = [x for x in findings if x.title.startswith("C2PA history")]
    text = history.explanation
    assert text.index("camera.jpg") < text.index("this file (trusted")  # oldest first
    assert "valid, signer not on a trust list: a property of that ingredient, not of this file" in text
    assert "created (captured by a digital camera or recorder) with CameraFW 1.0" in text
    assert "edited (a composite that includes AI-generated elements" in text and "GenFill 1.0" in text
    assert not any(x.claim is Claim.TAMPERED for x in findings)


@pytest.mark.parametrize("delta, asset, ingredient", [
    ("signingCredential.expired", "trusted", "invalid"),  # the ingredient's certificate: its own problem
    ("signingCredential.untrusted", "trusted", "valid-untrusted"),
    ("claimSignature.mismatch", "invalid", "invalid"),  # an altered ingredient manifest breaks the history
])
def test_an_ingredient_credential_problem_never_makes_the_asset_invalid(delta, asset, ingredient):
    """Even where the SDK's summary says Invalid for it: the rule the C2PA trust model asks for."""
    from detectors.c2pa.interpret import interpret

    uri = "self#jumbf=/c2pa/urn:c2pa:a/c2pa.assertions/c2pa.ingredient.v3"
    store = {"active_manifest": "urn:c2pa:a", "validation_state": "Invalid", "manifests": {
        "urn:c2pa:a": {"label": "urn:c2pa:a", "assertions": [], "ingredients": [
            {"title": "in.jpg", "relationship": "parentOf", "active_manifest": "urn:c2pa:b",
             "label": "c2pa.ingredient.v3"}]},
        "urn:c2pa:b": {"label": "urn:c2pa:b", "assertions": []}},
        "validation_results": {"activeManifest": {"success": [{"code": "signingCredential.trusted"}], "failure": []},
                               "ingredientDeltas": [{"ingredientAssertionURI": uri,
                                                     "validationDeltas": {"failure": [{"code": delta}]}}]}}
    f = state_of(interpret(store, C2PADetector(DetectorContext()).finding))
    assert f.evidence["state"] == asset
    assert [x["state"] for x in f.evidence["ingredients"]] == [ingredient]


def test_trusted_ai_generation_manifest(tmp_path, sdk_pki):
    path = write(tmp_path, "ai.jpg", sign(sdk_pki, manifest("trainedAlgorithmicMedia", agent="Diffuser"),
                                          image_bytes()))
    findings = detect(path, **{"c2pa.trust": str(sdk_pki.root_path)})
    assert_state(state_of(findings), "trusted")
    [ai] = [f for f in findings if f.claim is Claim.AI_GENERATED]
    assert ai.strength is Strength.DECISIVE
    assert "on the trust list file sdk_intermediate.pem, so who declared it is confirmed" in ai.explanation
    # the same declaration with the signer off every list still counts, and says it is unverified
    [plain] = [f for f in detect(path) if f.claim is Claim.AI_GENERATED]
    assert plain.strength is Strength.DECISIVE and "who declared it is unverified" in plain.explanation


def test_ai_generator_signing_as_itself_is_named_with_its_conforming_product(tmp_path):
    """A certificate with the subject of a listed generator product, but not chaining to the list:
    the product and the AI generator are named, and the state says the signer is unverified."""
    pki = make_pki(tmp_path, org="OpenAI OpCo, LLC", signer_cn="OpenAI Media Service")
    data = sign(pki, manifest("trainedAlgorithmicMedia", agent="ImageGen", generator="OpenAI Media Service"),
                image_bytes())
    findings = detect(write(tmp_path, "oa.jpg", data))
    f = state_of(findings)
    assert_state(f, "valid-untrusted")
    product = f.evidence["signed_by"]["conforming_product"]
    assert product["product"] == "OpenAI Media Service" and product["type"] == "generatorProduct"
    assert "matches the conforming product \"OpenAI Media Service\" of OpenAI OpCo, LLC" in f.explanation
    assert "generator product" in f.explanation
    [ai] = [x for x in findings if x.claim is Claim.AI_GENERATED]
    assert ai.strength is Strength.DECISIVE
    assert "signs as the AI generator itself (OpenAI)" in ai.explanation and "unverified" in ai.explanation


def test_soft_bindings_listed_with_whether_synthcheck_can_check_them(tmp_path, sdk_pki):
    m = manifest("trainedAlgorithmicMedia")
    for alg in ("com.adobe.trustmark.Q", "org.invisible-watermark.dwtDct"):
        m["assertions"].append({"label": "c2pa.soft-binding", "data": {"alg": alg, "blocks": [
            {"scope": {}, "value": "AAAA"}]}})
    findings = detect(write(tmp_path, "sb.jpg", sign(sdk_pki, m, image_bytes())))
    [f] = [x for x in findings if x.title == "C2PA soft bindings declared"]
    got = {b["alg"]: b["checkable"] for b in f.evidence["soft_bindings"]}
    assert got == {"com.adobe.trustmark.Q": False, "org.invisible-watermark.dwtDct": True}
    assert "synthcheck cannot check this algorithm" in f.explanation and "decodes this mark" in f.explanation


# -- the SDK's own verdict on its public test files -------------------------------------------------
SDK_STATES = {"Trusted": "trusted", "Valid": "valid-untrusted", "Invalid": "invalid"}


@pytest.mark.corpus
def test_state_equals_what_the_sdk_reports_on_every_public_test_file():
    import c2pa

    if not SHARED_C2PA.is_dir():
        pytest.skip("../shared/data/c2pa is not present")
    lists = trust_store.load_described(trust_store.describe("official"))
    ctx = c2pa.Context.from_dict(settings_for(signer_pem=lists.signer_pem, signer_uri=lists.signer_uri,
                                              tsa_pem=lists.tsa_pem))
    compared: dict[str, str] = {}
    for path in sorted(p for p in SHARED_C2PA.rglob("*") if p.is_file()):
        try:
            media = Media.open(path)
        except MediaError:  # keys, certificates, a DASH segment: not something synthcheck scans
            continue
        mime = MIME_TYPES.get(media.format or "")
        if mime is None:
            continue
        try:
            with open(path, "rb") as fh:
                reader = c2pa.Reader.try_create(mime, fh, None, ctx)
                sdk = "absent" if reader is None else SDK_STATES[json.loads(reader.json())["validation_state"]]
        except c2pa.C2paError.ManifestNotFound:
            sdk = "absent"
        except c2pa.C2paError:
            sdk = None  # remote, prerelease or unparsable: the SDK states nothing, nor do we
        ours = [f.evidence.get("state") for f in detect(path) if f.title.startswith("C2PA: ")]
        assert ours == ([] if sdk is None else [sdk]), path.name
        if sdk:
            compared[str(path.relative_to(SHARED_C2PA))] = sdk
    assert len(compared) >= 20
    assert {"absent", "invalid", "valid-untrusted"} <= set(compared.values())


# -- the same words in every format ---------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "html"])
def test_state_words_and_chain_show_in_every_format(tmp_path, sdk_pki, other_pki, fmt):
    import html

    from synthcheck import formatters
    from synthcheck.api import scan

    ingredient = sign(other_pki, manifest("digitalCapture", agent="CameraFW"), image_bytes(seed=1))
    edit = manifest("compositeWithTrainedAlgorithmicMedia", action="c2pa.edited", agent="GenFill",
                    extra_actions=[{"action": "c2pa.opened", "parameters": {"ingredientIds": ["p"]}}])
    path = write(tmp_path, "a.jpg", sign(sdk_pki, edit, image_bytes(seed=2), ingredients=[
        ({"title": "camera.jpg", "relationship": "parentOf", "label": "p"}, ingredient)]))
    run, results = scan([str(path)], detectors=["c2pa"], workers=1, device="cpu")
    out = io.StringIO()
    formatter = formatters.get(fmt)(out, run, {})
    formatter.start()
    for r in results:
        formatter.add(r)
    formatter.finish(run)
    text = out.getvalue()
    if fmt in ("json", "sarif"):
        text = json.dumps(json.loads(text), ensure_ascii=False)
    elif fmt == "html":
        text = html.unescape(text)
    state = C2PA_STATES["valid-untrusted"]
    assert f"C2PA: {state.words}" in text
    assert " ".join(state.meaning.split()[:8]) in " ".join(text.split())  # wrapped in text, whole elsewhere
    assert "camera.jpg" in text and "C2PA history" in text
    if fmt == "html":  # the manifest table names the state in the same words, not the SDK's own word
        import re

        table = re.search(r"<h3>C2PA manifest</h3>(.*?)</table>", text, re.S)
        assert table and state.words in table.group(1)
