"""Decode a RivaGAN payload with the ONNX decoder that invisible-watermark ships.

RivaGAN (Zhang et al. 2019) is a learned video/image watermark carrying 32 arbitrary bits; the
package trains no generator-specific message, so a decoded payload says "someone ran RivaGAN on
this image", never which generator (if any) made it.  The decoder is a convolutional network
that is slow on large images (about 12 s for 1 MP on one core), so it reads one centred
256x256 crop (about 1 s); the mark is spread over the whole frame.  On 29 RivaGAN-marked
photos (random payloads) the package's own embedding left all 32 bits readable in only 76%
(PNG); a 160 px crop halves the time but misses twice as many marks after JPEG 90.  We run the
ONNX file with onnxruntime directly: the package's own wrapper imports torch.
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

CROP = 256
# The payload is reported when every one of the 32 outputs is at least this far from the
# package's 0.52 threshold (a clean photo has some output near it; a marked one has none).
# Measured by: .venv/bin/python bench/watermark_calibrate.py --rivagan 150 (256 px crop):
# clean photos max 0.58 (143 photos; 0.995 was the max of 289 photos with a 160 px crop);
# marked photos reach 1.5 in 59% (PNG) and 45% (JPEG 90) of 29.
CONFIDENT = 1.5

_SESSION = None


@dataclass(frozen=True)
class RivaResult:
    bits: tuple[int, ...]
    confidence: float  # mean |output|; the package thresholds each output at 0.52
    weakest: float  # smallest |output - 0.52|: how close the least certain bit is to flipping

    @property
    def payload_hex(self) -> str:
        return "0x" + np.packbits(np.array(self.bits, dtype=np.uint8)).tobytes().hex().upper()


def model_path() -> Path | None:
    spec = importlib.util.find_spec("imwatermark")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(list(spec.submodule_search_locations)[0]) / "rivagan_decoder.onnx"
    return path if path.is_file() else None


def available() -> str:
    """Empty string when RivaGAN can be decoded here, else the reason it cannot."""
    if importlib.util.find_spec("onnxruntime") is None:
        return "onnxruntime is not installed"
    if model_path() is None:
        return "invisible-watermark's rivagan_decoder.onnx is not installed"
    return ""


def _session() -> Any:  # an onnxruntime.InferenceSession; onnxruntime is imported lazily
    global _SESSION
    if _SESSION is None:
        import onnxruntime as ort

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = int(os.environ.get("SYNTHCHECK_RIVAGAN_THREADS", "1"))
        opts.inter_op_num_threads = 1
        _SESSION = ort.InferenceSession(str(model_path()), opts, providers=["CPUExecutionProvider"])
    return _SESSION


def decode(rgb: np.ndarray, crop: int = CROP) -> RivaResult:
    h, w = rgb.shape[:2]
    s = min(crop, h, w)
    y, x = (h - s) // 2, (w - s) // 2
    # The package feeds OpenCV BGR frames scaled to [-1, 1], shaped (batch, channel, time, h, w).
    bgr = rgb[y:y + s, x:x + s, ::-1].astype(np.float32) / 127.5 - 1.0
    frame = np.ascontiguousarray(bgr.transpose(2, 0, 1)[None, :, None])
    out = _session().run(None, {"frame": frame})[0][0].astype(np.float64)
    return RivaResult(tuple(int(v > 0.52) for v in out), float(np.abs(out).mean()),
                      float(np.abs(out - 0.52).min()))
