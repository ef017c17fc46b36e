"""The v2 model: a logistic model over the "too clean" statistics of ``features``, and its file.

Why linear: about 230 generator images of ~37 generators cannot train a deep net that
generalises to a generator it has not seen; a dozen physically motivated statistics with one
weight each can, and each weight says what it relies on.  Standardisation, coefficients and the
real-photo calibration travel in one safetensors file (numpy arrays, metadata as JSON); loading
needs numpy and safetensors only.  Fitting (scikit-learn) happens only in ``bench/logo.py``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from .calibrate import Calibration
from .features import NAMES, features

WEIGHTS = "learned-v2.safetensors"
HASH_FILE = "learned-v2.sha256"


@dataclass(frozen=True)
class LinearModel:
    names: tuple[str, ...]  # the features it uses, in coefficient order
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float

    def raw(self, feats: np.ndarray) -> np.ndarray:
        """(N, len(NAMES)) feature rows -> (N,) logits, positive means generator-like."""
        idx = [NAMES.index(n) for n in self.names]
        z = (np.atleast_2d(feats)[:, idx] - self.mean) / self.scale
        return z @ self.coef + self.intercept

    def contributions(self, feats: np.ndarray) -> dict[str, float]:
        """Each feature's share of one image's logit (coefficient x standardised value)."""
        idx = [NAMES.index(n) for n in self.names]
        z = (np.asarray(feats)[idx] - self.mean) / self.scale
        return {n: float(c) for n, c in zip(self.names, z * self.coef)}


def fit(x: np.ndarray, y: np.ndarray, w: np.ndarray, names: Sequence[str], c: float = 1.0) -> LinearModel:
    """Weighted, L2-regularised logistic regression on standardised ``names`` columns."""
    from sklearn.linear_model import LogisticRegression

    idx = [NAMES.index(n) for n in names]
    xs = x[:, idx]
    mean, scale = xs.mean(axis=0), xs.std(axis=0) + 1e-9
    lr = LogisticRegression(C=c, max_iter=2000)
    lr.fit((xs - mean) / scale, y, sample_weight=w)
    return LinearModel(tuple(names), mean, scale, lr.coef_[0].astype(np.float64), float(lr.intercept_[0]))


def save(model: LinearModel, cal: Calibration, path: Path, info: dict) -> None:
    from safetensors.numpy import save_file

    tensors = {"mean": model.mean, "scale": model.scale, "coef": model.coef,
               "intercept": np.array([model.intercept], np.float64)}
    meta = {"names": json.dumps(list(model.names)), "calibration": json.dumps(cal.to_dict()),
            "info": json.dumps(info)}
    save_file({k: np.ascontiguousarray(v, np.float64) for k, v in tensors.items()}, str(path), metadata=meta)


def load(path: Path) -> tuple[LinearModel, Calibration, dict]:
    from safetensors import safe_open

    with safe_open(str(path), framework="numpy") as fh:
        meta = fh.metadata() or {}
        t = {k: fh.get_tensor(k) for k in fh.keys()}
    names = tuple(json.loads(meta["names"]))
    unknown = [n for n in names if n not in NAMES]
    if unknown:
        raise ValueError(f"weights use features this code does not compute: {unknown}")
    model = LinearModel(names, t["mean"], t["scale"], t["coef"], float(t["intercept"][0]))
    return model, Calibration.from_dict(json.loads(meta["calibration"])), json.loads(meta.get("info", "{}"))


def score_images(model: LinearModel, images: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Feature rows and raw logits for HxWx3 uint8 images."""
    feats = np.stack([features(im) for im in images]) if images else np.zeros((0, len(NAMES)))
    return feats, model.raw(feats) if len(feats) else np.zeros(0)
