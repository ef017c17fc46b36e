"""Where a report is written: never over evidence, never half-written.

Why: ``synthcheck scan victim.jpg -o victim.jpg`` must not destroy the very file being examined,
and a run that is interrupted must not leave a truncated report where a good one stood.  The
output is compared with every input by resolved path and by inode (so a symlink or a hard link to
an input is caught too) before anything is written, and the report goes to a temporary file in the
same folder that is renamed over the target only when it is complete.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator, TextIO


class OutputError(ValueError):
    """The output path cannot be used; the message is one line for the user."""


def check_output(output: str | os.PathLike[str], inputs: Iterable[str]) -> None:
    """Raise ``OutputError`` when ``output`` is one of ``inputs`` or cannot be written."""
    out = Path(output)
    if out.is_dir():
        raise OutputError(f"--output {out} is a folder; give a file name")
    parent = out.resolve().parent
    if not parent.is_dir():
        raise OutputError(f"--output {out}: folder {parent} does not exist")
    if not os.access(parent, os.W_OK):
        raise OutputError(f"--output {out}: folder {parent} is not writable")
    out_real = os.path.realpath(out)
    out_id = _identity(out)
    for path in inputs:
        if os.path.realpath(path) == out_real or (out_id is not None and _identity(Path(path)) == out_id):
            raise OutputError(f"--output {out} is one of the files being scanned ({path}); "
                              "refusing to write over evidence")


def check_artifacts_dir(artifacts_dir: str | os.PathLike[str], inputs: Iterable[str]) -> None:
    """Raise ``OutputError`` when an input lies inside ``artifacts_dir``: report images are written there,
    so evidence must not live in it (a re-scan of an artifacts folder would also read our own output)."""
    root = os.path.realpath(artifacts_dir)
    for path in inputs:
        real = os.path.realpath(path)
        if real == root or real.startswith(root.rstrip(os.sep) + os.sep):
            raise OutputError(f"--artifacts-dir {artifacts_dir} holds files being scanned ({path}); "
                              "choose a folder outside the evidence")


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_dev, st.st_ino


@contextmanager
def atomic_text(output: str | os.PathLike[str]) -> Iterator[TextIO]:
    """Open a temporary file beside ``output``; rename it over ``output`` only if the block completes."""
    out = Path(output)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".partial", dir=out.resolve().parent)
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)  # the permissions a plain open() would have given
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, out)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
