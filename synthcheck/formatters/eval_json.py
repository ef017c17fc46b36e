"""JSON rendering of an evaluation report (``synthcheck eval --json``): numbers as computed."""

from __future__ import annotations

import json
from typing import Any, TextIO

from ..evaluate import EvalReport
from ..serialize import plain

EVAL_SCHEMA = "synthcheck-eval/1"


def report_dict(report: EvalReport, *, include_files: bool = True) -> dict[str, Any]:
    d = plain(report)
    d["schema"] = EVAL_SCHEMA
    if not include_files:
        d.pop("files", None)
    return d


def render(report: EvalReport, out: TextIO, *, include_files: bool = True) -> None:
    json.dump(report_dict(report, include_files=include_files), out, indent=2, sort_keys=False)
    out.write("\n")
