"""How synthcheck is packaged: module structure without import circles, and what a wheel ships."""

from __future__ import annotations

import ast
from pathlib import Path

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
