"""The plugin contract: how detectors are found, which ids they may take, and what a broken one costs.

Unit tests feed ``registry.discover`` entry points for modules written into tmp_path; the end-to-end
test installs a tiny third-party package the way pip would (a ``*.dist-info`` folder with
``entry_points.txt``) and runs the real ``synthcheck`` command on it in a subprocess.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

from synthcheck import registry
from synthcheck.registry import CONTRADICTION_ID, FORMAT_ID, RESERVED_IDS, discover, select

REPO = Path(__file__).resolve().parents[1]
SYNTHCHECK = Path(sys.executable).with_name("synthcheck")

PLUGIN = '''
from synthcheck.detector import Availability, Detector
from synthcheck.model import Kind, Strength


class DemoDetector(Detector):
    """A third-party detector: reports the picture's size, so a test can see it ran."""

    id = "demo-plugin"
    version = "0.1"
    media = frozenset({"image"})

    def run(self, media):
        h, w = media.rgb.shape[:2]
        return [self.finding(f"demo plugin saw a {w}x{h} picture", strength=Strength.INFO, kind=Kind.SIGNAL,
                             title="Demo plugin finding")]


class ReservedDetector(DemoDetector):
    id = "contradiction"  # would pass its findings off as a provenance conflict


class FormatDetector(DemoDetector):
    id = "format"


class UpperCaseDetector(DemoDetector):
    id = "Demo Plugin"


class NoIdDetector(DemoDetector):
    id = ""


class NotADetector:
    id = "plain-class"


class AvailabilityRaises(DemoDetector):
    id = "availability-raises"

    @classmethod
    def availability(cls):
        raise RuntimeError("probe crashed")


class LoadFails(DemoDetector):
    id = "load-fails"

    def load(self):
        raise RuntimeError("weights missing")
'''


@pytest.fixture
def plugin_dir(tmp_path):
    """A folder holding the plugin modules (one good, one that cannot be imported)."""
    root = tmp_path / "site"
    (root / "sc_plugin_demo").mkdir(parents=True)
    (root / "sc_plugin_demo" / "__init__.py").write_text(PLUGIN)
    (root / "sc_plugin_broken.py").write_text("import module_that_does_not_exist_anywhere\n")
    return root


@pytest.fixture
def fake_entry_points(plugin_dir, monkeypatch):
    """Make ``discover`` see the given entry points (plus nothing else), fresh of its cache."""
    monkeypatch.syspath_prepend(str(plugin_dir))

    def install(**eps: str) -> None:
        points = [EntryPoint(name, value, registry.GROUP) for name, value in eps.items()]
        monkeypatch.setattr(registry, "entry_points", lambda group: points if group == registry.GROUP else [])
        discover.cache_clear()

    yield install
    discover.cache_clear()


def by_name(infos) -> dict:
    return {i.name: i for i in infos}


# -- (a) ids are validated at discovery ---------------------------------------------------------------
def test_bad_ids_are_listed_as_failed_with_the_reason_and_never_run(fake_entry_points):
    fake_entry_points(**{"demo-plugin": "sc_plugin_demo:DemoDetector",
                         "upper": "sc_plugin_demo:UpperCaseDetector",
                         "noid": "sc_plugin_demo:NoIdDetector",
                         "plain": "sc_plugin_demo:NotADetector"})
    infos = by_name(discover())
    assert infos["demo-plugin"].cls is not None and infos["demo-plugin"].availability.ok
    for name, why in [("upper", "invalid detector id 'Demo Plugin'"), ("noid", "invalid detector id ''"),
                      ("plain", "not a synthcheck Detector subclass")]:
        info = infos[name]
        assert info.cls is None and not info.availability.ok, name
        assert info.availability.reason.startswith("failed to load") and why in info.availability.reason
    chosen, skipped = select()
    assert [c.id for c in chosen] == ["demo-plugin"]
    assert set(skipped) == {"upper", "noid", "plain"}


@pytest.mark.parametrize("det_id, ok", [("ab", True), ("a", False), ("my_det-2", True), ("2fast", False),
                                         ("x" * 32, True), ("x" * 33, False), ("Caps", False),
                                         ("dot.ted", False), ("", False), (None, False)])
def test_id_form(det_id, ok):
    assert (registry.id_problem(det_id) is None) is ok


# -- (b) pseudo-detector ids are reserved in one place --------------------------------------------------
def test_a_plugin_claiming_a_reserved_id_is_refused(fake_entry_points):
    fake_entry_points(**{"contra": "sc_plugin_demo:ReservedDetector", "fmt": "sc_plugin_demo:FormatDetector"})
    infos = by_name(discover())
    for name, det_id in [("contra", "contradiction"), ("fmt", "format")]:
        assert infos[name].cls is None
        assert f"detector id '{det_id}' is reserved" in infos[name].availability.reason
    assert select()[0] == []


def test_a_reserved_id_passed_as_an_extra_class_is_refused(plugin_dir, monkeypatch):
    monkeypatch.syspath_prepend(str(plugin_dir))
    from sc_plugin_demo import ReservedDetector

    with pytest.raises(ValueError, match="reserved"):
        select(extra=[ReservedDetector])


def test_the_ids_synthcheck_writes_itself_are_the_reserved_ones(tmp_path, make_png):
    from synthcheck.fusion import contradictions
    from synthcheck.limits import Limits
    from synthcheck.model import Claim, Finding, Kind, Strength
    from synthcheck.pipeline import scan_file

    assert RESERVED_IDS == {"format", "contradiction", "error", "pipeline"}
    png = make_png("named.jpg")  # PNG content behind a .jpg name
    mislabelled = [f for f in scan_file(str(png), [], Limits()).findings if f.title.startswith("Extension")]
    assert [f.detector for f in mislabelled] == [FORMAT_ID]
    cap = Finding("c2pa", "1", Kind.PROVENANCE, Strength.INFO, "capture", claim=Claim.CAPTURE)
    ai = Finding("metadata", "1", Kind.PROVENANCE, Strength.DECISIVE, "ai", claim=Claim.AI_GENERATED)
    assert [f.detector for f in contradictions([cap, ai])] == [CONTRADICTION_ID]


# -- (c) a plugin that cannot be imported or probed ---------------------------------------------------------
def test_import_and_probe_failures_are_listed_with_their_reason(fake_entry_points):
    fake_entry_points(**{"broken": "sc_plugin_broken:Anything", "missing": "sc_plugin_demo:NoSuchClass",
                         "probe": "sc_plugin_demo:AvailabilityRaises", "demo-plugin": "sc_plugin_demo:DemoDetector"})
    infos = by_name(discover())
    assert "module_that_does_not_exist_anywhere" in infos["broken"].availability.reason
    assert "NoSuchClass" in infos["missing"].availability.reason
    assert "probe crashed" in infos["probe"].availability.reason
    assert all(infos[n].cls is None and infos[n].availability.reason.startswith("failed to load")
               for n in ("broken", "missing", "probe"))
    assert [c.id for c in select()[0]] == ["demo-plugin"]


# -- (d) a real third-party package, installed through a dist-info entry point, end to end ------------------
@pytest.fixture
def installed_plugin(plugin_dir):
    dist = plugin_dir / "sc_plugin_demo-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: sc-plugin-demo\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(textwrap.dedent("""\
        [synthcheck.detectors]
        demo-plugin = sc_plugin_demo:DemoDetector
        broken-import = sc_plugin_broken:Detector
        reserved = sc_plugin_demo:ReservedDetector
        load-fails = sc_plugin_demo:LoadFails
        """))
    (dist / "RECORD").write_text("")
    return plugin_dir


def run_cli(args: list[str], site: Path, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SYNTHCHECK_")}
    env["PYTHONPATH"] = os.pathsep.join([str(site), str(REPO)])  # reaches the forkserver workers too
    env["OMP_NUM_THREADS"] = "1"
    return subprocess.run([str(SYNTHCHECK), *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=240)


def test_entry_point_plugin_is_listed_and_runs_end_to_end(installed_plugin, tmp_path, make_png):
    listed = run_cli(["detectors", "--json"], installed_plugin, tmp_path)
    assert listed.returncode == 0, listed.stderr
    rows = {r["id"]: r for r in json.loads(listed.stdout)["detectors"]}
    assert rows["demo-plugin"]["available"] and rows["demo-plugin"]["version"] == "0.1"
    assert not rows["broken-import"]["available"]
    assert "module_that_does_not_exist_anywhere" in rows["broken-import"]["reason"]
    assert not rows["reserved"]["available"] and "reserved" in rows["reserved"]["reason"]
    assert "metadata" in rows and rows["metadata"]["available"]  # the built-ins are still there

    images = [str(make_png("one.png", 96, 64, seed=1)), str(make_png("two.png", 80, 48, seed=2))]
    report = tmp_path / "report.json"
    skip = ",".join(r for r in rows if r not in ("metadata", "demo-plugin", "load-fails", "broken-import",
                                                 "reserved"))
    scan = run_cli(["scan", *images, "--format", "json", "-o", str(report), "--workers", "2", "--skip", skip],
                   installed_plugin, tmp_path)
    assert report.exists(), scan.stderr
    doc = json.loads(report.read_text())
    results = {Path(r["path"]).name: r for r in doc["results"]}
    assert set(results) == {"one.png", "two.png"}
    for name, size in [("one.png", "96x64"), ("two.png", "80x48")]:
        res = results[name]
        demo = [f for f in res["findings"] if f["detector"] == "demo-plugin"]
        assert len(demo) == 1 and size in demo[0]["explanation"], res["findings"]
        assert {"metadata", "demo-plugin"} <= set(res["detectors_run"])
        assert "load-fails" not in res["detectors_run"]  # its load() failed: it never ran
        assert any(e["detector"] == "load-fails" and "weights missing" in e["message"] for e in res["errors"])
    # the plugins that could not be used are named once each, however many files and workers
    for bad in ("broken-import", "reserved"):
        assert sum(bad in line for line in scan.stderr.splitlines()) == 1, scan.stderr
    assert doc["run"]["detectors"]["demo-plugin"] == "0.1"  # the run record names its version
    assert "reserved" in doc["run"]["skipped_detectors"]["reserved"]


def test_an_extra_class_left_out_of_only_is_not_run_and_says_so(caplog):
    from .fakes import EchoDetector

    chosen, _ = select(["metadata"], extra=[EchoDetector])
    assert [c.id for c in chosen] == ["metadata"]
    assert "echo (--plugin) is not among --detectors" in caplog.text
    caplog.clear()
    chosen, _ = select(["metadata", "echo"], extra=[EchoDetector])
    assert {c.id for c in chosen} == {"metadata", "echo"} and "echo" not in caplog.text
