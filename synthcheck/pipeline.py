"""Scan one file with a set of loaded detectors: open once, run cheap detectors first, fuse.

This runs inside a worker process (see ``runner``); a detector that raises is recorded as a
``detector_error`` and the remaining detectors still run.
"""

from __future__ import annotations

import logging
import time
from typing import Sequence

from .detector import Detector
from .fusion import contradictions, fuse
from .limits import Limits, MediaError
from .media import Media
from .model import ErrorCode, FileError, FileResult, Finding, Kind, Strength, Verdict, Label

log = logging.getLogger("synthcheck")
_FATAL = {ErrorCode.UNSUPPORTED_FORMAT, ErrorCode.TRUNCATED, ErrorCode.DECODE_ERROR, ErrorCode.LIMIT_EXCEEDED,
          ErrorCode.TIMEOUT, ErrorCode.CRASHED, ErrorCode.IO_ERROR}


def scan_file(path: str, detectors: Sequence[Detector], limits: Limits) -> FileResult:
    t0 = time.perf_counter()
    try:
        media = Media.open(path, limits)
    except MediaError as exc:
        return error_result(path, exc.code, exc.message, elapsed_ms=(time.perf_counter() - t0) * 1000)

    findings: list[Finding] = []
    errors: list[FileError] = []
    ran: list[str] = []
    pixel_error: MediaError | None = None
    if media.mislabelled:
        findings.append(Finding(
            detector="format", detector_version="1", kind=Kind.PROVENANCE, strength=Strength.INFO,
            title="Extension does not match content",
            explanation=(f"The file is named as {media.extension_format} but its content is {media.format}; "
                         "it was scanned as what it is."),
            evidence={"extension": media.path.suffix, "content_format": media.format}))
    for det in detectors:
        if media.kind not in det.media:
            continue
        try:
            findings.extend(det.run(media))
            ran.append(det.id)
        except MediaError as exc:  # the shared decode failed: report once, file-level
            if pixel_error is None:
                pixel_error = exc
                errors.append(FileError(exc.code, exc.message))
        except Exception as exc:  # noqa: BLE001 - one detector never stops the others
            log.debug("detector %s failed on %s", det.id, path, exc_info=True)
            errors.append(FileError(ErrorCode.DETECTOR_ERROR, f"{type(exc).__name__}: {exc}", detector=det.id))
    for err in media.errors:  # structural truncation, partial video decodes: what decoded was used
        if pixel_error is None or err.code is not pixel_error.code:
            errors.append(FileError(err.code, err.message))
    findings.extend(contradictions(findings))
    fatal = (pixel_error is not None and pixel_error.code in _FATAL) or (
        media.kind == "image" and any(e.code in _FATAL for e in media.errors))
    verdict = fuse(findings, errors, fatal=fatal)
    return FileResult(
        path=str(path), sha256=media.sha256, size=media.size, media=media.kind, format=media.format,
        findings=tuple(findings), errors=tuple(errors), verdict=verdict,
        elapsed_ms=round((time.perf_counter() - t0) * 1000, 2),
        width=media.width, height=media.height,
        frames=media.n_frames if media.kind == "video" else None,
        duration=media.duration, detectors_run=tuple(ran))


def error_result(path: str, code: ErrorCode, message: str, *, elapsed_ms: float = 0.0,
                 sha256: str | None = None, size: int | None = None) -> FileResult:
    err = FileError(code, message)
    return FileResult(path=str(path), sha256=sha256, size=size, media=None, format=None, findings=(),
                      errors=(err,), verdict=fuse((), (err,), fatal=True), elapsed_ms=round(elapsed_ms, 2))


__all__ = ["scan_file", "error_result", "Verdict", "Label"]
