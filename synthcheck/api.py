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
from .detector import Detector
from .discover import iter_files
from .engines import run_scan
from .limits import Limits
from .model import FileResult, RunInfo
from .registry import select, weight_hashes
from .runner import ScanOptions
from .settings import ScanSettings, resolve
from .versions import library_versions


@dataclass
class Scan:
    """A prepared scan: the resolved options and the run record, ready to iterate."""

    options: ScanOptions
    run: RunInfo
    skipped: Mapping[str, str] = field(default_factory=dict)

    def results(self, paths: Iterable[str]) -> Iterator[tuple[int, FileResult]]:
        results = run_scan(paths, self.options)
        if "known" in self.options.detectors:  # files that are the same picture get a near-duplicate finding
            from .hashes.groups import mark_duplicates

            results = mark_duplicates(results)
        return results

    def finish(self) -> RunInfo:
        self.run = replace(self.run, finished=utcnow())
        return self.run


def prepare(settings: ScanSettings | None = None, *, detectors: Sequence[str] | None = None,
            skip: Sequence[str] | None = None, device: str | None = None, workers: int | None = None,
            limits: Limits | None = None, options: Mapping[str, Any] | None = None,
            extra: Sequence[type[Detector]] = ()) -> Scan:
    """Resolve detectors and device into a ready scan; raise ``KeyError`` for unknown detector ids.

    Give either a ``ScanSettings`` (what the CLI does) or the keyword arguments, which are
    validated the same way (``SettingsError`` for a bad value).  ``options`` adds raw detector
    options (``{"metadata.reader": "python"}``) for experiments.  ``extra`` adds detector classes
    that are not installed as entry points (a researcher's experiment, a test double); they must
    be importable by module path in worker processes.  The run record is built here, from the
    settings alone, and is not patched afterwards.
    """
    if settings is None:
        cli: dict[str, Any] = {"detectors": list(detectors or []), "skip": list(skip or []), "device": device,
                               "workers": workers}
        if limits is not None:
            cli.update(max_bytes=limits.max_bytes, max_pixels=limits.max_pixels, max_frames=limits.max_frames,
                       timeout_s=limits.timeout_s)
        settings = resolve(cli, extra_options=options)
    elif any(v is not None for v in (detectors, skip, device, workers, limits, options)):
        raise TypeError("prepare() takes either settings or keyword options, not both")
    chosen, skipped = select(list(settings.detectors) or None, list(settings.skip) or None, extra=extra)
    det_options = settings.detector_options()
    for c in chosen:  # parent-side setup (hash lists): a ValueError here is a usage error, exit 2
        det_options.update(c.prepare_run(det_options))
    opts = ScanOptions(
        detectors=tuple(c.id for c in chosen),
        extra=tuple(f"{c.__module__}:{c.__qualname__}" for c in extra),
        device=resolve_device(settings.device),
        workers=settings.workers,
        limits=settings.limits,
        options=det_options,
        all_detectors=settings.all_detectors, engine=settings.engine, ray_address=settings.ray_address,
    )
    run = RunInfo(
        tool_version=__version__, schema_version=SCHEMA_VERSION,
        detectors={c.id: c.version for c in chosen},
        weights={name: digest for name, digest in weight_hashes().items()
                 if any(name in c.weights for c in chosen)},
        options={**settings.record(), "device": opts.device, "plugins": list(opts.extra),
                 **{k: det_options[k] for c in chosen for k in c.record_keys if k in det_options}},
        started=utcnow(), finished=None, host=socket.gethostname() if settings.record_host else None,
        python=sys.version.split()[0], platform=platform.platform(),
        skipped_detectors=skipped, libraries=library_versions(),
    )
    return Scan(opts, run, skipped)


def scan(paths: Sequence[str], *, include: Sequence[str] = (), exclude: Sequence[str] = (),
         **kwargs: Any) -> tuple[RunInfo, list[FileResult]]:
    """Scan files and folders; return the run record and results in input order.

    ``kwargs`` are those of ``prepare`` (``settings=`` or the keyword options).
    """
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
