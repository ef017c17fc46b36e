"""Known content: load time of a 1M-hash list and matching time of 10k files against it (issue 14).

    OMP_NUM_THREADS=1 .venv/bin/python bench/hash_match.py [--n 1000000] [--queries 10000]

Writes a plain ``hash,label`` list of N random PDQ hashes to a temp folder, then times what a scan
does: parse and check every line, build the multi-index and save it for the workers (the parent's
part), map it (a worker's part), and match Q query files -- each with its 8 dihedral PDQ variants,
one file at a time as the detector does -- half of them near copies of list entries (10-30 bits
flipped), half unrelated.  Prints candidates per query, so "sub-linear" is a measured number.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from synthcheck.hashes.lists import Catalog, load_catalog


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--queries", type=int, default=10_000)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    hashes = rng.integers(0, 256, (args.n, 32), dtype=np.uint8)
    with tempfile.TemporaryDirectory() as tmp:
        lst = Path(tmp) / "million.csv"
        t = time.perf_counter()
        with open(lst, "w") as fh:
            fh.write("# kind: synthetic\n")
            fh.writelines(f"{h.tobytes().hex()},item {i % 5000}\n" for i, h in enumerate(hashes))
        print(f"wrote {args.n} lines ({lst.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - t:.1f} s")

        t, c = time.perf_counter(), time.process_time()
        cat = load_catalog([str(lst)])
        t_parse, c_parse = time.perf_counter() - t, time.process_time() - c
        cache = Path(tmp) / "cache"
        cache.mkdir()
        t = time.perf_counter()
        cat.save(cache)
        t_save = time.perf_counter() - t
        t = time.perf_counter()
        mapped = Catalog.load(cache)
        t_map = time.perf_counter() - t
        print(f"parent: parse+check+index {t_parse:.2f} s (CPU {c_parse:.2f} s), save {t_save:.2f} s "
              f"(total {t_parse + t_save:.2f} s); worker: map {t_map * 1000:.0f} ms; "
              f"load average {os.getloadavg()[0]:.1f}")

        near = rng.integers(0, args.n, args.queries // 2)
        queries = []
        for j in near:
            q = hashes[j].copy()
            for b in rng.choice(256, int(rng.integers(10, 31)), replace=False):
                q[b // 8] ^= 1 << (b % 8)
            queries.append(q)
        queries += list(rng.integers(0, 256, (args.queries - len(near), 32), dtype=np.uint8))
        index = mapped.index
        found = 0
        cand_total = 0
        t, c = time.perf_counter(), time.process_time()
        for q in queries:
            variants = np.stack([q] + [rng.integers(0, 256, 32, dtype=np.uint8) for _ in range(7)])  # 8 per file
            qi, ci, di = index.search(variants)
            found += int((qi == 0).any())
            cand_total += _candidates(index, variants)
        t_match, c_match = time.perf_counter() - t, time.process_time() - c
        print(f"matched {len(queries)} files x 8 variants in {t_match:.1f} s ({t_match / len(queries) * 1000:.2f} ms "
              f"per file); {found} of {len(near)} near copies found, {found - len(near)} extra; "
              f"mean candidates checked per hash {cand_total / len(queries) / 8:.0f} "
              f"({cand_total / len(queries) / 8 / args.n:.3%} of the list); CPU time {c_match:.1f} s; "
              f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


def _candidates(index, queries) -> int:
    keys = queries.view(np.uint16).astype(np.int64)[:, :, None] ^ index.masks[None, None, :]
    chunk = np.broadcast_to(np.arange(index.n_chunks)[None, :, None], keys.shape)
    return int((index.starts[chunk, keys + 1] - index.starts[chunk, keys]).sum())


if __name__ == "__main__":
    main()
