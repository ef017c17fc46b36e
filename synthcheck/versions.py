"""Versions of the libraries and tools that decide a result, for the run record and ``synthcheck version``.

Why: the same file can get a different finding from a different C2PA SDK (validation rules),
MediaPipe (landmarks), OpenCV (optical flow), Pillow or FFmpeg (decoders), ExifTool (tag reading)
or torch (kernels).  A report that names them can be reproduced.  Package versions are read from
installed metadata, so nothing heavy (torch, cv2, mediapipe) is imported to find them; only the C2PA
SDK and FFmpeg, whose versions are not those of their Python wrappers, are asked directly.
"""

from __future__ import annotations

import shutil
import subprocess
from functools import lru_cache
from importlib import metadata

# record key -> distribution names to try, in order
PACKAGES: dict[str, tuple[str, ...]] = {
    "c2pa-python": ("c2pa-python",),
    "mediapipe": ("mediapipe",),
    "opencv": ("opencv-python-headless", "opencv-python", "opencv-contrib-python"),
    "pillow": ("pillow",),
    "pillow-heif": ("pillow-heif",),
    "av": ("av",),
    "numpy": ("numpy",),
    "scipy": ("scipy",),
    "pywavelets": ("pywavelets", "PyWavelets"),
    "torch": ("torch",),
    "torchvision": ("torchvision",),
    "timm": ("timm",),
    "safetensors": ("safetensors",),
    "onnxruntime": ("onnxruntime", "onnxruntime-gpu"),
    "invisible-watermark": ("invisible-watermark",),
    "imagehash": ("imagehash", "ImageHash"),
}


def _dist_version(names: tuple[str, ...]) -> str | None:
    for name in names:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return None


def _c2pa_sdk() -> str | None:
    try:
        import c2pa

        return str(c2pa.sdk_version())
    except Exception:  # noqa: BLE001 - not installed or the native library failed to load: say so by null
        return None


def _ffmpeg() -> str | None:
    """The FFmpeg that PyAV was built with (PyAV ships its own libraries)."""
    try:
        import av

        return str(getattr(av, "ffmpeg_version_info", None) or
                   ".".join(map(str, av.library_versions.get("libavcodec", ()))) or None)
    except Exception:  # noqa: BLE001
        return None


def _exiftool() -> str | None:
    exe = shutil.which("exiftool")
    if exe is None:
        return None
    try:
        out = subprocess.run([exe, "-ver"], capture_output=True, text=True, timeout=10, check=True,
                             stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


@lru_cache(maxsize=1)
def library_versions() -> dict[str, str | None]:
    """Every library and tool that can change a result -> its version (``None``: not installed)."""
    from concurrent.futures import ThreadPoolExecutor

    found = {key: _dist_version(names) for key, names in PACKAGES.items()}
    # The three probes load a native library or start Perl; run together they cost the slowest one,
    # not their sum, at the start of every scan.
    probes = {"c2pa-sdk": _c2pa_sdk if found["c2pa-python"] else None, "ffmpeg": _ffmpeg if found["av"] else None,
              "exiftool": _exiftool}
    with ThreadPoolExecutor(max_workers=3) as pool:
        futures = {k: pool.submit(fn) for k, fn in probes.items() if fn is not None}
    found.update({k: None for k, fn in probes.items() if fn is None})
    found.update({k: f.result() for k, f in futures.items()})
    return dict(sorted(found.items()))
