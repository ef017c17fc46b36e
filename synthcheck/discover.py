"""Expand the paths a user gives into the files to scan, lazily, for folders of any size."""

from __future__ import annotations

import fnmatch
import os
from pathlib import Path
from typing import Iterable, Iterator, Sequence


def iter_files(paths: Iterable[str], include: Sequence[str] = (), exclude: Sequence[str] = ()) -> Iterator[str]:
    """Yield files under ``paths`` (folders recursively, sorted), filtered by glob patterns.

    Patterns match the file name or the path as given (``*.jpg``, ``raw/*``).  Paths named
    explicitly are yielded even when they do not exist, so the scan reports them as errors.
    """
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    full = os.path.join(root, name)
                    if not name.startswith(".") and _wanted(full, include, exclude):
                        yield full
        elif _wanted(str(p), include, exclude):
            yield str(p)


def _wanted(path: str, include: Sequence[str], exclude: Sequence[str]) -> bool:
    name = os.path.basename(path)

    def hit(patterns: Sequence[str]) -> bool:
        return any(fnmatch.fnmatch(name, pat) or fnmatch.fnmatch(path, pat) for pat in patterns)

    if include and not hit(include):
        return False
    return not (exclude and hit(exclude))
