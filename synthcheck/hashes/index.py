"""Multi-index hashing (Norouzi et al.): find every hash within a Hamming radius without a linear scan.

Why it works: split each 256-bit hash into 16 chunks of 16 bits.  If two hashes differ in at most
31 bits, then by pigeonhole at least one chunk differs in at most floor(31/16) = 1 bit.  So the
candidates are the entries whose chunk ``c`` equals the query's chunk ``c`` or one of its 16
one-bit neighbours, for some ``c``: 16 x 17 bucket look-ups, each O(1) from a table of bucket
starts, then an exact distance on the few candidates.  For a million random hashes that is about
4,000 candidates per query (0.4 % of the list); real lists cluster more, which widens some buckets.

The index is plain numpy arrays (hashes, per-chunk order, per-chunk bucket starts), built once in
the parent and saved, so every worker maps the same files read-only instead of rebuilding it.
"""

from __future__ import annotations

from itertools import combinations
from pathlib import Path

import numpy as np

CHUNK_BITS = 16
_BUCKETS = 1 << CHUNK_BITS


_M1, _M2, _M4, _H01 = (np.uint64(v) for v in (0x5555555555555555, 0x3333333333333333, 0x0F0F0F0F0F0F0F0F,
                                                0x0101010101010101))


def _pop64(w: np.ndarray) -> np.ndarray:
    w = w - ((w >> np.uint64(1)) & _M1)
    w = (w & _M2) + ((w >> np.uint64(2)) & _M2)
    w = (w + (w >> np.uint64(4))) & _M4
    return ((w * _H01) >> np.uint64(56)).astype(np.int32)


def popcount_rows(x: np.ndarray) -> np.ndarray:
    """Set bits per row of a (N, bytes) uint8 array, bytes a multiple of 8 (numpy < 2 has no bitwise_count).

    SWAR on 64-bit words: a few whole-array operations instead of a table look-up per byte."""
    w = np.ascontiguousarray(x).view(np.uint64)
    w = w - ((w >> np.uint64(1)) & _M1)
    w = (w & _M2) + ((w >> np.uint64(2)) & _M2)
    w = (w + (w >> np.uint64(4))) & _M4
    return ((w * _H01) >> np.uint64(56)).sum(axis=1, dtype=np.int32)


def _masks(n_bits: int, radius: int) -> np.ndarray:
    out = [0]
    for r in range(1, radius + 1):
        out += [sum(1 << b for b in bits) for bits in combinations(range(n_bits), r)]
    return np.array(out, dtype=np.int64)


class MultiIndex:
    """Hashes of ``n_bytes`` bytes (32 for PDQ), searchable up to a fixed Hamming ``threshold``."""

    def __init__(self, hashes: np.ndarray, order: np.ndarray, starts: np.ndarray, threshold: int,
                 words: np.ndarray | None = None) -> None:
        self.hashes = hashes  # (N, n_bytes) uint8
        # the same hashes as 64-bit words, one contiguous row per word: candidates are checked word by
        # word, and the first two words reject nearly every wrong candidate
        self.words = words if words is not None else np.ascontiguousarray(hashes.view(np.uint64).T)
        self.order = order  # (chunks, N) int32: entry indices sorted by that chunk's value
        self.starts = starts  # (chunks, 65537) int64: where each chunk value's run begins in order
        self.threshold = threshold
        self.n_chunks = order.shape[0]
        self.masks = _masks(CHUNK_BITS, threshold // self.n_chunks)
        self._order_flat = order.reshape(-1)  # views, so a memory-mapped index stays mapped
        self._starts_flat = starts.reshape(-1)
        self._table_base = np.arange(self.n_chunks, dtype=np.int64) * (_BUCKETS + 1)

    def __len__(self) -> int:
        return int(self.hashes.shape[0])

    @classmethod
    def build(cls, hashes: np.ndarray, threshold: int) -> "MultiIndex":
        hashes = np.ascontiguousarray(hashes, dtype=np.uint8)
        chunks = hashes.view(np.uint16) if len(hashes) else np.zeros((0, hashes.shape[1] // 2), np.uint16)
        n_chunks = chunks.shape[1]
        order = np.empty((n_chunks, len(hashes)), dtype=np.int32)
        starts = np.empty((n_chunks, _BUCKETS + 1), dtype=np.int64)
        for c in range(n_chunks):
            col = chunks[:, c]
            order[c] = np.argsort(col, kind="stable")
            starts[c, 0] = 0
            np.cumsum(np.bincount(col, minlength=_BUCKETS), out=starts[c, 1:])
        return cls(hashes, order, starts, threshold)

    def save(self, folder: Path, name: str) -> None:
        np.save(folder / f"{name}.hashes.npy", self.hashes)
        np.save(folder / f"{name}.order.npy", self.order)
        np.save(folder / f"{name}.starts.npy", self.starts)
        np.save(folder / f"{name}.words.npy", self.words)

    @classmethod
    def load(cls, folder: Path, name: str, threshold: int) -> "MultiIndex":
        hashes, order, starts, words = (np.load(folder / f"{name}.{part}.npy", mmap_mode="r")
                                        for part in ("hashes", "order", "starts", "words"))
        return cls(hashes, order, starts, threshold, words)

    def search(self, queries: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """All (query row, entry index, distance) with distance <= threshold, for (Q, n_bytes) queries."""
        queries = np.ascontiguousarray(np.atleast_2d(queries), dtype=np.uint8)
        empty = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int32))
        if len(self) == 0 or len(queries) == 0:
            return empty
        n = len(self)
        q_chunks = queries.view(np.uint16).astype(np.int64)  # (Q, chunks)
        # flat bucket-table positions: chunk c's table starts at c * (65536 + 1)
        keys = (q_chunks[:, :, None] ^ self.masks[None, None, :]) + self._table_base[None, :, None]
        keys = keys.ravel()
        lo = np.take(self._starts_flat, keys)
        lengths = np.take(self._starts_flat, keys + 1) - lo
        total = int(lengths.sum())
        if total == 0:
            return empty
        # positions lo..hi-1 of every bucket in the flat (chunks * N) order array, without a Python loop
        row_base = np.repeat(np.arange(self.n_chunks, dtype=np.int64) * n, self.masks.size)
        row_base = np.tile(row_base, len(queries))
        run_start = np.repeat(lo + row_base - (np.cumsum(lengths) - lengths), lengths)
        cand = np.take(self._order_flat, run_start + np.arange(total)).astype(np.int64)
        per_query = lengths.reshape(len(queries), -1).sum(axis=1)
        qid = np.repeat(np.arange(len(queries)), per_query)  # candidates come grouped by query
        q_words = queries.view(np.uint64)
        # two words first (np.take: far faster than fancy indexing): a wrong candidate differs in
        # about 64 of those 128 bits, so almost none survives to the full check
        dist = np.zeros(len(cand), np.int32)
        for w in range(2):
            dist += _pop64(np.take(self.words[w], cand) ^ np.repeat(q_words[:, w], per_query))
        keep = dist <= self.threshold
        if not keep.any():
            return empty
        # a true match is found through several chunks: keep each (query, entry) pair once
        pair = np.unique(qid[keep] * n + cand[keep])
        qid, cand = pair // n, pair % n
        dist = popcount_rows(np.take(self.hashes, cand, axis=0) ^ queries[qid])
        keep = dist <= self.threshold
        return qid[keep], cand[keep], dist[keep]

    def search_batched(self, queries: np.ndarray, batch: int = 256) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``search`` over many queries, a batch at a time so memory stays bounded."""
        parts = []
        for s in range(0, len(queries), batch):
            q, c, d = self.search(queries[s:s + batch])
            parts.append((q + s, c, d))
        if not parts:
            return self.search(queries[:0])
        return tuple(np.concatenate(p) for p in zip(*parts))  # type: ignore[return-value]


def hex_rows(hexes: list[str]) -> np.ndarray:
    """Hex hashes of equal length as a (N, bytes) uint8 array."""
    if not hexes:
        return np.zeros((0, 32), np.uint8)
    return np.frombuffer(bytes.fromhex("".join(hexes)), dtype=np.uint8).reshape(len(hexes), -1).copy()
