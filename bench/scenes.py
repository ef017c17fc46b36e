"""The generated picture the hashing tests use (``tests/test_hashing.py: scene``), for the hash benches.

Loaded by file path: the tests are not an installed package, and bench scripts import the
installed synthcheck rather than patching ``sys.path``.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Callable

import numpy as np

REPO = Path(__file__).resolve().parents[1]


def test_scene() -> Callable[..., np.ndarray]:
    spec = importlib.util.spec_from_file_location("_test_hashing", REPO / "tests" / "test_hashing.py")
    if spec is None or spec.loader is None:  # pragma: no cover
        raise ImportError("tests/test_hashing.py not found: the hash benches need the repository checkout")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.scene
