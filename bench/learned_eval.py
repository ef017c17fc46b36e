"""Quality of the learned detector on held-back simulated data, real photos and unseen ml72.

    .venv/bin/python bench/learned_eval.py --data ../shared/data --weights weights/learned-v1.safetensors \
        --json /tmp/learned_eval.json

Measures (raw-score AUC is what ranks; FPR/TPR use the calibrated 0.9 / 0.6 cut points):
* simulated test split (never trained on): real test photos vs their taef2 / random-upsampler
  twins, as stored, and with BOTH sides re-encoded as JPEG q75;
* false-positive rate on the held-back bsds500/val photos and on all test real photos;
* ml72 (unseen generators): centre crop 512 px + JPEG q90 on both sides, since every ml72 AI
  image is 559x559 and every real one larger.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import cv2
import numpy as np
import torch
from sklearn.metrics import roc_auc_score

from detectors.learned import data as D
from detectors.learned.calibrate import Calibration
from detectors.learned.infer import score_images
from detectors.learned.model import PatchNet


def jpeg(rgb: np.ndarray, q: int) -> np.ndarray:
    ok, buf = cv2.imencode(".jpg", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, q])
    return cv2.cvtColor(cv2.imdecode(buf, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)


def centre_crop(rgb: np.ndarray, side: int = 512) -> np.ndarray:
    h, w = rgb.shape[:2]
    y, x = max(0, (h - side) // 2), max(0, (w - side) // 2)
    return rgb[y:y + side, x:x + side]


def raw_scores(model, images, chunk: int = 16) -> np.ndarray:
    out = []
    for i in range(0, len(images), chunk):
        out += [s.raw for s in score_images(model, images[i:i + chunk])]
    return np.array(out)


def summary(real: np.ndarray, fake: np.ndarray, cal: Calibration) -> dict:
    y = np.r_[np.zeros(len(real)), np.ones(len(fake))]
    creal = np.array([cal(v) for v in real])
    cfake = np.array([cal(v) for v in fake])
    return {"n_real": len(real), "n_fake": len(fake), "auc": round(float(roc_auc_score(y, np.r_[real, fake])), 4),
            "fpr@0.9": round(float((creal >= 0.9).mean()), 4), "tpr@0.9": round(float((cfake >= 0.9).mean()), 4),
            "fpr@0.6": round(float((creal >= 0.6).mean()), 4), "tpr@0.6": round(float((cfake >= 0.6).mean()), 4)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--weights", type=Path, default=Path("weights/learned-v1.safetensors"))
    ap.add_argument("--cache", type=Path, default=Path("/tmp/synthcheck-train-cache"))
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    from safetensors import safe_open
    from safetensors.torch import load_file

    with safe_open(str(args.weights), framework="pt") as fh:
        cal = Calibration.from_dict(json.loads(fh.metadata()["calibration"]))
    model = PatchNet()
    model.load_state_dict(load_file(str(args.weights)))
    model.eval()
    t0 = time.time()
    manifest = json.loads(D.build_cache(args.data, args.cache, {"train": 350, "val": 60, "test": 100}).read_text())
    rows = manifest["test"]
    real_paths = sorted({r["real"] for r in rows})
    real = [D.read_rgb(Path(p)) for p in real_paths]
    fam = {"taef2": [D.read_rgb(Path(r["fake"])) for r in rows if r["gen"] == "taef2"],
           "upsampler": [D.read_rgb(Path(r["fake"])) for r in rows if r["gen"] != "taef2"]}
    res: dict[str, dict] = {}
    r_raw = raw_scores(model, real)
    r_q75 = raw_scores(model, [jpeg(im, 75) for im in real])
    allfake, allfake75 = [], []
    for name, imgs in fam.items():
        f_raw, f_q75 = raw_scores(model, imgs), raw_scores(model, [jpeg(im, 75) for im in imgs])
        allfake.append(f_raw), allfake75.append(f_q75)
        res[f"simulated-{name}"] = summary(r_raw, f_raw, cal)
        res[f"simulated-{name}-jpeg75"] = summary(r_q75, f_q75, cal)
    res["simulated-all"] = summary(r_raw, np.concatenate(allfake), cal)
    res["simulated-all-jpeg75"] = summary(r_q75, np.concatenate(allfake75), cal)
    bsds = [i for i, p in enumerate(real_paths) if "/bsds500/val/" in p]
    cb = np.array([cal(v) for v in r_raw[bsds]])
    res["bsds500-val-real"] = {"n": len(bsds), "fpr@0.9": round(float((cb >= 0.9).mean()), 4),
                               "fpr@0.6": round(float((cb >= 0.6).mean()), 4)}
    ml = args.data / "labelled" / "ml72"
    prep = lambda p: jpeg(centre_crop(D.read_rgb(p)), 90)  # noqa: E731
    ml_real = raw_scores(model, [prep(p) for p in sorted((ml / "real").iterdir())])
    ml_ai_paths = sorted((ml / "ai").iterdir())
    ml_ai = raw_scores(model, [prep(p) for p in ml_ai_paths])
    res["ml72-crop512-jpeg90"] = summary(ml_real, ml_ai, cal)
    for group in sorted({p.name.split("_")[0] for p in ml_ai_paths}):
        idx = [i for i, p in enumerate(ml_ai_paths) if p.name.split("_")[0] == group]
        res[f"ml72-{group}"] = summary(ml_real, ml_ai[idx], cal)
    res["_meta"] = {"weights": str(args.weights), "seconds": round(time.time() - t0, 1), "threads": args.threads}
    print("| set | n real | n synthetic | AUC | FPR@0.9 | TPR@0.9 | FPR@0.6 | TPR@0.6 |")
    print("|---|---|---|---|---|---|---|---|")
    for k, v in res.items():
        if "auc" in v:
            print(f"| {k} | {v['n_real']} | {v['n_fake']} | {v['auc']:.3f} | {v['fpr@0.9']:.3f} | {v['tpr@0.9']:.3f} | "
                  f"{v['fpr@0.6']:.3f} | {v['tpr@0.6']:.3f} |")
    print(json.dumps({k: v for k, v in res.items() if "auc" not in v}))
    if args.json:
        args.json.write_text(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
