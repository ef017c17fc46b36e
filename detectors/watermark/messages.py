"""The fixed messages that known generators embed with invisible-watermark's ``dwtDct`` method.

Each entry records where the message comes from and how the generator fed pixels to the
embedder, because the embedder's colour conversion differs for float and 8-bit input (OpenCV
adds 0.5 to U for float images and 128 for uint8 ones), which shifts the quantisation grid the
decoder must read.  Only messages checked against the generator's own published source are
listed; a message seen only in forks or reposts is left out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class KnownMessage:
    key: str
    title: str  # what a reader sees: the generator family
    bits: tuple[int, ...]
    convention: str  # "float" or "uint8": how the reference code passes pixels to the embedder
    source: str  # where the message is set, so a reader can check it
    certainty: str  # how sure we are that this generator family uses it

    @property
    def length(self) -> int:
        return len(self.bits)

    def text(self) -> str:
        """The message as a reader knows it: hex for bit strings, the text for byte strings."""
        raw = np.packbits(np.array(self.bits, dtype=np.uint8)).tobytes()
        if self.key.startswith("bytes:"):
            return raw.decode("ascii", "replace")
        return "0x" + raw.hex().upper()


def _bits_from_int(value: int, length: int) -> tuple[int, ...]:
    # The reference code writes [int(b) for b in bin(MESSAGE)[2:]]: most significant bit first.
    return tuple(int(b) for b in format(value, f"0{length}b"))


def _bits_from_bytes(data: bytes) -> tuple[int, ...]:
    # WatermarkEncoder.set_watermark("bytes", ...) uses np.unpackbits: MSB first per byte.
    return tuple(int(b) for b in np.unpackbits(np.frombuffer(data, dtype=np.uint8)))


SDXL_BITS = _bits_from_int(0b101100111110110010010000011110111011000110011110, 48)
FLUX_BITS = _bits_from_int(0b001010101111111010000111100111001111010100101110, 48)

KNOWN_MESSAGES: tuple[KnownMessage, ...] = (
    KnownMessage(
        "bits:sdxl", "Stable Diffusion XL / Stability generative-models", SDXL_BITS, "float",
        "diffusers StableDiffusionXLWatermarker (pipelines/stable_diffusion_xl/watermark.py) and "
        "Stability-AI/generative-models sgm/inference/helpers.py WATERMARK_MESSAGE = 0xB3EC907BB19E "
        "(SDXL, SDXL-Turbo, Stable Video Diffusion demo scripts)",
        "certain: stated in the issue and read in both sources"),
    KnownMessage(
        "bits:flux1", "FLUX.1 reference code (Black Forest Labs)", FLUX_BITS, "float",
        "black-forest-labs/flux src/flux/util.py WatermarkEmbedder, WATERMARK_MESSAGE = "
        "0b001010101111111010000111100111001111010100101110, used by its CLI/demos",
        "high: read in the reference source; diffusers' Flux pipelines do NOT embed it"),
    KnownMessage(
        "bytes:StableDiffusionV1", "Stable Diffusion 1.x reference scripts",
        _bits_from_bytes(b"StableDiffusionV1"), "uint8",
        "CompVis/stable-diffusion scripts/txt2img.py put_watermark(): bytes 'StableDiffusionV1' "
        "embedded into np.array(PIL image) (uint8)",
        "certain: stated in the issue and read in the source; many forks copy it"),
    KnownMessage(
        "bytes:SDV2", "Stable Diffusion 2.x reference scripts", _bits_from_bytes(b"SDV2"), "uint8",
        "Stability-AI/stablediffusion scripts/txt2img.py and gradio demos: bytes 'SDV2' embedded "
        "into np.array(PIL image) (uint8)",
        "high: read in several copies of the reference scripts"),
)
