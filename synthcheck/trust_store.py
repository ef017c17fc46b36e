"""The C2PA trust lists: which set is in use, checked, and how a run records it.

Three places can hold a set, preferred in this order:

1. the user data folder's ``current/`` (``$SYNTHCHECK_TRUST_DIR``, else
   ``$XDG_DATA_HOME/synthcheck/trust``, else ``~/.local/share/synthcheck/trust``), written only by
   ``synthcheck trust update`` (the installed package may be read-only, and an update must survive
   a reinstall); its ``previous/`` keeps the set it replaced;
2. the lists shipped in the package (``synthcheck/trust/``, CC-BY-4.0, see its README).

A set is five files under their published names.  It is validated before use and before an
update is installed: every PEM block must be a certificate listed as trusted in the matching JSON
list (the JSON is the list as C2PA publishes it; the PEM is the same certificates for the SDK), so
a truncated or mismatched download is refused instead of silently trusting less or more.
Nothing here touches the network.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .registry import file_sha256

PACKAGED = Path(__file__).resolve().with_name("trust")
ENV_DIR = "SYNTHCHECK_TRUST_DIR"

SIGNER_PEM, SIGNER_JSON = "C2PA-TRUST-LIST.pem", "C2PA-TRUST-LIST.json"
TSA_PEM, TSA_JSON = "C2PA-TSA-TRUST-LIST.pem", "C2PA-TSA-TRUST-LIST.json"
PRODUCTS = "conforming-products-list.json"
FILES = (SIGNER_PEM, SIGNER_JSON, TSA_PEM, TSA_JSON, PRODUCTS)
TRUSTED_STATUS = "http://c2pa.org/conformance/trust-list/trusted"

# How the SDK names each list in ``validation_results.trustListUri``: the reader passes these as
# ``trust_uri``, so a finding can say which list vouched for a signer.
OFFICIAL_URI = "c2pa-trust-list"
TSA_URI = "c2pa-tsa-trust-list"
USER_ANCHORS_URI = "user_anchors"  # the SDK's own name for ``trust.user_anchors``

_PEM = re.compile(r"-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----", re.S)


class TrustListError(ValueError):
    """A trust list that cannot be used: the message is one line naming the file."""


@dataclass(frozen=True)
class TrustSet:
    """One validated set of lists, as found in ``folder``."""

    folder: Path
    source: str  # "packaged" or "user"
    issued: str  # ListIssueDateTime of the C2PA Trust List
    sequence: int | None
    tsa_issued: str
    sha256: dict[str, str]  # file name -> SHA-256
    signer_certs: int
    tsa_certs: int
    products: int

    @property
    def version(self) -> str:
        """The list version a reader can compare: issue date and sequence number."""
        return f"{self.issued} (sequence {self.sequence})" if self.sequence is not None else self.issued

    def record(self) -> dict[str, Any]:
        return {"list": "official", "source": self.source, "folder": str(self.folder), "version": self.version,
                "issued": self.issued, "sequence": self.sequence, "tsa_issued": self.tsa_issued,
                "signer_certificates": self.signer_certs, "tsa_certificates": self.tsa_certs,
                "conforming_products": self.products, "sha256": dict(self.sha256)}


def user_dir() -> Path:
    """Where ``trust update`` installs lists (created on first update only)."""
    if os.environ.get(ENV_DIR):
        return Path(os.environ[ENV_DIR]).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base).expanduser() / "synthcheck" / "trust"


def pem_certificates(text: str, where: str) -> list[str]:
    """The base64 bodies of every certificate in a PEM text; an error if there is none or one is not DER."""
    bodies = ["".join(b.split()) for b in _PEM.findall(text)]
    if not bodies:
        raise TrustListError(f"{where}: holds no PEM certificate")
    for body in bodies:
        try:
            der = base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise TrustListError(f"{where}: a certificate is not valid base64 ({exc})") from exc
        if len(der) < 64 or der[0] != 0x30:
            raise TrustListError(f"{where}: a PEM block is not a DER certificate")
    return bodies


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise TrustListError(f"{path}: cannot read ({exc.strerror or exc})") from exc


def _lote(path: Path) -> tuple[dict[str, Any], set[str]]:
    """The scheme information of a C2PA (LoTE) JSON list and the certificates it lists as trusted."""
    try:
        doc = json.loads(_read(path))
        lote = doc["LoTE"]
        info = lote["ListAndSchemeInformation"]
        entities = lote["TrustedEntitiesList"]
        trusted = {c["val"] for e in entities for s in e.get("TrustedEntityServices") or []
                   if (s.get("ServiceInformation") or {}).get("ServiceStatus", TRUSTED_STATUS) == TRUSTED_STATUS
                   for c in s["ServiceInformation"]["ServiceDigitalIdentity"]["X509Certificates"]}
    except (ValueError, KeyError, TypeError) as exc:
        raise TrustListError(f"{path}: not a C2PA trust list in the published JSON form ({exc!r})") from exc
    if not isinstance(info.get("ListIssueDateTime"), str):
        raise TrustListError(f"{path}: no ListIssueDateTime")
    return info, trusted


def _matching_pem(pem: Path, listed: set[str]) -> int:
    try:
        text = _read(pem).decode("ascii")
    except UnicodeDecodeError as exc:
        raise TrustListError(f"{pem}: not ASCII PEM text") from exc
    certs = pem_certificates(text, str(pem))
    extra = [c for c in certs if c not in listed]
    if extra:
        raise TrustListError(f"{pem}: {len(extra)} certificate(s) not listed as trusted in its JSON list")
    return len(certs)


def load_set(folder: Path, source: str) -> TrustSet:
    """Validate the five files in ``folder`` (raises ``TrustListError``)."""
    missing = [f for f in FILES if not (folder / f).is_file()]
    if missing:
        raise TrustListError(f"{folder}: missing {', '.join(missing)}")
    info, listed = _lote(folder / SIGNER_JSON)
    tsa_info, tsa_listed = _lote(folder / TSA_JSON)
    signer_n = _matching_pem(folder / SIGNER_PEM, listed)
    tsa_n = _matching_pem(folder / TSA_PEM, tsa_listed)
    products = load_products(folder / PRODUCTS)
    seq = info.get("LoTESequenceNumber")
    return TrustSet(folder=folder, source=source, issued=info["ListIssueDateTime"],
                    sequence=seq if isinstance(seq, int) else None, tsa_issued=tsa_info["ListIssueDateTime"],
                    sha256={f: file_sha256(folder / f) for f in FILES}, signer_certs=signer_n, tsa_certs=tsa_n,
                    products=len(products))


def load_products(path: Path) -> list[dict[str, Any]]:
    """The conforming-products list: records with ``product.DN``."""
    try:
        doc = json.loads(_read(path))
    except ValueError as exc:
        raise TrustListError(f"{path}: not JSON ({exc})") from exc
    if not isinstance(doc, list) or not all(isinstance(r, dict) and isinstance((r.get("product") or {}).get("DN"),
                                                                                dict) for r in doc):
        raise TrustListError(f"{path}: not a C2PA conforming-products list (a list of records with product.DN)")
    return doc


def official() -> TrustSet:
    """The set in use: the user's installed update when there is one, else the packaged lists."""
    current = user_dir() / "current"
    if current.is_dir():
        return load_set(current, "user")
    return load_set(PACKAGED, "packaged")


def describe(choice: str, extra_anchors: str | None = None) -> dict[str, Any]:
    """What the run record states about C2PA trust, and what workers load (paths and SHA-256).

    ``choice``: ``official``, ``none`` or a PEM file used instead of the official list.
    """
    if choice == "official":
        out: dict[str, Any] = official().record()
    elif choice == "none":
        out = {"list": "none"}
    else:
        path = Path(choice).expanduser().resolve()
        n = len(pem_certificates(_text(path), str(path)))
        out = {"list": "file", "file": str(path), "sha256": {path.name: file_sha256(path)}, "signer_certificates": n}
    if choice != "official":  # the products list names signers; it vouches for nobody, so it is kept
        try:
            s = official()
            out["products_file"] = {"file": str(s.folder / PRODUCTS), "sha256": s.sha256[PRODUCTS]}
        except TrustListError:
            pass
    if extra_anchors:
        path = Path(extra_anchors).expanduser().resolve()
        pem_certificates(_text(path), str(path))
        out["extra_anchors"] = {"file": str(path), "sha256": file_sha256(path)}
    return out


def _text(path: Path) -> str:
    try:
        return _read(path).decode("ascii")
    except UnicodeDecodeError as exc:
        raise TrustListError(f"{path}: not ASCII PEM text") from exc


@dataclass(frozen=True)
class Loaded:
    """The PEM texts and products a worker hands to the SDK, checked against the recorded SHA-256."""

    signer_pem: str | None
    signer_uri: str | None
    tsa_pem: str | None
    extra_pem: str | None
    products: list[dict[str, Any]]
    record: dict[str, Any]


def load_described(record: dict[str, Any]) -> Loaded:
    """Load exactly what ``describe`` recorded; an error if a file changed since the run began."""
    def checked(path: Path, digest: str) -> str:
        data = _read(path)
        if hashlib.sha256(data).hexdigest() != digest:
            raise TrustListError(f"{path}: changed since the run record was made (SHA-256 differs)")
        return data.decode("utf-8", "replace")

    signer = tsa = extra = None
    uri = None
    products: list[dict[str, Any]] = []
    kind = record.get("list")
    if kind == "official":
        folder, sums = Path(record["folder"]), record["sha256"]
        signer, tsa = checked(folder / SIGNER_PEM, sums[SIGNER_PEM]), checked(folder / TSA_PEM, sums[TSA_PEM])
        checked(folder / PRODUCTS, sums[PRODUCTS])
        products, uri = load_products(folder / PRODUCTS), OFFICIAL_URI
    elif kind == "file":
        path = Path(record["file"])
        signer, uri = checked(path, record["sha256"][path.name]), f"file:{path.name}"
    if record.get("products_file"):
        path = Path(record["products_file"]["file"])
        checked(path, record["products_file"]["sha256"])
        products = load_products(path)
    if record.get("extra_anchors"):
        extra = checked(Path(record["extra_anchors"]["file"]), record["extra_anchors"]["sha256"])
    return Loaded(signer, uri, tsa, extra, products, record)
