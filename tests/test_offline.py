"""Workers never open a network connection: a full scan makes no attempt, and an attempt is refused.

The positive control matters: without it the main test would pass whether or not the guard
works, since a scan that never tries the network leaves a clean log either way.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from PIL import Image

from synthcheck.api import scan
from synthcheck.model import ErrorCode

from .conftest import REPO, natural_image
from .fakes import EchoDetector, NetworkDetector

SAMPLES = REPO / "samples"


def _audit(path: Path) -> tuple[list[str], list[str]]:
    lines = path.read_text().splitlines() if path.exists() else []
    return [ln for ln in lines if ln.startswith("installed")], [ln for ln in lines if ln.startswith("refused")]


@pytest.mark.slow
def test_full_scan_of_samples_with_every_available_detector_makes_no_network_attempt(tmp_path):
    """Through the CLI, as a user runs it: samples/ plus a small video and GIF so temporal runs too."""
    folder = tmp_path / "in"
    folder.mkdir()
    for p in SAMPLES.iterdir():
        if p.is_file():
            (folder / p.name).write_bytes(p.read_bytes())
    frames = [Image.fromarray(natural_image(48, 48, seed=i)) for i in range(6)]
    frames[0].save(folder / "anim.gif", save_all=True, append_images=frames[1:], duration=80)
    try:
        from .test_video import make_mp4

        make_mp4(folder / "clip.mp4", n=20, fps=10)
    except ImportError:  # PyAV missing: the video detectors are unavailable anyway
        pass
    audit, out = tmp_path / "net.log", tmp_path / "report.json"
    env = {**os.environ, "SYNTHCHECK_NET_AUDIT": str(audit), "OMP_NUM_THREADS": "1"}
    proc = subprocess.run([sys.executable, "-m", "synthcheck.cli", "scan", str(folder), "--workers", "1",
                           "-f", "json", "-o", str(out), "--quiet"],
                          capture_output=True, text=True, timeout=280, env=env)
    assert proc.returncode in (0, 1, 2), proc.stderr[-2000:]  # 2: README.md, truncated.jpg are errors
    doc = json.loads(out.read_text())
    ran = {d for r in doc["results"] for d in r["detectors_run"]}
    assert ran == set(doc["run"]["detectors"]), (ran, doc["run"]["detectors"])  # every chosen detector ran
    assert {"metadata", "c2pa"} <= ran
    installed, refused = _audit(audit)
    assert installed, "the offline guard was never installed in a worker: this test would prove nothing"
    assert refused == [], refused
    assert not [e for r in doc["results"] for e in r["errors"] if "offline" in e["message"]]


def test_the_guard_refuses_and_records_every_kind_of_network_attempt(tmp_path, monkeypatch):
    """Positive control: a detector that reaches for the network gets a detector_error, logged."""
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    accepted: list[str] = []

    def serve():
        server.settimeout(30)
        try:
            conn, _ = server.accept()
        except OSError:
            return
        with conn:
            accepted.append("yes")
            conn.sendall(b"hello")

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    # Sanity check of the control itself: unguarded, this connection succeeds.
    probe = socket.create_connection(("127.0.0.1", port), timeout=5)
    assert probe.recv(16) == b"hello"
    probe.close()
    t.join(5)
    accepted.clear()
    t = threading.Thread(target=serve, daemon=True)
    t.start()

    audit = tmp_path / "net.log"
    monkeypatch.setenv("SYNTHCHECK_NET_AUDIT", str(audit))
    names = ("connect.png", "connect_ex.png", "udp.png", "lookup.png", "local.png")
    for n in names:
        Image.fromarray(natural_image(16, 16)).save(tmp_path / n)
    _, results = scan([str(tmp_path / n) for n in names], detectors=["echo", "network"],
                      extra=[EchoDetector, NetworkDetector], workers=1, options={"fake.port": port})
    server.close()
    by_name = {Path(r.path).name: r for r in results}
    for n in ("connect.png", "connect_ex.png", "udp.png", "lookup.png"):
        r = by_name[n]
        errs = [e for e in r.errors if e.detector == "network"]
        assert len(errs) == 1 and errs[0].code is ErrorCode.DETECTOR_ERROR, (n, r.errors)
        assert "NetworkRefused" in errs[0].message and "offline" in errs[0].message, errs[0].message
        assert not [f for f in r.findings if f.detector == "network"], n
        assert r.detectors_run == ("echo",)  # the other detector still ran
    local = by_name["local.png"]  # a Unix socketpair is not the network
    assert not local.errors and local.detectors_run == ("echo", "network")
    assert accepted == [], "a worker reached the listening socket"
    installed, refused = _audit(audit)
    assert installed
    events = [ln.split()[2] for ln in refused]
    assert events == ["socket.connect", "socket.connect", "socket.sendto", "socket.getaddrinfo"], refused
    assert f"('127.0.0.1', {port})" in refused[0] and "example.com" in refused[3]
