"""The library API: what the CLI calls, and what a researcher imports.

    from synthcheck.api import scan
    run, results = scan(["photo.jpg"])
"""

from __future__ import annotations

import platform
import socket
import sys
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any, Iterable, Iterator, Mapping, Sequence

from . import SCHEMA_VERSION, __version__
from .discover import iter_files
from .limits import Limits
from .detector import Detector
from .model import FileResult, RunInfo
from .registry import select, weight_hashes
from .runner import ScanOptions, run_scan


@dataclass
class Scan:
    """A prepared scan: the resolved options and the run record, ready to iterate."""

    options: ScanOptions
    run: RunInfo
    skipped: Mapping[str, str] = field(default_factory=dict)

    def results(self, paths: Iterable[str]) -> Iterator[tuple[int, FileResult]]:
        return run_scan(paths, self.options)

    def finish(self) -> RunInfo:
        self.run = replace(self.run, finished=utcnow())
        return self.run


def prepare(*, detectors: Sequence[str] | None = None, skip: Sequence[str] | None = None,
            device: str = "auto", workers: int | None = None, limits: Limits | None = None,
            options: Mapping[str, Any] | None = None, extra: Sequence[type[Detector]] = ()) -> Scan:
    """Resolve detectors and device; raise ``KeyError`` for unknown detector ids.

    ``extra`` adds detector classes that are not installed as entry points (a researcher's
    experiment, a test double); they must be importable by module path in worker processes.
    """
    import os
    from dataclasses import asdict

    chosen, skipped = select(list(detectors or []) or None, list(skip or []) or None, extra=extra)
    opts = ScanOptions(
        detectors=tuple(c.id for c in chosen),
        extra=tuple(f"{c.__module__}:{c.__qualname__}" for c in extra),
        device=resolve_device(device),
        workers=workers or os.cpu_count() or 1,
        limits=limits or Limits(),
        options=dict(options or {}),
    )
    run = RunInfo(
        tool_version=__version__, schema_version=SCHEMA_VERSION,
        detectors={c.id: c.version for c in chosen},
        weights={name: digest for name, digest in weight_hashes().items()
                 if any(name in c.weights for c in chosen)},
        options={"device": opts.device, "workers": opts.workers, "limits": asdict(opts.limits), **{k: v for k, v in opts.options.items()}},
        started=utcnow(), finished=None, host=socket.gethostname(),
        python=sys.version.split()[0], platform=platform.platform(),
        skipped_detectors=skipped,
    )
    return Scan(opts, run, skipped)


def scan(paths: Sequence[str], *, include: Sequence[str] = (), exclude: Sequence[str] = (),
         **kwargs: Any) -> tuple[RunInfo, list[FileResult]]:
    """Scan files and folders; return the run record and results in input order."""
    s = prepare(**kwargs)
    results = [r for _, r in s.results(iter_files(paths, include, exclude))]
    return s.finish(), results


def resolve_device(device: str) -> str:
    """``auto`` means CUDA when torch sees a GPU.  Checked without importing torch when possible."""
    if device in ("cpu", "cuda"):
        if device == "cuda":
            import torch

            if not torch.cuda.is_available():
                raise ValueError("--device cuda was asked for but torch sees no CUDA device")
        return device
    if device != "auto":
        raise ValueError(f"unknown device {device!r}: use auto, cpu or cuda")
    import shutil

    if shutil.which("nvidia-smi") is None and not _has_nvidia_dev():
        return "cpu"
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def _has_nvidia_dev() -> bool:
    import os

    return os.path.exists("/dev/nvidia0")


def utcnow() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
