"""The progress bar: on a terminal it shows files done, rate and ETA on stderr; elsewhere nothing."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
from pathlib import Path

from PIL import Image

from .conftest import natural_image

ARGS = ["scan", "--plugin", "tests.fakes:EchoDetector", "--detectors", "echo", "--workers", "1", "-f", "json"]


def scan_cmd(folder: Path) -> list[str]:
    return [sys.executable, "-c", "from synthcheck.cli import main; main()", *ARGS[:1], str(folder), *ARGS[1:]]


def folder_of(tmp_path: Path, n: int = 4) -> Path:
    d = tmp_path / "in"
    d.mkdir()
    for i in range(n):
        Image.fromarray(natural_image(32, 32, i)).save(d / f"{i}.png")
    return d


def env() -> dict[str, str]:
    return {**os.environ, "TERM": "xterm-256color", "COLUMNS": "120"}


def test_progress_on_a_terminal_shows_count_rate_and_eta_on_stderr_only(tmp_path):
    folder = folder_of(tmp_path)
    master, slave = pty.openpty()
    proc = subprocess.Popen(scan_cmd(folder), stdout=subprocess.PIPE, stderr=slave, stdin=subprocess.DEVNULL,
                            env=env())
    os.close(slave)
    seen = b""
    while True:
        ready = select.select([master], [], [], 60)[0]
        if not ready:
            break
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    stdout = proc.communicate(timeout=120)[0].decode()
    os.close(master)
    text = seen.decode(errors="replace")
    assert "files/s" in text and "ETA" in text
    assert "/4" in text  # files done of the total
    doc = json.loads(stdout)  # the report itself stays clean machine output
    assert len(doc["results"]) == 4
    assert "files/s" not in stdout and "\x1b[" not in stdout


def test_no_progress_when_stderr_is_not_a_terminal(tmp_path):
    folder = folder_of(tmp_path, 2)
    proc = subprocess.run(scan_cmd(folder), capture_output=True, text=True, env=env(), timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "files/s" not in proc.stderr and "ETA" not in proc.stderr and "\x1b[" not in proc.stderr
    assert len(json.loads(proc.stdout)["results"]) == 2
