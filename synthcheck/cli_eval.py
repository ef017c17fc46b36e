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
    group_by: Optional[str] = typer.Option(
        None, "--group-by",
        help="Also measure each group alone, with mean and WORST: generator (first folder below each "
             "--real/--synthetic folder, or a CSV's third column), source (each folder or CSV given), "
             "folder (each file's parent folder)."),
) -> None:
    """Measure each detector and the fused verdict on labelled real and synthetic files."""
    from .evaluate import GROUP_BYS, csv_groups, evaluate, group_of, items_from_dirs, load_csv
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
    if group_by is not None and group_by not in GROUP_BYS:
        usage(f"unknown --group-by {group_by!r}: use {', '.join(GROUP_BYS)}")
    for d in [*(real or []), *(synthetic or [])]:
        if not d.is_dir():
            usage(f"not a folder: {d}")
    items: list[tuple[str, int]] = []
    groups: list[str] = []
    try:
        for side, roots in (("real", real), ("synthetic", synthetic)):
            for root in roots or []:
                got = items_from_dirs(**{side: [str(root)]})
                items += got
                groups += [group_of(p, str(root), group_by or "source") for p, _ in got]
        for c in csv_file or []:
            got = load_csv(c)
            named = csv_groups(c)
            items += got
            groups += [group_of(p, str(c), group_by or "source", named.get(p)) for p, _ in got]
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
                          device=device, normalize=normalize, sources=sources, progress=progress,
                          groups=groups if group_by else None, group_by=group_by or "")
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
