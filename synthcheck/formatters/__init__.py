"""Output formats: one module per format, one signature, rendering only.

Each module defines ``class Formatter(BaseFormatter)``.  A formatter is created once per run,
receives results in input order through ``add`` (so ``jsonl`` can stream) and closes with
``finish``.  Formatters never compute evidence or verdicts: they render what the scan produced.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Mapping, TextIO

from ..model import FileResult, RunInfo

if TYPE_CHECKING:  # pragma: no cover
    from ..settings import ScanSettings

FORMATS = ("text", "json", "jsonl", "csv", "sarif", "html")


@dataclass(frozen=True)
class DetectorDoc:
    """What a formatter may say about a detector (SARIF rules, text legends)."""

    id: str
    version: str
    title: str
    summary: str  # first paragraph of the docstring
    doc: str  # the whole docstring


class BaseFormatter:
    def __init__(self, out: TextIO, run: RunInfo, detectors: Mapping[str, DetectorDoc], *, color: bool = False,
                 quiet: bool = False, settings: "ScanSettings | None" = None) -> None:
        self.out = out
        self.settings = settings  # rendering choices only (html_all); None when called outside a scan
        self.run = run
        self.detectors = detectors
        self.color = color
        self.quiet = quiet

    def start(self) -> None:
        """Called before the first result."""

    def add(self, result: FileResult) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def finish(self, run: RunInfo) -> None:
        """Called after the last result with the completed run record."""


def get(name: str) -> type[BaseFormatter]:
    if name not in FORMATS:
        raise ValueError(f"unknown format {name!r}; choose one of {', '.join(FORMATS)}")
    module = importlib.import_module(f"{__name__}.{name}_fmt")
    return module.Formatter
