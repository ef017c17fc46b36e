"""How synthcheck is packaged: module structure without import circles, and what a wheel ships."""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("synthcheck", "detectors")


# --- import circles -----------------------------------------------------------------------------

def _modules() -> dict[str, tuple[Path, bool]]:
    """Dotted module name -> (file, is package) for every module of the shipped packages."""
    mods = {}
    for top in PACKAGES:
        for path in sorted((REPO / top).rglob("*.py")):
            parts = list(path.relative_to(REPO).with_suffix("").parts)
            is_pkg = parts[-1] == "__init__"
            mods[".".join(parts[:-1] if is_pkg else parts)] = (path, is_pkg)
    return mods


def _imports(path: Path, name: str, is_pkg: bool, known: set[str]) -> set[str]:
    """Modules of ours that ``path`` imports at run time, lazily inside functions included.

    Imports under ``if TYPE_CHECKING:`` never run, so they cannot make a circle.  ``from . import
    x`` where ``x`` is a submodule depends on ``x``, not on the package's ``__init__``.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {id(n) for node in ast.walk(tree)
                   if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
                   for stmt in node.body for n in ast.walk(stmt)}
    here = name.split(".") if is_pkg else name.split(".")[:-1]
    deps: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            deps.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = here[: len(here) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            subs = {f"{module}.{a.name}" for a in node.names} & known
            deps.update(subs)
            if len(subs) < len(node.names):
                deps.add(module)
    return (deps & known) - {name}


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), i.e. the import circles."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_circle_finder_sees_a_lazy_import_back():
    graph = {"a.rules": {"a.body"}, "a.body": {"a.rules"}, "a.runner": {"a.rules", "a.body"}}
    assert _circles(graph) == [["a.body", "a.rules"]]
    assert _circles({"a.runner": {"a.rules", "a.body"}, "a.body": {"a.rules"}, "a.rules": set()}) == []


def test_no_module_imports_back_what_imports_it():
    mods = _modules()
    graph = {name: _imports(path, name, is_pkg, set(mods)) for name, (path, is_pkg) in mods.items()}
    assert _circles(graph) == []
    assert graph["detectors.anatomy.runner"] >= {"detectors.anatomy.rules", "detectors.anatomy.body"}


# --- what a wheel ships -------------------------------------------------------------------------

BUILT_IN = ("metadata", "c2pa", "watermark", "frequency", "learned", "temporal", "anatomy")
PROBE = "_packaging_probe"  # files a test adds to its own copy of the tree, never to the repo
_NOT_SOURCE = shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info", "__pycache__",
                                     ".pytest_cache", ".ruff_cache", "out", ".cache")


def _pip(*args: str) -> None:
    """pip from this interpreter, offline: everything the build needs is already installed."""
    subprocess.run([sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input", *args,
                    "--no-index", "--no-deps", "--quiet"], check=True, capture_output=True, text=True)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built (without build isolation, so offline) from a copy of the working tree.

    The copy keeps the build's scratch files out of the shared checkout and lets the test add
    a C2PA trust folder, as a future ``synthcheck/trust/`` would hold, without touching the repo.
    """
    root = tmp_path_factory.mktemp("packaging")
    src = root / "src"
    shutil.copytree(REPO, src, ignore=_NOT_SOURCE)
    trust = src / "synthcheck" / "trust"
    trust.mkdir(exist_ok=True)
    for suffix in (".pem", ".json", ".md"):
        (trust / f"{PROBE}{suffix}").write_text("{}\n" if suffix == ".json" else "probe\n")
    _pip("wheel", str(src), "--no-build-isolation", "-w", str(root / "dist"))
    (built,) = (root / "dist").glob("synthcheck-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path) -> Path:
    """The wheel installed non-editable into a throw-away folder (used as PYTHONPATH)."""
    site = wheel.parent.parent / "site"
    _pip("install", "--target", str(site), str(wheel))
    return site


def _names(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as zf:
        return set(zf.namelist())


@pytest.mark.slow
def test_wheel_ships_weights_schema_and_every_module(wheel: Path):
    names = _names(wheel)
    weights = [p for p in (REPO / "weights").iterdir() if p.suffix in (".safetensors", ".sha256", ".md")]
    assert {p.suffix for p in weights} == {".safetensors", ".sha256", ".md"}
    for p in weights:
        assert f"synthcheck/weights/{p.name}" in names, f"{p.name} is not shipped"
    schemas = sorted((REPO / "synthcheck" / "schema").glob("*.json"))
    assert schemas and all(f"synthcheck/schema/{p.name}" in names for p in schemas)
    for detector in BUILT_IN:
        assert f"detectors/{detector}/__init__.py" in names, f"detector package {detector} is not shipped"
    for top in PACKAGES:  # every module of the tree, so a new subpackage cannot be left behind
        for p in (REPO / top).rglob("*.py"):
            assert p.relative_to(REPO).as_posix() in names, f"{p.relative_to(REPO)} is not shipped"
    assert not any(n.startswith(("weights/", "tests/", "bench/")) for n in names)


@pytest.mark.slow
def test_a_trust_list_folder_ships_as_package_data(wheel: Path):
    names = _names(wheel)
    for suffix in (".pem", ".json", ".md"):
        assert f"synthcheck/trust/{PROBE}{suffix}" in names


@pytest.mark.slow
def test_wheel_declares_every_built_in_detector_and_an_spdx_licence(wheel: Path):
    with zipfile.ZipFile(wheel) as zf:
        dist_info = next(n.split("/")[0] for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        entry_points = zf.read(f"{dist_info}/entry_points.txt").decode()
        metadata = zf.read(f"{dist_info}/METADATA").decode()
    for detector in BUILT_IN:
        assert f"{detector} = detectors.{detector}:" in entry_points
    assert "License-Expression: Apache-2.0" in metadata.splitlines()


def _run_installed(site: Path, cwd: Path, *args: str) -> str:
    """Python with only the installed copy of synthcheck importable, run outside the repo."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SYNTHCHECK_")}
    env["PYTHONPATH"] = str(site)  # replaces the repo path conftest puts there
    done = subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.slow
def test_installed_copy_has_every_detector_and_its_own_weights(installed: Path, tmp_path: Path):
    listing = json.loads(_run_installed(installed, tmp_path, "-m", "synthcheck.cli", "detectors", "--json"))
    found = {d["id"]: d for d in listing["detectors"]}
    for detector in BUILT_IN:
        assert detector in found, f"{detector} is not listed"
        assert found[detector]["available"], f"{detector}: {found[detector]['reason']}"

    code = ("import json, synthcheck, detectors; from synthcheck.detector import default_weights_dir; "
            "print(json.dumps([synthcheck.__file__, detectors.__file__, str(default_weights_dir())]))")
    paths = [Path(p).resolve() for p in json.loads(_run_installed(installed, tmp_path, "-c", code))]
    site = installed.resolve()
    for p in paths:
        assert p.is_relative_to(site) and not p.is_relative_to(REPO), p
    weights = paths[2]
    assert weights == site / "synthcheck" / "weights"
    shipped = {p.name for p in (REPO / "weights").iterdir() if p.suffix in (".safetensors", ".sha256")}
    assert shipped and all((weights / name).is_file() for name in shipped)


# --- set-up and lint through make -------------------------------------------------------------------

def _make_dry_run(tmp_path: Path, stamp_age: dict[str, float]) -> str:
    """``make -n test`` in a copy of the build files whose venv stamp is as old as asked.

    ``stamp_age`` gives, per build file, how many seconds the stamp is older than that file
    (negative: newer).  Nothing is installed: ``-n`` only prints the commands make would run.
    """
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    for name in ("Makefile", "pyproject.toml", "setup.py"):
        shutil.copy2(REPO / name, tmp_path / name)
    stamp = tmp_path / ".venv" / ".installed"
    stamp.parent.mkdir()
    stamp.touch()
    now = stamp.stat().st_mtime
    for name, age in stamp_age.items():
        os.utime(tmp_path / name, (now + age, now + age))
    for name in {"Makefile", "pyproject.toml", "setup.py"} - set(stamp_age):
        os.utime(tmp_path / name, (now - 60, now - 60))
    # Under `make test` (as in CI) the outer make's variables would make this one print "Entering
    # directory /tmp/pytest-of-...", so it runs as a make of its own.
    env = {k: v for k, v in os.environ.items() if k not in ("MAKELEVEL", "MAKEFLAGS", "MFLAGS", "MAKEOVERRIDES")}
    done = subprocess.run(["make", "-n", "test"], cwd=tmp_path, capture_output=True, text=True, timeout=60,
                          env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("changed", ["pyproject.toml", "setup.py"])
def test_make_test_reinstalls_when_dependencies_or_packages_change(tmp_path: Path, changed: str):
    assert "pip install" in _make_dry_run(tmp_path, {changed: 60})


def test_make_test_skips_the_install_when_nothing_changed(tmp_path: Path):
    assert "pip install" not in _make_dry_run(tmp_path, {})


def test_make_test_lints_before_it_runs_the_tests(tmp_path: Path):
    out = _make_dry_run(tmp_path, {})
    assert "-m ruff check ." in out and "-m pytest" in out
    assert out.index("-m ruff check .") < out.index("-m pytest")


def test_bench_scripts_import_the_installed_package_instead_of_patching_sys_path():
    patched = [p.name for p in sorted((REPO / "bench").glob("*.py")) if "sys.path.insert" in p.read_text()]
    assert patched == [], f"bench scripts that patch sys.path: {patched}"
