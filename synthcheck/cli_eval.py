"""``synthcheck eval``: measure the detectors on labelled files (registered by ``synthcheck.cli``).

Kept in its own module so the main CLI stays small; it imports nothing heavy at import time.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Optional

import typer


def _split(values: Optional[List[str]]) -> list[str]:
    return [v.strip() for raw in values or [] for v in raw.split(",") if v.strip()]


def eval_command(
    real: Optional[List[Path]] = typer.Option(None, "--real", help="Folder of real (camera) files; repeatable."),
    synthetic: Optional[List[Path]] = typer.Option(None, "--synthetic", help="Folder of AI-made files; repeatable."),
    csv_file: Optional[List[Path]] = typer.Option(
        None, "--csv", help="CSV of path,label rows (label real/synthetic or 0/1; paths relative to the CSV); "
                            "repeatable."),
    normalize: str = typer.Option(
        "none", "--normalize",
        help="Bring files to one size and encoding first: none, crop512-jpeg90, crop256-jpeg90, "
             "crop512-jpeg75, crop512-png."),
    detectors: Optional[List[str]] = typer.Option(None, "--detectors", "-d", help="Only these detector ids."),
    skip: Optional[List[str]] = typer.Option(None, "--skip", help="Detector ids not to run."),
    workers: int = typer.Option(1, "--workers", "-j", min=1, help="Worker processes."),
    device: str = typer.Option("auto", "--device", help="auto, cpu or cuda."),
    json_out: Optional[Path] = typer.Option(None, "--json", help="Also write the report as JSON to this file."),
    fmt: str = typer.Option("text", "--format", "-f", help="text or json (to standard output)."),
    files: bool = typer.Option(True, "--files/--no-files", help="Include per-file scores in JSON output."),
) -> None:
    """Measure each detector and the fused verdict on labelled real and synthetic files."""
    from .evaluate import evaluate, items_from_dirs, load_csv
    from .normalize import get_preset

    def usage(msg: str) -> None:
        typer.echo(f"error: {msg}", err=True)
        raise typer.Exit(2)

    if fmt not in ("text", "json"):
        usage(f"unknown format {fmt!r}: use text or json")
    try:
        get_preset(normalize)
    except ValueError as exc:
        usage(str(exc))
    for d in [*(real or []), *(synthetic or [])]:
        if not d.is_dir():
            usage(f"not a folder: {d}")
    try:
        items = items_from_dirs([str(p) for p in real or []], [str(p) for p in synthetic or []])
        for c in csv_file or []:
            items += load_csv(c)
    except (OSError, ValueError) as exc:
        usage(str(exc))
    if not items:
        usage("no labelled files: give --real/--synthetic folders or --csv")
    sources = [f"real:{p}" for p in real or []] + [f"synthetic:{p}" for p in synthetic or []]
    sources += [f"csv:{p}" for p in csv_file or []]
    progress = None
    if sys.stderr.isatty():
        def progress(done: int, total: int) -> None:
            typer.echo(f"\r{done}/{total} files", err=True, nl=done == total)
    try:
        report = evaluate(items, detectors=_split(detectors), skip=_split(skip), workers=workers,
                          device=device, normalize=normalize, sources=sources, progress=progress)
    except KeyError as exc:
        usage(f"unknown detector id: {exc.args[0] if exc.args else exc}")
    except ValueError as exc:
        usage(str(exc))
    from .formatters import eval_json, eval_text

    if json_out is not None:
        with open(json_out, "w", encoding="utf-8") as fh:
            eval_json.render(report, fh, include_files=files)
    if fmt == "json":
        eval_json.render(report, sys.stdout, include_files=files)
    else:
        eval_text.render(report, sys.stdout, color=sys.stdout.isatty())
