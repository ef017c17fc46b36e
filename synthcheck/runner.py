"""Run scans in worker processes so a hang or a native crash costs one file, not the batch.

Pebble's process pool gives a per-task timeout (the worker is killed and replaced) and reports
a worker that died (a segfault in a decoder) as ``ProcessExpired``; both become typed errors.
The parent never imports torch: detectors are loaded lazily inside the workers.

Workers are offline by construction, not by promise.  Before any detector module is imported,
each worker installs an audit hook (PEP 578, ``sys.addaudithook``) that refuses every Internet
socket operation -- ``connect``/``connect_ex``, ``sendto``/``sendmsg``, ``bind`` on an
AF_INET/AF_INET6 socket, and every name lookup (``getaddrinfo``, ``gethostbyname``...) -- by
raising ``NetworkRefusedError``, so a detector or a library it pulls in (a model hub client, a
telemetry ping, a C2PA remote-manifest fetch) fails with a ``detector_error`` instead of
quietly reaching out.  Why a hook and not a review: the detectors' dependencies are large and
change under us, and a scan of evidence must not leak which files were scanned nor depend on a
server.  Unix sockets and socketpairs (multiprocessing's own plumbing) stay allowed.  When
``SYNTHCHECK_NET_AUDIT`` names a file, each worker appends an ``installed`` line when the hook
is in place and a ``refused`` line per attempt: that is how tests prove a full scan made no
attempt (a clean log with no ``installed`` line would prove nothing).  Limit: the hook sees
Python-level socket calls only; a native library opening its own sockets bypasses it.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import time
from collections import deque
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator, Mapping

from .detector import Detector, DetectorContext
from .limits import Limits
from .model import ErrorCode, FileResult

log = logging.getLogger("synthcheck")


@dataclass(frozen=True)
class ScanOptions:
    detectors: tuple[str, ...] = ()  # ids to run, in run order (empty: none)
    extra: tuple[str, ...] = ()  # "module:Class" of detectors not installed as entry points
    device: str = "cpu"  # resolved device
    workers: int = 1
    limits: Limits = field(default_factory=Limits)
    options: Mapping[str, Any] = field(default_factory=dict)  # detector options (trust anchors...)
    all_detectors: bool = False  # run every detector even when provenance is already decisive
    engine: str = "local"  # local (pebble process pool) or ray
    ray_address: str | None = None  # an existing Ray cluster; None starts a local one


# -- worker side ------------------------------------------------------------------------------
_WORKER: dict[str, Any] = {}
NET_AUDIT_ENV = "SYNTHCHECK_NET_AUDIT"
_ENV_PREFIX = "SYNTHCHECK_"
_SOCKET_EVENTS = frozenset({"socket.connect", "socket.sendto", "socket.sendmsg", "socket.bind"})  # args[0]: socket
_LOOKUP_EVENTS = frozenset({"socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex",
                            "socket.gethostbyaddr", "socket.getnameinfo"})


class NetworkRefusedError(PermissionError):
    """Raised in a worker for any Internet socket operation: synthcheck scans offline."""


def _worker_init(opts: ScanOptions, threads: int, env: Mapping[str, str] | None = None) -> None:
    if env is not None:  # the parent's SYNTHCHECK_* settings now, not the forkserver's from its start
        for key in [k for k in os.environ if k.startswith(_ENV_PREFIX) and k not in env]:
            del os.environ[key]
        os.environ.update(env)
    install_offline_guard()  # before any detector module is imported
    from .registry import discover, load_class

    os.environ.setdefault("OMP_NUM_THREADS", str(threads))  # each worker keeps to its share of the cores
    _silence_native_stderr()
    by_id = {i.id: i.cls for i in discover() if i.cls is not None}
    for spec in opts.extra:
        cls = load_class(spec)
        by_id[cls.id] = cls
    ctx = DetectorContext(device=opts.device, options=dict(opts.options))
    _WORKER.update(opts=opts, threads=threads, detectors=[by_id[d](ctx) for d in opts.detectors if d in by_id],
                   loaded=set(), failed={})


def install_offline_guard() -> None:
    """Refuse Internet socket use in this process from now on (see the module docstring for why).

    An audit hook cannot be removed, so this is for worker processes only.
    """
    import socket
    import sys

    inet = {socket.AF_INET, getattr(socket, "AF_INET6", socket.AF_INET)}
    audit = os.environ.get(NET_AUDIT_ENV)

    def refuse_network(event: str, args: tuple[Any, ...]) -> None:
        if not event.startswith("socket."):
            return
        if event in _SOCKET_EVENTS:
            if getattr(args[0], "family", None) not in inet:
                return  # AF_UNIX: local plumbing, not the network
            target = args[1] if len(args) > 1 else None
        elif event in _LOOKUP_EVENTS:
            target = args[0] if args else None
        else:
            return
        what = f"{event} {target!r}"
        _audit_line(audit, f"refused pid={os.getpid()} {what}")
        raise NetworkRefusedError(f"synthcheck runs offline: network access refused ({what})")

    sys.addaudithook(refuse_network)
    _audit_line(audit, f"installed pid={os.getpid()}")


def _audit_line(path: str | None, line: str) -> None:
    """Append one line with a single O_APPEND write, so lines from parallel workers never interleave."""
    if not path:
        return
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, (line.replace("\n", " ") + "\n").encode("utf-8", "backslashreplace"))
        finally:
            os.close(fd)
    except OSError:  # the audit log is for tests and operators; it never stops the refusal itself
        log.debug("cannot write the network audit log %s", path, exc_info=True)


def _silence_native_stderr() -> None:
    """Send a worker's file descriptor 2 to /dev/null unless SYNTHCHECK_DEBUG is set.

    Why: native libraries in the detectors (MediaPipe's absl/TFLite logging, FFmpeg) print
    warnings straight to fd 2 from their own threads, garbling the report in the user's terminal.
    Nothing is lost that a user needs: detector exceptions come back as ``detector_error``
    records and a dead worker as ``crashed``.  Set SYNTHCHECK_DEBUG=1 to see the raw output.
    """
    if os.environ.get("SYNTHCHECK_DEBUG"):
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)


def _scan_in_worker(path: str) -> FileResult:
    """Scan one file with this worker's detectors, loading each on first use.

    A detector whose ``load()`` raises is not tried again in this worker: a missing weight or a
    broken install fails the same way on every file, and retrying would pay its cost (importing
    torch, reading weights) once per file.  Every later record of a file the detector handles (its
    ``media``) still gets the same ``detector_error``, so each one says on its own that it did not run.
    """
    from .model import FileError
    from .pipeline import scan_file

    opts: ScanOptions = _WORKER["opts"]
    failed: dict[str, str] = _WORKER["failed"]
    ready: list[Detector] = []
    load_errors: list[FileError] = []
    for det in _WORKER["detectors"]:
        if det.id in failed:
            load_errors.append(FileError(ErrorCode.DETECTOR_ERROR, failed[det.id], detector=det.id))
            continue
        if det.id not in _WORKER["loaded"]:
            try:
                _limit_threads(_WORKER["threads"])
                det.load()
                _WORKER["loaded"].add(det.id)
            except Exception as exc:  # noqa: BLE001
                failed[det.id] = f"failed to load: {type(exc).__name__}: {exc}"
                load_errors.append(FileError(ErrorCode.DETECTOR_ERROR, failed[det.id], detector=det.id))
                continue
        ready.append(det)
    result = scan_file(path, ready, opts.limits, all_detectors=opts.all_detectors)
    media = {det.id: det.media for det in _WORKER["detectors"]}
    load_errors = [e for e in load_errors if result.media in media.get(e.detector or "", ())]
    if load_errors:  # only where the detector would have run: a broken video detector says nothing on a JPEG
        from dataclasses import replace

        result = replace(result, errors=result.errors + tuple(load_errors))
    return result


def _limit_threads(n: int) -> None:
    import sys

    if "torch" in sys.modules:
        torch = sys.modules["torch"]
        if torch.get_num_threads() != n:
            torch.set_num_threads(n)
    if "cv2" in sys.modules:
        sys.modules["cv2"].setNumThreads(n)


# -- parent side ------------------------------------------------------------------------------
def run_scan(paths: Iterable[str], opts: ScanOptions) -> Iterator[tuple[int, FileResult]]:
    """Scan ``paths`` in a local process pool; yield ``(input index, result)`` in input order.

    ``synthcheck.engines.run_scan`` picks this or the Ray engine from ``opts.engine``.
    """
    from pebble import ProcessPool

    workers = max(1, opts.workers)
    threads = max(1, (os.cpu_count() or 1) // workers)
    ctx = multiprocessing.get_context("forkserver")
    window: deque[tuple[int, str, Any, float]] = deque()
    it = enumerate(paths)
    env = {k: v for k, v in os.environ.items() if k.startswith(_ENV_PREFIX)}
    pool = ProcessPool(max_workers=workers, initializer=_worker_init, initargs=(opts, threads, env), context=ctx)
    try:
        yield from _drive(pool, it, window, workers, opts)
    except BaseException:  # Ctrl-C, SIGTERM (see scan_command), a closed generator, a bug: no worker outlives us
        pool.stop()
        pool.join(timeout=10)
        raise
    pool.close()
    pool.join()


def _drive(pool: Any, it: Iterator[tuple[int, str]], window: deque, workers: int,
           opts: ScanOptions) -> Iterator[tuple[int, FileResult]]:
    """Keep ``2 x workers`` files in flight and yield their results in input order (a bounded
    window: results stream out and memory does not grow with the number of files)."""
    from pebble import ProcessExpired

    exhausted = False
    while True:
        while not exhausted and len(window) < workers * 2:
            try:
                idx, path = next(it)
            except StopIteration:
                exhausted = True
                break
            fut = pool.schedule(_scan_in_worker, args=(path,), timeout=opts.limits.timeout_s)
            window.append((idx, path, fut, time.perf_counter()))
        if not window:
            break
        idx, path, fut, t0 = window.popleft()
        try:
            result = fut.result()
        except FutureTimeout:
            result = _parent_record(path, ErrorCode.TIMEOUT,
                                    f"scan exceeded the per-file time limit of {opts.limits.timeout_s:g} s "
                                    "(--timeout); the worker was stopped", t0)
        except ProcessExpired as exc:
            result = _parent_record(path, ErrorCode.CRASHED,
                                    f"the worker process died while scanning this file (exit code {exc.exitcode})"
                                    "; a decoder probably crashed on it", t0)
        except Exception as exc:  # noqa: BLE001 - e.g. a result that failed to pickle
            result = _parent_record(path, ErrorCode.CRASHED, f"{type(exc).__name__}: {exc}", t0)
        yield idx, result


def _parent_record(path: str, code: ErrorCode, message: str, t0: float) -> FileResult:
    """The record of a file whose worker timed out or died, hashed here since the worker could not say.

    The parent reads the file once more, streaming and read-only, with the same ``identify`` the
    workers use, so even the file that crashed a decoder is named by its SHA-256.  Reading it
    cannot crash the parent: it is hashing, not decoding.
    """
    from .limits import MediaError
    from .media import identify
    from .model import FileError
    from .pipeline import error_result

    elapsed = _ms(t0)
    try:
        ident = identify(path, keep_bytes=0)
    except MediaError as exc:  # gone or unreadable since it was scheduled: say so beside the failure
        return error_result(path, code, message, elapsed_ms=elapsed, also=(FileError(exc.code, exc.message),))
    return error_result(path, code, message, elapsed_ms=elapsed, identity=ident)


def _ms(t0: float) -> float:
    return (time.perf_counter() - t0) * 1000
