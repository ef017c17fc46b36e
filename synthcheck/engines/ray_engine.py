"""``--engine ray``: the same per-file pipeline as Ray actors, for a batch larger than one machine.

Why actors and not plain tasks: detectors load models once per worker (``runner._worker_init``
and ``_scan_in_worker`` are reused as they are), and an actor keeps them warm across files.
Each actor has one file in flight, so a per-file timeout kills exactly that actor (Ray restarts
it, and it loads its detectors again) and a native crash costs one file: ``timeout`` and
``crashed`` records as with the local engine, written by the driver with the file's hash.
Results are yielded in input order from a window of one file per actor, so memory does not grow
with the batch.  Files are read by path on whichever node runs the actor: paths must mean the
same file on every node (a shared filesystem mounted at the same place).

Ray's own usage statistics are switched off (``RAY_USAGE_STATS_ENABLED=0``) before Ray is
imported: a scan must not reach the network.  The offline audit hook is installed in every
actor as in local workers; Ray's gRPC traffic is native and is not affected by it.
"""

from __future__ import annotations

import importlib.util
import os
import time
from typing import Any, Iterable, Iterator

from ..model import ErrorCode, FileResult
from ..runner import ScanOptions, _parent_record

INSTALL_HINT = "pip install 'synthcheck[cluster]'"


def available() -> bool:
    return importlib.util.find_spec("ray") is not None


class _ScanActor:
    """One Ray worker process with its detectors loaded once (the local engine's worker, reused)."""

    def __init__(self, opts: ScanOptions, threads: int, env: dict[str, str]) -> None:
        from .. import runner

        runner._worker_init(opts, threads, env)

    def scan(self, path: str) -> FileResult:
        from .. import runner

        return runner._scan_in_worker(path)

    def ready(self) -> bool:
        return True


def _init_ray(opts: ScanOptions) -> bool:
    """Join ``opts.ray_address`` or start a local Ray; True when this call started it."""
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    import ray

    if ray.is_initialized():
        return False
    kwargs: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False,
                              "configure_logging": False}
    if opts.ray_address:
        ray.init(address=opts.ray_address, **kwargs)
    else:
        ray.init(num_cpus=max(1, opts.workers), **kwargs)
    return True


def run_scan_ray(paths: Iterable[str], opts: ScanOptions) -> Iterator[tuple[int, FileResult]]:
    """Scan ``paths`` on Ray; yield ``(input index, result)`` in input order."""
    import ray
    from ray.exceptions import GetTimeoutError, RayActorError

    started = _init_ray(opts)
    env = {k: v for k, v in os.environ.items() if k.startswith("SYNTHCHECK_")}
    actor_cls = ray.remote(num_cpus=1, max_restarts=-1, max_task_retries=0)(_ScanActor)
    actors = [actor_cls.remote(opts, 1, env) for _ in range(max(1, opts.workers))]
    ray.get([a.ready.remote() for a in actors])  # start-up and detector loading are not a file's time
    free = list(actors)

    def back(actor: Any) -> None:
        """Return a restarted actor to the pool once it is up again (its start is not the next file's time)."""
        try:
            ray.get(actor.ready.remote(), timeout=max(60.0, timeout))
            free.append(actor)
        except Exception:  # noqa: BLE001 - it cannot restart: scan on with the others
            if not free and not inflight:
                raise RuntimeError("every Ray worker died and none could be restarted") from None
    inflight: dict[Any, tuple[int, str, Any, float]] = {}  # ref -> (index, path, actor, start)
    done: dict[int, FileResult] = {}
    it = enumerate(paths)
    exhausted = False
    next_out = 0
    timeout = opts.limits.timeout_s
    try:
        while True:
            while free and not exhausted:
                try:
                    idx, path = next(it)
                except StopIteration:
                    exhausted = True
                    break
                actor = free.pop()
                inflight[actor.scan.remote(path)] = (idx, path, actor, time.perf_counter())
            if not inflight:
                break
            now = time.perf_counter()
            wait_s = max(0.0, min(t0 + timeout for _, _, _, t0 in inflight.values()) - now)
            ready, _ = ray.wait(list(inflight), num_returns=1, timeout=wait_s)
            for ref in ready:
                idx, path, actor, t0 = inflight.pop(ref)
                try:
                    done[idx] = ray.get(ref)
                except RayActorError as exc:
                    done[idx] = _parent_record(path, ErrorCode.CRASHED,
                                               "the Ray worker died while scanning this file "
                                               f"({type(exc).__name__}); a decoder probably crashed on it", t0)
                    back(actor)
                    continue
                except GetTimeoutError:  # pragma: no cover - ready refs do not time out
                    continue
                except Exception as exc:  # noqa: BLE001 - a result that failed to (un)pickle
                    done[idx] = _parent_record(path, ErrorCode.CRASHED, f"{type(exc).__name__}: {exc}", t0)
                free.append(actor)
            now = time.perf_counter()
            for ref, (idx, path, actor, t0) in list(inflight.items()):
                if now - t0 >= timeout:
                    inflight.pop(ref)
                    ray.kill(actor, no_restart=False)  # Ray restarts it; it loads its detectors again
                    done[idx] = _parent_record(path, ErrorCode.TIMEOUT,
                                               f"scan exceeded the per-file time limit of {timeout:g} s "
                                               "(--timeout); the Ray worker was stopped", t0)
                    back(actor)
            while next_out in done:
                yield next_out, done.pop(next_out)
                next_out += 1
    finally:
        for actor in actors:
            ray.kill(actor, no_restart=True)
        if started:
            ray.shutdown()
