"""Shared fixtures: the path to ../shared data (skip when absent) and small generated media."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = (REPO / ".." / "shared" / "data").resolve()

# Worker processes import test doubles (tests.fakes) by module path: make the repo importable
# before the first process pool starts.
os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data`` beside the checkout; tests that need it skip on a fresh clone."""
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not present (corpus tests run only beside the shared data)")
    return SHARED_DATA


def natural_image(width: int = 256, height: int = 256, seed: int = 0):
    """A photo-like test image: smooth structure plus mild sensor-like noise (uint8 RGB)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    base = np.zeros((height, width, 3), np.float32)
    for c in range(3):
        for _ in range(4):
            fx, fy, ph = rng.uniform(0.005, 0.05, 2).tolist() + [rng.uniform(0, 6.28)]
            base[..., c] += np.sin(xx * fx * 6.28 + yy * fy * 6.28 + ph) * rng.uniform(20, 50)
    base += 128 + rng.normal(0, 4, base.shape)
    return np.clip(base, 0, 255).astype(np.uint8)


@pytest.fixture
def make_png(tmp_path):
    from PIL import Image

    def make(name: str = "img.png", width: int = 128, height: int = 96, seed: int = 0) -> Path:
        p = tmp_path / name
        Image.fromarray(natural_image(width, height, seed)).save(p, format="PNG")
        return p

    return make
