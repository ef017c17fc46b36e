"""Make C2PA-signed test files: a throw-away ES256 CA and signer, and c2pa-python's Builder.

The certificates carry what the C2PA trust model requires of a signer (v3, CA-issued, not
self-signed, digitalSignature key usage, the emailProtection EKU), so the SDK validates files
signed here exactly as it validates files from real tools; only the trust list differs.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import pytest

IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"


@dataclass(frozen=True)
class SigningPKI:
    chain_pem: bytes  # signer certificate then CA certificate
    key_pem: bytes
    root_path: Path  # the CA certificate alone, as a trust-anchor file


def make_pki(folder: Path, *, org: str = "synthcheck tests", signer_cn: str = "synthcheck test signer",
             valid_days: tuple[float, float] = (-1, 30), ocsp_url: str | None = None) -> SigningPKI:
    """A CA and a signer; ``valid_days`` is the signer's validity in days from now (the SDK refuses to sign with
    an expired certificate, so an expired signer is one valid for seconds, read after it lapsed),
    ``ocsp_url`` an OCSP responder named in the signer's certificate (to prove it is never asked)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    def name(cn: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn),
                          x509.NameAttribute(NameOID.ORGANIZATION_NAME, org)])

    def usage(sign: bool) -> x509.KeyUsage:
        return x509.KeyUsage(digital_signature=sign, content_commitment=False, key_encipherment=False,
                             data_encipherment=False, key_agreement=False, key_cert_sign=not sign,
                             crl_sign=not sign, encipher_only=False, decipher_only=False)

    now = dt.datetime.now(dt.timezone.utc)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = (x509.CertificateBuilder().subject_name(name("synthcheck test root")).issuer_name(name("synthcheck test root"))
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - dt.timedelta(days=60)).not_valid_after(now + dt.timedelta(days=30))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(usage(False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    leaf = (x509.CertificateBuilder().subject_name(name(signer_cn)).issuer_name(ca.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now + dt.timedelta(days=valid_days[0]))
            .not_valid_after(now + dt.timedelta(days=valid_days[1])))
    if ocsp_url:
        leaf = leaf.add_extension(x509.AuthorityInformationAccess([x509.AccessDescription(
            x509.oid.AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(ocsp_url))]), critical=False)
    leaf = (leaf
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(usage(True), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    pem = serialization.Encoding.PEM
    root_path = folder / "test_root.pem"
    root_path.write_bytes(ca.public_bytes(pem))
    key_pem = key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return SigningPKI(leaf.public_bytes(pem) + ca.public_bytes(pem), key_pem, root_path)


def image_bytes(fmt: str = "JPEG", seed: int = 0) -> bytes:
    from PIL import Image

    from tests.conftest import natural_image

    buf = io.BytesIO()
    Image.fromarray(natural_image(160, 120, seed)).save(buf, format=fmt, **({"quality": 90} if fmt == "JPEG" else {}))
    return buf.getvalue()


def video_bytes(frames: int = 5) -> bytes:
    """A tiny MP4 made with PyAV, so video signing needs no shared data."""
    import av

    from tests.conftest import natural_image

    buf = io.BytesIO()
    with av.open(buf, "w", format="mp4") as container:
        stream = container.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for i in range(frames):
            frame = av.VideoFrame.from_ndarray(natural_image(64, 48, i), format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return buf.getvalue()


def manifest(source_type: str | None, *, action: str = "c2pa.created", agent: str = "TestTool",
             generator: str = "synthcheck-tests", extra_actions: Sequence[dict[str, Any]] = ()) -> dict[str, Any]:
    act: dict[str, Any] = {"action": action, "softwareAgent": {"name": agent, "version": "1.0"}}
    if source_type:
        act["digitalSourceType"] = IPTC + source_type
    return {"claim_generator_info": [{"name": generator, "version": "0.1"}], "title": "test",
            "assertions": [{"label": "c2pa.actions", "data": {"actions": [*extra_actions, act]}}]}


def sign(pki: SigningPKI, definition: dict[str, Any], source: bytes, mime: str = "image/jpeg", *,
         ingredients: Sequence[tuple[dict[str, Any], bytes]] = (), remote_url: str | None = None) -> bytes:
    import c2pa

    ctx = c2pa.Context.from_dict({"verify": {"remote_manifest_fetch": False, "ocsp_fetch": False},
                                  "builder": {"thumbnail": {"enabled": False}}})
    builder = c2pa.Builder(definition, ctx)
    for ingredient, data in ingredients:
        builder.add_ingredient(ingredient, mime, io.BytesIO(data))
    if remote_url:
        builder.set_remote_url(remote_url)
        builder.set_no_embed()
    signer = c2pa.Signer.from_info(c2pa.C2paSignerInfo(c2pa.C2paSigningAlg.ES256, pki.chain_pem, pki.key_pem, None))
    out = io.BytesIO()
    builder.sign(signer, mime, io.BytesIO(source), out)
    return out.getvalue()


def flip_scan_byte(jpeg: bytes) -> bytes:
    """Change one byte of entropy-coded pixel data, leaving every marker (and the manifest) intact."""
    sos = jpeg.rfind(b"\xff\xda")
    seg_len = int.from_bytes(jpeg[sos + 2:sos + 4], "big")
    start, end = sos + 2 + seg_len, jpeg.rfind(b"\xff\xd9")
    data = bytearray(jpeg)
    for i in range((start + end) // 2, end):
        if data[i] < 0xF0 and data[i - 1] != 0xFF:
            data[i] ^= 0x0F
            return bytes(data)
    raise AssertionError("no byte to flip in the scan data")


# -- fixtures shared by the C2PA trust tests (imported by each module, so pytest finds them) --------
SHARED_C2PA = Path(__file__).resolve().parents[3] / "shared" / "data" / "c2pa"


@pytest.fixture
def no_user_lists(tmp_path, monkeypatch):
    """Every test sees the packaged lists unless it installs its own: never the developer's data folder."""
    from synthcheck import trust_store

    monkeypatch.setenv(trust_store.ENV_DIR, str(tmp_path / "user-trust"))


@pytest.fixture(scope="module")
def sdk_pki(tmp_path_factory) -> SigningPKI:
    """The SDK's ES256 test chain; its intermediate CA stands in for a trust list that holds it."""
    certs, key = SHARED_C2PA / "es256_certs.pem", SHARED_C2PA / "es256_private.key"
    if not (certs.exists() and key.exists()):
        pytest.skip("../shared/data/c2pa test certificates are not present")
    chain = certs.read_bytes()
    root = tmp_path_factory.mktemp("sdk") / "sdk_intermediate.pem"
    root.write_bytes(b"-----BEGIN CERTIFICATE-----" + chain.split(b"-----BEGIN CERTIFICATE-----")[-1])
    return SigningPKI(chain, key.read_bytes(), root)
