"""``csv``: one row per file with a fixed column order (``COLUMNS``), streamed as files finish.

Lists inside a cell are joined with ``;`` (``detectors``, ``error_codes``) or `` | ``
(``error_messages``, which may themselves contain ``;``).  Empty cells mean "no value".
The column order is part of the schema (docs/schema.md): new columns are only ever appended.
"""

from __future__ import annotations

import csv
from typing import Any

from ..model import FileResult, Finding
from . import BaseFormatter

COLUMNS = ("path", "sha256", "size", "media", "format", "width", "height", "frames", "duration",
           "verdict_label", "verdict_score", "verdict_basis", "verdict_summary", "n_findings", "top_detector",
           "top_score", "detectors", "error_codes", "error_messages", "elapsed_ms")


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def _top(findings: tuple[Finding, ...]) -> Finding | None:
    """The highest-scoring finding of any kind (the first one on a tie); rendering, not fusion."""
    scored = [f for f in findings if f.score is not None]
    return max(scored, key=lambda f: f.score or 0.0, default=None)


def detector_scores(result: FileResult) -> str:
    """``id:score`` for every detector that ran or reported, its highest score; ``id:`` if it had none."""
    ids = list(dict.fromkeys([*result.detectors_run, *(f.detector for f in result.findings)]))
    parts = []
    for det in ids:
        scores = [f.score for f in result.findings if f.detector == det and f.score is not None]
        parts.append(f"{det}:{_cell(max(scores)) if scores else ''}")
    return ";".join(parts)


def row(result: FileResult) -> list[str]:
    top = _top(result.findings)
    v = result.verdict
    return [_cell(x) for x in (
        result.path, result.sha256, result.size, result.media, result.format, result.width, result.height,
        result.frames, result.duration, v.label.value, v.score, v.basis, v.summary, len(result.findings),
        top.detector if top else None, top.score if top else None, detector_scores(result),
        ";".join(e.code.value for e in result.errors),
        " | ".join(f"{e.detector}: {e.message}" if e.detector else e.message for e in result.errors),
        result.elapsed_ms)]


class Formatter(BaseFormatter):
    def start(self) -> None:
        self._writer = csv.writer(self.out, lineterminator="\n")
        self._writer.writerow(COLUMNS)
        self.out.flush()

    def add(self, result: FileResult) -> None:
        if not hasattr(self, "_writer"):
            self.start()
        self._writer.writerow(row(result))
        self.out.flush()

    def finish(self, run) -> None:  # noqa: ANN001 - a header is written even for an empty run
        if not hasattr(self, "_writer"):
            self.start()
