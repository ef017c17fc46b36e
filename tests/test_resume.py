"""``--resume``: a real scan killed with SIGKILL and resumed ends with the records of an uninterrupted
run; a half last line is cut off; and no worker or forkserver outlives the scan, however it ends."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image

from synthcheck.resume import load_prior

from .conftest import natural_image

PLUGIN = "tests.scale_fakes:SlowDetector"
VOLATILE = ("elapsed_ms", "mtime_ns")  # time spent, and the field only resume mode adds


def _corpus(folder: Path, n: int) -> Path:
    folder.mkdir()
    for i in range(n):
        Image.fromarray(natural_image(32 + i % 7, 32, seed=i)).save(folder / f"img{i:03d}.png")
    return folder


def _cmd(folder: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "synthcheck.cli", "scan", str(folder), "-f", "jsonl", "-o", str(out),
            "--exit-zero", "-d", "metadata", "-d", "slowfake", "--plugin", PLUGIN, "--workers", "2", *extra]


def _env(slow: float) -> dict[str, str]:
    return {**os.environ, "SYNTHCHECK_TEST_SLOW_S": str(slow), "OMP_NUM_THREADS": "1"}


def _records(path: Path) -> dict[str, dict]:
    lines = path.read_bytes().decode().splitlines()
    recs = [json.loads(line) for line in lines]
    out = {r["path"]: {k: v for k, v in r.items() if k not in VOLATILE} for r in recs}
    assert len(out) == len(recs), "a file was recorded twice"
    return out


def _group(pgid: int) -> list[str]:
    """Processes still in process group ``pgid`` (from /proc; zombies excluded)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[2]) == pgid and fields[0] != "Z":
            found.append(f"{entry.name} {stat[:stat.rindex(')') + 1]}")
    return found


def _wait_group_empty(pgid: int, timeout: float = 15.0) -> list[str]:
    deadline = time.monotonic() + timeout
    while (left := _group(pgid)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def _wait_lines(out: Path, n: int, proc: subprocess.Popen, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if out.exists() and out.read_bytes().count(b"\n") >= n:
            return
        if proc.poll() is not None:
            pytest.fail(f"scan ended early ({proc.returncode}): {proc.stderr.read()[-2000:]}")
        time.sleep(0.05)
    pytest.fail(f"scan wrote fewer than {n} records in {timeout} s")


pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc (Linux)")


def test_a_scan_killed_with_sigkill_resumes_to_the_records_of_an_uninterrupted_run(tmp_path):
    folder = _corpus(tmp_path / "in", 24)
    full = tmp_path / "full.jsonl"
    done = subprocess.run(_cmd(folder, full), env=_env(0.0), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr

    out = tmp_path / "resumed.jsonl"
    proc = subprocess.Popen(_cmd(folder, out, "--resume"), env=_env(0.3), stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        _wait_lines(out, 4, proc)
        os.kill(proc.pid, signal.SIGKILL)  # the parent only, mid-run, as an OOM killer would
        proc.wait(timeout=30)
    finally:
        left = _wait_group_empty(proc.pid)
        if left:
            os.killpg(proc.pid, signal.SIGKILL)
    assert not left, f"workers outlived a SIGKILLed parent: {left}"
    partial = _records(out)  # every line whole: _records parses each one
    assert 4 <= len(partial) < 24, "the kill did not land mid-run"
    assert all(r["detectors_run"] == ["metadata", "slowfake"] for r in partial.values()), "the slow detector ran"

    again = subprocess.run(_cmd(folder, out, "--resume"), env=_env(0.0), capture_output=True, text=True,
                           timeout=300)
    assert again.returncode == 0, again.stderr
    assert f"{len(partial)} of 24 files already done" in again.stderr
    assert _records(out) == _records(full)


def test_resume_by_hash_skips_files_whose_bytes_match_even_when_touched(tmp_path):
    folder = _corpus(tmp_path / "in", 6)
    out = tmp_path / "r.jsonl"
    first = subprocess.run(_cmd(folder, out, "--resume"), env=_env(0.0), capture_output=True, text=True,
                           timeout=300)
    assert first.returncode == 0, first.stderr
    before = out.read_bytes()
    for p in folder.iterdir():  # new mtimes, same bytes
        os.utime(p, ns=(p.stat().st_atime_ns, p.stat().st_mtime_ns + 10**9))
    by_hash = subprocess.run(_cmd(folder, out, "--resume=hash"), env=_env(0.0), capture_output=True, text=True,
                             timeout=300)
    assert by_hash.returncode == 0 and "6 of 6 files already done" in by_hash.stderr, by_hash.stderr
    assert out.read_bytes() == before
    by_path = subprocess.run(_cmd(folder, out, "--resume"), env=_env(0.0), capture_output=True, text=True,
                             timeout=300)
    assert "0 of 6 files already done" in by_path.stderr, "a touched file must be scanned again in path mode"


def test_a_half_last_line_is_cut_off_and_that_file_scanned_again(tmp_path):
    folder = _corpus(tmp_path / "in", 3)
    out = tmp_path / "r.jsonl"
    subprocess.run(_cmd(folder, out, "--resume"), env=_env(0.0), check=True, capture_output=True, timeout=300)
    lines = out.read_bytes().splitlines(keepends=True)
    out.write_bytes(b"".join(lines[:2]) + lines[2][:40])  # a power cut in the middle of the third record
    prior = load_prior(out, "path")
    assert prior.truncated_bytes == 40 and len(prior.records) == 2
    assert out.read_bytes() == b"".join(lines[:2])
    again = subprocess.run(_cmd(folder, out, "--resume"), env=_env(0.0), capture_output=True, text=True,
                           timeout=300)
    assert "2 of 3 files already done" in again.stderr
    assert len(_records(out)) == 3


def test_resume_refuses_other_formats_and_foreign_files_with_exit_2(tmp_path):
    folder = _corpus(tmp_path / "in", 1)
    cmd = _cmd(folder, tmp_path / "r.json", "--resume")
    cmd[cmd.index("jsonl")] = "json"
    proc = subprocess.run(cmd, env=_env(0.0), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "jsonl" in proc.stderr
    foreign = tmp_path / "notes.jsonl"
    foreign.write_text("hello\n")
    proc = subprocess.run(_cmd(folder, foreign, "--resume"), env=_env(0.0), capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 2 and "not JSON" in proc.stderr
    assert foreign.read_text() == "hello\n", "a file that is not a report must not be appended to"


@pytest.mark.parametrize("how", ["normal", "sigint", "sigterm"])
def test_no_worker_or_forkserver_outlives_the_scan(tmp_path, how):
    folder = _corpus(tmp_path / "in", 30)
    out = tmp_path / "r.jsonl"
    proc = subprocess.Popen(_cmd(folder, out, "--resume"), env=_env(0.0 if how == "normal" else 0.3),
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        if how != "normal":
            _wait_lines(out, 2, proc)
            assert len(_group(proc.pid)) >= 3, "expected the parent, a forkserver and workers"
            if how == "sigint":
                os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C reaches the whole foreground group
            else:
                os.kill(proc.pid, signal.SIGTERM)
        rc = proc.wait(timeout=120)
        left = _wait_group_empty(proc.pid)
    finally:
        if _group(proc.pid):
            os.killpg(proc.pid, signal.SIGKILL)
    assert not left, f"processes left after a {how} exit: {left}"
    if how == "normal":
        assert rc == 0
    else:
        assert rc != 0 and 2 <= len(_records(out)) < 30
        if how == "sigterm":
            assert rc == 143
