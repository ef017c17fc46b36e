"""Where the per-file pipeline runs: ``local`` (``runner``: a pebble process pool on this machine)
or ``ray`` (``ray_engine``: Ray actors on a cluster).  Both yield ``(input index, FileResult)`` in
input order from the same ``pipeline.scan_file``, so a report does not depend on the engine."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Iterator

if TYPE_CHECKING:  # pragma: no cover
    from ..model import FileResult
    from ..runner import ScanOptions


def run_scan(paths: Iterable[str], opts: "ScanOptions") -> "Iterator[tuple[int, FileResult]]":
    """Scan ``paths`` on the engine ``opts.engine`` names; the dispatch lives here, above both engines,
    so neither imports the other (the Ray engine reuses the local runner's worker code)."""
    if opts.engine == "ray":
        from .ray_engine import run_scan_ray

        return run_scan_ray(paths, opts)
    from ..runner import run_scan as run_local

    return run_local(paths, opts)
