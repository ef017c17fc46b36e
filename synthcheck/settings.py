"""Configuration from a TOML file, so a newsroom or CI pipeline can pin its options in one place.

Command-line options win over the file.  Keys (all optional)::

    format = "jsonl"
    detectors = ["metadata", "c2pa"]
    skip = []
    workers = 2
    device = "cpu"
    fail_on = "likely"
    include = ["*.jpg"]
    exclude = []
    artifacts_dir = "out/artifacts"
    plugins = ["mypkg.detectors:MyDetector"]
    [limits]
    max_bytes = 2147483648
    max_pixels = 80000000
    max_frames = 300
    timeout_s = 300
    [c2pa]
    trust_anchors = "anchors.pem"
    [metadata]
    reader = "auto"      # auto | exiftool | python
    [video]
    fps = 30             # frames sampled per second of video by the temporal detector
    [watermark]
    rivagan = false      # true adds the ~1 s RivaGAN decode
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

KNOWN_KEYS = {"format", "detectors", "skip", "workers", "device", "fail_on", "include", "exclude",
              "artifacts_dir", "limits", "c2pa", "plugins", "metadata", "watermark", "video"}


class ConfigError(ValueError):
    pass


def load_config(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read config {path}: {exc}") from exc
    unknown = set(data) - KNOWN_KEYS
    if unknown:
        raise ConfigError(f"unknown key(s) in {path}: {', '.join(sorted(unknown))}")
    return data
