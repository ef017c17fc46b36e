"""The informational commands: ``detectors``, ``explain`` and ``version``."""

from __future__ import annotations

import inspect
import json
import platform
import sys

from rich.console import Console
from rich.table import Table

from . import SCHEMA_VERSION, __version__
from .formatters import DetectorDoc
from .registry import DetectorInfo, discover, weight_hashes


def detector_docs(extra=()) -> dict[str, DetectorDoc]:  # noqa: ANN001
    """Documentation of every loadable detector (and ``--plugin`` ones), for formatters and ``explain``."""
    docs: dict[str, DetectorDoc] = {}
    classes = [i.cls for i in discover() if i.cls is not None] + list(extra)
    for cls in classes:
        doc = inspect.cleandoc(cls.__doc__ or "") or "(undocumented)"
        docs[cls.id] = DetectorDoc(cls.id, cls.version, cls.title or cls.id,
                                   doc.split("\n\n", 1)[0].replace("\n", " "), doc)
    return docs


def _row(info: DetectorInfo) -> dict:
    cls = info.cls
    return {
        "id": info.id,
        "version": cls.version if cls else None,
        "title": (cls.title if cls else "") or info.id,
        "media": sorted(cls.media) if cls else [],
        "cost": cls.cost if cls else None,
        "available": info.availability.ok,
        "reason": info.availability.reason or None,
        "fix": info.availability.fix or None,
    }


def detectors_table(as_json: bool) -> int:
    rows = [_row(i) for i in discover()]
    if as_json:
        print(json.dumps({"detectors": rows}, indent=2))
        return 0
    table = Table(title="synthcheck detectors")
    for col in ("id", "version", "media", "cost", "available", "why not / fix"):
        table.add_column(col)
    for r in rows:
        why = "" if r["available"] else f"{r['reason']}; fix: {r['fix']}"
        table.add_row(r["id"], r["version"] or "-", ",".join(r["media"]), r["cost"] or "-",
                      "yes" if r["available"] else "no", why)
    Console().print(table)
    return 0


def explain_detector(detector_id: str) -> int:
    for info in discover():
        if info.id == detector_id:
            if info.cls is None:
                print(f"{detector_id}: {info.availability.reason}", file=sys.stderr)
                return 2
            cls = info.cls
            print(f"{cls.id} {cls.version} - {cls.title or cls.id}")
            print(f"media: {', '.join(sorted(cls.media))}; cost: {cls.cost}; "
                  f"available here: {'yes' if info.availability.ok else 'no (' + info.availability.reason + ')'}")
            print()
            print(inspect.cleandoc(cls.__doc__ or "(undocumented)"))
            return 0
    known = ", ".join(i.id for i in discover())
    print(f"unknown detector {detector_id!r}; known: {known}", file=sys.stderr)
    return 2


def version_info(as_json: bool) -> int:
    from .versions import library_versions

    cuda = False
    if library_versions().get("torch"):
        try:
            import torch

            cuda = bool(torch.cuda.is_available())
        except Exception:  # noqa: BLE001 - report what is there
            pass
    data = {
        "synthcheck": __version__,
        "schema_version": SCHEMA_VERSION,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cuda_available": cuda,
        "libraries": library_versions(),
        "detectors": {i.id: (i.cls.version if i.cls else None) for i in discover()},
        "weights": weight_hashes(),
    }
    if as_json:
        print(json.dumps(data, indent=2))
    else:
        for k, v in data.items():
            if isinstance(v, dict):
                print(f"{k}:")
                for kk, vv in v.items():
                    print(f"  {kk}: {vv}")
            else:
                print(f"{k}: {v}")
    return 0
