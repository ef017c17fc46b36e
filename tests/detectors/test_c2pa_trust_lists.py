"""C2PA trust lists (issue 11): shipped and loaded by default, recorded in every run, updated
offline with the previous set kept, chosen from the command line or a config file; and no
network use at all (no OCSP, no list fetch) while validating.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from synthcheck import trust_store

from .c2pa_fixtures import SHARED_C2PA, image_bytes, make_pki, manifest, no_user_lists, sdk_pki, sign

pytest.importorskip("c2pa")


REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.usefixtures("no_user_lists")
__all__ = ["no_user_lists", "sdk_pki"]  # fixtures, imported for pytest


def write(folder: Path, name: str, data: bytes) -> Path:
    p = folder / name
    p.write_bytes(data)
    return p


# -- the lists: shipped, loaded by default, recorded, updated offline -----------------------------
def test_packaged_lists_validate_and_every_run_records_version_and_sha256():
    from synthcheck.api import prepare

    shipped = trust_store.load_set(trust_store.PACKAGED, "packaged")
    assert shipped.signer_certs >= 1 and shipped.tsa_certs >= 1 and shipped.products >= 1
    assert (trust_store.PACKAGED / "README.md").read_text().count("CC-BY-4.0") >= 1
    run = prepare(detectors=["c2pa"], workers=1, device="cpu").run
    rec = run.options["c2pa.trust_lists"]
    assert run.options["c2pa.trust"] == "official" and rec["source"] == "packaged"
    assert rec["version"] == shipped.version
    for name in trust_store.FILES:
        assert rec["sha256"][name] == hashlib.sha256((trust_store.PACKAGED / name).read_bytes()).hexdigest()
    # no c2pa detector, no trust record
    assert "c2pa.trust_lists" not in prepare(detectors=["metadata"], workers=1, device="cpu").run.options


def test_a_worker_refuses_a_list_that_changed_after_the_run_was_recorded(tmp_path):
    folder = tmp_path / "lists"
    shutil.copytree(trust_store.PACKAGED, folder)
    rec = trust_store.load_set(folder, "user").record()
    (folder / trust_store.SIGNER_PEM).write_text((folder / trust_store.SIGNER_PEM).read_text() + "\n")
    with pytest.raises(trust_store.TrustListError, match="changed since the run record"):
        trust_store.load_described(rec)


def _cli(*argv: str) -> tuple[int, str, str]:
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    p = subprocess.run([sys.executable, "-m", "synthcheck.cli", *argv], capture_output=True, text=True, env=env,
                       cwd=REPO, timeout=120)
    return p.returncode, p.stdout, p.stderr


def test_trust_update_validates_keeps_the_previous_set_and_is_preferred(tmp_path):
    new = tmp_path / "new"
    shutil.copytree(trust_store.PACKAGED, new)
    info = json.loads((new / trust_store.SIGNER_JSON).read_text())
    info["LoTE"]["ListAndSchemeInformation"]["ListIssueDateTime"] = "2027-01-01T00:00:00Z"
    (new / trust_store.SIGNER_JSON).write_text(json.dumps(info))
    # a PEM with a certificate the JSON list does not hold is refused, and nothing is installed
    bad = tmp_path / "bad"
    shutil.copytree(new, bad)
    extra = SHARED_C2PA / "es256_certs.pem"
    if extra.exists():
        (bad / trust_store.SIGNER_PEM).write_text((bad / trust_store.SIGNER_PEM).read_text() + extra.read_text())
        rc, _, err = _cli("trust", "update", str(bad))
        assert rc == 2 and "not listed as trusted in its JSON list" in err
        assert not (Path(os.environ[trust_store.ENV_DIR]) / "current").exists()
    (bad / trust_store.SIGNER_JSON).write_text("{\"LoTE\": ")  # truncated download
    rc, _, err = _cli("trust", "update", str(bad / trust_store.SIGNER_JSON))
    assert rc == 2 and "trust lists not updated" in err

    rc, out, _ = _cli("trust", "update", str(new))
    assert rc == 0 and "2027-01-01" in out
    user = Path(os.environ[trust_store.ENV_DIR])
    assert trust_store.official().folder == user / "current" and trust_store.official().issued.startswith("2027")
    rc, out, _ = _cli("trust", "show", "--json")
    shown = json.loads(out)
    assert shown["in_use"]["source"] == "user" and shown["in_use"]["issued"].startswith("2027")
    # an older list is refused unless asked for; when installed, the one it replaced is kept
    rc, _, err = _cli("trust", "update", str(trust_store.PACKAGED))
    assert rc == 2 and "older than the one in use" in err
    rc, out, _ = _cli("trust", "update", str(trust_store.PACKAGED), "--allow-older")
    assert rc == 0 and trust_store.load_set(user / "previous", "user").issued.startswith("2027")
    assert trust_store.official().issued == trust_store.load_set(trust_store.PACKAGED, "packaged").issued


def test_trust_options_from_the_command_line_and_a_config_file(tmp_path, sdk_pki):
    from synthcheck.settings import SettingsError, resolve

    assert resolve({}).c2pa_trust == "official"
    assert resolve({"c2pa_trust": "none"}).detector_options()["c2pa.trust"] == "none"
    shutil.copy(sdk_pki.root_path, tmp_path / "mine.pem")
    cfg = tmp_path / "synthcheck.toml"
    cfg.write_text('[c2pa]\ntrust = "mine.pem"\n')
    assert resolve({}, cfg).c2pa_trust == str(tmp_path / "mine.pem")  # relative to the config file
    cfg.write_text('[c2pa]\ntrust = "none"\n')
    assert resolve({}, cfg).c2pa_trust == "none"
    with pytest.raises(SettingsError, match="--c2pa-trust: must be official, none or a PEM file"):
        resolve({"c2pa_trust": "offical"})


# -- offline --------------------------------------------------------------------------------------
class _Listener:
    """A TCP server that counts connections at the socket level, so native (Rust) clients are seen too."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.hits = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        self.server.settimeout(60)
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            self.hits += 1
            with conn:
                conn.recv(4096)
                conn.sendall(b"HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n")

    def close(self) -> None:
        self.server.close()


def test_no_connection_is_attempted_for_ocsp_or_trust_lists(tmp_path):
    """A signer certificate names an OCSP responder on a local port; a full CLI scan with the official
    lists never connects to it, and the worker's audit hook records no attempt.  Positive control:
    the SDK with OCSP fetching on does connect, so a silent server is evidence, not luck."""
    import c2pa

    listener = _Listener()
    try:
        pki = make_pki(tmp_path, ocsp_url=f"http://127.0.0.1:{listener.port}/ocsp")
        data = sign(pki, manifest("trainedAlgorithmicMedia"), image_bytes())
        path = write(tmp_path, "ocsp.jpg", data)
        audit, report = tmp_path / "net.log", tmp_path / "r.json"
        env = {**os.environ, "SYNTHCHECK_NET_AUDIT": str(audit), "OMP_NUM_THREADS": "1"}
        proc = subprocess.run([sys.executable, "-m", "synthcheck.cli", "scan", str(path), "-d", "c2pa",
                               "--c2pa-trust-anchors", str(pki.root_path), "--workers", "1", "-f", "json",
                               "-o", str(report), "--quiet"], capture_output=True, text=True, env=env, timeout=120)
        assert proc.returncode in (0, 1), proc.stderr[-2000:]
        doc = json.loads(report.read_text())
        [state] = [f for f in doc["results"][0]["findings"] if f["title"].startswith("C2PA: ")]
        assert state["evidence"]["state"] == "trusted"
        lines = audit.read_text().splitlines()
        assert any(x.startswith("installed") for x in lines) and not any(x.startswith("refused") for x in lines)
        assert listener.hits == 0
        ctx = c2pa.Context.from_dict({"verify": {"ocsp_fetch": True, "remote_manifest_fetch": False}})
        c2pa.Reader.try_create("image/jpeg", io.BytesIO(data), None, ctx).json()
        assert listener.hits >= 1
    finally:
        listener.close()

