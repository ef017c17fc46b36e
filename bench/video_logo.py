"""Leave-one-generator-out (LOGO) for the temporal detector, and the fit of its shipped constants.

    OMP_NUM_THREADS=1 .venv/bin/python bench/video_logo_data.py --sources DEST --cache CACHE  # stage 1
    OMP_NUM_THREADS=1 .venv/bin/python bench/video_logo.py --cache CACHE [CACHE2] [--json out.json] [--write]

Protocol (every number on clips the scored model never saw):
- for each generator G and each real source R (a real clip, or the files of one footage), fit
  on every other generator and every other real source, both variants (as published and
  re-encoded), then score G's clips and R's clips.  Per G: ROC AUC of G against every real
  file (each scored by the fit that held out both it and G), at ``native`` and ``reenc``
  (H.264 at 0.05 bit/pixel/frame after a 0.75x downscale, see video_logo_data.py).
- the ``likely`` cut of a fit is what the calibration maps to 0.9: the highest out-of-fold
  whole-file logit of its training real files (nested leave-one-real-source-out).  G's rate
  at that cut is the TPR; R's is the false-``likely`` rate of a real source held out.
- segments are weighted so that every group (generator / real source) weighs the same inside
  its class: 40 AnimateDiff GIFs do not outvote one Veo clip.
- baselines in the same table: the shipped v1 temporal logit (fixed, no fitting), the naive
  frame-difference statistic (median mean |frame difference|, direction fixed on the
  training side of each split), v1's two features refitted under LOGO, and each feature alone.
Candidates (feature sets) are compared by worst held-out generator AUC over both variants,
then the mean; the choice is printed.  ``--write`` fits the chosen set on every clip and
writes the constants into ``detectors/temporal/calibration.py``.
"""

from __future__ import annotations

import argparse
import json
import math
import re
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]

ALL = ("resid", "static_hf", "drift", "flicker", "jump", "noise_corr", "noise_level", "crawl",
       "structure_drift", "kp_vanish", "kp_appear", "framediff")
TELLS = ("noise_corr", "noise_level", "crawl", "structure_drift", "kp_vanish", "kp_appear")
CANDIDATES = {
    "v1-refit (resid, flicker)": ("resid", "flicker"),
    "tells": TELLS,
    "tells+flicker": TELLS + ("flicker",),
    "tells+resid+flicker": TELLS + ("resid", "flicker"),
    "no-noise (crawl, drift, keypoints, flicker)": ("crawl", "structure_drift", "kp_vanish", "kp_appear", "flicker"),
    "crawl, drift, vanish, flicker": ("crawl", "structure_drift", "kp_vanish", "flicker"),
    "no-noise+jump+static_hf": ("crawl", "structure_drift", "kp_vanish", "kp_appear", "flicker", "jump", "static_hf"),
    "all": ALL[:-1],
}
V1 = {  # the shipped v1.1.0 constants (resid, flicker), for the v1 baseline
    "median": {"resid": 0.0875083, "flicker": 0.355499}, "mean": (-0.065772, -0.004234),
    "scale": (0.359561, 0.922713), "coef": (1.487266, 2.109537), "intercept": -1.911443}
VARIANTS = ("native", "reenc")
C_REG = 0.3


def load(caches: list[Path]) -> list[dict]:
    rows = []
    for f in [c / "segments.jsonl" for c in caches if (c / "segments.jsonl").exists()]:
        for line in open(f):
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError:  # a line cut by an interrupted stage 1
                continue
    from video_logo_data import SHARED

    keep_ad = {str(p) for p in sorted((SHARED / "video" / "animatediff").glob("*.gif"))[::4]}
    seen: dict[tuple[str, str, int], dict] = {}
    for r in rows:  # one row per (clip, variant, segment), the stage-1 subsample of AnimateDiff only
        if r["group"] != "animatediff" or r["path"] in keep_ad:
            seen[(r["path"], r["variant"], r.get("seg", -1))] = r
    measured = {k[:2] for k in seen if k[2] >= 0}
    return [r for k, r in seen.items() if k[2] >= 0 or k[:2] not in measured]


def transform(rows: list[dict], feats: tuple[str, ...], med: dict[str, float]) -> np.ndarray:
    """log(value / real median), missing -> 0 (typical of real footage); as in calibration.py."""
    X = np.zeros((len(rows), len(feats)))
    for j, k in enumerate(feats):
        ref = med[k]
        for i, r in enumerate(rows):
            v = r.get(k)
            X[i, j] = math.log((max(v, 0.0) + 0.1 * ref) / (1.1 * ref)) if v is not None and ref > 0 else 0.0
    return X


def weights(rows: list[dict]) -> np.ndarray:
    nseg = defaultdict(int)
    files = defaultdict(set)
    for r in rows:
        nseg[(r["path"], r["variant"])] += 1
        files[r["group"]].add((r["path"], r["variant"]))
    w = np.array([1.0 / nseg[(r["path"], r["variant"])] / len(files[r["group"]]) for r in rows])
    y = np.array([r["label"] == "ai" for r in rows])
    for c in (True, False):
        w[y == c] /= w[y == c].sum()
    return w * len(rows) / 2


class Model:
    def __init__(self, feats: tuple[str, ...], rows: list[dict]):
        from sklearn.linear_model import LogisticRegression

        self.feats = feats
        real = [r for r in rows if r["label"] == "real"]
        self.med = {}
        for k in feats:
            vals = [r[k] for r in real if r.get(k) is not None]
            self.med[k] = float(np.median(vals)) if vals and np.median(vals) > 0 else 1e-3
        X = transform(rows, feats, self.med)
        self.mu, self.sd = X.mean(0), X.std(0) + 1e-9
        y = np.array([r["label"] == "ai" for r in rows], int)
        self.clf = LogisticRegression(C=C_REG, max_iter=2000).fit((X - self.mu) / self.sd, y,
                                                                   sample_weight=weights(rows))

    def seg_logits(self, rows: list[dict]) -> np.ndarray:
        return self.clf.decision_function((transform(rows, self.feats, self.med) - self.mu) / self.sd)


def by_file(rows: list[dict]) -> dict[tuple[str, str], list[dict]]:
    out: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for r in rows:
        if r.get("seg", -1) >= 0:
            out[(r["path"], r["variant"])].append(r)
    return out


def file_logits(model: Model, rows: list[dict]) -> dict[tuple[str, str], float]:
    if not rows:
        return {}
    lg = model.seg_logits(rows)
    acc: dict[tuple[str, str], list[float]] = defaultdict(list)
    for r, v in zip(rows, lg):
        acc[(r["path"], r["variant"])].append(float(v))
    return {k: float(np.mean(v)) for k, v in acc.items()}


def v1_logits(rows: list[dict]) -> dict[tuple[str, str], float]:
    acc: dict[tuple[str, str], list[float]] = defaultdict(list)
    for r in rows:
        z = []
        for j, k in enumerate(("resid", "flicker")):
            ref, v = V1["median"][k], r.get(k)
            t = math.log((max(v, 0.0) + 0.1 * ref) / (1.1 * ref)) if v is not None else 0.0
            z.append((t - V1["mean"][j]) / V1["scale"][j])
        acc[(r["path"], r["variant"])].append(float(np.dot(z, V1["coef"]) + V1["intercept"]))
    return {k: float(np.mean(v)) for k, v in acc.items()}


def feature_logits(rows: list[dict], k: str) -> dict[tuple[str, str], float]:
    acc: dict[tuple[str, str], list[float]] = defaultdict(list)
    for r in rows:
        if r.get(k) is not None:
            acc[(r["path"], r["variant"])].append(float(r[k]))
    return {f: float(np.median(v)) for f, v in acc.items()}


def auc(pos: list[float], neg: list[float]) -> float:
    if not pos or not neg:
        return float("nan")
    p, n = np.array(pos)[:, None], np.array(neg)[None, :]
    return float(((p > n).sum() + 0.5 * (p == n).sum()) / (p.size * n.size))


def likely_cut(feats: tuple[str, ...], train: list[dict]) -> float:
    """Highest out-of-fold whole-file logit of the training real files (leave one real source out)."""
    groups = sorted({r["group"] for r in train if r["label"] == "real"})
    best = -math.inf
    for g in groups:
        fit_rows = [r for r in train if r["group"] != g]
        test = [r for r in train if r["group"] == g]
        vals = file_logits(Model(feats, fit_rows), test).values()
        best = max([best, *vals])
    return best


def logo(rows: list[dict], feats: tuple[str, ...] | None, kind: str = "model", cuts: bool = False) -> dict:
    """Per held-out generator and real source: file logits under the (G, R) protocol."""
    seg = [r for r in rows if r.get("seg", -1) >= 0]
    gens = sorted({r["group"] for r in seg if r["label"] == "ai"})
    reals = sorted({r["group"] for r in seg if r["label"] == "real"})
    res = {"gen": {}, "real": defaultdict(lambda: defaultdict(list))}
    for g in gens:
        ai_acc: dict = defaultdict(list)
        real_acc: dict = {}
        flags_ai: dict = defaultdict(list)
        for rs in reals:
            train = [r for r in seg if r["group"] not in (g, rs)]
            test_g = [r for r in seg if r["group"] == g]
            test_r = [r for r in seg if r["group"] == rs]
            if kind == "v1":
                lg_g, lg_r = v1_logits(test_g), v1_logits(test_r)
                cut = math.inf
            elif kind == "feature":
                k = feats[0]
                tr = feature_logits(train, k)
                pos = [v for f, v in tr.items() if f[0] in {r["path"] for r in train if r["label"] == "ai"}]
                neg = [v for f, v in tr.items() if f[0] in {r["path"] for r in train if r["label"] == "real"}]
                sign = 1.0 if auc(pos, neg) >= 0.5 else -1.0
                lg_g = {f: sign * v for f, v in feature_logits(test_g, k).items()}
                lg_r = {f: sign * v for f, v in feature_logits(test_r, k).items()}
                cut = math.inf
            else:
                m = Model(feats, train)
                lg_g, lg_r = file_logits(m, test_g), file_logits(m, test_r)
                cut = likely_cut(feats, train) if cuts else math.inf
            for f, v in lg_g.items():
                ai_acc[f].append(v)
                flags_ai[f].append(v >= cut)
            for f, v in lg_r.items():
                real_acc[f] = v
                res["real"][rs][f].append(v >= cut)
        out = {}
        for var in VARIANTS:
            pos = [float(np.mean(v)) for f, v in ai_acc.items() if f[1] == var]
            neg = [v for f, v in real_acc.items() if f[1] == var]
            tpr = [float(np.mean(v)) for f, v in flags_ai.items() if f[1] == var]
            out[var] = {"auc": auc(pos, neg), "n_ai": len(pos), "n_real": len(neg),
                        "tpr_likely": float(np.mean(tpr)) if tpr else float("nan")}
        res["gen"][g] = out
    return res


def summary(res: dict) -> dict[str, tuple[float, float]]:
    s = {}
    for var in VARIANTS:
        a = [v[var]["auc"] for v in res["gen"].values() if v[var]["auc"] == v[var]["auc"]]
        s[var] = (min(a), float(np.mean(a)))
    return s


def real_table(res: dict) -> dict[str, dict[str, float]]:
    out = {}
    for rs, files in res["real"].items():
        out[rs] = {var: float(np.mean([x for f, v in files.items() if f[1] == var for x in v]))
                   for var in VARIANTS if any(f[1] == var for f in files)}
        out[rs]["files"] = len({f[0] for f in files})
    return out


def write_calibration(feats: tuple[str, ...], rows: list[dict]) -> None:
    seg = [r for r in rows if r.get("seg", -1) >= 0]
    m = Model(feats, seg)
    med = {k: float(np.median(v)) if (v := [r[k] for r in seg if r["label"] == "real" and r.get(k) is not None])
           else float("nan") for k in ALL}
    med.update(m.med)
    reals = sorted({r["group"] for r in seg if r["label"] == "real"})
    oof = []
    for g in reals:
        oof += list(file_logits(Model(feats, [r for r in seg if r["group"] != g]),
                                [r for r in seg if r["group"] == g]).values())
    q50, q90, qmax = (float(v) for v in np.quantile(oof, [0.5, 0.9, 1.0]))
    q90 = max(q90, q50 + 0.05)
    qmax = max(qmax, q90 + 0.05)
    anchors_l = (q50 - 4, q50, q90, qmax, qmax + 2)
    coef = m.clf.coef_[0]
    block = (
        "# --- BEGIN GENERATED (bench/video_logo.py --write) ---\n"
        f"FEATURE_ORDER = {tuple(feats)!r}\n"
        "# median of every measurement on the real segments (the model's features use the same)\n"
        "CONTROL_MEDIAN = {\n" + "".join(f"    {k!r}: {med[k]:.6g},\n" for k in ALL) + "}\n"
        f"MEAN = {tuple(round(float(v), 6) for v in m.mu)!r}\n"
        f"SCALE = {tuple(round(float(v), 6) for v in m.sd)!r}\n"
        f"COEF = {tuple(round(float(v), 6) for v in coef)!r}\n"
        f"INTERCEPT = {float(m.clf.intercept_[0]):.6f}\n"
        f"# whole-file logit anchors -> scores, from out-of-fold logits of {len(oof)} real (file, variant)\n"
        f"#   ({len(reals)} real sources, leave one source out): median -> 0.15, 90th pct -> 0.6,\n"
        "#   highest -> 0.9 (so a real clip like the ones seen reaches 'likely' only beyond all of them)\n"
        f"ANCHORS_LOGIT = {tuple(round(v, 6) for v in anchors_l)!r}\n"
        "ANCHORS_SCORE = (0.0, 0.15, 0.6, 0.9, 1.0)\n"
        "# --- END GENERATED ---")
    p = ROOT / "detectors" / "temporal" / "calibration.py"
    text = p.read_text()
    text = re.sub(r"# --- BEGIN GENERATED.*?# --- END GENERATED ---", lambda _: block, text, flags=re.S)
    p.write_text(text)
    print("wrote", p, dict(zip(feats, np.round(coef, 3))))


def shipped_stability(rows: list[dict]) -> None:
    """With the SHIPPED constants (in-sample): how many clips change class after the re-encode."""
    from detectors.temporal import calibration as cal

    acc: dict = defaultdict(list)
    for r in rows:
        if r.get("seg", -1) >= 0:
            acc[(r["path"], r["variant"], r["label"])].append(
                cal.logit({k: (r[k] if r.get(k) is not None else float("nan")) for k in cal.FEATURE_ORDER}))
    sc = {k: cal.score(float(np.mean(v))) for k, v in acc.items()}

    def verdict(s: float) -> int:
        return 2 if s >= 0.9 else 1 if s >= 0.6 else 0

    def strength(s: float) -> int:
        return verdict(s) + (s >= 0.3)

    pairs = [(lab, s, sc[(p, "reenc", lab)]) for (p, var, lab), s in sc.items()
             if var == "native" and (p, "reenc", lab) in sc]
    print(f"shipped constants, in-sample, {len(pairs)} clips native vs re-encoded: verdict class (0.6/0.9) "
          f"changes on {sum(verdict(a) != verdict(b) for _, a, b in pairs)}, strength label (0.3/0.6/0.9) on "
          f"{sum(strength(a) != strength(b) for _, a, b in pairs)}; median |score change| "
          f"{np.median([abs(a - b) for _, a, b in pairs]):.3f}")
    for lab in ("real", "ai"):
        sel = [(a, b) for x, a, b in pairs if x == lab]
        print(f"  {lab}: >= 0.6 {sum(a >= 0.6 for a, _ in sel)}/{len(sel)} native, "
              f"{sum(b >= 0.6 for _, b in sel)}/{len(sel)} re-encoded; >= 0.9 {sum(a >= 0.9 for a, _ in sel)} / "
              f"{sum(b >= 0.9 for _, b in sel)}")


def fmt(x: float) -> str:
    return "  -  " if x != x else f"{x:.3f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cache", type=Path, nargs="+", required=True, help="stage-1 cache folder(s)")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--write", action="store_true", help="fit the chosen set on all clips, update calibration.py")
    ap.add_argument("--candidate", default=None, help="use this candidate instead of the LOGO choice")
    ap.add_argument("--stability", action="store_true", help="only: class changes after the re-encode, shipped model")
    ap.add_argument("--skip-logo", action="store_true", help="with --write --candidate: only write the constants")
    ap.add_argument("--learned", type=Path, default=None,
                    help="bench/video_learned.py's scores.jsonl: add the learned v3 frame score as a candidate input")
    a = ap.parse_args()
    if a.learned is not None and a.write:  # temporal computes no learned input: its constants cannot use one
        ap.error("--learned measures candidates only; it cannot be combined with --write")
    rows = load(a.cache)
    singles = ALL
    if a.learned is not None:  # learned v3 never saw a video: a fixed input, only its weight is fitted
        frame = {}
        for line in a.learned.open():
            r = json.loads(line)
            frame[(r["path"], "native")], frame[(r["path"], "reenc")] = r["native"], r["reenc"]
        for r in rows:
            v = frame.get((r["path"], r["variant"]))
            r["learned"] = None if v is None or v != v else float(v) + 0.05
        CANDIDATES["no-noise+learned"] = CANDIDATES["no-noise (crawl, drift, keypoints, flicker)"] + ("learned",)
        CANDIDATES["learned+flicker"] = ("learned", "flicker")
        singles = ALL + ("learned",)
    if a.stability:
        shipped_stability(rows)
        return
    if a.write and a.candidate and a.skip_logo:
        write_calibration(CANDIDATES[a.candidate], rows)
        return
    seg = [r for r in rows if r.get("seg", -1) >= 0]
    files = {(r["path"], r["variant"]): r for r in rows}
    unscored = sorted({f"{Path(p).name} ({v})" for (p, v), r in files.items() if r.get("seg", -1) < 0})
    n_ai = len({r["path"] for r in seg if r["label"] == "ai"})
    n_real = len({r["path"] for r in seg if r["label"] == "real"})
    print(f"{len(seg)} segments; {n_ai} AI clips, {n_real} real clips scored; not checked: {unscored}")
    results = {}
    for name, feats in CANDIDATES.items():
        results[name] = logo(rows, feats)
        s = summary(results[name])
        print(f"candidate {name:45s} " + "  ".join(f"{v}: worst {s[v][0]:.3f} mean {s[v][1]:.3f}" for v in VARIANTS),
              flush=True)
    choice = a.candidate or max(CANDIDATES, key=lambda n: (min(summary(results[n])[v][0] for v in VARIANTS),
                                                           np.mean([summary(results[n])[v][1] for v in VARIANTS])))
    print("chosen:", choice)
    results[choice] = logo(rows, CANDIDATES[choice], cuts=True)
    results["v1 shipped (fixed)"] = logo(rows, None, kind="v1")
    for k in singles:
        results[f"feature {k}"] = logo(rows, (k,), kind="feature")
    cols = [choice, "v1 shipped (fixed)", "feature framediff", "v1-refit (resid, flicker)"]
    gens = sorted(results[choice]["gen"])
    print("\nper held-out generator: ROC AUC native / reenc  (clips; real files)")
    print(f"{'generator':28s} {'n':>3s} " + " ".join(f"{c[:22]:>22s}" for c in cols) + "  TPR@likely nat/re")
    for g in gens:
        r0 = results[choice]["gen"][g]
        line = f"{g:28s} {r0['native']['n_ai']:3d} "
        for c in cols:
            v = results[c]["gen"][g]
            line += f"{fmt(v['native']['auc']):>11s}/{fmt(v['reenc']['auc']):<10s}"
        line += f"  {fmt(r0['native']['tpr_likely'])}/{fmt(r0['reenc']['tpr_likely'])}"
        print(line)
    for c in cols:
        s = summary(results[c])
        print(f"{c:45s} worst {s['native'][0]:.3f}/{s['reenc'][0]:.3f}  mean {s['native'][1]:.3f}/{s['reenc'][1]:.3f}")
    print(f"real files per variant: {results[choice]['gen'][gens[0]]['native']['n_real']}")
    print("\nsingle features (direction fixed on training side): worst / mean, native | reenc")
    for k in singles:
        s = summary(results[f"feature {k}"])
        print(f"  {k:16s} {s['native'][0]:.3f} / {s['native'][1]:.3f} | {s['reenc'][0]:.3f} / {s['reenc'][1]:.3f}")
    print("\nreal sources held out: share of (file, fit) at 'likely' (>= the cut), native / reenc")
    rt = real_table(results[choice])
    for rs, v in sorted(rt.items()):
        nat, ree = v.get("native", float("nan")), v.get("reenc", float("nan"))
        print(f"  {rs:28s} files {v['files']}  {fmt(nat)} / {fmt(ree)}")
    if a.json:
        a.json.write_text(json.dumps({"choice": choice,
                                      "summary": {c: summary(results[c]) for c in results},
                                      "per_generator": {c: results[c]["gen"] for c in results},
                                      "real": rt}, indent=1))
    if a.write:
        write_calibration(CANDIDATES[choice], rows)


if __name__ == "__main__":
    main()
