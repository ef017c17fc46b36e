"""``synthcheck hash``: print each file's SHA-256 and perceptual hashes, in a form that is itself a hash list.

Why the output doubles as a list: the usual way to build a list of known items is to hash them,
so ``synthcheck hash known/ > known.jsonl`` then ``synthcheck scan --match-list
synthetic=known.jsonl`` must work with no conversion.  Files are opened read-only through the
same ``Media`` the scan uses (same SHA-256, same decode, same orientation), so a file hashed here
and scanned later gives the same PDQ.  A file that cannot be read is a record with an ``error``
and makes the exit code 2; the others are still hashed.
"""

from __future__ import annotations

import csv
import json
import sys
from typing import IO, Any, Iterator, Sequence

from . import __version__

CSV_COLUMNS = ("path", "sha256", "size", "media", "format", "width", "height", "pdq", "pdq_quality", "phash",
               "dhash", "t", "error")


def hash_file(path: str) -> dict[str, Any]:
    """One file's record: identity, and PDQ/pHash/dHash (image) or PDQ per second (video)."""
    from .hashes.compute import image_hashes, video_hashes
    from .limits import Limits, MediaError
    from .media import Media, identify

    rec: dict[str, Any] = {"path": path}
    try:
        ident = identify(path)
        rec.update(sha256=ident.sha256, size=ident.size, format=ident.format)
        media = Media.from_identity(ident, Limits())
        rec.update(media=media.kind, width=media.width, height=media.height)
        if media.kind == "video":
            rec["frames"] = [{"t": f.time, "pdq": f.pdq, "quality": f.quality} for f in video_hashes(media)]
        elif media.kind == "image":
            h = image_hashes(media.rgb)
            rec.update(pdq=h.pdq, pdq_quality=h.quality, phash=h.phash, dhash=h.dhash)
        else:
            rec["error"] = {"code": "unsupported_format", "message": f"{media.kind} files have no picture to hash"}
    except MediaError as exc:
        rec["error"] = {"code": exc.code.value, "message": exc.message}
    return rec


def _records(paths: list[str], workers: int) -> Iterator[dict[str, Any]]:
    if workers <= 1 or len(paths) < 4:
        for p in paths:
            yield _safe(p)
        return
    import multiprocessing
    from concurrent.futures import TimeoutError as FutureTimeout

    from pebble import ProcessExpired, ProcessPool

    from .limits import Limits

    with ProcessPool(max_workers=workers, context=multiprocessing.get_context("forkserver")) as pool:
        futures = pool.map(_safe, paths, timeout=Limits().timeout_s)
        it = futures.result()
        for p in paths:
            try:
                yield next(it)
            except StopIteration:  # pragma: no cover - map yields one result per path
                return
            except FutureTimeout:
                yield {"path": p, "error": {"code": "timeout", "message": "hashing exceeded the per-file time limit"}}
            except ProcessExpired as exc:
                why = f"the worker died (exit code {exc.exitcode})"
                yield {"path": p, "error": {"code": "crashed", "message": why}}


def _safe(path: str) -> dict[str, Any]:
    try:
        return hash_file(path)
    except Exception as exc:  # noqa: BLE001 - one bad file never stops the batch
        return {"path": path, "error": {"code": "crashed", "message": f"{type(exc).__name__}: {exc}"}}


def run_hash_command(raw_paths: Sequence[str], fmt: str, workers: int | None, out: IO[str] | None = None) -> int:
    """Hash every file under ``raw_paths`` and write the records in ``fmt``; return the exit code."""
    import os

    from .discover import iter_files
    from .scan_command import _paths

    out = out or sys.stdout
    paths = list(iter_files(_paths(raw_paths), (), ()))
    if not paths:
        print("synthcheck: error: no files to hash", file=sys.stderr)
        return 2
    if workers is not None and workers < 1:
        print("synthcheck: error: --workers: must be >= 1", file=sys.stderr)
        return 2
    errors = False
    records = _records(paths, workers or os.cpu_count() or 1)
    if fmt == "json":
        files = []
        for rec in records:
            errors |= "error" in rec
            files.append(rec)
        json.dump({"tool": "synthcheck", "version": __version__, "format": "synthcheck-hashes", "files": files},
                  out, indent=2)
        out.write("\n")
    elif fmt == "csv":
        w = csv.writer(out, lineterminator="\n")
        w.writerow(CSV_COLUMNS)
        for rec in records:
            errors |= "error" in rec
            for row in _csv_rows(rec):
                w.writerow(row)
    else:
        for rec in records:
            errors |= "error" in rec
            out.write(json.dumps(rec) + "\n")
    return 2 if errors else 0


def _csv_rows(rec: dict[str, Any]) -> Iterator[list[Any]]:
    base = {k: rec.get(k) for k in CSV_COLUMNS}
    err = rec.get("error")
    base["error"] = f"{err['code']}: {err['message']}" if err else None
    frames = rec.get("frames")
    if not frames:
        yield ["" if base[k] is None else base[k] for k in CSV_COLUMNS]
        return
    for fr in frames:
        row = {**base, "pdq": fr["pdq"], "pdq_quality": fr["quality"], "t": fr["t"]}
        yield ["" if row[k] is None else row[k] for k in CSV_COLUMNS]
