"""Find detectors through the ``synthcheck.detectors`` entry-point group.

Built-in and third-party detectors are found the same way.  A detector that fails to import is
recorded with the reason and skipped with a warning: it never stops a scan.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import entry_points
from pathlib import Path
from typing import Sequence

from .detector import COST_TIERS, Availability, Detector, default_weights_dir

GROUP = "synthcheck.detectors"
log = logging.getLogger("synthcheck")


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
            cls = ep.load()
            if not (isinstance(cls, type) and issubclass(cls, Detector) and cls.id):
                raise TypeError(f"{ep.value} is not a synthcheck Detector subclass with an id")
            avail = cls.availability()
        except Exception as exc:  # a broken plugin is reported, never fatal
            # Reported once by the caller (the CLI warns; the run record lists it), not per process.
            log.debug("detector %s failed to load and is skipped: %s", ep.name, exc)
            found.setdefault(ep.name, DetectorInfo(ep.name, None, Availability(False, f"failed to load: {exc}",
                                                                          "reinstall the package that provides it")))
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

    Raises ``KeyError`` naming unknown ids, so the CLI can exit 2 on a typo.
    """
    infos = tuple(sorted(discover() + tuple(DetectorInfo(c.id, c, c.availability()) for c in extra), key=_order))
    known = {i.id for i in infos}
    unknown = [d for d in (only or []) + (skip or []) if d not in known]
    if unknown:
        raise KeyError(", ".join(unknown))
    chosen: list[type[Detector]] = []
    skipped: dict[str, str] = {}
    for info in infos:
        if only and info.id not in only:
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
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()
