"""Which real photos calibrated which detector, and which were never used: one place for the splits.

A false-positive figure is honest only on photos that did not set the threshold it is measured at.
Every bench that fits or measures on real photos takes its sets from here, so the docs can say
for each figure whether it is held-out or in-sample.

* ``hash_split(path)``: a deterministic half split of any file under ``../shared/data`` by the
  SHA-256 of its path relative to that folder (first byte < 128: ``calibration``, else
  ``held-out``).  It does not depend on which other files exist or on sort order.
* ``unseen_groups()``: real photographs that no detector's calibration, threshold choice or
  training ever read (the anatomy detector's cut points did read ml72 real and opencv-doc; see
  ``USED_BY``).  Sources: full-resolution camera photos (``../shared/bin/get-sources DEST``,
  kind ``real-img``; without it the 5-photo sample in ``real-camera/``), ml72's real photos,
  Debian's mate-backgrounds photos, the camera photos among opencv-doc's example data, and the
  real faces of the face-swap repositories.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
SOURCES = Path(os.environ.get("SYNTHCHECK_DATA", "~/synthcheck-data")).expanduser()
MATE = Path("/usr/share/backgrounds/mate")
OPENCV = Path("/usr/share/doc/opencv-doc/examples/data")

# Camera photographs among opencv-doc's example data (checked by eye: no drawings, renders,
# synthetic blur or text charts; one image of each stereo pair).
OPENCV_PHOTOS = (
    "aero1.jpg", "aero3.jpg", "aloeL.jpg", "apple.jpg", "baboon.jpg", "basketball1.png",
    "basketball2.png", "board.jpg", "box.png", "box_in_scene.png", "building.jpg",
    "butterfly.jpg", "chicky_512.png", "ela_original.jpg", "fruits.jpg", "graf1.png", "graf3.png",
    "home.jpg", "leuvenA.jpg", "leuvenB.jpg", "messi5.jpg", "orange.jpg", "rubberwhale1.png",
    "squirrel_cls.jpg", "stuff.jpg", "sudoku.png",
    *(f"left{i:02d}.jpg" for i in (1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14)),
)

# Which detector read which group while being calibrated (figures on these are in-sample).
USED_BY = {
    "anatomy": ("ml72-real", "opencv-doc", "bsds500", "imagenet-samples"),
    "frequency": ("bsds500", "imagenet-samples"),
    "watermark": ("bsds500", "imagenet-samples"),
    "learned": ("bsds500", "imagenet-samples"),  # except its test split: detectors/learned/data.py
}


def relative(path: Path) -> str:
    try:
        return Path(path).resolve().relative_to(SHARED.resolve()).as_posix()
    except ValueError:
        return Path(path).as_posix()


def hash_split(path: Path) -> str:
    """``calibration`` or ``held-out``, from the SHA-256 of the path relative to ../shared/data."""
    return "calibration" if hashlib.sha256(relative(path).encode()).digest()[0] < 128 else "held-out"


def real_photos(shared: Path = SHARED) -> list[Path]:
    """bsds500 and imagenet-samples, sorted: the set every calibration so far was fitted on."""
    return sorted(p for p in (shared / "real").rglob("*") if p.is_file())


def _images(folder: Path, pattern: str = "*") -> list[Path]:
    ext = {".jpg", ".jpeg", ".png", ".webp"}
    return sorted(p for p in folder.glob(pattern) if p.is_file() and p.suffix.lower() in ext)


def unseen_groups(shared: Path = SHARED, sources: Path = SOURCES) -> dict[str, list[Path]]:
    camera = _images(sources / "real-img", "*/*") or _images(shared / "real-camera", "*/*")
    groups = {
        **{f"camera:{d}": [p for p in camera if p.parent.name == d]
           for d in sorted({p.parent.name for p in camera})},
        "ml72-real": _images(shared / "labelled" / "ml72" / "real"),
        "mate": _images(MATE / "nature") + _images(MATE / "abstract", "Elephants.jpg"),
        "opencv-doc": [OPENCV / n for n in OPENCV_PHOTOS if (OPENCV / n).exists()],
        "faces-real": _images(shared / "faces" / "real", "*/*"),
    }
    return {k: v for k, v in groups.items() if v}


def source_of(group: str) -> str:
    """The group's source for USED_BY (``camera:iphone11-cartridgeocr`` -> ``camera``)."""
    return group.split(":")[0]


def group_of(path: Path) -> str:
    """The source group of a real photo under ../shared/data/real (bsds500 or imagenet-samples)."""
    return relative(path).split("/")[1]
