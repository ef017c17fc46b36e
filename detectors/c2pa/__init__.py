"""C2PA content credentials: read and validate the signed provenance manifest a file carries."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping

from synthcheck.detector import Detector
from synthcheck.limits import MediaError
from synthcheck.model import ErrorCode, Finding, Kind

if TYPE_CHECKING:  # pragma: no cover
    from synthcheck.media import Media

    from .reader import ManifestReader
    from .trust import TrustContext


class C2PADetector(Detector):
    """C2PA content credentials (provenance manifest).

    What it measures: whether the file carries a C2PA manifest (signed "content credentials"
    written by cameras, editors and AI generators), whether that manifest still matches the file,
    who signed it, and what it declares about how the content was made. It reads the manifest
    with the official C2PA SDK (c2pa-python), fully offline: a manifest stored on a server is
    reported as "remote manifest not fetched", and certificate revocation (OCSP) is not checked.

    Trust: the official C2PA Trust List and TSA Trust List ship with synthcheck (CC-BY-4.0,
    synthcheck/trust/) and are used by default; `synthcheck trust update DIR` installs newer
    ones offline and `synthcheck trust show` names the list in use. `--c2pa-trust none|FILE.pem`
    (option `c2pa.trust`) uses no list or your own list instead; `--c2pa-trust-anchors FILE.pem`
    adds your roots to it. Every run records the list version and SHA-256 (`options.c2pa.trust_lists`).

    How to read it: every manifest is in one of four states, shown with the same words in every
    format (from ``synthcheck.vocabulary.C2PA_STATES``):
    - absent: no C2PA manifest; provenance unknown. Most files have none (social networks strip
      them); it says nothing about how the file was made.
    - invalid: a hash or signature check fails. Hash or signature mismatches
      (`assertion.dataHash.mismatch`, `assertion.bmffHash.mismatch`, `claimSignature.mismatch`)
      mean the file or manifest was altered after signing: a STRONG finding with claim
      "tampered", and whatever the manifest declares is shown only as unverified. Certificate
      problems alone (expired, revoked) are a moderate finding: the signature cannot be relied on,
      which is not evidence of tampering.
    - valid, signer not on a trust list: the manifest is intact (the file's bytes match the signed
      hashes) but the signing certificate does not chain to a list in use
      (`signingCredential.untrusted`): what it declares was not changed since signing, but who
      signed it is not confirmed. Test and self-made certificates look like this.
    - trusted: intact, and the signer chains to a trust list in use (named in the finding).
    An ingredient's state is a property of that ingredient: an untrusted or expired ingredient
    never makes the file itself invalid (an ingredient manifest that was altered does).
    The signer is named: the certificate's subject organisation and common name, the claim
    generator and its version, the conforming product whose certificate subject it matches in
    the C2PA conforming-products list (with the product type the list declares: generator or
    validator product; the list does not say camera or AI tool), and the time-stamp authority.
    - Declarations, from the active manifest and the manifests of its ingredients (the edit
      history): an action whose digital source type is `trainedAlgorithmicMedia` (AI-generated)
      or `compositeWithTrainedAlgorithmicMedia` (AI-edited) in an intact manifest is DECISIVE and
      makes the verdict "ai-generated", trusted or not: the finding says whether the signer is on a
      trust list and whether it is the AI generator signing as itself. A declared camera capture
      (`digitalCapture`) is context only, never proof of authenticity: it is what the signer says
      (film scans too; "print" and "algorithmicallyEnhanced" are context only). What each term
      means comes from the shared vocabulary (``synthcheck.vocabulary``), so the metadata detector
      reading the same term in XMP gives it the same claim.
    - History: the ingredient chain oldest first, each step with its state, signer, actions,
      tools and digital source types ("captured ... then edited with generative AI").
    - Soft bindings: the watermark or fingerprint algorithms a manifest declares, each with
      whether synthcheck can check it (its watermark detector decodes invisible-watermark dwtDct
      and, with --rivagan, RivaGAN; other algorithms need their vendor's decoder).
    Findings carry no score: provenance is a signed statement, not a probability.

    Evidence keys: `source` ("c2pa"), `manifest` (the manifest label), `state`, `state_words`,
    `state_meaning`, `validation_state` (the SDK's word), `failures` (status codes),
    `claim_generator`, `signer` (issuer, common_name, alg, time), `signed_by` (organisation,
    common_name, claim_generator(_version), trust_list, conforming_product, timestamp,
    ai_generator), `trust_list`, `all_actions` (every action of the active manifest with its
    software agent), `ingredients` (the chain: title, relationship, manifest, state, signer,
    claim_generator, actions, failures, depth), `soft_bindings` (alg, checkable, note); on
    declarations also `digital_source_type`, `actions`, `software_agents`, `via_ingredient`;
    `remote_url` or `error` where the manifest could not be read.

    When it fails: a file whose manifest was stripped (most re-uploads) shows "absent"; a
    manifest the SDK cannot parse is reported as "manifest present but unreadable", a remote one
    as not fetched, and formats the SDK does not read (WebM, MKV, BMP) as not checked: none of
    these is one of the four states. A valid or trusted manifest proves only that the signer made
    the declaration; a signer can declare falsely, a trust list vouches for identity, not truth,
    and an AI tool that writes no manifest leaves no trace here. Revocation is never checked
    (offline), so a revoked certificate still reads as trusted.
    """

    id = "c2pa"
    # 1.1: digital source types from synthcheck.vocabulary (film scans are captures)
    # 1.2: the official C2PA trust lists by default, four named states, signer/product/TSA named, history
    version = "1.2.0"
    title = "C2PA content credentials"
    media = frozenset({"image", "video", "document"})
    cost = "cheap"
    kind = Kind.PROVENANCE
    requires_modules = ("c2pa",)
    extra = ""

    _reader: "ManifestReader | None" = None

    _trust: "TrustContext | None" = None

    record_keys = ("c2pa.trust_lists",)

    @classmethod
    def prepare_run(cls, options: "Mapping[str, Any]") -> "Mapping[str, Any]":
        """Resolve the trust lists once for the run: the run record states them, workers load exactly those."""
        from synthcheck import trust_store

        if options.get("c2pa.trust_lists"):
            return {}
        return {"c2pa.trust_lists": trust_store.describe(str(options.get("c2pa.trust") or "official"),
                                                         options.get("c2pa_trust_anchors"))}

    def load(self) -> None:
        from synthcheck import trust_store

        from .reader import ManifestReader
        from .trust import TrustContext

        opts = self.context.options
        record = opts.get("c2pa.trust_lists") or self.prepare_run(opts)["c2pa.trust_lists"]  # prepare_run: per run
        lists = trust_store.load_described(dict(record))
        self._trust = TrustContext(record=lists.record, products=lists.products)
        self._reader = ManifestReader(lists.extra_pem, signer_pem=lists.signer_pem, signer_uri=lists.signer_uri,
                                      tsa_pem=lists.tsa_pem)

    def run(self, media: "Media") -> list[Finding]:
        from . import interpret

        if self._reader is None:
            self.load()
        assert self._reader is not None
        from .reader import has_c2pa_data

        try:
            with media.open_stream() as stream:
                result = self._reader.read(stream, media.format)
                if result.status == "unreadable" and not has_c2pa_data(stream):
                    return interpret.unparsed(self.finding, result.error)
        except OSError as exc:
            raise MediaError(ErrorCode.IO_ERROR, f"cannot read file for C2PA: {exc.strerror or exc}") from exc
        if result.status == "manifest":
            return interpret.interpret(result.store, self.finding, trust=self._trust,
                                       trusted_anchors=bool(self.context.options.get("c2pa_trust_anchors")))
        if result.status == "none":
            return interpret.no_manifest(self.finding)
        if result.status == "remote":
            return interpret.remote(self.finding, result.remote_url)
        if result.status == "unsupported":
            return interpret.unsupported(self.finding, result.error, media.format)
        return interpret.unreadable(self.finding, result.error)
