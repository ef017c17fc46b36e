"""Learned 3.0.0's trainer and yardstick: a patch CNN on high-pass residuals, scored on held-out generators.

    OMP_NUM_THREADS=2 .venv/bin/python bench/patch_cnn.py prep --sources DEST --out /work/scratch/cnn/patches.npz
    OMP_NUM_THREADS=2 .venv/bin/python bench/patch_cnn.py cv --data /work/scratch/cnn/patches.npz --json cv.json
    OMP_NUM_THREADS=2 .venv/bin/python bench/patch_cnn.py ship --data /work/scratch/cnn/patches.npz \
        --work /work/scratch/cnn/ship --weights weights/      # writes learned-v3.safetensors + .sha256

Why: the hand-made "too clean" statistics of learned 2.1.0 rank noisy generator art and StyleGAN
faces below chance (docs/targets.md).  Issue 10 named a patch CNN on high-pass residuals (NPR,
LaDeDa) trained on real generator crops against real photo crops as the candidate; measured
here, it became learned 3.0.0 (``ship`` writes its weights, card: weights/learned-v3.md).

Protocol (the same pool as bench/logo_data.py): generator groups are dealt into K folds, real
photos into K folds by content hash; fold k's model is trained without fold k's generators AND
without fold k's real photos, and each held-out generator group is ranked against fold k's real
photos.  Every group is therefore scored by a model that never saw it (stricter than LOGO: a fifth
of the generators is missing from each fit).  Views: ``raw`` (patches of the file as published)
and ``norm`` (the ``crop512-jpeg90`` preset).  Training views go through one pipeline for both
sides (random crop, rescale 0.5-1.5x with a random filter, blur, JPEG q60-100) and AI views are
JPEG-compressed more often than real ones, so that about as many views on each side carry no JPEG
trace (real photos lose theirs when rescaled): JPEG traces must not carry the label.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]

from detectors.learned import v3  # noqa: E402
from detectors.learned.infer import patch_logits  # noqa: E402
from patch_views import NOISE, THUMB, P, prep  # noqa: E402
from synthcheck.evaluate import _auc as auc  # noqa: E402

K = 5


# ---------------------------------------------------------------- model

def to_tensor(a: np.ndarray):
    import torch
    return torch.from_numpy(np.ascontiguousarray(a.transpose(0, 3, 1, 2))).float().div_(255.0)


def train(x: np.ndarray, y: np.ndarray, wt: np.ndarray, epochs: int, seed: int, log: str = ""):
    """The shipped PatchNet (``v3.build``) from scratch: AdamW, one-cycle schedule, batches of 128
    drawn with probability ``wt`` (each side and each group count alike), random flips/rotations."""
    import torch
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    model = v3.build()
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-3)
    steps_per_epoch = len(x) // 128
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, 3e-3, total_steps=epochs * steps_per_epoch)
    p = wt / wt.sum()
    lossf = torch.nn.BCEWithLogitsLoss()
    model.train()
    for ep in range(epochs):
        t, tot = time.time(), 0.0
        for _ in range(steps_per_epoch):
            idx = rng.choice(len(x), 128, p=p)
            xb = x[idx]
            if rng.random() < 0.5:
                xb = xb[:, :, ::-1]
            xb = np.rot90(xb, int(rng.integers(0, 4)), axes=(1, 2))
            loss = lossf(model(to_tensor(xb)), torch.from_numpy(y[idx].astype(np.float32)))
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            tot += float(loss.detach())
        print(f"{log} epoch {ep + 1}/{epochs} loss {tot / steps_per_epoch:.3f} {time.time() - t:.0f} s", flush=True)
    model.eval()
    return model


def score(model, patches: np.ndarray) -> np.ndarray:
    """Image score as the detector computes it: the mean patch logit (patches: images x n x P x P x 3)."""
    n = patches.shape[1]
    return patch_logits(model, patches.reshape(-1, P, P, 3)).reshape(-1, n).mean(1)


def residual_energy(patches: np.ndarray) -> np.ndarray:
    """The naive baseline on the same patches: minus the mean squared 3x3 high-pass residual of
    the luma (a cleaner picture scores higher, i.e. more generator-like)."""
    from scipy.ndimage import uniform_filter

    out = []
    for img in patches:  # images x n x P x P x 3
        g = img.astype(np.float32).mean(-1)
        hp = g - uniform_filter(g, size=(1, 3, 3), mode="reflect")
        out.append(-float((hp[:, 1:-1, 1:-1] ** 2).mean()))
    return np.array(out)


def load_data(path: Path):
    d = np.load(path)
    meta = json.loads(path.with_suffix(".json").read_text())
    y = np.array([m["label"] for m in meta])
    group = np.array([m["group"] for m in meta])
    return d, meta, y, group


def image_weights(y: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Each side sums to 1; within a side a group weighs sqrt(its size), its images alike."""
    w_img = np.zeros(len(y))
    for side in (0, 1):
        idx = np.where(y == side)[0]
        gs, cnt = np.unique(group[idx], return_counts=True)
        gw = {g: 1 / np.sqrt(c) for g, c in zip(gs, cnt)}
        w = np.array([gw[group[i]] for i in idx])
        w_img[idx] = w / w.sum()
    return w_img


def fit_without(d, y, group, held: np.ndarray, epochs: int, seed: int, log: str):
    """Train on every patch whose image is not in ``held`` (a boolean mask over images)."""
    owner = d["train_owner"]
    tr = ~held[owner]
    w_img = image_weights(np.where(held, -1, y), group)  # held-out images weigh nothing
    per = np.bincount(owner, minlength=len(y))
    return train(d["train"][tr], y[owner[tr]], w_img[owner[tr]] / per[owner[tr]], epochs, seed, log)


def gen_folds(y: np.ndarray, group: np.ndarray, meta: list[dict]) -> tuple[np.ndarray, dict]:
    gen_groups = sorted(set(group[y == 1]))
    order = np.random.default_rng(0).permutation(len(gen_groups))
    gfold = {gen_groups[j]: i % K for i, j in enumerate(order)}
    fold = np.array([gfold[g] if lab else int(m["sha256"][:8], 16) % K for g, lab, m in zip(group, y, meta)])
    return fold, gfold


def cv(args: argparse.Namespace) -> None:
    import torch
    torch.set_num_threads(args.threads)
    d, meta, y, group = load_data(args.data)
    fold, gfold = gen_folds(y, group, meta)
    res = {"folds": {}, "scores": {v: [None] * len(meta) for v in ("raw", "norm")}}
    folds = args.folds or list(range(K))
    for k in folds:
        t = time.time()
        model = fit_without(d, y, group, fold == k, args.epochs, seed=k, log=f"fold {k}")
        held = np.where(fold == k)[0]
        for v in ("raw", "norm"):
            for i, si in zip(held, score(model, d[v][held])):
                res["scores"][v][int(i)] = float(si)
        print(f"fold {k}: {time.time() - t:.0f} s", flush=True)
    res["rows"] = report(d, y, group, fold, gfold, res["scores"], folds)
    res["meta"] = meta
    if args.json:
        Path(args.json).write_text(json.dumps(res))


def report(d, y, group, fold, gfold, scores, folds, cal=None) -> list[dict]:
    """Per held-out generator: AUC of v3 and of the residual-energy baseline against its fold's real
    photos; with ``cal`` (the shipped calibration) also the share of its images at 0.9 and at 0.6."""
    gen_groups = sorted(gfold)
    energy = {v: residual_energy(d[v]) for v in ("raw", "norm")}
    rows = []
    for g in gen_groups:
        k = gfold[g]
        if k not in folds:
            continue
        pos = np.where(group == g)[0]
        neg = np.where((y == 0) & (fold == k))[0]
        row = {"group": g, "n": len(pos)}
        for v in ("raw", "norm"):
            sc = np.array(scores[v], dtype=float)
            row[v] = auc(sc[pos], sc[neg])
            row[f"energy_{v}"] = auc(energy[v][pos], energy[v][neg])
            if cal is not None:
                row[f"likely_{v}"] = int((sc[pos] >= cal.anchors[-1]).sum())
                row[f"possible_{v}"] = int((sc[pos] >= cal.anchors[-2]).sum())
        rows.append(row)
        extra = "" if cal is None else (f"   >=0.9 {row['likely_raw']}/{row['likely_norm']}"
                                        f"  >=0.6 {row['possible_raw']}/{row['possible_norm']}")
        print(f"{g:34s} {len(pos):3d}  raw {row['raw']:.2f}  c512j90 {row['norm']:.2f}   "
              f"energy {row['energy_raw']:.2f} / {row['energy_norm']:.2f}" + extra)
    for col in ("raw", "norm", "energy_raw", "energy_norm"):
        a = np.array([r[col] for r in rows])
        worst = rows[int(a.argmin())]["group"]
        print(f"{col}: mean {a.mean():.3f} worst {a.min():.3f} ({worst}) below 0.5: {int((a < 0.5).sum())}")
    if cal is not None:
        n = sum(r["n"] for r in rows)
        for col in ("likely_raw", "likely_norm", "possible_raw", "possible_norm"):
            k = sum(r[col] for r in rows)
            share = np.array([r[col] / r["n"] for r in rows])
            print(f"{col}: {k} of {n} held-out generator images; mean over groups {share.mean():.1%}, "
                  f"worst {share.min():.0%}")
    return rows


def report_cmd(args: argparse.Namespace) -> None:
    d, meta, y, group = load_data(args.data)
    fold, gfold = gen_folds(y, group, meta)
    res = json.loads(Path(args.json).read_text())
    cal = v3.load(args.weights / v3.WEIGHTS)[1] if args.weights else None
    report(d, y, group, fold, gfold, res["scores"], sorted({gfold[g] for g in gfold}), cal)


SMALL_CAMERA = "phone/camera sets"  # the five sets of <= 6 photos are held out together


def real_source_folds(y: np.ndarray, group: np.ndarray) -> dict[str, np.ndarray]:
    """Real sources held out in turn; the small phone and camera sets as one fold (none of them
    is then in the fit, which is stricter than one at a time and 4 trainings cheaper)."""
    folds: dict[str, np.ndarray] = {}
    for g in sorted(set(group[y == 0])):
        n = int(((group == g) & (y == 0)).sum())
        key = g if n > 6 else SMALL_CAMERA
        folds[key] = folds.get(key, np.zeros(len(y), bool)) | ((group == g) & (y == 0))
    return folds


def ship(args: argparse.Namespace) -> None:
    """The fit on everything, then leave-one-real-source-out fits (for the calibration), then the file.
    Resumable: each finished fold's scores and the full model are kept under --work."""
    from types import SimpleNamespace

    import torch

    from detectors.learned.calibrate import Calibration
    from logo import calibrate_unseen
    from synthcheck.registry import file_sha256

    torch.set_num_threads(args.threads)
    d, meta, y, group = load_data(args.data)
    args.work.mkdir(parents=True, exist_ok=True)
    kind = np.array([m["kind"] for m in meta])
    full = args.work / "full.safetensors"
    if not full.is_file():
        model = fit_without(d, y, group, np.zeros(len(y), bool), args.epochs, seed=100, log="all")
        v3.save(model, Calibration((0.0, 1.0, 2.0, 3.0)), full, {})
    store = args.work / "loso.json"
    done = json.loads(store.read_text()) if store.is_file() else {}
    for key, held in real_source_folds(y, group).items():
        if key in done:
            continue
        model = fit_without(d, y, group, held, args.epochs, seed=100, log=f"without {key}")
        idx = np.where(held)[0]
        done[key] = {"idx": idx.tolist(), **{v: score(model, d[v][idx]).tolist() for v in ("raw", "norm")}}
        store.write_text(json.dumps(done))
    model, _, _ = v3.load(full)
    # calibration on scores of photos whose source the scoring model never saw, per real group
    per_source: dict[str, dict[str, np.ndarray]] = {}
    for key, r in done.items():
        for i, (a, b) in enumerate(zip(r["raw"], r["norm"])):
            g = group[r["idx"][i]]
            per_source.setdefault(g, {"raw": [], "norm": []})
            per_source[g]["raw"].append(a)
            per_source[g]["norm"].append(b)
    scores = {g: {v: np.array(a) for v, a in dv.items()} for g, dv in per_source.items()}
    pool_ns = SimpleNamespace(group=group, y=y, kind=kind)
    cal, basis = calibrate_unseen(pool_ns, scores)
    basis["method"] = ("leave-one-source-out over the real sources (the five phone/camera sets of <= 6 photos "
                       "held out together), both views pooled")
    # each real source held out of calibration too: its false 'likely' rate at anchors read without it
    heldout = {}
    for g in scores:
        rest = {s: v for s, v in scores.items() if s != g}
        c, _ = calibrate_unseen(pool_ns, rest)
        heldout[g] = {v: {"likely": int((a >= c.anchors[-1]).sum()), "possible": int((a >= c.anchors[-2]).sum()),
                          "n": len(a)} for v, a in scores[g].items()}
    real = np.where(y == 0)[0]
    in_sample = {v: score(model, d[v][real]) for v in ("raw", "norm")}
    info = {
        "trained_on": "bench/patch_cnn.py prep + ship: every image of the LOGO pool (226 AI images of 37 generator "
                      "groups, 715 real photos of 10 sources); CPU only (2 cores)",
        "epochs": args.epochs, "patches": int(len(d["train"])), "seed": 100,
        "licences": "see weights/learned-v3.md",
        "calibration_basis": basis,
        "false_likely_source_held_out_of_fit_and_calibration": heldout,
        "in_sample_real_share_at_or_above_0.9": {v: float((a >= cal.anchors[-1]).mean()) for v, a in in_sample.items()},
    }
    out = args.weights
    out.mkdir(parents=True, exist_ok=True)
    path = out / v3.WEIGHTS
    v3.save(model, cal, path, info)
    (out / v3.HASH_FILE).write_text(f"{file_sha256(path)}  {v3.WEIGHTS}\n")
    print(json.dumps({"anchors": cal.anchors, **info}, indent=1))
    for v in ("raw", "norm"):
        for kd in ("camera", "web"):
            gs = [g for g in heldout if kind[(group == g) & (y == 0)][0] == kd]
            n = sum(heldout[g][v]["n"] for g in gs)
            print(f"{v} {kd}: false likely {sum(heldout[g][v]['likely'] for g in gs)} of {n}, "
                  f"possible {sum(heldout[g][v]['possible'] for g in gs)} of {n}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("prep")
    a.add_argument("--sources", type=Path, required=True)
    a.add_argument("--out", type=Path, required=True)
    a.add_argument("--workers", type=int, default=2)
    a.add_argument("--noise-p", type=float, default=NOISE["p"], help="share of training views given noise")
    a.add_argument("--noise-max", type=float, default=NOISE["max"], help="largest noise sigma (8-bit levels)")
    a.add_argument("--thumb-p", type=float, default=THUMB["p"],
                   help="share of training views that are the whole picture at a web size (long side 320-800)")
    b = sub.add_parser("cv")
    b.add_argument("--data", type=Path, required=True)
    b.add_argument("--json")
    b.add_argument("--epochs", type=int, default=4)
    b.add_argument("--threads", type=int, default=2)
    b.add_argument("--folds", type=int, nargs="*")
    r = sub.add_parser("report", help="the table again, from a cv --json file")
    r.add_argument("--data", type=Path, required=True)
    r.add_argument("--json", required=True)
    r.add_argument("--weights", type=Path, help="a weights folder: add the share at its 0.9 / 0.6 points")
    c = sub.add_parser("ship")
    c.add_argument("--data", type=Path, required=True)
    c.add_argument("--work", type=Path, required=True, help="fold scores and the full model (resumable)")
    c.add_argument("--weights", type=Path, default=ROOT / "weights")
    c.add_argument("--epochs", type=int, default=4)
    c.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    {"prep": prep, "cv": cv, "report": report_cmd, "ship": ship}[args.cmd](args)


if __name__ == "__main__":
    main()
