"""The c2pa-python SDK behind one narrow call that never touches the network.

Everything the SDK can throw is turned into a ``ReadResult`` here, so the interpretation code
only ever sees plain data.  The SDK is imported when a ``ManifestReader`` is built (inside the
detector's ``load``), never at module import time.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

# Offline is a rule, not a preference: a remote manifest reference is reported, never fetched,
# and certificate revocation (OCSP) is never asked for.  Everything else keeps the SDK defaults
# (trust checking on, the full validation of hashes and signatures).
OFFLINE_SETTINGS: dict[str, Any] = {
    "verify": {
        "remote_manifest_fetch": False,
        "ocsp_fetch": False,
        "verify_trust": True,
    },
}

# Sniffed synthcheck format -> the MIME type the SDK expects.  Passing the sniffed type (not the
# file extension) lets a mislabelled file be read as what it is.
MIME_TYPES = {
    "jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp", "gif": "image/gif",
    "tiff": "image/tiff", "heif": "image/heif", "avif": "image/avif",
    "mp4": "video/mp4", "m4v": "video/mp4", "mov": "video/quicktime", "avi": "video/avi",
    "pdf": "application/pdf",
}

_REMOTE_URL = re.compile(r"from url\s+(\S+)")


@dataclass(frozen=True)
class ReadResult:
    """What reading one file gave.

    ``status``: manifest, none, remote, unreadable (C2PA data present but not readable),
    unparsed (the SDK could not parse the container and no C2PA data is visible) or unsupported.
    """

    status: str
    store: dict[str, Any] = field(default_factory=dict)  # the SDK's manifest-store JSON
    mime: str | None = None
    remote_url: str | None = None
    error: str = ""  # the SDK's own message, for unreadable/unsupported


def settings_for(trust_pem: str | None = None, *, signer_pem: str | None = None, signer_uri: str | None = None,
                 tsa_pem: str | None = None) -> dict[str, Any]:
    """The SDK settings for a read: offline, the trust list in use and the user's own anchors if given.

    Each list gets a ``trust_uri`` so the SDK's ``trustListUri`` says which one vouched for a signer
    (the user's extra anchors are the SDK's ``user_anchors``).
    """
    settings = json.loads(json.dumps(OFFLINE_SETTINGS))
    trust: dict[str, Any] = {}
    anchors = []
    if signer_pem:
        anchors.append({"trust_anchors": signer_pem, "trust_kind": "manifest", "trust_uri": signer_uri or "trust-list"})
    if tsa_pem:
        anchors.append({"trust_anchors": tsa_pem, "trust_kind": "tsa", "trust_uri": "c2pa-tsa-trust-list"})
    if anchors:
        trust["anchors"] = anchors
    if trust_pem:
        trust["user_anchors"] = trust_pem
    if trust:
        settings["trust"] = trust
    return settings


def load_trust_anchors(path: str | Path) -> str:
    """The PEM text of a user trust-anchor file; a clear error when it is not one."""
    p = Path(path).expanduser()
    try:
        text = p.read_text(encoding="ascii", errors="strict")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read C2PA trust anchors from {p}: {exc}") from exc
    if "-----BEGIN CERTIFICATE-----" not in text:
        raise ValueError(f"C2PA trust anchors file {p} holds no PEM certificate")
    return text


class ManifestReader:
    """One SDK context per worker, reused for every file it reads."""

    def __init__(self, trust_pem: str | None = None, **lists: str | None) -> None:
        import c2pa

        self._c2pa = c2pa
        self.context = c2pa.Context.from_dict(settings_for(trust_pem, **lists))
        try:
            self._supported = set(c2pa.Reader.get_supported_mime_types())
        except Exception:  # noqa: BLE001 - an older SDK without the list: let it decide per file
            self._supported = set()

    def read(self, stream: IO[bytes], fmt: str | None) -> ReadResult:
        """Read the manifest store from ``stream`` of sniffed format ``fmt``.

        ``OSError`` (the file itself cannot be read) is left to the caller; every SDK failure
        becomes a result.
        """
        c2pa = self._c2pa
        mime = MIME_TYPES.get(fmt or "")
        if mime is None or (self._supported and mime not in self._supported):
            return ReadResult("unsupported", mime=mime,
                              error=f"the C2PA SDK does not read {fmt or 'this'} files")
        try:
            reader = c2pa.Reader.try_create(mime, stream, None, self.context)
        except OSError:
            raise
        except Exception as exc:  # noqa: BLE001 - classified below, never propagated
            return self._failed(exc, mime)
        if reader is None:
            return ReadResult("none", mime=mime)
        try:
            with reader:
                store = json.loads(reader.json())
        except OSError:
            raise
        except Exception as exc:  # noqa: BLE001
            return self._failed(exc, mime)
        if not isinstance(store, dict) or not store.get("manifests"):
            return ReadResult("unreadable", mime=mime, error="the manifest store holds no manifest")
        return ReadResult("manifest", store=store, mime=mime)

    def _failed(self, exc: Exception, mime: str) -> ReadResult:
        c2pa = self._c2pa
        msg = str(getattr(exc, "message", "") or exc or type(exc).__name__)
        if isinstance(exc, c2pa.C2paError.ManifestNotFound):
            return ReadResult("none", mime=mime)
        if isinstance(exc, c2pa.C2paError.RemoteManifest) or msg.startswith("Remote"):
            m = _REMOTE_URL.search(msg)
            return ReadResult("remote", mime=mime, remote_url=m.group(1) if m else None, error=msg)
        if isinstance(exc, c2pa.C2paError.NotSupported):
            return ReadResult("unsupported", mime=mime, error=msg)
        return ReadResult("unreadable", mime=mime, error=msg[:500])


def has_c2pa_data(stream: IO[bytes], chunk: int = 1 << 20) -> bool:
    """Whether the bytes hold a JUMBF box labelled c2pa: tells a damaged manifest from a damaged file."""
    stream.seek(0)
    tail = b""
    while block := stream.read(chunk):
        data = tail + block
        at = data.find(b"jumb")
        while at >= 0:
            if b"c2pa" in data[at:at + 64]:
                return True
            at = data.find(b"jumb", at + 4)
        tail = data[-68:]
    return False
