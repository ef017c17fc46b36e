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
from .media import KEEP_BYTES, FileIdentity, Media, identify
from .model import ErrorCode, FileError, FileResult, Finding, Kind, Label, Strength, Verdict
from .registry import FORMAT_ID, PIPELINE_ID
from .sniff import media_kind

log = logging.getLogger("synthcheck")
_FATAL = {ErrorCode.UNSUPPORTED_FORMAT, ErrorCode.TRUNCATED, ErrorCode.DECODE_ERROR, ErrorCode.LIMIT_EXCEEDED,
          ErrorCode.TIMEOUT, ErrorCode.CRASHED, ErrorCode.IO_ERROR}


def scan_file(path: str, detectors: Sequence[Detector], limits: Limits, *,
              all_detectors: bool = False) -> FileResult:
    """Scan one file.  Unless ``all_detectors``, detectors that are not ``cheap`` are skipped once
    provenance is decisive (a verified AI claim that no capture claim contradicts): the verdict
    cannot change, and the record says which detectors were skipped and why."""
    t0 = time.perf_counter()
    try:
        ident = identify(path, keep_bytes=min(KEEP_BYTES, limits.max_bytes))
    except MediaError as exc:  # unreadable: the one case with no hash
        return error_result(path, exc.code, exc.message, elapsed_ms=(time.perf_counter() - t0) * 1000)
    try:
        media = Media.from_identity(ident, limits)
    except MediaError as exc:  # refused or undecodable, but hashed: the record still names its bytes
        return error_result(path, exc.code, exc.message, elapsed_ms=(time.perf_counter() - t0) * 1000,
                            identity=ident)

    findings: list[Finding] = []
    errors: list[FileError] = []
    ran: list[str] = []
    pixel_error: MediaError | None = None
    if media.mislabelled:
        findings.append(Finding(
            detector=FORMAT_ID, detector_version="1", kind=Kind.PROVENANCE, strength=Strength.INFO,
            title="Extension does not match content",
            explanation=(f"The file is named as {media.extension_format} but its content is {media.format}; "
                         "it was scanned as what it is."),
            evidence={"extension": media.path.suffix, "content_format": media.format}))
    sides = [d.decode_max_side for d in detectors if media.kind in d.media and d.cost != "cheap"]
    if sides and all(sides):  # every pixel detector downscales anyway: decode no larger than they need
        media.decode_max_side = max(sides)
    skipped: list[str] = []
    for det in detectors:
        if media.kind not in det.media:
            continue
        if not all_detectors and det.cost != "cheap" and _provenance_decisive(findings):
            skipped.append(det.id)
            continue
        try:
            findings.extend(det.run(media))
            ran.append(det.id)
        except MediaError as exc:  # the shared decode failed: report once, file-level
            if pixel_error is None:
                pixel_error = exc
                errors.append(FileError(exc.code, exc.message))
        except Exception as exc:  # one detector never stops the others
            log.debug("detector %s failed on %s", det.id, path, exc_info=True)
            errors.append(FileError(ErrorCode.DETECTOR_ERROR, f"{type(exc).__name__}: {exc}", detector=det.id))
    if skipped:
        findings.append(Finding(
            detector=PIPELINE_ID, detector_version="1", kind=Kind.PROVENANCE, strength=Strength.INFO,
            title="Statistical detectors skipped",
            explanation=(f"Provenance is decisive, so {', '.join(skipped)} did not run (they cannot change the "
                         "verdict); run with --all-detectors to see their evidence too."),
            evidence={"skipped": skipped}))
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


def _provenance_decisive(findings: Sequence[Finding]) -> bool:
    """A decisive AI claim and no capture claim that could contradict it (fusion's first rule)."""
    from .model import Claim

    ai = any(f.kind is Kind.PROVENANCE and f.claim in (Claim.AI_GENERATED, Claim.AI_EDITED)
             and f.strength is Strength.DECISIVE for f in findings)
    return ai and not any(f.claim is Claim.CAPTURE for f in findings)


def error_result(path: str, code: ErrorCode, message: str, *, elapsed_ms: float = 0.0,
                 identity: FileIdentity | None = None, also: Sequence[FileError] = ()) -> FileResult:
    """The record of a file that could not be scanned, with its hash, size and format when known.

    ``identity`` is None only when the file could not be read; ``also`` adds the errors that
    explain a missing identity where ``code`` itself does not (a timeout on a file since deleted).
    """
    errs = (FileError(code, message), *also)
    fmt = identity.format if identity is not None else None
    return FileResult(path=str(path), sha256=identity.sha256 if identity else None,
                      size=identity.size if identity else None, media=media_kind(fmt), format=fmt, findings=(),
                      errors=errs, verdict=fuse((), errs, fatal=True), elapsed_ms=round(elapsed_ms, 2))


__all__ = ["scan_file", "error_result", "Verdict", "Label"]
