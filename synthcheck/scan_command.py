"""``synthcheck scan``: resolve inputs and options, stream results to a formatter, pick the exit code."""

from __future__ import annotations

import sys
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Iterator, Sequence

from .model import FileResult, Label
from .settings import ScanSettings

FAIL_LEVELS = {"ai-generated": Label.AI_GENERATED, "likely": Label.LIKELY, "possibly": Label.POSSIBLY,
               "inconclusive": Label.INCONCLUSIVE}


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


def run_scan_command(paths: Sequence[str], settings: ScanSettings) -> int:
    """Scan ``paths`` with resolved ``settings``; return the exit code.  Nothing is written before the
    options, the detectors and the output path have all been checked."""
    from .api import prepare
    from .discover import iter_files
    from .output import OutputError, check_artifacts_dir, check_output
    from .registry import load_class

    try:
        extra = [load_class(spec) for spec in settings.plugins]
    except (ImportError, AttributeError, ValueError) as exc:
        return _usage(f"{settings.where('plugins')}: cannot load {exc}")
    try:
        scan = prepare(settings, extra=extra)
    except KeyError as exc:
        where = " and ".join(dict.fromkeys(settings.where(n) for n in ("detectors", "skip")
                                           if getattr(settings, n)))
        return _usage(f"{where}: unknown detector id(s) {exc.args[0]} (see `synthcheck detectors`)")
    except ValueError as exc:
        return _usage(str(exc))
    if settings.engine == "ray":
        from .engines.ray_engine import INSTALL_HINT, available

        if not available():
            return _usage(f"--engine ray needs Ray, which is not installed: {INSTALL_HINT}")
    files = list(iter_files(_paths(paths), settings.include, settings.exclude))
    if not files:
        return _usage("no files to scan")
    if not scan.options.detectors:
        return _usage("no detector is available to run (see `synthcheck detectors`)")
    try:
        if settings.output:
            check_output(settings.output, files)
        if settings.artifacts_dir:
            check_artifacts_dir(settings.artifacts_dir, files)
    except OutputError as exc:
        return _usage(str(exc))
    if scan.skipped and not settings.quiet:
        for det_id, why in scan.skipped.items():
            print(f"synthcheck: warning: detector {det_id} skipped: {why}", file=sys.stderr)

    summary = _Outcome(settings.fail_on, settings.exit_zero)
    with _sigterm_raises():
        if settings.resume != "off":
            return _resume_scan(scan, files, settings, summary)
        return _plain_scan(scan, files, settings, summary, extra)


def _plain_scan(scan, files: list[str], settings: ScanSettings, summary: "_Outcome", extra) -> int:  # noqa: ANN001
    """A report written through a temporary file renamed over ``--output`` only when complete."""
    from . import formatters
    from .info import detector_docs
    from .output import atomic_text

    with ExitStack() as stack:
        out = stack.enter_context(atomic_text(settings.output)) if settings.output else sys.stdout
        color = settings.output is None and out.isatty()
        fmt = formatters.get(settings.format)(out, scan.run, detector_docs(extra), color=color, quiet=settings.quiet,
                                              settings=settings)
        fmt.start()
        progress = _progress(len(files), settings.quiet)
        stack.callback(progress.stop) if progress else None
        task = progress.add_task("scanning", total=len(files)) if progress else None
        for _, result in scan.results(files):
            summary.add(result)
            fmt.add(result)
            if progress is not None:
                progress.update(task, advance=1, description=Path(result.path).name[:40])
        fmt.finish(scan.finish())
    return summary.code()


class Terminated(SystemExit):
    """SIGTERM arrived: unwind like Ctrl-C so the worker pool is stopped and no process is left behind."""


@contextmanager
def _sigterm_raises() -> Iterator[None]:
    """Make SIGTERM raise ``Terminated`` (exit 143) instead of killing this process on the spot.

    Python's default for SIGTERM ends the parent without running any cleanup, which would leave
    the forkserver and the pebble workers orphaned; raising unwinds through ``runner.run_scan``,
    which stops the pool.  The partial report: a temporary file removed (``atomic_text``), or in
    resume mode the whole lines written so far.
    """
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def terminate(signum: int, frame: object) -> None:
        raise Terminated(128 + signum)

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _resume_scan(scan, files: list[str], settings: ScanSettings, summary: "_Outcome") -> int:  # noqa: ANN001
    """``--resume``: skip what the report holds, append the rest one durable line at a time (see ``resume``)."""
    from .resume import Appender, ResumeError, load_prior
    from .serialize import result_dict

    if settings.format != "jsonl" or not settings.output:
        return _usage(f"--resume appends records to a jsonl report: give -f jsonl -o FILE "
                      f"(got format {settings.format}{', no --output' if not settings.output else ''})")
    try:
        prior = load_prior(settings.output, settings.resume)
    except ResumeError as exc:
        return _usage(str(exc))
    todo = list(prior.pending(files))
    for rec in prior.done_records():
        summary.add_record(rec)
    if not settings.quiet:
        cut = f"; cut off a half last line ({prior.truncated_bytes} bytes)" if prior.truncated_bytes else ""
        print(f"synthcheck: resuming {settings.output}: {len(files) - len(todo)} of {len(files)} files already "
              f"done, {len(todo)} to scan{cut}", file=sys.stderr)
    with ExitStack() as stack:
        out = stack.enter_context(Appender(settings.output))
        progress = _progress(len(todo), settings.quiet)
        stack.callback(progress.stop) if progress else None
        task = progress.add_task("scanning", total=len(todo)) if progress else None
        for idx, result in scan.results(p for p, _ in todo):
            summary.add(result)
            out.write_record({**result_dict(result), "mtime_ns": todo[idx][1]})
            if progress is not None:
                progress.update(task, advance=1, description=Path(result.path).name[:40])
        scan.finish()
    return summary.code()


class _Outcome:
    """The exit code, kept as results stream past (results are not held: a batch can be huge)."""

    def __init__(self, fail_on: str, exit_zero: bool) -> None:
        self.level = FAIL_LEVELS[fail_on]
        self.exit_zero = exit_zero
        self.hit = self.errored = False

    def add(self, r: FileResult) -> None:
        self.errored |= bool(r.errors) or r.verdict.label is Label.ERROR
        self.hit |= r.verdict.label.rank >= self.level.rank

    def add_record(self, rec: dict) -> None:
        """A record an earlier, resumed run wrote: it counts towards the exit code like a new one."""
        try:
            label = Label((rec.get("verdict") or {}).get("label", "error"))
        except ValueError:  # a label this version does not know: not hidden, counted as an error
            label = Label.ERROR
        self.errored |= bool(rec.get("errors")) or label is Label.ERROR
        self.hit |= label.rank >= self.level.rank

    def code(self) -> int:
        if self.errored:
            return 2
        return 1 if self.hit and not self.exit_zero else 0


def _progress(total: int, quiet: bool):  # noqa: ANN202 - rich type only when used
    if quiet or not sys.stderr.isatty():
        return None
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn, TimeRemainingColumn
    from rich.text import Text

    class Rate(ProgressColumn):  # files, not bytes, per second; blank until rich has two samples
        def render(self, task) -> Text:  # noqa: ANN001
            return Text(f"{task.speed:.1f} files/s" if task.speed else "– files/s")

    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), Rate(),
                        TextColumn("ETA"), TimeRemainingColumn(), console=Console(stderr=True), transient=True)
    progress.start()
    return progress
