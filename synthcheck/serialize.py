"""Turn the evidence model into plain JSON-ready dicts (schema: synthcheck/schema/result.schema.json).

Every output format builds on these dicts, so the field names machines read are defined once.
A result record carries its own ``schema_version`` so that a ``jsonl`` line can be read alone.
"""

from __future__ import annotations

import math
from dataclasses import asdict, fields, is_dataclass
from enum import Enum
from typing import Any

from . import SCHEMA_VERSION
from .model import FileResult, Finding, RunInfo

# Key order of a result record: identity first, then the verdict, then the evidence.
RESULT_KEYS = ("schema_version", "path", "sha256", "size", "media", "format", "width", "height", "frames",
               "duration", "verdict", "findings", "errors", "detectors_run", "elapsed_ms")


def plain(value: Any) -> Any:
    """Recursively convert dataclasses, enums, tuples and numpy scalars to JSON types."""
    if isinstance(value, Enum):
        return value.value
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, dict) or hasattr(value, "items"):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [plain(v) for v in value]
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, (str, int, bool)) or value is None:
        return value
    if getattr(value, "ndim", 0) and hasattr(value, "tolist"):  # numpy array (its .item() would raise)
        return plain(value.tolist())
    if hasattr(value, "item") and callable(value.item):  # numpy scalar
        return plain(value.item())
    if hasattr(value, "tolist"):
        return plain(value.tolist())
    return str(value)


def finding_dict(f: Finding) -> dict[str, Any]:
    d = plain(f)
    d["region"] = plain(list(f.region)) if f.region else None
    d["time"] = plain(list(f.time)) if f.time else None
    return d


def result_dict(r: FileResult) -> dict[str, Any]:
    d = plain(r)
    d["findings"] = [finding_dict(f) for f in r.findings]
    d["schema_version"] = SCHEMA_VERSION
    return {k: d[k] for k in RESULT_KEYS if k in d} | {k: v for k, v in d.items() if k not in RESULT_KEYS}


def run_dict(run: RunInfo) -> dict[str, Any]:
    return plain(run)


__all__ = ["plain", "finding_dict", "result_dict", "run_dict", "asdict", "RESULT_KEYS"]
