"""Leave-one-generator-out (LOGO): the yardstick of the pixel detectors, built not to flatter.

    OMP_NUM_THREADS=1 .venv/bin/python bench/logo_data.py --sources DEST --cache CACHE   # stage 1
    OMP_NUM_THREADS=1 .venv/bin/python bench/logo.py --cache CACHE [--json out.json] \
        [--write-weights weights/]                                                       # stage 2

Protocol (every number on data the scored model never saw):
- generator side: for each generator group G and each of 5 folds k of the real photos (by file
  hash), fit on every other generator and the real photos outside fold k, then rank G against
  fold k (ROC AUC, averaged over k) and count G at the ``likely`` (0.9) and ``possible`` (0.6)
  cuts of that fold model, calibrated as the shipped one is (``calibrate_unseen`` on
  leave-one-source-out scores of the fold's training real photos).  Reported at ``raw`` (files
  as published) and ``norm`` (``crop512-jpeg90``).  Training uses every view (raw, norm, random
  crop/rescale/JPEG augmentations) of both sides through the same pipeline.
- publisher side: the same with each publishing repository held out (its generators share
  workflows and post-processing, which a per-generator split can leak).
- real side: each real source held out in turn of the fit AND of the calibration (fit on all
  generators and the other real sources, calibrated leave-one-source-out on those), with its
  false-``likely`` and false-``possible`` rate, k of n.
- in the same table: the naive residual-energy baseline (low energy = synthetic, no fitting),
  frequency, the v1 learned detector, their max (the v1 fused pixel score), and each feature
  alone (direction fixed on the training folds).
Candidates for v2 (feature sets) are compared by LOGO worst then mean; the choice is printed.
``--write-weights`` fits the chosen candidate on everything, calibrates it on the scores each
real photo gets from a model fitted without its source (``calibrate_unseen``: 0.9 at >= the
pooled 99th percentile and no source above 3%, 0.6 at >= the 95th), and writes
``learned-v2.safetensors`` and its ``.sha256``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]

from detectors.learned import v2  # noqa: E402
from detectors.learned.calibrate import QUANTILES, Calibration  # noqa: E402
from detectors.learned.features import FORMAT_FEATURES, NAMES  # noqa: E402
from logo_data import load_cache  # noqa: E402
from synthcheck.evaluate import _auc  # noqa: E402

K = 5
FALSE_LIKELY_MAX = 0.03  # no real source, held out, may have more of its photos at or above 0.9
VIEWS = ("raw", "norm")
BASELINES = ("residual_energy", "frequency", "learned_v1", "fused_v1")
MODEL_FEATURES = tuple(n for n in NAMES if n not in FORMAT_FEATURES)
CANDIDATES = {
    "all": MODEL_FEATURES,
    "noise+cfa": ("noise_p05", "noise_p25", "noise_p50", "noise_flat", "noise_spread", "residual_energy",
                  "residual_kurtosis", "zero_residual", "noise_vs_brightness", "cfa_green", "cfa_period2",
                  "channel_corr", "chroma_ratio"),
    "no-weak": ("noise_p05", "noise_p25", "noise_flat", "residual_kurtosis", "zero_residual",
                "noise_vs_brightness", "cfa_period2", "channel_corr", "chroma_ratio", "saturation_mean",
                "saturation_p95"),
    "noise-only": ("noise_p05", "noise_p25", "noise_p50", "noise_flat", "noise_spread", "residual_energy"),
}


class Pool:
    def __init__(self, rows: list[dict]) -> None:
        self.rows = rows
        self.y = np.array([r["label"] for r in rows])
        self.group = np.array([r["group"] for r in rows])
        self.pub = np.array([r["publisher"] for r in rows])
        self.kind = np.array([r["kind"] for r in rows])
        self.fold = np.array([int(r["sha256"][:8], 16) % K for r in rows])
        self.feat = {v: np.array([r["features"][v] for r in rows]) for v in VIEWS}
        self.base = {v: {b: np.array([r["baselines"][v][b] for r in rows]) for b in BASELINES[1:]} for v in VIEWS}
        for v in VIEWS:  # the naive baseline: a cleaner residual is more synthetic
            self.base[v]["residual_energy"] = -self.feat[v][:, NAMES.index("residual_energy")]

    def training(self, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every view of the masked images, weighted so each group and each side counts alike."""
        xs, ys, ws = [], [], []
        for side in (0, 1):
            idx = np.where(mask & (self.y == side))[0]
            groups, counts = np.unique(self.group[idx], return_counts=True)
            per_group = dict(zip(groups, np.sqrt(counts)))
            wsum = sum(1 / per_group[self.group[i]] for i in idx)
            for i in idx:
                views = self.rows[i]["features"]
                wi = 1 / per_group[self.group[i]] / wsum / len(views)
                for f in views.values():
                    xs.append(f)
                    ys.append(side)
                    ws.append(wi * 1000)
        return np.array(xs), np.array(ys), np.array(ws)


def fit(p: Pool, train: np.ndarray, names: tuple[str, ...]) -> v2.LinearModel:
    x, y, w = p.training(train)
    return v2.fit(x, y, w, names)


def fit_calibrated(p: Pool, train: np.ndarray, names: tuple[str, ...]) -> tuple[v2.LinearModel, Calibration]:
    """Fit on the training images; calibrate it as the shipped model is (``calibrate_unseen``)."""
    return fit(p, train, names), calibrate_unseen(p, source_scores(p, train, names))[0]


def source_scores(p: Pool, train: np.ndarray, names: tuple[str, ...]) -> dict[str, dict[str, np.ndarray]]:
    """source -> view -> raw scores of that real source's training photos, from a model fitted on
    the training images WITHOUT that source (leave-one-source-out).

    Why: the calibration must say what a score means on a photo from a source the model never
    saw.  Scores of photos whose source was in the fit (even out-of-fold) are too low: 20% of
    ImageNet held out of the fit still taught it what ImageNet looks like, and with ImageNet held
    out as a whole 48% of it scored above the old out-of-fold 0.9 point."""
    out = {}
    for s in sorted(set(p.group[train & (p.y == 0)])):
        sm = train & (p.y == 0) & (p.group == s)
        m = fit(p, train & ~sm, names)
        out[str(s)] = {v: m.raw(p.feat[v][sm]) for v in VIEWS}
    return out


def source_kind(p: Pool) -> dict[str, str]:
    return {str(g): str(p.kind[(p.group == g) & (p.y == 0)][0]) for g in set(p.group[p.y == 0])}


def calibrate_unseen(p: Pool, scores: dict[str, dict[str, np.ndarray]]) -> tuple[Calibration, dict]:
    """Anchors on the pooled out-of-source scores (every source, both views): each anchor at the
    higher of the pooled and the per-kind (camera, web) quantile, so the many small web photos
    cannot set the rate for camera photos; then the 0.9 point is raised until no single source
    in either view has more than FALSE_LIKELY_MAX of its photos at or above it (k <= floor(3% n):
    a source of fewer than 34 photos may have none)."""
    kinds = source_kind(p)
    pooled = np.concatenate([a for d in scores.values() for a in d.values()])
    sets = [pooled] + [np.concatenate([a for s, d in scores.items() if kinds[s] == k for a in d.values()])
                       for k in ("camera", "web")]
    anchors = np.max([Calibration.fit(x).anchors for x in sets if len(x) >= 20], axis=0)
    top, raised_by = float(anchors[-1]), None
    for s, d in scores.items():
        for v, a in d.items():
            desc = np.sort(a)[::-1]
            k = int(np.floor(FALSE_LIKELY_MAX * len(desc)))
            if k < len(desc) and desc[k] + 1e-6 > top:
                top, raised_by = float(desc[k] + 1e-6), f"{s} {v}"
    anchors[-1] = top
    anchors = np.maximum.accumulate(anchors + np.arange(len(anchors)) * 1e-6)
    basis = {"method": "leave-one-source-out over the real sources, both views pooled",
             "n_scores": int(len(pooled)), "pooled_quantiles": dict(zip(map(str, QUANTILES),
                                                                     np.quantile(pooled, QUANTILES).tolist())),
             "max_false_likely_per_source": FALSE_LIKELY_MAX, "top_raised_by": raised_by}
    return Calibration(tuple(float(a) for a in anchors)), basis


def scorers(p: Pool, m: v2.LinearModel | None, names: tuple[str, ...], train: np.ndarray) -> dict:
    """name -> view -> scores for every image (fixed baselines, fitted model, features alone)."""
    out = {b: {v: p.base[v][b] for v in VIEWS} for b in BASELINES}
    if m is not None:
        out["v2"] = {v: m.raw(p.feat[v]) for v in VIEWS}
    for j, n in enumerate(NAMES):
        tr = p.feat["raw"][train][:, j]
        yt = p.y[train]
        sign = 1.0 if (_auc(tr[yt == 1], tr[yt == 0]) or 0.5) >= 0.5 else -1.0
        out["f:" + n] = {v: sign * p.feat[v][:, j] for v in VIEWS}
    return out


def held_out(p: Pool, key: np.ndarray, names: tuple[str, ...], with_features: bool = True) -> dict:
    """For each synthetic value of ``key``: AUC per scorer and view; with ``with_features`` also
    v2's TPR at likely (0.9) and possible (0.6), each fold model calibrated the way the shipped one
    is (leave-one-source-out over the fold's training real photos, ``calibrate_unseen``)."""
    res: dict[str, dict] = {}
    for g in sorted(set(key[p.y == 1])):
        gm = (key == g) & (p.y == 1)
        acc: dict[str, dict[str, list[float]]] = {}
        tpr = {v: [] for v in VIEWS}
        tpr6 = {v: [] for v in VIEWS}
        for k in range(K):
            train = ~gm & ~((p.y == 0) & (p.fold == k))
            if with_features:
                m, cal = fit_calibrated(p, train, names)
            else:  # AUC only: a monotone map does not change it, so no calibration is needed
                m, cal = fit(p, train, names), None
            sc = scorers(p, m, names, train) if with_features else {"v2": {v: m.raw(p.feat[v]) for v in VIEWS}}
            if with_features:  # what the fused verdict would take: the max of the calibrated scores
                calv = np.vectorize(cal)
                sc["fused_v2"] = {v: np.maximum(calv(sc["v2"][v]), p.base[v]["frequency"]) for v in VIEWS}
            test_real = (p.y == 0) & (p.fold == k)
            test_cam = test_real & (p.kind == "camera")
            for name, byview in list(sc.items()):
                for v in VIEWS:
                    acc.setdefault(name, {}).setdefault(v, []).append(_auc(byview[v][gm], byview[v][test_real]))
                    if name in ("v2", "fused_v1"):
                        acc.setdefault(name + "_vs_camera", {}).setdefault(v, []).append(
                            _auc(byview[v][gm], byview[v][test_cam]))
            for v in VIEWS if cal is not None else ():
                tpr[v].append(float(np.mean(m.raw(p.feat[v][gm]) >= cal.anchors[-1])))
                tpr6[v].append(float(np.mean(m.raw(p.feat[v][gm]) >= cal.anchors[-2])))
        res[g] = {"n": int(gm.sum()), "auc": {s: {v: float(np.mean(a)) for v, a in d.items()} for s, d in acc.items()},
                  "v2_tpr_likely": {v: float(np.mean(t)) if t else None for v, t in tpr.items()},
                  "v2_tpr_possible": {v: float(np.mean(t)) if t else None for v, t in tpr6.items()}}
    return res


def real_side(p: Pool, names: tuple[str, ...], shipped: dict[str, dict[str, np.ndarray]],
              shipped_cal: Calibration) -> dict:
    """Each real source held out of the fit AND of the calibration (which is made, as for the
    shipped model, leave-one-source-out over the other sources): its false likely / possible
    rate.  ``*_in_cal`` columns: the same source's out-of-source scores against the SHIPPED
    calibration, which read them (so they are capped at 3% at 0.9 by construction)."""
    res = {}
    for g in sorted(set(p.group[p.y == 0])):
        gm = (p.group == g) & (p.y == 0)
        m, cal = fit_calibrated(p, ~gm, names)
        row = {"n": int(gm.sum()), "kind": str(p.kind[gm][0]), "cut": cal.anchors[-1]}
        for v in VIEWS:
            sc = m.raw(p.feat[v][gm])
            row[f"v2_false_likely_{v}"] = float(np.mean(sc >= cal.anchors[-1]))
            row[f"v2_false_possible_{v}"] = float(np.mean(sc >= cal.anchors[-2]))
            row[f"v2_false_likely_{v}_in_cal"] = float(np.mean(shipped[g][v] >= shipped_cal.anchors[-1]))
            row[f"v2_false_possible_{v}_in_cal"] = float(np.mean(shipped[g][v] >= shipped_cal.anchors[-2]))
            for b in ("frequency", "learned_v1", "fused_v1"):
                row[f"{b}_false_likely_{v}"] = float(np.mean(p.base[v][b][gm] >= 0.9))
        res[g] = row
    return res


def summary(res: dict, scorer: str, view: str) -> tuple[float, float, str, list[str]]:
    vals = {g: r["auc"][scorer][view] for g, r in res.items() if r["auc"][scorer][view] is not None}
    worst = min(vals, key=vals.get)
    return float(np.mean(list(vals.values()))), vals[worst], worst, sorted(g for g, a in vals.items() if a < 0.5)


def write_weights(p: Pool, names: tuple[str, ...], out: Path, info: dict,
                  scores: dict[str, dict[str, np.ndarray]]) -> Path:
    """Fit on everything; calibrate on the leave-one-source-out scores of the real photos.

    The fold models share all generators and 9 of 10 real sources with the shipped one, so their
    raw scales agree closely; the anchors are read on their scores and applied to the shipped model."""
    model = fit(p, np.ones(len(p.y), bool), names)
    cal, basis = calibrate_unseen(p, scores)
    out.mkdir(parents=True, exist_ok=True)
    path = out / v2.WEIGHTS
    v2.save(model, cal, path, {**info, "calibration_basis": basis})
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    (out / v2.HASH_FILE).write_text(f"{digest}  {v2.WEIGHTS}\n")
    return path


def _f(v: float | None) -> str:
    return "n/a" if v is None else f"{v:.3f}"


def table(res: dict, title: str, cols: tuple[str, ...]) -> str:
    head = ["group", "n"] + [f"{c} {v}" for c in cols for v in VIEWS] + ["v2 TPR@likely raw/norm"]
    lines = [f"### {title}", "", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for g, r in res.items():
        cells = [g, str(r["n"])] + [_f(r["auc"][c][v]) for c in cols for v in VIEWS]
        t = r["v2_tpr_likely"]
        lines.append("| " + " | ".join(cells + [f"{100 * t['raw']:.0f}% / {100 * t['norm']:.0f}%"]) + " |")
    for label, pick in (("MEAN", 0), ("WORST", 1)):
        cells = [f"**{label}**", str(sum(r["n"] for r in res.values()))]
        for c in cols:
            for v in VIEWS:
                s = summary(res, c, v)
                cells.append(f"**{s[pick]:.3f}**" + (f" ({s[2]})" if pick else ""))
        agg = np.min if pick else np.mean
        t = {v: agg([r["v2_tpr_likely"][v] for r in res.values()]) for v in VIEWS}
        cells.append(f"{100 * t['raw']:.0f}% / {100 * t['norm']:.0f}%")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cache", type=Path, required=True, nargs="+")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--candidate", choices=sorted(CANDIDATES), help="skip the search; use this feature set")
    ap.add_argument("--write-weights", type=Path, help="folder to write learned-v2.safetensors into")
    args = ap.parse_args()
    p = Pool(load_cache(*args.cache))
    print(f"pool: {int(p.y.sum())} synthetic images in {len(set(p.group[p.y == 1]))} generator groups, "
          f"{int((p.y == 0).sum())} real in {len(set(p.group[p.y == 0]))} sources")
    search = {}
    for name in ([args.candidate] if args.candidate else CANDIDATES):
        r = held_out(p, p.group, CANDIDATES[name], with_features=False)
        search[name] = {v: summary(r, "v2", v)[:3] for v in VIEWS}
        print(f"candidate {name}: " + "; ".join(f"{v} mean {s[0]:.3f} worst {s[1]:.3f} ({s[2]})"
                                                for v, s in search[name].items()), flush=True)
    chosen = max(search, key=lambda c: (min(search[c][v][1] for v in VIEWS), np.mean([search[c][v][0] for v in VIEWS])))
    names = CANDIDATES[chosen]
    print(f"chosen by LOGO (worst, then mean): {chosen}")
    gen = held_out(p, p.group, names)
    pub = held_out(p, p.pub, names, with_features=False)
    shipped = source_scores(p, np.ones(len(p.y), bool), names)
    shipped_cal, basis = calibrate_unseen(p, shipped)
    real = real_side(p, names, shipped, shipped_cal)
    print(f"shipped calibration (leave-one-source-out, {basis['n_scores']} scores): anchors "
          + ", ".join(f"{a:.3f}" for a in shipped_cal.anchors) + "; pooled quantiles "
          + ", ".join(f"q{q}={a:.3f}" for q, a in basis["pooled_quantiles"].items())
          + f"; 0.9 point raised by: {basis['top_raised_by'] or '-'}")
    print()
    print(table(gen, "Leave-one-generator-out (AUC against held-back real photos)", ("v2", "fused_v2", *BASELINES)))
    print()
    print(table(gen, "Same folds, against held-back full-resolution camera photos only (never upscaled)",
                ("v2_vs_camera", "fused_v1_vs_camera")))
    print()
    lines = ["### Leave-one-publisher-out", "", "| publisher | n | v2 raw | v2 norm |", "|---|---|---|---|"]
    lines += [f"| {g} | {r['n']} | {_f(r['auc']['v2']['raw'])} | {_f(r['auc']['v2']['norm'])} |"
              for g, r in pub.items()]
    for v in VIEWS:
        s = summary(pub, "v2", v)
        lines.append(f"\n{v}: mean {s[0]:.3f}, WORST {s[1]:.3f} ({s[2]})")
    print("\n".join(lines))
    def kn(r: dict, key: str) -> str:
        return f"{round(r[key] * r['n'])}/{r['n']}"

    print("\n### Real sources held out of fit AND calibration in turn (false `likely` >= 0.9, `possible` >= 0.6)\n")
    print("| source | kind | n | v2 likely raw | v2 likely norm | v2 possible raw | v2 possible norm | "
          "shipped cal: likely raw / norm | fused v1 raw | fused v1 norm | frequency raw | learned v1 raw |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for g, r in real.items():
        cols = [kn(r, f"v2_false_{c}_{v}") for c in ("likely", "possible") for v in VIEWS]
        print(f"| {g} | {r['kind']} | {r['n']} | " + " | ".join(cols)
              + f" | {kn(r, 'v2_false_likely_raw_in_cal')} / {kn(r, 'v2_false_likely_norm_in_cal')} | "
              f"{100 * r['fused_v1_false_likely_raw']:.1f}% | {100 * r['fused_v1_false_likely_norm']:.1f}% | "
              f"{100 * r['frequency_false_likely_raw']:.1f}% | {100 * r['learned_v1_false_likely_raw']:.1f}% |")
    for kind in ("camera", "web", None):
        rows = [r for r in real.values() if kind is None or r["kind"] == kind]
        n = sum(r["n"] for r in rows)
        for v in VIEWS:
            cells = []
            for c in ("likely", "possible"):
                for suffix in ("", "_in_cal"):
                    k = sum(round(r[f"v2_false_{c}_{v}{suffix}"] * r["n"]) for r in rows)
                    cells.append(f"{c}{' (shipped cal)' if suffix else ''} {k}/{n} = {100 * k / max(n, 1):.1f}%")
            print(f"{kind or 'all'} photos, {v}: v2 false " + "; ".join(cells))
    print("\n### Each feature alone (direction fixed on training folds)\n")
    print("| feature | mean raw | worst raw | mean norm | worst norm | groups < 0.5 (raw/norm) | in v2 |")
    print("|---|---|---|---|---|---|---|")
    for n in NAMES:
        sr, sn = summary(gen, "f:" + n, "raw"), summary(gen, "f:" + n, "norm")
        print(f"| {n} | {sr[0]:.3f} | {sr[1]:.3f} | {sn[0]:.3f} | {sn[1]:.3f} | {len(sr[3])}/{len(sn[3])} | "
              f"{'yes' if n in names else 'no (format)' if n in FORMAT_FEATURES else 'no'} |")
    for s in ("v2", "fused_v2", *BASELINES):
        for v in VIEWS:
            inv = summary(gen, s, v)[3]
            print(f"{s} {v}: below 0.5 on {len(inv)} groups: {', '.join(inv) or '-'}")
    report = {"candidates": search, "chosen": chosen, "features": list(names), "generator": gen,
              "publisher": pub, "real": real, "calibration": shipped_cal.to_dict(), "calibration_basis": basis,
              "out_of_source_scores": {g: {v: a.tolist() for v, a in d.items()} for g, d in shipped.items()}}
    if args.json:
        args.json.write_text(json.dumps(report, indent=1))
    if args.write_weights:
        info = {"chosen": chosen, "logo_generator": {v: summary(gen, "v2", v)[:3] for v in VIEWS},
                "logo_publisher": {v: summary(pub, "v2", v)[:3] for v in VIEWS},
                "n_synthetic": int(p.y.sum()), "n_real": int((p.y == 0).sum()), "device": "cpu"}
        path = write_weights(p, names, args.write_weights, info, shipped)
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
