"""``synthcheck scan``: resolve inputs and options, stream results to a formatter, pick the exit code."""

from __future__ import annotations

import sys
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable, Sequence

from .limits import Limits
from .model import FileResult, Label

FAIL_LEVELS = {"ai-generated": Label.AI_GENERATED, "likely": Label.LIKELY, "possibly": Label.POSSIBLY,
               "inconclusive": Label.INCONCLUSIVE}


@dataclass
class ScanRequest:
    paths: Sequence[str]
    include: Sequence[str] = ()
    exclude: Sequence[str] = ()
    fmt: str = "text"
    output: Path | None = None
    detectors: Sequence[str] = ()
    skip: Sequence[str] = ()
    device: str = "auto"
    workers: int = 1
    plugins: Sequence[str] = ()
    quiet: bool = False
    fail_on: str = "likely"
    exit_zero: bool = False
    limits: dict[str, Any] | None = None
    config_limits: dict[str, Any] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)


def exit_code(results: Iterable[FileResult], fail_on: str, exit_zero: bool) -> int:
    """0 clean, 1 at or above ``fail_on``, 2 when any file has an error (errors are never hidden)."""
    level = FAIL_LEVELS[fail_on]
    hit = errored = False
    for r in results:
        errored |= bool(r.errors) or r.verdict.label is Label.ERROR
        hit |= r.verdict.label.rank >= level.rank
    if errored:
        return 2
    return 1 if hit and not exit_zero else 0


def _paths(raw: Sequence[str]) -> list[str]:
    out: list[str] = []
    for p in raw:
        if p == "-":
            out.extend(line.rstrip("\n") for line in sys.stdin if line.strip())
        else:
            out.append(p)
    return out


def _usage(msg: str) -> int:
    print(f"synthcheck: error: {msg}", file=sys.stderr)
    return 2


def run_scan_command(req: ScanRequest) -> int:
    from . import formatters
    from .api import prepare
    from .discover import iter_files
    from .info import detector_docs

    if req.fmt not in formatters.FORMATS:
        return _usage(f"unknown format {req.fmt!r}")
    if req.fail_on not in FAIL_LEVELS:
        return _usage(f"unknown --fail-on level {req.fail_on!r}")
    try:
        limits = Limits(**{**req.config_limits, **(req.limits or {})})
    except TypeError as exc:
        return _usage(f"bad limits: {exc}")
    try:
        from .registry import load_class

        extra = [load_class(spec) for spec in req.plugins]
    except (ImportError, AttributeError, ValueError) as exc:
        return _usage(f"cannot load --plugin: {exc}")
    try:
        scan = prepare(detectors=req.detectors, skip=req.skip, device=req.device, workers=req.workers,
                       limits=limits, options=req.options, extra=extra)
    except KeyError as exc:
        return _usage(f"unknown detector id(s): {exc.args[0]} (see `synthcheck detectors`)")
    except ValueError as exc:
        return _usage(str(exc))
    files = list(iter_files(_paths(req.paths), req.include, req.exclude))
    if not files:
        return _usage("no files to scan")
    if not scan.options.detectors:
        return _usage("no detector is available to run (see `synthcheck detectors`)")
    if scan.skipped and not req.quiet:
        for det_id, why in scan.skipped.items():
            print(f"synthcheck: warning: detector {det_id} skipped: {why}", file=sys.stderr)
    scan.run = replace(scan.run, options={**scan.run.options, "format": req.fmt, "fail_on": req.fail_on,
                                          "include": list(req.include), "exclude": list(req.exclude)})

    results: list[FileResult] = []
    with ExitStack() as stack:
        out = stack.enter_context(open(req.output, "w", encoding="utf-8", newline="")) if req.output else sys.stdout
        color = req.output is None and out.isatty()
        fmt = formatters.get(req.fmt)(out, scan.run, detector_docs(extra), color=color, quiet=req.quiet)
        fmt.start()
        progress = _progress(len(files), req.quiet)
        stack.callback(progress.stop) if progress else None
        task = progress.add_task("scanning", total=len(files)) if progress else None
        for _, result in scan.results(files):
            results.append(result)
            fmt.add(result)
            if progress is not None:
                progress.update(task, advance=1, description=Path(result.path).name[:40])
        fmt.finish(scan.finish())
    return exit_code(results, req.fail_on, req.exit_zero)


def _progress(total: int, quiet: bool):  # noqa: ANN202 - rich type only when used
    if quiet or not sys.stderr.isatty():
        return None
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                        console=Console(stderr=True), transient=True)
    progress.start()
    return progress
