"""Does a second, hand-made statistic fix the patch CNN's held-out failures?  Measured, not assumed.

    OMP_NUM_THREADS=2 .venv/bin/python bench/pixel_fusion.py --data /work/scratch/cnn/patches.npz \
        --cv /work/scratch/cnn/cv.json [--json fusion.json]

Input: ``bench/patch_cnn.py prep`` patches and a ``cv --json`` run, whose CNN scores are all out
of fold (each image scored by a model that never saw its generator group or its real photo).  A
logistic model over [CNN logit, channel coherence] is then fitted leave-one-generator-out on
those scores: for each generator group, fitted without that group and without the real photos it
is ranked against, both views pooled; so the fusion weights never saw the group either.  The
table has the CNN alone, coherence alone and the residual-energy baseline from the same patches.

Why this design: the worst group of learned 3.0.0 is noise-like output that the CNN takes for a
camera photo; channel coherence (``detectors/learned/coherence.py``) is the camera trace such
output lacks.  Whether it helps without hurting the other 36 groups is what this measures.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from detectors.learned.calibrate import Calibration
from detectors.learned.coherence import MIN_STD, image_coherence
from logo import calibrate_unseen
from patch_cnn import auc, gen_folds, image_weights, load_data, residual_energy

VIEWS = ("raw", "norm")


def coherence_of(patches: np.ndarray, min_std: float) -> np.ndarray:
    vals = [image_coherence(p, min_std) for p in patches]
    return np.array([np.nan if c is None else c for c in vals])  # nan: no textured patch, not judged


def design(cnn: np.ndarray, coh: np.ndarray) -> np.ndarray:
    """The fusion's inputs: the CNN logit and the coherence's distance from a camera's (1 - coh)."""
    return np.stack([cnn, 1.0 - coh], 1)


def fit(x: np.ndarray, y: np.ndarray, w: np.ndarray):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=1.0).fit(x, y, sample_weight=w / w.mean())


def fold_calibrations(raw: dict, y: np.ndarray, group: np.ndarray, kind: np.ndarray, fold: np.ndarray,
                      k: int) -> Calibration:
    """The shipped calibration procedure (``calibrate_unseen``) on the real photos outside fold k."""
    pool = SimpleNamespace(group=group, y=y, kind=kind)
    keep = (y == 0) & (fold != k)
    by_source = {str(g): {v: raw[v][keep & (group == g) & ~np.isnan(raw[v])] for v in VIEWS}
                 for g in sorted(set(group[keep]))}
    return calibrate_unseen(pool, by_source)[0]


def calibrated(cal: Calibration, raw: np.ndarray) -> np.ndarray:
    return np.array([0.0 if np.isnan(r) else cal(float(r)) for r in raw])  # not judged: no score


def logo(cnn: dict, coh: dict, y: np.ndarray, group: np.ndarray, kind: np.ndarray, fold: np.ndarray,
         gfold: dict) -> tuple[list[dict], dict]:
    """Per generator group: AUCs against its fold's real photos; per real photo: its fused score."""
    coh_raw = {v: np.where(np.isnan(coh[v]), np.nan, 1.0 - coh[v]) for v in VIEWS}
    fused = {f"{s}_{v}": np.zeros(len(y)) for s in ("cnn", "coh", "max") for v in VIEWS}
    for k in sorted(set(fold)):  # each fold's real photos and generators, calibrated without them
        cal_cnn = fold_calibrations(cnn, y, group, kind, fold, k)
        cal_coh = fold_calibrations(coh_raw, y, group, kind, fold, k)
        idx = fold == k
        for v in VIEWS:
            a, b = calibrated(cal_cnn, cnn[v][idx]), calibrated(cal_coh, coh_raw[v][idx])
            fused[f"cnn_{v}"][idx], fused[f"coh_{v}"][idx], fused[f"max_{v}"][idx] = a, b, np.maximum(a, b)
    rows = []
    for g in sorted(gfold):
        k = gfold[g]
        pos = np.where(group == g)[0]
        neg = np.where((y == 0) & (fold == k))[0]
        train = (group != g) & ~((y == 0) & (fold == k))
        w = image_weights(np.where(train, y, -1), group)
        filled = {v: np.nan_to_num(coh[v], nan=1.0) for v in VIEWS}  # not judged: as coherent as a camera
        xs = np.concatenate([design(cnn[v][train], filled[v][train]) for v in VIEWS])
        m = fit(xs, np.concatenate([y[train]] * 2), np.concatenate([w[train]] * 2))
        row = {"group": g, "n": len(pos), "coef": [float(c) for c in m.coef_[0]]}
        for v in VIEWS:
            lin = m.decision_function(design(cnn[v], filled[v]))
            row[f"logistic_{v}"] = auc(lin[pos], lin[neg])
            row[f"max_{v}"] = auc(fused[f"max_{v}"][pos], fused[f"max_{v}"][neg])
            row[f"cnn_{v}"] = auc(cnn[v][pos], cnn[v][neg])
            row[f"coh_{v}"] = auc(-filled[v][pos], -filled[v][neg])
        rows.append(row)
    return rows, fused


def real_table(fused: dict, y: np.ndarray, group: np.ndarray, kind: np.ndarray) -> dict:
    """Per real source: photos at or above 0.9 / 0.6, each photo scored and calibrated out of fold."""
    out = {}
    print(f"{'real source':36s} kind    n   " + "  ".join(f"{c:>14s}" for c in fused))
    for g in sorted(set(group[y == 0])):
        m = (group == g) & (y == 0)
        out[g] = {c: {"likely": int((a[m] >= 0.9).sum()), "possible": int((a[m] >= 0.6).sum())}
                  for c, a in fused.items()}
        print(f"{g:36s} {kind[m][0]:6s} {int(m.sum()):3d}   " +
              "  ".join(f"{out[g][c]['likely']:6d} /{out[g][c]['possible']:6d}" for c in fused))
    for kd in ("camera", "web"):
        m = (kind == kd) & (y == 0)
        print(f"{kd}: n {int(m.sum())}  " + "  ".join(f"{c} {int((a[m] >= 0.9).sum())}" for c, a in fused.items()))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--cv", type=Path, required=True, help="bench/patch_cnn.py cv --json output (all five folds)")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--min-std", type=float, default=MIN_STD, help="patches with a flatter residual are not judged")
    args = ap.parse_args()
    d, meta, y, group = load_data(args.data)
    fold, gfold = gen_folds(y, group, meta)
    scores = json.loads(args.cv.read_text())["scores"]
    if any(s is None for v in VIEWS for s in scores[v]):
        raise SystemExit("the cv file lacks some folds: run bench/patch_cnn.py cv over all five")
    cnn = {v: np.array(scores[v], float) for v in VIEWS}
    arrays = {v: d[v] for v in VIEWS}  # an npz decompresses the whole array on every access
    coh = {v: coherence_of(arrays[v], args.min_std) for v in VIEWS}
    energy = {v: residual_energy(arrays[v]) for v in VIEWS}
    kind = np.array([m["kind"] for m in meta])
    rows, fused = logo(cnn, coh, y, group, kind, fold, gfold)
    for r in rows:
        k = gfold[r["group"]]
        pos, neg = np.where(group == r["group"])[0], np.where((y == 0) & (fold == k))[0]
        for v in VIEWS:
            r[f"energy_{v}"] = auc(energy[v][pos], energy[v][neg])
    cols = [f"{s}_{v}" for s in ("max", "logistic", "cnn", "coh", "energy") for v in VIEWS]
    print(f"{'generator':34s}  n  " + "  ".join(f"{c:>11s}" for c in cols))
    for r in rows:
        print(f"{r['group']:34s} {r['n']:2d}  " + "  ".join(f"{r[c]:11.2f}" for c in cols))
    summary = {}
    for c in cols:
        a = np.array([r[c] for r in rows])
        worst = rows[int(a.argmin())]["group"]
        summary[c] = {"mean": float(a.mean()), "worst": float(a.min()), "worst_group": worst,
                      "below_0.5": int((a < 0.5).sum())}
        print(f"{c:12s} mean {a.mean():.3f}  worst {a.min():.3f} ({worst})  below 0.5: {int((a < 0.5).sum())}")
    coefs = np.array([r["coef"] for r in rows])
    print("fusion coefficients over the LOGO fits (cnn, 1 - coherence): min", coefs.min(0).round(3),
          "max", coefs.max(0).round(3))
    real = y == 0
    for v in VIEWS:
        print(f"coherence of real photos, {v}: 1st / 5th / 50th percentile",
              np.nanpercentile(coh[v][real], [1, 5, 50]).round(3), f"not judged {int(np.isnan(coh[v][real]).sum())}")
    reals = real_table(fused, y, group, kind)
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "summary": summary, "real": reals}, indent=1))


if __name__ == "__main__":
    main()
