"""``json``: one document ``{"schema_version", "run", "results"}`` written when the run finishes.

Buffered because a JSON document cannot be valid until it is closed; use ``jsonl`` to stream.
Non-ASCII text is escaped (``\\uXXXX``) so that any file name, even one that is not valid
UTF-8, gives a document every JSON parser reads.
"""

from __future__ import annotations

import json
from typing import Any

from .. import SCHEMA_VERSION
from ..model import FileResult, RunInfo
from ..serialize import result_dict, run_dict
from . import BaseFormatter


class Formatter(BaseFormatter):
    def start(self) -> None:
        self._results: list[dict[str, Any]] = []

    def add(self, result: FileResult) -> None:
        if not hasattr(self, "_results"):
            self.start()
        self._results.append(result_dict(result))

    def finish(self, run: RunInfo) -> None:
        doc = {"schema_version": SCHEMA_VERSION, "run": run_dict(run), "results": getattr(self, "_results", [])}
        json.dump(doc, self.out, indent=2, ensure_ascii=True, allow_nan=False)
        self.out.write("\n")
        self.out.flush()
