"""``--engine ray`` gives the records of the local engine, in input order, with the same typed
errors for a detector that raises, a worker that segfaults and a file that hangs past --timeout.
Starts a local Ray (2 CPUs, no dashboard, usage stats off); skipped where Ray is not installed."""

from __future__ import annotations

import os

import pytest
from PIL import Image

from synthcheck.api import scan
from synthcheck.settings import resolve

from .conftest import natural_image
from .fakes import EchoDetector, MisbehavingDetector

os.environ["RAY_USAGE_STATS_ENABLED"] = "0"  # before ray is imported: a test run makes no network call
ray = pytest.importorskip("ray", reason="ray is not installed (pip install 'synthcheck[cluster]')")


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield
    ray.shutdown()


def _corpus(folder):
    names = [f"img{i}.png" for i in range(5)] + ["likely.png", "raise.png", "segv.png", "hang.png"]
    for i, n in enumerate(names):
        Image.fromarray(natural_image(24 + i, 20, seed=i)).save(folder / n)
    (folder / "notes.txt").write_text("not media")
    return [str(folder / n) for n in (*names, "notes.txt")]


def _summary(r):
    return (r.path, r.sha256, r.verdict.label, tuple(sorted({f.detector for f in r.findings})),
            tuple(sorted((e.code.value, e.detector) for e in r.errors)))


@pytest.mark.timeout(600)
def test_ray_engine_records_equal_the_local_engines_with_typed_errors(tmp_path, local_ray):
    paths = _corpus(tmp_path)
    extra = [EchoDetector, MisbehavingDetector]

    def run(engine):
        settings = resolve({"detectors": ["echo", "misbehave"], "workers": 2, "timeout_s": 8.0, "engine": engine})
        return scan(paths, settings=settings, extra=extra)[1]

    local, on_ray = run("local"), run("ray")
    assert [r.path for r in on_ray] == paths, "records must come back in input order"
    assert [_summary(r) for r in on_ray] == [_summary(r) for r in local]
    codes = {os.path.basename(r.path): {e.code.value for e in r.errors} for r in on_ray}
    assert codes["raise.png"] == {"detector_error"} and codes["segv.png"] == {"crashed"}
    assert codes["hang.png"] == {"timeout"} and codes["notes.txt"] == {"unsupported_format"}
    assert on_ray[paths.index(str(tmp_path / "img4.png"))].detectors_run == ("echo", "misbehave"), \
        "the actors that crashed or timed out were restarted and scanned the files after them"
