"""The worker side of a scan: detectors are loaded once per worker, and a failed load is final."""

from __future__ import annotations

from PIL import Image

from synthcheck.api import scan
from synthcheck.model import ErrorCode, Label

from .conftest import natural_image
from .fakes import BrokenLoadDetector, EchoDetector


def test_a_detector_that_fails_to_load_is_tried_once_per_worker_and_reported_on_every_file(tmp_path):
    log = tmp_path / "loads.log"
    names = [f"img{i}.png" for i in range(4)]
    for n in names:
        Image.fromarray(natural_image(24, 24)).save(tmp_path / n)
    (tmp_path / "notes.txt").write_text("not media")  # no detector runs on it: no load error either
    paths = [str(tmp_path / n) for n in (*names, "notes.txt")]
    _, results = scan(paths, detectors=["echo", "brokenload"], extra=[EchoDetector, BrokenLoadDetector],
                      workers=1, options={"fake.load_log": str(log)})
    assert log.read_text().count("\n") == 1, "load() must not be retried on every file"
    for r in results[:4]:
        errs = [e for e in r.errors if e.detector == "brokenload"]
        assert len(errs) == 1 and errs[0].code is ErrorCode.DETECTOR_ERROR, r.errors
        assert errs[0].message.startswith("failed to load: RuntimeError: weights missing")
        assert "brokenload" not in r.detectors_run
    for r in results[:4]:  # the other detector still ran and the verdict stands
        assert r.detectors_run == ("echo",) and r.verdict.label is Label.NO_EVIDENCE
    assert [e.code for e in results[4].errors] == [ErrorCode.UNSUPPORTED_FORMAT]


def test_workers_see_the_parents_synthcheck_settings_at_scan_time(tmp_path, monkeypatch):
    """The forkserver outlives one scan; SYNTHCHECK_* set after it started must still reach workers."""
    img = tmp_path / "a.png"
    Image.fromarray(natural_image(16, 16)).save(img)
    scan([str(img)], detectors=["echo"], extra=[EchoDetector], workers=1)  # the forkserver is running now
    audit = tmp_path / "net.log"
    monkeypatch.setenv("SYNTHCHECK_NET_AUDIT", str(audit))
    scan([str(img)], detectors=["echo"], extra=[EchoDetector], workers=1)
    assert audit.read_text().startswith("installed pid="), "the worker did not see SYNTHCHECK_NET_AUDIT"


def _descendants(root: int) -> list[int]:
    """Live processes below ``root`` (from /proc), bar the forkserver and resource tracker (kept for the next scan)."""
    import os
    from pathlib import Path

    parent: dict[int, int] = {}
    cmd: dict[int, bytes] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
                cmd[int(entry.name)] = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2:].split()
            if fields[0] != "Z":
                parent[int(entry.name)] = int(fields[1])
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        for child, ppid in parent.items():
            if ppid == pid:
                todo.append(child)
                helper = pid == root and any(k in cmd.get(child, b"") for k in (b"forkserver", b"resource_tracker"))
                if not helper:  # workers are forked by the forkserver, so they share its command line
                    out.append(child)
    assert root == os.getpid()
    return out


def test_an_exception_in_the_consumer_stops_workers_at_once_even_mid_file(tmp_path):
    """A bug or Ctrl-C in the code consuming results must not wait for files in flight (here one
    that hangs for 10 minutes) nor leave a worker behind."""
    import time

    from synthcheck.limits import Limits
    from synthcheck.runner import ScanOptions, run_scan

    from .fakes import MisbehavingDetector

    paths = []
    for name in ("a.png", "hang.png", "hang2.png"):
        Image.fromarray(natural_image(16, 16)).save(tmp_path / name)
        paths.append(str(tmp_path / name))
    opts = ScanOptions(detectors=("misbehave",), extra=("tests.fakes:MisbehavingDetector",), workers=2,
                       limits=Limits(timeout_s=600))
    assert MisbehavingDetector.id == "misbehave"
    import os

    # processes other tests left below this one (Ray's, a browser's) are not this scan's workers
    before = set(_descendants(os.getpid()))
    results = run_scan(paths, opts)
    idx, first = next(results)
    assert idx == 0 and first.path == paths[0]
    assert set(_descendants(os.getpid())) - before, "expected live workers while files are in flight"
    t0 = time.monotonic()
    results.close()  # what an exception in the consuming loop does to the generator
    assert time.monotonic() - t0 < 30, "closing the scan waited for the hanging files"
    deadline = time.monotonic() + 10
    while (left := sorted(set(_descendants(os.getpid())) - before)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not left, f"workers left after the scan was closed: {left}"
