"""Docs that are generated from the code must match it."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_detector_docs_are_generated_from_current_docstrings():
    proc = subprocess.run([sys.executable, "docs/gen_detectors.py", "--check"], cwd=REPO, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr


def test_readme_names_the_two_setup_commands_that_ci_runs():
    readme = (REPO / "README.md").read_text()
    assert "make demo" in readme and "make test" in readme
    assert "make test" in (REPO / ".ci" / "run").read_text()
