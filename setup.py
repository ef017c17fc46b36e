"""Package discovery that pyproject.toml cannot say on its own; all other metadata is there.

Every folder under ``synthcheck/`` and ``detectors/`` is found automatically, so a new data folder
(e.g. ``synthcheck/trust/`` for C2PA trust lists) ships without a config edit.  The top-level
``weights/`` folder is added as the package ``synthcheck.weights``: the project layout keeps it at
the top of the repo, and an installed copy still carries it (``default_weights_dir`` finds it).
pyproject.toml's ``packages.find`` cannot be combined with such a mapping, hence this file.
"""

from setuptools import find_namespace_packages, setup

setup(
    packages=[
        *find_namespace_packages(include=["synthcheck*", "detectors*"], exclude=["*.__pycache__"]),
        "synthcheck.weights",
    ],
    package_dir={"synthcheck.weights": "weights"},
)
