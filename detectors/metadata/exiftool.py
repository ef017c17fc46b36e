"""A long-lived ``exiftool -stay_open`` process with a deadline, an output cap and clean shutdown.

Starting Perl and ExifTool costs about 200 ms per call, which would dominate a scan of small
images, so one process per worker is kept open and fed one file at a time through ExifTool's
documented ``-stay_open True -@ -`` protocol.

Why not ``exiftool_wrapper.ExifToolWrapper`` (0.1.1, a declared dependency): its ``process``
reads until a fixed ``{ready}`` marker with no timeout, loops forever at full CPU if ExifTool dies
(``os.read`` keeps returning ``b""``), can be fooled by a file whose metadata contains the marker
at a read boundary, and offers no way to stop the process.  ExifTool in stay-open mode does not
exit when its stdin closes, so a worker killed for a timeout would leave it running.  This class
fixes each of those: a random per-call marker that must start a line (JSON output never holds a
raw newline inside a value), ``select`` with a deadline, an output cap, a kill on any failure
(the next call starts a fresh process, so the protocol can never be out of step), and
``PR_SET_PDEATHSIG`` so the kernel kills ExifTool when its worker dies.

Only reading options are ever passed; paths with a newline are refused because each argument is
one line of the argument file.
"""

from __future__ import annotations

import atexit
import functools
import json
import os
import secrets
import select
import shutil
import subprocess
import time
from typing import Any

READ_ARGS = ("-j", "-G1", "-n", "-fast", "-q")  # JSON, group-qualified names, raw values, no trailer scan
TIMEOUT_S = 20.0
MAX_OUTPUT_BYTES = 32 * 1024 * 1024


class ExifToolError(RuntimeError):
    """ExifTool could not read a file (timeout, crash, too much output, bad JSON)."""


def available() -> bool:
    return shutil.which("exiftool") is not None


def _die_with_parent(parent: int) -> None:  # pragma: no cover - runs in the child between fork and exec
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:  # noqa: BLE001 - best effort (no glibc, no prctl): the child must still exec
        return
    if os.getppid() != parent:  # the worker died between fork and prctl: no signal will ever come
        os._exit(1)


class ExifToolProcess:
    """One stay-open ExifTool; ``read(path)`` returns its JSON record for the file."""

    def __init__(self, timeout_s: float = TIMEOUT_S, max_output: int = MAX_OUTPUT_BYTES) -> None:
        self.timeout_s = timeout_s
        self.max_output = max_output
        self._proc: subprocess.Popen[bytes] | None = None

    def _start(self) -> subprocess.Popen[bytes]:
        exe = shutil.which("exiftool")
        if exe is None:
            raise ExifToolError("exiftool is not on PATH")
        return subprocess.Popen(
            [exe, "-stay_open", "True", "-@", "-"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            preexec_fn=functools.partial(_die_with_parent, os.getpid()) if os.name == "posix" else None,
        )

    def read(self, path: str | os.PathLike[str]) -> dict[str, Any]:
        name = os.path.abspath(os.fspath(path))  # absolute: can never be read as an option
        if "\n" in name or "\r" in name:
            raise ExifToolError("the file name contains a line break, which the exiftool protocol cannot pass")
        if self._proc is None or self._proc.poll() is not None:
            self._proc = self._start()
        tag = secrets.randbelow(10**9)
        marker = b"{ready%d}" % tag
        lines = [*READ_ARGS, name, f"-execute{tag}"]
        try:
            assert self._proc.stdin is not None
            self._proc.stdin.write("\n".join(lines).encode("utf-8", "surrogateescape") + b"\n")
            self._proc.stdin.flush()
            raw = self._collect(marker)
        except ExifToolError:
            self.close(kill=True)
            raise
        except OSError as exc:
            self.close(kill=True)
            raise ExifToolError(f"exiftool pipe failed: {exc}") from exc
        if not raw.strip():
            return {}
        try:
            records = json.loads(raw.decode("utf-8", "replace"))
        except ValueError as exc:
            raise ExifToolError(f"exiftool output is not valid JSON: {exc}") from exc
        if not isinstance(records, list) or not records or not isinstance(records[0], dict):
            raise ExifToolError("exiftool output has an unexpected shape")
        return records[0]

    def _collect(self, marker: bytes) -> bytes:
        assert self._proc is not None and self._proc.stdout is not None
        fd = self._proc.stdout.fileno()
        deadline = time.monotonic() + self.timeout_s
        out = bytearray()
        end = marker + b"\n"
        while True:
            tail = bytes(out[-(len(end) + 2):])
            if tail.endswith(end) and (len(out) == len(end) or tail.endswith(b"\n" + end)):
                return bytes(out[: len(out) - len(end)])
            left = deadline - time.monotonic()
            if left <= 0:
                raise ExifToolError(f"exiftool took longer than {self.timeout_s:g} s")
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                continue
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                raise ExifToolError("exiftool exited unexpectedly")
            out += chunk
            if len(out) > self.max_output:
                raise ExifToolError(f"exiftool output exceeded {self.max_output} bytes")

    def close(self, *, kill: bool = False) -> None:
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        try:
            if kill:
                proc.kill()
            else:
                assert proc.stdin is not None
                proc.stdin.write(b"-stay_open\nFalse\n")
                proc.stdin.flush()
                proc.stdin.close()
            proc.wait(timeout=2)
        except Exception:  # noqa: BLE001 - a polite close that fails in any way ends in a kill
            proc.kill()
            proc.wait(timeout=2)


_SHARED: ExifToolProcess | None = None


def shared() -> ExifToolProcess:
    """The process's single ExifTool, closed at interpreter exit."""
    global _SHARED
    if _SHARED is None:
        _SHARED = ExifToolProcess()
        atexit.register(_SHARED.close)
    return _SHARED
