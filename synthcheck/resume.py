"""``--resume``: append to a ``jsonl`` report one whole, flushed line per file, and skip what it holds.

Why: a batch of 100k files killed at 90% (an OOM killer, a reboot, ``kill -9``) must not start
from zero, and the report it leaves must be usable as it stands.  So in resume mode the report
is not written through a temporary file renamed at the end (``output.atomic_text``): each record
is appended to the real file with a single ``write`` of one complete line on an ``O_APPEND``
descriptor as soon as it is known, and ``fsync``'d at least every ``FSYNC_EVERY_S`` seconds (and
at the end), so a kill of the parent loses at most the files in flight.  A power cut can still
leave a half line at the end; the next ``--resume`` cuts it off (it is the record of a file that
is then scanned again) before appending.

A file counts as done when a record with its path (made absolute) is in the report and

- ``path`` mode (``--resume``): the file's size and ``mtime_ns`` equal the record's.  Resume mode
  adds ``mtime_ns`` (the parent's ``stat`` just before the file was scheduled) to each record for
  this; a record without it (written by a run without ``--resume``) never matches in this mode;
- ``hash`` mode (``--resume=hash``): the file's SHA-256 (read again here, streaming) equals the
  record's.  Slower (every already-scanned file is read once more) but immune to touched or
  copied-over files.

Records of files that failed (timeout, crashed, unsupported) are kept and count as done: an
uninterrupted run would have written the same record.  Files that could not be read (no hash,
no size) never match, so they are tried again.  Limit: near-duplicate grouping across files
(the known detector) only sees the files scanned in one invocation.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator

MODES = ("off", "path", "hash")
FSYNC_EVERY_S = 1.0


class ResumeError(ValueError):
    """The report cannot be resumed; the message is one line for the user."""


@dataclass
class Prior:
    """What an existing report already holds, keyed by absolute path."""

    mode: str
    records: dict[str, dict[str, Any]] = field(default_factory=dict)  # abs path -> last record for it
    truncated_bytes: int = 0  # length of the half last line that was cut off

    def pending(self, files: Iterable[str]) -> Iterator[tuple[str, int | None]]:
        """Yield ``(path, mtime_ns)`` for each file not already done, in input order."""
        from .limits import MediaError
        from .media import identify

        for path in files:
            try:
                st = os.stat(path)
            except OSError:
                yield path, None  # the scan reports why it cannot be read
                continue
            rec = self.records.get(os.path.abspath(path))
            if rec is not None:
                if self.mode == "path":
                    if rec.get("size") == st.st_size and rec.get("mtime_ns") == st.st_mtime_ns:
                        continue
                elif rec.get("sha256"):
                    try:
                        if identify(path, keep_bytes=0).sha256 == rec["sha256"]:
                            continue
                    except MediaError:
                        pass
            yield path, st.st_mtime_ns

    def done_records(self) -> Iterator[dict[str, Any]]:
        return iter(self.records.values())


def load_prior(output: str | os.PathLike[str], mode: str) -> Prior:
    """Read ``output`` (missing: nothing done yet); cut a half last line off; raise ``ResumeError``
    for a file that is not a synthcheck ``jsonl`` report (rather than append records to it)."""
    if mode not in MODES[1:]:
        raise ResumeError(f"--resume: unknown mode {mode!r}; use path or hash")
    prior = Prior(mode)
    try:
        fh = open(output, "r+b")
    except FileNotFoundError:
        return prior
    except OSError as exc:
        raise ResumeError(f"--resume: cannot open {output}: {exc.strerror or exc}") from exc
    with fh:
        data = fh.read()
        end = data.rfind(b"\n") + 1
        if end < len(data):  # a half line from a kill mid-write or a power cut: that file is scanned again
            fh.truncate(end)
            fh.flush()
            os.fsync(fh.fileno())
            prior.truncated_bytes = len(data) - end
    for n, line in enumerate(data[:end].splitlines(), 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except ValueError:
            raise ResumeError(f"--resume: {output} line {n} is not JSON; not a synthcheck jsonl report") from None
        if not isinstance(rec, dict) or "schema_version" not in rec or not isinstance(rec.get("path"), str):
            raise ResumeError(f"--resume: {output} line {n} is not a synthcheck result record")
        prior.records[os.path.abspath(rec["path"])] = rec
    return prior


class Appender:
    """Append whole lines to a report: one ``os.write`` per record on an ``O_APPEND`` descriptor.

    A record is handed to the kernel as soon as it is known (no Python buffer), so a killed
    process leaves only whole lines; ``fsync`` runs at most every ``FSYNC_EVERY_S`` seconds and
    on close so durability against a power cut costs little.
    """

    def __init__(self, output: str | os.PathLike[str]) -> None:
        self.fd = os.open(output, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
        self._synced = time.monotonic()
        self.count = 0

    def write_record(self, record: dict[str, Any]) -> None:
        line = (json.dumps(record, ensure_ascii=True, allow_nan=False, separators=(",", ":")) + "\n").encode()
        view = memoryview(line)
        while view:  # a regular file takes it in one write; loop only for the pathological short write
            view = view[os.write(self.fd, view):]
        self.count += 1
        if time.monotonic() - self._synced >= FSYNC_EVERY_S:
            os.fsync(self.fd)
            self._synced = time.monotonic()

    def close(self) -> None:
        if self.fd < 0:
            return
        try:
            os.fsync(self.fd)
        finally:
            os.close(self.fd)
            self.fd = -1

    def __enter__(self) -> "Appender":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
