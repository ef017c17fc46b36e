"""Files and runs for the metadata detector's tests: tiny images with chosen metadata, and the
``reader`` fixture that runs a test once with the pure-Python reader and once with ExifTool."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, PngImagePlugin

from detectors.metadata import MetadataDetector
from synthcheck.detector import DetectorContext
from synthcheck.media import Media

HAVE_EXIFTOOL = shutil.which("exiftool") is not None


@pytest.fixture(params=["python", "exiftool"])
def reader(request):
    if request.param == "exiftool" and not HAVE_EXIFTOOL:
        pytest.skip("exiftool is not installed (apt-get install libimage-exiftool-perl)")
    return request.param


def _img(seed: int = 0, size: tuple[int, int] = (64, 48)) -> Image.Image:
    rng = np.random.default_rng(seed)
    return Image.fromarray(rng.integers(0, 255, (size[1], size[0], 3), dtype=np.uint8))


def png(path: Path, text: dict[str, str] | None = None, itxt: dict[str, str] | None = None) -> Path:
    info = PngImagePlugin.PngInfo()
    for k, v in (text or {}).items():
        info.add_text(k, v)
    for k, v in (itxt or {}).items():
        info.add_itxt(k, v)
    _img().save(path, "PNG", pnginfo=info)
    return path


def jpeg(path: Path, **kw) -> Path:
    _img().save(path, "JPEG", quality=80, **kw)
    return path


def scan(path: Path, reader: str):
    det = MetadataDetector(DetectorContext(options={"metadata.reader": reader}))
    findings = det.run(Media.open(path))
    for f in findings:
        assert f.evidence["reader"] == reader
        assert f.evidence["source"] == "metadata"
    return findings


def only(findings, title_part: str):
    hits = [f for f in findings if title_part.lower() in f.title.lower()]
    assert len(hits) == 1, [f.title for f in findings]
    return hits[0]
