"""Hash lists: read them strictly, once, in the parent; save them as arrays the workers map.

Why arrays: a scan of 100k files on many workers should not parse the lists in every worker; the
parent parses every list once (the formats and their strict line-by-line reading are in
``formats``) and saves the catalog as ``.npy`` arrays and a multi-index, which workers open
memory-mapped (``Catalog.load``).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any, Iterable

import numpy as np

from .compute import PDQ_THRESHOLD
from .formats import LIST_KINDS, Builder, HashList, ListError, ListSpec, parse_spec, read_list
from .index import MultiIndex

__all__ = ["LIST_KINDS", "Catalog", "HashList", "ListError", "ListSpec", "load_catalog", "parse_spec"]


class Catalog:
    """Every list of a scan as arrays: PDQ entries in a multi-index, SHA-256 entries sorted."""

    def __init__(self, lists: list[HashList], labels: list[str], arrays: dict[str, np.ndarray],
                 index: MultiIndex) -> None:
        self.lists = lists
        self.labels = labels
        self.a = arrays  # pdq_item, pdq_time, sha (S32, sorted), sha_item, item_list, item_line, item_label, item_n
        self.index = index

    # -- look-ups -------------------------------------------------------------------------------
    def sha256_items(self, digest_hex: str) -> list[int]:
        sha = self.a["sha"]
        key = np.frombuffer(bytes.fromhex(digest_hex), dtype="S32")[0]
        lo, hi = np.searchsorted(sha, key, "left"), np.searchsorted(sha, key, "right")
        return [int(i) for i in self.a["sha_item"][lo:hi]]

    def describe(self, item: int) -> dict[str, Any]:
        """What a finding says about a matched item: its list, label and line."""
        lst = self.lists[int(self.a["item_list"][item])]
        return {"list": lst.path, "list_sha256": lst.sha256, "list_kind": lst.kind, "list_label": lst.label,
                "source": lst.source, "list_format": lst.format, "label": self.labels[int(self.a["item_label"][item])],
                "line": int(self.a["item_line"][item])}

    @property
    def n_pdq(self) -> int:
        return len(self.index)

    # -- storage --------------------------------------------------------------------------------
    def save(self, folder: str | Path) -> None:
        folder = Path(folder)
        for name, arr in self.a.items():
            np.save(folder / f"{name}.npy", arr)
        self.index.save(folder, "pdq")
        (folder / "lists.json").write_text(json.dumps({"lists": [asdict(x) for x in self.lists],
                                                       "labels": self.labels}))

    @classmethod
    def load(cls, folder: str | Path) -> "Catalog":
        folder = Path(folder)
        meta = json.loads((folder / "lists.json").read_text())
        names = ("pdq_item", "pdq_time", "sha", "sha_item", "item_list", "item_line", "item_label", "item_n")
        arrays = {n: np.load(folder / f"{n}.npy", mmap_mode="r") for n in names}
        return cls([HashList(**x) for x in meta["lists"]], meta["labels"], arrays,
                   MultiIndex.load(folder, "pdq", PDQ_THRESHOLD))


def load_catalog(specs: Iterable[str]) -> Catalog:
    """Parse every list; raise ``ListError`` at the first bad line (file and line number in the message)."""
    b = Builder()
    lists = []
    for list_no, raw in enumerate(specs):
        spec = parse_spec(raw)
        lists.append(read_list(spec, list_no, b))
    pdq = _hex_array(b.pdq)
    order = np.argsort(np.frombuffer(bytes.fromhex("".join(b.sha)), dtype="S32"), kind="stable") if b.sha else None
    sha = np.frombuffer(bytes.fromhex("".join(b.sha)), dtype="S32")[order] if b.sha else np.zeros(0, "S32")
    sha_item = np.asarray(b.sha_item, dtype=np.int32)[order] if b.sha else np.zeros(0, np.int32)
    pdq_item = np.asarray(b.pdq_item, dtype=np.int32)
    arrays = {
        "pdq_item": pdq_item, "pdq_time": np.asarray(b.pdq_time, dtype=np.float32),
        "sha": sha, "sha_item": sha_item,
        "item_list": np.asarray(b.item_list, dtype=np.int32), "item_line": np.asarray(b.item_line, dtype=np.int32),
        "item_label": np.asarray(b.item_label, dtype=np.int32),
        "item_n": np.bincount(pdq_item, minlength=len(b.item_list)).astype(np.int32),
    }
    labels = [""] * len(b.labels)
    for text, i in b.labels.items():
        labels[i] = text
    return Catalog(lists, labels, arrays, MultiIndex.build(pdq, PDQ_THRESHOLD))


def _hex_array(hexes: list[str]) -> np.ndarray:
    if not hexes:
        return np.zeros((0, 32), np.uint8)
    return np.frombuffer(bytes.fromhex("".join(hexes)), dtype=np.uint8).reshape(len(hexes), 32).copy()


# -- one file ---------------------------------------------------------------------------------------
