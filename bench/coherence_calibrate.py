"""Learned 3.1.0's channel-coherence calibration, from real photos only, and each real source's false rate.

    .venv/bin/python bench/coherence_calibrate.py --data /work/scratch/cnn/patches.npz [--write] \
        [--loso /work/scratch/cnn/ship/loso.json --json cohcal.json]

Input: the grid patches of ``bench/patch_cnn.py prep`` (the detector's own 32-patch grid, as
published and after crop512-jpeg90).  Only the real photos are read.  ``--write`` replaces the
generated block of ``detectors/learned/coherence.py``.  Then each real source is held out of
the calibration in turn (anchors read without it) and its photos at or above 0.9 / 0.6 counted:
the false-positive rates of a source the calibration never saw.  With ``--loso`` (the CNN's
leave-one-source-out scores from ``bench/patch_cnn.py ship``) the same counts for the detector's
combined score: a source held out of the CNN's fit and of both calibrations.
"""

from __future__ import annotations

import argparse
import json
import pprint
import re
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from detectors.learned.coherence import image_coherence
from logo import calibrate_unseen
from patch_cnn import load_data

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "detectors" / "learned" / "coherence.py"
VIEWS = ("raw", "norm")


def real_scores(d, y: np.ndarray, group: np.ndarray) -> tuple[dict, dict, int]:
    """source -> view -> raw statistic (1 - coherence) of its photos that have a textured patch;
    and view -> that statistic for every image (nan: not judged, or not a real photo)."""
    out: dict[str, dict[str, list[float]]] = {}
    per_image = {v: np.full(len(y), np.nan) for v in VIEWS}
    unjudged = 0
    arrays = {v: d[v] for v in VIEWS}  # an npz decompresses the whole array on every access
    for i in np.where(y == 0)[0]:
        for v in VIEWS:
            c = image_coherence(arrays[v][i])
            if c is None:
                unjudged += 1
                continue
            out.setdefault(str(group[i]), {w: [] for w in VIEWS})[v].append(1.0 - c)
            per_image[v][i] = 1.0 - c
    return {g: {v: np.array(a) for v, a in dv.items()} for g, dv in out.items()}, per_image, unjudged


def with_cnn(loso: Path, pool, coh_scores: dict, coh_raw: dict, group: np.ndarray) -> dict:
    """The detector's score (the higher of the CNN's and the coherence's) of each real
    photo whose source was held out of the CNN's fit (``patch_cnn.py ship``'s loso.json) and of
    both calibrations: per source, photos at or above 0.9 and 0.6, CNN alone and combined."""
    done = json.loads(loso.read_text())
    cnn: dict[str, dict[str, list[float]]] = {}
    coh: dict[str, dict[str, list[float]]] = {}
    for r in done.values():
        for i, idx in enumerate(r["idx"]):
            g = str(group[idx])
            for v in VIEWS:
                cnn.setdefault(g, {w: [] for w in VIEWS})[v].append(r[v][i])
                coh.setdefault(g, {w: [] for w in VIEWS})[v].append(coh_raw[v][idx])
    cnn_np = {g: {v: np.array(a) for v, a in dv.items()} for g, dv in cnn.items()}
    out = {}
    for g in sorted(cnn_np):
        c_cnn, _ = calibrate_unseen(pool, {s: v for s, v in cnn_np.items() if s != g})
        c_coh, _ = calibrate_unseen(pool, {s: v for s, v in coh_scores.items() if s != g})
        row = {}
        for v in VIEWS:
            a = np.array([c_cnn(x) for x in cnn_np[g][v]])
            b = np.array([0.0 if np.isnan(x) else c_coh(x) for x in coh[g][v]])  # nan: not judged
            both = np.maximum(a, b)
            row[v] = {"n": len(a), "cnn_likely": int((a >= 0.9).sum()), "likely": int((both >= 0.9).sum()),
                      "cnn_possible": int((a >= 0.6).sum()), "possible": int((both >= 0.6).sum())}
        out[g] = row
        print(f"with the CNN {g:36s} n {row['raw']['n']:3d}  >=0.9 CNN {row['raw']['cnn_likely']:2d} -> "
              f"{row['raw']['likely']:2d} / {row['norm']['cnn_likely']:2d} -> {row['norm']['likely']:2d}   "
              f">=0.6 {row['raw']['cnn_possible']:3d} -> {row['raw']['possible']:3d} / "
              f"{row['norm']['cnn_possible']:3d} -> {row['norm']['possible']:3d}")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--write", action="store_true", help="write the constants into the detector")
    ap.add_argument("--json", type=Path, help="also write the anchors and the per-source table here")
    ap.add_argument("--loso", type=Path, help="patch_cnn.py ship's loso.json: count the combined score too")
    args = ap.parse_args()
    d, meta, y, group = load_data(args.data)
    kind = np.array([m["kind"] for m in meta])
    pool = SimpleNamespace(group=group, y=y, kind=kind)
    scores, per_image, unjudged = real_scores(d, y, group)
    cal, basis = calibrate_unseen(pool, scores)
    basis["method"] = ("real photos only (the LOGO pool's 715, both views), no generator output read; "
                       f"{unjudged} views without a textured patch are not judged")
    print("anchors (1 - coherence):", [round(a, 4) for a in cal.anchors])
    heldout = {}
    for g in sorted(scores):
        c, _ = calibrate_unseen(pool, {s: v for s, v in scores.items() if s != g})
        heldout[g] = {v: {"n": len(a), "likely": int((a >= c.anchors[-1]).sum()),
                          "possible": int((a >= c.anchors[-2]).sum())} for v, a in scores[g].items()}
        r = heldout[g]
        print(f"{g:36s} {kind[group == g][0]:6s} n {r['raw']['n']:3d}  >=0.9 {r['raw']['likely']:2d} / "
              f"{r['norm']['likely']:2d}   >=0.6 {r['raw']['possible']:3d} / {r['norm']['possible']:3d}")
    for v in VIEWS:
        for kd in ("camera", "web"):
            gs = [g for g in heldout if kind[group == g][0] == kd]
            n = sum(heldout[g][v]["n"] for g in gs)
            print(f"{v} {kd}: false likely {sum(heldout[g][v]['likely'] for g in gs)} of {n}, "
                  f"possible {sum(heldout[g][v]['possible'] for g in gs)} of {n}")
    union = with_cnn(args.loso, pool, scores, per_image, group) if args.loso else None
    if args.json:
        args.json.write_text(json.dumps({"anchors": cal.anchors, "basis": basis, "held_out": heldout,
                                         "with_cnn": union}, indent=1))
    if args.write:
        basis = json.loads(json.dumps(basis))  # plain types only
        block = (f"ANCHORS: tuple[float, ...] = {tuple(round(a, 5) for a in cal.anchors)}\n"
                 f"BASIS: dict = {pprint.pformat(basis, width=110, compact=True)}\n")
        text = TARGET.read_text()
        new = re.sub(r"(# --- generated by bench/coherence_calibrate.py ---\n).*?(# --- end generated ---)",
                     lambda m: m.group(1) + block + m.group(2), text, flags=re.S)
        TARGET.write_text(new)
        print(f"wrote {TARGET.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
