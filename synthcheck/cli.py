"""The command line: a thin layer over ``synthcheck.api``.

Exit codes follow ruff and bandit: 0 nothing at or above ``--fail-on``; 1 at least one file at
or above it; 2 a usage error or any file that could not be fully scanned (errors are never
hidden); ``--exit-zero`` turns 1 into 0 but never 2.  Heavy modules are imported only inside
commands that need them, so ``synthcheck --help`` and ``synthcheck detectors`` stay torch-free.
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer

from . import __version__

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  help="Offline forensic evidence that an image or video was made or altered by generative AI.")


class Format(str, Enum):
    text = "text"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    sarif = "sarif"
    html = "html"


class FailOn(str, Enum):
    ai_generated = "ai-generated"
    likely = "likely"
    possibly = "possibly"
    inconclusive = "inconclusive"


class Device(str, Enum):
    auto = "auto"
    cpu = "cpu"
    cuda = "cuda"


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"synthcheck {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: bool = typer.Option(False, "--version", callback=_version_callback, is_eager=True,
                                       help="Print the version and exit.")) -> None:
    """synthcheck: evidence, not verdicts."""


@app.command()
def scan(
    paths: List[str] = typer.Argument(..., help="Files or folders (recursive); '-' reads paths from stdin."),
    include: Optional[List[str]] = typer.Option(None, "--include", "-i", help="Only files matching this glob."),
    exclude: Optional[List[str]] = typer.Option(None, "--exclude", "-e", help="Skip files matching this glob."),
    fmt: Optional[Format] = typer.Option(None, "--format", "-f", envvar="SYNTHCHECK_FORMAT",
                                         help="Output format (default: from --output's extension, else text; "
                                              "env SYNTHCHECK_FORMAT)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o",
                                          help="Write the report to FILE (never one of the inputs; written whole "
                                               "or not at all)."),
    detectors: Optional[List[str]] = typer.Option(None, "--detectors", "-d", help="Only these detector ids."),
    skip: Optional[List[str]] = typer.Option(None, "--skip", help="Skip these detector ids."),
    device: Optional[Device] = typer.Option(None, "--device", help="auto (CUDA when present), cpu or cuda."),
    workers: Optional[int] = typer.Option(None, "--workers", "-j", help="Worker processes (default: cores)."),
    quiet: bool = typer.Option(False, "--quiet", "-q",
                               help="No progress bar or warnings; the text report lists only files with evidence "
                                    "or errors."),
    fail_on: Optional[FailOn] = typer.Option(None, "--fail-on", help="Lowest verdict that makes the exit code 1."),
    exit_zero: bool = typer.Option(False, "--exit-zero", help="Exit 0 even when files reach --fail-on."),
    max_bytes: Optional[int] = typer.Option(None, "--max-bytes", help="Largest file accepted, in bytes."),
    max_pixels: Optional[int] = typer.Option(None, "--max-pixels", help="Largest image accepted, in pixels."),
    max_frames: Optional[int] = typer.Option(None, "--max-frames", help="Most video frames decoded per file."),
    timeout: Optional[float] = typer.Option(None, "--timeout", help="Seconds allowed per file."),
    fps: Optional[float] = typer.Option(None, "--fps", help="Video frames sampled per second (temporal)."),
    c2pa_trust: Optional[str] = typer.Option(None, "--c2pa-trust", metavar="official|none|FILE",
                                             help="C2PA trust list: official (default: the shipped C2PA Trust "
                                                  "List, see `synthcheck trust show`), none, or a PEM file instead."),
    c2pa_trust_anchors: Optional[Path] = typer.Option(None, "--c2pa-trust-anchors",
                                                      help="PEM file of C2PA trust anchors added to the trust list."),
    artifacts_dir: Optional[Path] = typer.Option(None, "--artifacts-dir", help="Write report images (spectra) here."),
    metadata_reader: Optional[str] = typer.Option(None, "--metadata-reader", metavar="auto|exiftool|python",
                                                  help="How the metadata detector reads tags (default auto)."),
    rivagan: Optional[bool] = typer.Option(None, "--rivagan/--no-rivagan",
                                           help="Also decode RivaGAN watermarks (about 1 s per image on CPU; "
                                                "off by default)."),
    host: Optional[bool] = typer.Option(None, "--host/--no-host",
                                        help="Record this machine's host name in the run record (default: yes; "
                                             "--no-host for reports that will be published)."),
    html_all: bool = typer.Option(False, "--html-all",
                                  help="HTML report: detail images for every file, not only those at or above "
                                       "possibly-synthetic."),
    match_list: Optional[List[str]] = typer.Option(None, "--match-list", metavar="[KIND=]FILE",
                                                   help="Match files against this hash list (repeatable); KIND is "
                                                        "synthetic, allow or other (README: Known content)."),
    resume: Optional[str] = typer.Option(None, "--resume", metavar="[=path|=hash]",
                                         help="With -f jsonl -o FILE: append each record as soon as it is known "
                                              "and skip files FILE already holds (path: same path, size and "
                                              "mtime; --resume=hash: same SHA-256)."),
    all_detectors: bool = typer.Option(False, "--all-detectors",
                                       help="Run every detector even when provenance is already decisive."),
    engine: Optional[str] = typer.Option(None, "--engine", metavar="local|ray",
                                         help="local worker processes (default) or ray: Ray tasks on a cluster "
                                              "(pip install 'synthcheck[cluster]')."),
    ray_address: Optional[str] = typer.Option(None, "--ray-address", metavar="ADDR",
                                              help="Ray cluster for --engine ray (default: start a local Ray)."),
    plugin: Optional[List[str]] = typer.Option(None, "--plugin", metavar="MODULE:CLASS",
                                               help="Load a detector class that is not installed as a plugin "
                                                    "(with --detectors, name its id there too)."),
    config: Optional[Path] = typer.Option(None, "--config", envvar="SYNTHCHECK_CONFIG",
                                          help="TOML config file; docs/config.md lists every key. "
                                               "Command-line options win over it."),
) -> None:
    """Scan files and folders and report the evidence found in each."""
    from .scan_command import run_scan_command
    from .settings import SettingsError, resolve

    given = {
        "format": fmt.value if fmt else None, "output": output, "include": include, "exclude": exclude,
        "detectors": detectors, "skip": skip, "device": device.value if device else None, "workers": workers,
        "plugins": plugin, "quiet": quiet or None, "fail_on": fail_on.value if fail_on else None,
        "exit_zero": exit_zero or None, "max_bytes": max_bytes, "max_pixels": max_pixels,
        "max_frames": max_frames, "timeout_s": timeout, "fps": fps, "c2pa_trust": c2pa_trust,
        "c2pa_trust_anchors": c2pa_trust_anchors,
        "artifacts_dir": artifacts_dir, "metadata_reader": metadata_reader, "rivagan": rivagan,
        "record_host": host, "html_all": html_all or None, "match_list": match_list,
        "resume": resume, "all_detectors": all_detectors or None, "engine": engine, "ray_address": ray_address,
    }
    try:
        settings = resolve({k: v for k, v in given.items() if v not in (None, [])}, config)
    except SettingsError as exc:
        typer.echo(f"synthcheck: error: {exc}", err=True)
        raise typer.Exit(2)
    raise typer.Exit(run_scan_command(paths, settings))


class HashFormat(str, Enum):
    jsonl = "jsonl"
    json = "json"
    csv = "csv"


@app.command("hash")
def hash_files(
    paths: List[str] = typer.Argument(..., help="Files or folders (recursive); '-' reads paths from stdin."),
    fmt: HashFormat = typer.Option(HashFormat.jsonl, "--format", "-f", help="jsonl (default), json or csv."),
    workers: Optional[int] = typer.Option(None, "--workers", "-j", help="Worker processes (default: cores)."),
) -> None:
    """Print each file's SHA-256, PDQ (with quality), pHash and dHash; for a video, PDQ per second.

    The output is itself a hash list: `synthcheck scan --match-list synthetic=hashes.jsonl`."""
    from .hash_command import run_hash_command

    raise typer.Exit(run_hash_command(paths, fmt.value, workers))


@app.command("detectors")
def list_detectors(as_json: bool = typer.Option(False, "--json", help="Machine-readable output.")) -> None:
    """List every detector: id, version, media, cost, and whether it can run here (and if not, how to fix it)."""
    from .info import detectors_table

    raise typer.Exit(detectors_table(as_json))


@app.command()
def explain(detector_id: str = typer.Argument(..., metavar="ID",
                                             help="Detector id (see `synthcheck detectors`).")) -> None:
    """Explain what a detector measures, how to read its score and when it fails."""
    from .info import explain_detector

    raise typer.Exit(explain_detector(detector_id))


@app.command()
def version(as_json: bool = typer.Option(False, "--json", help="Machine-readable output.")) -> None:
    """Versions of the tool, its runtime, each detector and each weight file."""
    from .info import version_info

    raise typer.Exit(version_info(as_json))


trust_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None,
                        help="The C2PA trust lists: which one is in use, and offline updates.")
app.add_typer(trust_app, name="trust")


@trust_app.command("show")
def trust_show(as_json: bool = typer.Option(False, "--json", help="Machine-readable output.")) -> None:
    """Say which C2PA trust list is in use (version, SHA-256, folder) and which one an update replaced."""
    from .trust_command import show

    raise typer.Exit(show(as_json))


@trust_app.command("update")
def trust_update(source: Path = typer.Argument(..., metavar="PATH_OR_DIR",
                                               help="A folder holding the published list files, or one of them."),
                 allow_older: bool = typer.Option(False, "--allow-older",
                                                  help="Install a list older than the one in use.")) -> None:
    """Install newer C2PA trust lists from local files (validated first; the previous set is kept; never downloads)."""
    from .trust_command import update

    raise typer.Exit(update(source, allow_older=allow_older))


def _register_optional_commands() -> None:
    try:
        from .cli_eval import eval_command
    except ImportError:  # pragma: no cover - eval not installed in this build
        return
    app.command("eval", help="Measure detectors on labelled data (ROC AUC, AP, TPR/FPR at thresholds).")(eval_command)


_register_optional_commands()


def main(argv: Optional[List[str]] = None) -> None:
    """Run the CLI; a usage error (an unknown option, a bad value) is one line on stderr and exit code 2."""
    try:
        from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError
    except ImportError:  # pragma: no cover - Typer releases that use click itself
        from click.exceptions import ClickException, NoArgsIsHelpError, UsageError  # type: ignore[no-redef]
    args = list(sys.argv[1:] if argv is None else argv)
    if "--resume" in args[:args.index("--") if "--" in args else None]:  # a bare --resume means --resume=path
        args[args.index("--resume")] = "--resume=path"
    try:
        code = app(args=args, standalone_mode=False)
    except NoArgsIsHelpError as exc:
        typer.echo(exc.format_message(), err=True)
        code = 2
    except UsageError as exc:
        where = f" ({exc.ctx.command_path})" if exc.ctx is not None else ""
        typer.echo(f"synthcheck: error{where}: {exc.format_message()}", err=True)
        code = 2
    except ClickException as exc:
        typer.echo(f"synthcheck: error: {exc.format_message()}", err=True)
        code = exc.exit_code
    except (KeyboardInterrupt, typer.Abort):  # pragma: no cover
        code = 130
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":  # pragma: no cover
    main()
