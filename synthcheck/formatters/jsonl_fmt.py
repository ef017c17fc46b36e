"""``jsonl``: one result record per line, written and flushed as each file finishes.

Only results are written, so every line has the same shape and a consumer can ``json.loads``
each one without looking for a type tag; each record carries its own ``schema_version``.  The
run record (versions, weights, options) is in the ``json`` and ``sarif`` formats, not here.
"""

from __future__ import annotations

import json

from ..model import FileResult
from ..serialize import result_dict
from . import BaseFormatter


class Formatter(BaseFormatter):
    def add(self, result: FileResult) -> None:
        self.out.write(json.dumps(result_dict(result), ensure_ascii=True, allow_nan=False, separators=(",", ":")))
        self.out.write("\n")
        self.out.flush()
