"""``synthcheck trust show`` and ``synthcheck trust update PATH_OR_DIR``: offline trust-list care.

An update never downloads: the user fetches the published files however their organisation
allows (a USB stick into an air-gapped lab) and points synthcheck at them.  The new set is
validated as a whole before anything moves; it is installed into the user data folder (the
package may be read-only and must stay as shipped), and the set it replaces is kept in
``previous/`` so a bad list can be rolled back by hand.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import typer

from . import trust_store as ts


def _line(s: ts.TrustSet) -> str:
    return (f"C2PA Trust List {s.version}, {s.signer_certs} CA certificates; TSA list {s.tsa_issued}, "
            f"{s.tsa_certs} certificates; {s.products} conforming products ({s.source}: {s.folder})")


def show(as_json: bool = False) -> int:
    try:
        current = ts.official()
    except ts.TrustListError as exc:
        typer.echo(f"synthcheck: error: the trust list in use cannot be read: {exc}", err=True)
        return 2
    prev_dir = ts.user_dir() / "previous"
    previous = None
    if prev_dir.is_dir():
        try:
            previous = ts.load_set(prev_dir, "user (previous)")
        except ts.TrustListError:
            previous = None
    if as_json:
        typer.echo(json.dumps({"in_use": current.record(), "previous": previous.record() if previous else None,
                               "user_dir": str(ts.user_dir())}, indent=2))
        return 0
    typer.echo(f"in use: {_line(current)}")
    for name, digest in current.sha256.items():
        typer.echo(f"  {digest}  {name}")
    typer.echo(f"previous: {_line(previous)}" if previous else "previous: none")
    typer.echo(f"updates go to {ts.user_dir() / 'current'} (env {ts.ENV_DIR} overrides the folder)")
    return 0


def _gather(source: Path, into: Path) -> list[str]:
    """Copy the new files into ``into``; the files the source lacks come from the set in use."""
    if source.is_dir():
        given = [f for f in ts.FILES if (source / f).is_file()]
        if not given:
            raise ts.TrustListError(f"{source}: holds none of {', '.join(ts.FILES)}")
        files = {f: source / f for f in given}
    elif source.is_file():
        if source.name not in ts.FILES:
            raise ts.TrustListError(f"{source}: not one of the published list files ({', '.join(ts.FILES)})")
        files = {source.name: source}
    else:
        raise ts.TrustListError(f"{source}: no such file or folder")
    base = ts.official().folder
    for name in ts.FILES:
        shutil.copyfile(files.get(name, base / name), into / name)
    return sorted(files)


def update(source: Path, *, allow_older: bool = False) -> int:
    try:
        current = ts.official()
    except ts.TrustListError:
        current = None  # a broken installed set must not block replacing it
    root = ts.user_dir()
    try:
        root.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix=".incoming-", dir=root))
    except OSError as exc:
        typer.echo(f"synthcheck: error: cannot write {root}: {exc.strerror or exc}", err=True)
        return 2
    try:
        taken = _gather(source.expanduser(), stage)
        new = ts.load_set(stage, "user")
        if current is not None and new.issued < current.issued and not allow_older:
            raise ts.TrustListError(f"the new C2PA Trust List ({new.issued}) is older than the one in use "
                                    f"({current.issued}); pass --allow-older to install it anyway")
        cur, prev = root / "current", root / "previous"
        if cur.is_dir():
            if prev.exists():
                shutil.rmtree(prev)
            cur.rename(prev)
        stage.rename(cur)
    except (ts.TrustListError, OSError) as exc:
        shutil.rmtree(stage, ignore_errors=True)
        typer.echo(f"synthcheck: error: trust lists not updated: {exc}", err=True)
        return 2
    installed = ts.load_set(cur, "user")
    typer.echo(f"installed {', '.join(taken)} into {cur}")
    typer.echo(f"in use: {_line(installed)}")
    if current is not None:
        kept = f"kept in {prev}" if current.source == "user" else f"still shipped in {current.folder}"
        typer.echo(f"replaced: C2PA Trust List {current.version} ({kept})")
    return 0
