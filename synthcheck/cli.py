"""The command line: a thin layer over ``synthcheck.api``.

Exit codes follow ruff and bandit: 0 nothing at or above ``--fail-on``; 1 at least one file at
or above it; 2 a usage error or any file that could not be fully scanned (errors are never
hidden); ``--exit-zero`` turns 1 into 0 but never 2.  Heavy modules are imported only inside
commands that need them, so ``synthcheck --help`` and ``synthcheck detectors`` stay torch-free.
"""

from __future__ import annotations

import os
import sys
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer

from . import __version__
from .settings import ConfigError, load_config

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  help="Offline forensic evidence that an image or video was made or altered by generative AI.")


class Format(str, Enum):
    text = "text"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    sarif = "sarif"


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


def _format_for(output: Optional[Path]) -> str:
    """``-o report.sarif`` means SARIF: the output file's extension picks the format when none is given."""
    suffix = output.suffix.lower().lstrip(".") if output else ""
    return suffix if suffix in ("json", "jsonl", "csv", "sarif") else "text"


def _split(values: Optional[List[str]]) -> list[str]:
    return [v.strip() for raw in values or [] for v in raw.split(",") if v.strip()]


@app.command()
def scan(
    paths: List[str] = typer.Argument(..., help="Files or folders (recursive); '-' reads paths from stdin."),
    include: Optional[List[str]] = typer.Option(None, "--include", "-i", help="Only files matching this glob."),
    exclude: Optional[List[str]] = typer.Option(None, "--exclude", "-e", help="Skip files matching this glob."),
    fmt: Optional[Format] = typer.Option(None, "--format", "-f", envvar="SYNTHCHECK_FORMAT",
                                         help="Output format (default: from --output's extension, else text; env SYNTHCHECK_FORMAT)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write the report to FILE."),
    detectors: Optional[List[str]] = typer.Option(None, "--detectors", "-d", help="Only these detector ids."),
    skip: Optional[List[str]] = typer.Option(None, "--skip", help="Skip these detector ids."),
    device: Optional[Device] = typer.Option(None, "--device", help="auto (CUDA when present), cpu or cuda."),
    workers: Optional[int] = typer.Option(None, "--workers", "-j", min=1, help="Worker processes (default: cores)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar or warnings; the text report lists only files with evidence or errors."),
    fail_on: Optional[FailOn] = typer.Option(None, "--fail-on", help="Lowest verdict that makes the exit code 1."),
    exit_zero: bool = typer.Option(False, "--exit-zero", help="Exit 0 even when files reach --fail-on."),
    max_bytes: Optional[int] = typer.Option(None, "--max-bytes", help="Largest file accepted, in bytes."),
    max_pixels: Optional[int] = typer.Option(None, "--max-pixels", help="Largest image accepted, in pixels."),
    max_frames: Optional[int] = typer.Option(None, "--max-frames", help="Most video frames decoded per file."),
    timeout: Optional[float] = typer.Option(None, "--timeout", help="Seconds allowed per file."),
    fps: Optional[float] = typer.Option(None, "--fps", min=0.1, help="Video frames sampled per second (temporal)."),
    c2pa_trust_anchors: Optional[Path] = typer.Option(None, "--c2pa-trust-anchors", exists=True, dir_okay=False,
                                                      help="PEM file of C2PA trust anchors."),
    artifacts_dir: Optional[Path] = typer.Option(None, "--artifacts-dir", file_okay=False,
                                                 help="Write report images (spectra) here."),
    metadata_reader: Optional[str] = typer.Option(None, "--metadata-reader", metavar="auto|exiftool|python",
                                                  help="How the metadata detector reads tags (default auto)."),
    rivagan: bool = typer.Option(False, "--rivagan/--no-rivagan",
                                 help="Also decode RivaGAN watermarks (about 1 s per image on CPU; off by default)."),
    plugin: Optional[List[str]] = typer.Option(None, "--plugin", metavar="MODULE:CLASS",
                                               help="Also run a detector class that is not installed as a plugin."),
    config: Optional[Path] = typer.Option(None, "--config", envvar="SYNTHCHECK_CONFIG", exists=True, dir_okay=False,
                                          help="TOML config file (see docs/config.md)."),
) -> None:
    """Scan files and folders and report the evidence found in each."""
    from .scan_command import ScanRequest, run_scan_command

    try:
        cfg = load_config(config)
    except ConfigError as exc:
        typer.echo(f"synthcheck: error: {exc}", err=True)
        raise typer.Exit(2)
    options: dict = {k: v for k, v in {
        "c2pa_trust_anchors": str(c2pa_trust_anchors) if c2pa_trust_anchors else cfg.get("c2pa", {}).get(
            "trust_anchors"),
        "artifacts_dir": str(artifacts_dir) if artifacts_dir else cfg.get("artifacts_dir"),
        "metadata.reader": metadata_reader or cfg.get("metadata", {}).get("reader"),
        "temporal.fps": fps or cfg.get("video", {}).get("fps"),
        "temporal.max_frames": max_frames or cfg.get("limits", {}).get("max_frames"),
    }.items() if v}
    if rivagan or cfg.get("watermark", {}).get("rivagan", False):
        options["watermark.rivagan"] = True
    req = ScanRequest(
        paths=paths, include=include or cfg.get("include", []), exclude=exclude or cfg.get("exclude", []),
        fmt=(fmt.value if fmt else cfg.get("format") or _format_for(output)), output=output,
        detectors=_split(detectors) or cfg.get("detectors", []), skip=_split(skip) or cfg.get("skip", []),
        device=(device.value if device else cfg.get("device", "auto")),
        workers=workers or cfg.get("workers") or os.cpu_count() or 1,
        plugins=plugin or cfg.get("plugins", []),
        quiet=quiet, fail_on=(fail_on.value if fail_on else cfg.get("fail_on", "likely")), exit_zero=exit_zero,
        limits={k: v for k, v in {"max_bytes": max_bytes, "max_pixels": max_pixels, "max_frames": max_frames,
                                  "timeout_s": timeout}.items() if v is not None} or None,
        config_limits=cfg.get("limits", {}),
        options=options,
    )
    raise typer.Exit(run_scan_command(req))


@app.command("detectors")
def list_detectors(as_json: bool = typer.Option(False, "--json", help="Machine-readable output.")) -> None:
    """List every detector: id, version, media, cost, and whether it can run here (and if not, how to fix it)."""
    from .info import detectors_table

    raise typer.Exit(detectors_table(as_json))


@app.command()
def explain(detector_id: str = typer.Argument(..., metavar="ID", help="Detector id (see `synthcheck detectors`).")) -> None:
    """Explain what a detector measures, how to read its score and when it fails."""
    from .info import explain_detector

    raise typer.Exit(explain_detector(detector_id))


@app.command()
def version(as_json: bool = typer.Option(False, "--json", help="Machine-readable output.")) -> None:
    """Versions of the tool, its runtime, each detector and each weight file."""
    from .info import version_info

    raise typer.Exit(version_info(as_json))


def _register_optional_commands() -> None:
    try:
        from .cli_eval import eval_command
    except ImportError:  # pragma: no cover - eval not installed in this build
        return
    app.command("eval", help="Measure detectors on labelled data (ROC AUC, AP, TPR/FPR at thresholds).")(eval_command)


_register_optional_commands()


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover
        sys.exit(130)


if __name__ == "__main__":  # pragma: no cover
    main()
