"""Value checks for scan options: each takes ``(value, where)`` and returns the clean value or raises.

Kept apart from ``settings`` (which lists the keys) so each module has one job; ``where`` is the flag
or config key, so every message names what the user wrote.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Callable

PLUGIN_SPEC = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_][\w.]*$")


class SettingsError(ValueError):
    """A bad option: the message is one line and names the key (``--workers`` or config ``workers``)."""




# -- value checks: each takes (value, where) and returns the clean value or raises SettingsError ----------------
def int_in(lo: int, hi: int | None = None) -> Callable[[Any, str], int]:
    def check(v: Any, where: str) -> int:
        if isinstance(v, bool) or not isinstance(v, int):
            raise SettingsError(f"{where}: expected an integer, got {v!r}")
        if v < lo or (hi is not None and v > hi):
            rng = f"from {lo} to {hi}" if hi is not None else f">= {lo}"
            raise SettingsError(f"{where}: must be {rng}, got {v}")
        return v
    return check


def number_above(lo_exclusive: float, hi: float | None = None) -> Callable[[Any, str], float]:
    def check(v: Any, where: str) -> float:
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise SettingsError(f"{where}: expected a number, got {v!r}")
        if not v > lo_exclusive or (hi is not None and v > hi) or v != v:
            rng = f"> {lo_exclusive:g}" + (f" and <= {hi:g}" if hi is not None else "")
            raise SettingsError(f"{where}: must be {rng}, got {v}")
        return float(v)
    return check


def one_of(choices: tuple[str, ...]) -> Callable[[Any, str], str]:
    def check(v: Any, where: str) -> str:
        if not isinstance(v, str) or v not in choices:
            raise SettingsError(f"{where}: must be one of {', '.join(choices)}, got {v!r}")
        return v
    return check


def boolean(v: Any, where: str) -> bool:
    if not isinstance(v, bool):
        raise SettingsError(f"{where}: expected true or false, got {v!r}")
    return v


def strings(v: Any, where: str) -> tuple[str, ...]:
    """A list of strings; comma-separated items are split (``-d metadata,c2pa``)."""
    if isinstance(v, str):
        v = [v]
    if not isinstance(v, (list, tuple)) or not all(isinstance(s, str) for s in v):
        raise SettingsError(f"{where}: expected a list of strings, got {v!r}")
    return tuple(part.strip() for s in v for part in s.split(",") if part.strip())


def globs(v: Any, where: str) -> tuple[str, ...]:
    if isinstance(v, str):
        v = [v]
    if not isinstance(v, (list, tuple)) or not all(isinstance(s, str) and s for s in v):
        raise SettingsError(f"{where}: expected a list of glob patterns, got {v!r}")
    return tuple(v)


def plugin_specs(v: Any, where: str) -> tuple[str, ...]:
    items = globs(v, where)
    for spec in items:
        if not PLUGIN_SPEC.match(spec):
            raise SettingsError(f"{where}: {spec!r} is not of the form MODULE:CLASS")
    return items


def one_string(v: Any, where: str) -> str:
    if not isinstance(v, str) or not v.strip():
        raise SettingsError(f"{where}: expected a non-empty string, got {v!r}")
    return v.strip()


def existing_file(v: Any, where: str) -> str:
    if not isinstance(v, (str, os.PathLike)) or not str(v):
        raise SettingsError(f"{where}: expected a file path, got {v!r}")
    if not Path(v).is_file():
        raise SettingsError(f"{where}: no such file: {v}")
    return str(v)


LIST_KIND = re.compile(r"^(synthetic|allow|other)=")


def match_lists(v: Any, where: str) -> tuple[str, ...]:
    """Hash lists as ``[KIND=]FILE``; each file must exist (its lines are checked by the known detector)."""
    items = globs(v, where)
    for spec in items:
        path = LIST_KIND.sub("", spec, count=1)
        if not Path(path).is_file():
            raise SettingsError(f"{where}: no such file: {path}")
    return items


TRUST_WORDS = ("official", "none")


def trust_choice(v: Any, where: str) -> str:
    """``official``, ``none`` or a PEM file.  A config file's relative path has been made relative to
    the file, so a bare word comes back as ``DIR/official``: recognised by its name when no such file exists."""
    if isinstance(v, (str, os.PathLike)) and Path(v).name in TRUST_WORDS and not Path(v).is_file():
        return Path(v).name
    try:
        return existing_file(v, where)
    except SettingsError:
        raise SettingsError(f"{where}: must be official, none or a PEM file, got {v!r}") from None


def folder(v: Any, where: str) -> str:
    if not isinstance(v, (str, os.PathLike)) or not str(v):
        raise SettingsError(f"{where}: expected a folder path, got {v!r}")
    if Path(v).exists() and not Path(v).is_dir():
        raise SettingsError(f"{where}: {v} exists and is not a folder")
    return str(v)
