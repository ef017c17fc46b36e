"""Other model families over the v2 features, scored with bench/logo.py's LOGO folds (AUC only).

    OMP_NUM_THREADS=1 .venv/bin/python bench/logo_models.py --cache C1.jsonl C2.jsonl \
        [--model pairs:1 ...] [--json out.json]

Why: to tell whether the 2.1.0 misses come from the linear model or from the features.  Each
candidate replaces only the fit inside ``logo.held_out`` (same groups, same 5 real-photo folds,
same training views and weights, same feature set), so its numbers sit beside the shipped
logistic model's.  Calibration is a monotone map of the score and cannot change an AUC, so it
is not repeated here.  Nothing here is shipped: a candidate that passes the bar (mean up at
both sizes, worst not down, no more groups below 0.5) would still need a loader of its own.

Models (``name`` or ``name:C``): ``lr`` the shipped logistic model; ``pairs`` logistic over the
standardised features and all their pairwise products (L2, C); ``mgbm`` a shallow monotone
gradient-boosted model (depth 2, 60 steps, rate 0.05, L2 10, >= 200 weighted rows a leaf; each
feature's direction fixed on the training data); ``signvote`` no fitted weights, the sum of the
clipped standardised features, each signed by its training direction.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

import logo
from detectors.learned.features import NAMES
from logo_data import load_cache

DEFAULT = ("lr", "pairs:0.01", "pairs:0.1", "pairs:1", "pairs:10", "mgbm", "signvote")


class Scored:
    """A fitted candidate with the ``raw`` method ``logo.held_out`` calls."""

    def __init__(self, score, idx: list[int], mean: np.ndarray, scale: np.ndarray) -> None:
        self.score, self.idx, self.mean, self.scale = score, idx, mean, scale

    def raw(self, feats: np.ndarray) -> np.ndarray:
        return self.score((np.atleast_2d(feats)[:, self.idx] - self.mean) / self.scale)


def _pairs(z: np.ndarray) -> np.ndarray:
    n = z.shape[1]
    return np.hstack([z] + [z[:, [i]] * z[:, [j]] for i in range(n) for j in range(i + 1, n)])


def _direction(z: np.ndarray, y: np.ndarray, w: np.ndarray) -> np.ndarray:
    return np.sign(np.average(z[y == 1], axis=0, weights=w[y == 1]) - np.average(z[y == 0], axis=0, weights=w[y == 0]))


def fitter(model: str):
    name, _, c = model.partition(":")
    c = float(c or 1.0)

    def fit(p: logo.Pool, train: np.ndarray, names: tuple[str, ...]) -> Scored:
        from sklearn.ensemble import HistGradientBoostingClassifier
        from sklearn.linear_model import LogisticRegression

        x, y, w = p.training(train)
        idx = [NAMES.index(n) for n in names]
        mean, scale = x[:, idx].mean(axis=0), x[:, idx].std(axis=0) + 1e-9
        z = (x[:, idx] - mean) / scale
        if name == "lr":
            lr = LogisticRegression(C=c, max_iter=3000).fit(z, y, sample_weight=w)
            return Scored(lr.decision_function, idx, mean, scale)
        if name == "pairs":
            lr = LogisticRegression(C=c, max_iter=3000).fit(_pairs(z), y, sample_weight=w)
            return Scored(lambda q: lr.decision_function(_pairs(q)), idx, mean, scale)
        if name == "mgbm":
            gb = HistGradientBoostingClassifier(max_iter=60, max_depth=2, learning_rate=0.05, l2_regularization=10.0,
                                                min_samples_leaf=200, early_stopping=False, random_state=0,
                                                monotonic_cst=_direction(z, y, w).astype(int).tolist())
            gb.fit(z, y, sample_weight=w)
            return Scored(gb.decision_function, idx, mean, scale)
        if name == "signvote":
            d = _direction(z, y, w)
            return Scored(lambda q: np.clip(q, -3, 3) @ d, idx, mean, scale)
        raise SystemExit(f"unknown model {model!r}")

    return fit


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cache", type=Path, required=True, nargs="+")
    ap.add_argument("--model", nargs="+", default=list(DEFAULT))
    ap.add_argument("--candidate", default="noise+cfa", choices=sorted(logo.CANDIDATES), help="feature set")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    p = logo.Pool(load_cache(*args.cache))
    names = logo.CANDIDATES[args.candidate]
    print(f"pool: {int(p.y.sum())} synthetic in {len(set(p.group[p.y == 1]))} groups, {int((p.y == 0).sum())} real; "
          f"features: {args.candidate} ({len(names)})")
    print("| model | mean raw | worst raw | below 0.5 raw | mean c512j90 | worst c512j90 | below 0.5 c512j90 |")
    print("|---|---|---|---|---|---|---|")
    report = {}
    shipped_fit = logo.fit
    for model in args.model:
        t = time.time()
        logo.fit = fitter(model)  # the only thing that changes: held_out's fit
        try:
            res = logo.held_out(p, p.group, names, with_features=False)
        finally:
            logo.fit = shipped_fit
        s = {v: logo.summary(res, "v2", v) for v in logo.VIEWS}
        print(f"| {model} | " + " | ".join(f"{s[v][0]:.3f} | {s[v][1]:.3f} ({s[v][2]}) | {len(s[v][3])}: "
                                          f"{', '.join(s[v][3]) or '-'}" for v in logo.VIEWS)
              + f" |  <!-- {time.time() - t:.0f} s -->", flush=True)
        report[model] = {"summary": {v: {"mean": s[v][0], "worst": s[v][1], "worst_group": s[v][2],
                                         "below_half": s[v][3]} for v in logo.VIEWS},
                         "auc": {g: r["auc"]["v2"] for g, r in res.items()}}
    if args.json:
        args.json.write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
