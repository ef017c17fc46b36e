"""Find detectors through the ``synthcheck.detectors`` entry-point group.

Built-in and third-party detectors are found the same way.  A detector that fails to import, is
not a ``Detector`` subclass, or declares an id that breaks the contract is recorded with the
reason and skipped with a warning: it never stops a scan, and it never runs.

The id contract, checked here once for every detector: an id names the detector in every report
and run record, so it must be a short stable token (``ID_PATTERN``) and must not be one of the
pseudo-detector ids synthcheck itself writes into results (``RESERVED_IDS``): a plugin calling
itself ``contradiction`` would have its findings read as a provenance conflict by the fusion.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import entry_points
from pathlib import Path
from typing import Sequence

from .detector import COST_TIERS, Availability, Detector, default_weights_dir

GROUP = "synthcheck.detectors"
log = logging.getLogger("synthcheck")

ID_PATTERN = re.compile(r"^[a-z][a-z0-9_-]{1,31}$")
# Ids of findings and records that synthcheck writes itself, not a detector:
FORMAT_ID = "format"  # pipeline: the file's extension does not match its content
CONTRADICTION_ID = "contradiction"  # fusion: two provenance sources disagree
ERROR_ID = "error"  # reports: a file or a detector could not be scanned
PIPELINE_ID = "pipeline"  # pipeline: which detectors it chose not to run on a file, and why
RESERVED_IDS = frozenset({FORMAT_ID, CONTRADICTION_ID, ERROR_ID, PIPELINE_ID})


def id_problem(det_id: object) -> str | None:
    """Why ``det_id`` cannot be a detector id, or None when it can."""
    if not isinstance(det_id, str) or not ID_PATTERN.match(det_id):
        return (f"invalid detector id {det_id!r}: an id must match {ID_PATTERN.pattern} "
                "(lower-case letter first, then 1-31 of a-z, 0-9, '_', '-')")
    if det_id in RESERVED_IDS:
        return (f"detector id {det_id!r} is reserved for synthcheck's own findings "
                f"({', '.join(sorted(RESERVED_IDS))})")
    return None


def check_class(cls: object, where: str) -> type[Detector]:
    """``cls`` if it honours the plugin contract, else ``ValueError`` with the reason."""
    if not (isinstance(cls, type) and issubclass(cls, Detector)):
        raise ValueError(f"{where} is not a synthcheck Detector subclass")
    problem = id_problem(cls.id)
    if problem:
        raise ValueError(problem)
    return cls


@dataclass(frozen=True)
class DetectorInfo:
    """A detector as ``synthcheck detectors`` lists it, loadable or not."""

    name: str  # entry-point name
    cls: type[Detector] | None
    availability: Availability

    @property
    def id(self) -> str:
        return self.cls.id if self.cls else self.name


@lru_cache(maxsize=1)
def discover() -> tuple[DetectorInfo, ...]:
    found: dict[str, DetectorInfo] = {}
    for ep in entry_points(group=GROUP):
        try:
            cls = check_class(ep.load(), ep.value)
            avail = cls.availability()
        except Exception as exc:  # noqa: BLE001 - a broken plugin is reported, never fatal
            # Reported once by the caller (the CLI warns; the run record lists it), not per process.
            log.debug("detector %s failed to load and is skipped: %s", ep.name, exc)
            fix = ("the plugin must declare a valid id of its own" if isinstance(exc, ValueError)
                   else "reinstall the package that provides it")
            found.setdefault(ep.name, DetectorInfo(ep.name, None, Availability(False, f"failed to load: {exc}", fix)))
            continue
        if cls.id in found and found[cls.id].cls is not None:
            log.warning("detector id %s is declared twice; keeping %s", cls.id, found[cls.id].cls)
            continue
        found[cls.id] = DetectorInfo(ep.name, cls, avail)
    return tuple(sorted(found.values(), key=_order))


def _order(info: DetectorInfo) -> tuple[int, bool, str]:
    """Cheapest first; within a tier provenance first (it can settle a file on its own)."""
    cost = info.cls.cost if info.cls else "expensive"
    provenance = bool(info.cls) and info.cls.kind.value == "provenance"
    return (COST_TIERS.index(cost) if cost in COST_TIERS else len(COST_TIERS), not provenance, info.id)


def select(only: list[str] | None = None, skip: list[str] | None = None,
           extra: "Sequence[type[Detector]]" = ()) -> tuple[list[type[Detector]], dict[str, str]]:
    """The runnable detector classes in run order, and why each other one is skipped.

    Raises ``KeyError`` naming unknown ids, so the CLI can exit 2 on a typo, and ``ValueError``
    for an ``extra`` class that breaks the plugin contract.
    """
    for c in extra:
        check_class(c, f"{getattr(c, '__module__', '?')}:{getattr(c, '__qualname__', c)}")
    infos = tuple(sorted(discover() + tuple(DetectorInfo(c.id, c, c.availability()) for c in extra), key=_order))
    known = {i.id for i in infos}
    extra_ids = {c.id for c in extra}
    unknown = [d for d in (only or []) + (skip or []) if d not in known]
    if unknown:
        raise KeyError(", ".join(unknown))
    chosen: list[type[Detector]] = []
    skipped: dict[str, str] = {}
    for info in infos:
        if only and info.id not in only:
            if info.id in extra_ids:  # loaded on purpose, so dropping it silently would surprise
                log.warning("detector %s (--plugin) is not among --detectors and will not run", info.id)
            continue
        if skip and info.id in skip:
            continue
        if info.cls is None or not info.availability.ok:
            skipped[info.id] = info.availability.reason
            if only:
                log.warning("detector %s is unavailable: %s", info.id, info.availability.reason)
            continue
        chosen.append(info.cls)
    return chosen, skipped


def load_class(spec: str) -> type[Detector]:
    """Import ``module:Class`` (used for detectors passed to the API rather than installed)."""
    import importlib

    module, _, name = spec.partition(":")
    obj = importlib.import_module(module)
    for part in name.split("."):
        obj = getattr(obj, part)
    return obj  # type: ignore[return-value]


def weight_hashes(weights_dir: Path | None = None) -> dict[str, str]:
    """sha256 of every weight file shipped in ``weights/`` (for version output and run records)."""
    root = weights_dir or default_weights_dir()
    out: dict[str, str] = {}
    if root.is_dir():
        for p in sorted(root.glob("*.safetensors")):
            out[p.name] = file_sha256(p)
    return out


def file_sha256(path: Path) -> str:
    """SHA-256 of one of synthcheck's own files (weights, trust lists); inputs are hashed by ``media.identify``."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()
