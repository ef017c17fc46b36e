"""Near-duplicates within one scan: which files are the same picture at another size or quality.

Why in the parent, as results stream past: only the parent sees every file.  Each image's PDQ
comes back in the known detector's hash finding; a file whose SHA-256 equals an earlier file's,
or whose PDQ is within the match threshold of one, gets an informational finding naming that
earlier file and the group (the first file of the group).  Results are not held back (a batch
can be huge), so the first file of a group carries no finding; the later ones name it.  Holding
the hashes of 10,000 files is 320 kB, and comparing each new file with all earlier ones is a
vectorised XOR, so this stays linear per file without an index.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Iterator

import numpy as np

from ..model import FileResult, Finding, Kind, Strength
from .compute import PDQ_MIN_QUALITY, PDQ_THRESHOLD
from .index import popcount_rows

DETECTOR_ID = "known"
VERSION = "1"  # of the grouping rule; bumped when what counts as a near-duplicate changes


class DuplicateGrouper:
    """Remembers the files seen so far; ``check`` returns the near-duplicate finding for a new one, if any."""

    def __init__(self) -> None:
        self.by_sha: dict[str, int] = {}
        self.paths: list[str] = []
        self.sizes: list[str] = []
        self.groups: list[int] = []  # file number -> first file of its group
        self.buf = np.zeros((256, 32), np.uint8)  # PDQ of the files with one, grown by doubling
        self.pdq_file: list[int] = []

    def check(self, result: FileResult) -> Finding | None:
        if result.media not in ("image", "video"):
            return None  # not scanned as a picture: nothing a reader would call a re-post
        h = next((f.evidence for f in result.findings
                  if f.detector == DETECTOR_ID and isinstance(f.evidence.get("pdq"), str)), None)
        n = len(self.paths)
        self.paths.append(result.path)
        self.sizes.append(_describe(result))
        self.groups.append(n)
        if result.sha256 and result.sha256 in self.by_sha:
            other = self.by_sha[result.sha256]
            self.groups[n] = self.groups[other]
            return self._finding(n, other, 0, identical=True)
        if result.sha256:
            self.by_sha[result.sha256] = n
        if h is None or int(h.get("pdq_quality") or 0) < PDQ_MIN_QUALITY:
            return None
        row = np.frombuffer(bytes.fromhex(h["pdq"]), dtype=np.uint8)[None, :]
        found = None
        k = len(self.pdq_file)
        if k:
            dist = popcount_rows(self.buf[:k] ^ row)
            best = int(np.argmin(dist))
            if dist[best] <= PDQ_THRESHOLD:
                other = self.pdq_file[best]
                self.groups[n] = self.groups[other]
                found = self._finding(n, other, int(dist[best]), identical=False)
        if k == len(self.buf):
            self.buf = np.concatenate([self.buf, np.zeros_like(self.buf)])
        self.buf[k] = row[0]
        self.pdq_file.append(n)
        return found

    def _finding(self, n: int, other: int, dist: int, *, identical: bool) -> Finding:
        group = self.paths[self.groups[n]]
        if identical:
            sentence = f"Byte-identical copy of {self.paths[other]}, scanned earlier (same SHA-256)."
        else:
            sentence = (f"Same picture as {self.paths[other]}, scanned earlier (PDQ distance {dist} of 256, "
                        f"threshold {PDQ_THRESHOLD}): this file is {self.sizes[n]}, that one {self.sizes[other]}.")
        if self.groups[n] != other:
            sentence += f" Both belong to the group of {group}."
        return Finding(detector=DETECTOR_ID, detector_version=VERSION, kind=Kind.MATCH, strength=Strength.INFO,
                       title="Near-duplicate in this scan", explanation=sentence,
                       evidence={"duplicate_of": self.paths[other], "group": group, "distance": dist,
                                 "relation": "identical" if identical else "near-duplicate",
                                 "threshold": PDQ_THRESHOLD})


def _describe(r: FileResult) -> str:
    size = f"{r.width}x{r.height}" if r.width and r.height else "of unknown size"
    return f"{size} {(r.format or '').upper()} of {r.size or 0} bytes".replace("  ", " ")


def mark_duplicates(results: Iterator[tuple[int, FileResult]]) -> Iterator[tuple[int, FileResult]]:
    """Pass results through, adding a near-duplicate finding to each file that repeats an earlier one."""
    grouper = DuplicateGrouper()
    for idx, result in results:
        found = grouper.check(result)
        if found is not None:
            result = replace(result, findings=result.findings + (found,))
        yield idx, result
