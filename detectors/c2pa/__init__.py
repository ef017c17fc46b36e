"""C2PA content credentials: read and validate the signed provenance manifest a file carries."""

from __future__ import annotations

from typing import TYPE_CHECKING

from synthcheck.detector import Detector
from synthcheck.limits import MediaError
from synthcheck.model import ErrorCode, Finding, Kind

if TYPE_CHECKING:  # pragma: no cover
    from synthcheck.media import Media

    from .reader import ManifestReader


class C2PADetector(Detector):
    """C2PA content credentials (provenance manifest).

    What it measures: whether the file carries a C2PA manifest (signed "content credentials"
    written by cameras, editors and AI generators), whether that manifest still matches the file,
    who signed it, and what it declares about how the content was made. It reads the manifest
    with the official C2PA SDK (c2pa-python), fully offline: a manifest stored on a server is
    reported as "remote manifest not fetched", and certificate revocation (OCSP) is not checked.

    How to read it:
    - No C2PA manifest: provenance unknown. Most files have none (social networks strip them);
      it says nothing about how the file was made.
    - Valid: the manifest is intact (the file's bytes match the signed hashes) but the signing
      certificate is not on the trust list in use (status `signingCredential.untrusted`): what
      it declares was not changed since signing, but who signed it is not confirmed. Test and
      self-made certificates look like this. Pass your own trusted roots with
      `--c2pa-trust-anchors FILE.pem` (option `c2pa_trust_anchors`).
    - Trusted: intact and signed by a certificate that chains to a trusted root.
    - Invalid: the SDK's failing status codes are listed. Hash or signature mismatches
      (`assertion.dataHash.mismatch`, `assertion.bmffHash.mismatch`, `claimSignature.mismatch`)
      mean the file or manifest was altered after signing: a STRONG finding with claim
      "tampered", and whatever the manifest declares is shown only as unverified. Certificate
      problems alone (expired, revoked) are a moderate finding: the signature cannot be relied on.
    - Declarations, from the active manifest and the manifests of its ingredients (the edit
      history): an action whose digital source type is `trainedAlgorithmicMedia` (AI-generated)
      or `compositeWithTrainedAlgorithmicMedia` (AI-edited) in an intact manifest is DECISIVE and
      makes the verdict "ai-generated". A declared camera capture (`digitalCapture`) is context
      only, never proof of authenticity: it is what the signer says (film scans too; "print"
      and "algorithmicallyEnhanced" are context only). What each term means comes from the
      shared vocabulary (``synthcheck.vocabulary``), so the metadata detector reading the same
      term in XMP gives it the same claim. Each finding names the
      manifest label, the claim generator, the software agents and the signer.
    Findings carry no score: provenance is a signed statement, not a probability.

    Evidence keys: `source` ("c2pa"), `manifest` (the manifest label), `validation_state`,
    `failures` (status codes), `claim_generator`, `signer` (issuer, common_name, alg, time),
    `all_actions` (every action of the active manifest with its software agent),
    `ingredients` (the chain: title, relationship, manifest, recorded failures, depth); on
    declarations also `digital_source_type`, `actions`, `software_agents`, `via_ingredient`;
    `remote_url` or `error` where the manifest could not be read.

    When it fails: a file whose manifest was stripped (most re-uploads) shows "no manifest"; a
    manifest the SDK cannot parse is reported as "manifest present but unreadable"; formats the
    SDK does not read (WebM, MKV, BMP) are reported as not checked. A valid manifest proves only
    that the signer made the declaration; a signer can declare falsely, and an AI tool that
    writes no manifest leaves no trace here.
    """

    id = "c2pa"
    version = "1.1.0"  # 1.1: digital source types from synthcheck.vocabulary (film scans are captures)
    title = "C2PA content credentials"
    media = frozenset({"image", "video", "document"})
    cost = "cheap"
    kind = Kind.PROVENANCE
    requires_modules = ("c2pa",)
    extra = ""

    _reader: "ManifestReader | None" = None

    def load(self) -> None:
        from .reader import ManifestReader, load_trust_anchors

        anchors = self.context.options.get("c2pa_trust_anchors")
        pem = load_trust_anchors(anchors) if anchors else None
        self._reader = ManifestReader(pem)

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
            return interpret.interpret(result.store, self.finding,
                                       trusted_anchors=bool(self.context.options.get("c2pa_trust_anchors")))
        if result.status == "none":
            return interpret.no_manifest(self.finding)
        if result.status == "remote":
            return interpret.remote(self.finding, result.remote_url)
        if result.status == "unsupported":
            return interpret.unsupported(self.finding, result.error, media.format)
        return interpret.unreadable(self.finding, result.error)
