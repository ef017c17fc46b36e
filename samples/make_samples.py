"""Re-create the demo files in ``samples/`` deterministically (same Pillow/libjpeg/zlib: same bytes).

    .venv/bin/python samples/make_samples.py            # writes next to this script
    .venv/bin/python samples/make_samples.py OUT_DIR    # or somewhere else (tests use tmp_path)

The AI-marked files carry *metadata* markers written here by hand, in the exact formats the
generators use; their pixels are a smooth synthetic pattern, not generated images.  The camera
sample is scikit-learn's bundled ``china.jpg`` (CC BY 2.0, danielbuechele on Flickr) with made-up
camera EXIF added, to show that camera metadata is context, not proof.  See samples/README.md.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import numpy as np
from PIL import Image, PngImagePlugin

HERE = Path(__file__).resolve().parent
DST = "http://cv.iptc.org/newscodes/digitalsourcetype/"

A1111_PARAMETERS = (
    "a lighthouse on a cliff at sunset, dramatic clouds, highly detailed, 35mm photograph\n"
    "Negative prompt: blurry, lowres, watermark\n"
    "Steps: 30, Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 7, Seed: 1234567890, Size: 384x256, "
    "Model hash: 31e35c80fc, Model: sd_xl_base_1.0, Version: v1.10.1"
)

COMFY_PROMPT = {
    "3": {"class_type": "KSampler", "inputs": {"seed": 42, "steps": 20, "cfg": 8.0, "sampler_name": "euler",
                                                 "scheduler": "normal", "denoise": 1.0, "model": ["4", 0],
                                                 "positive": ["6", 0], "negative": ["7", 0], "latent_image": ["5", 0]}},
    "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "v1-5-pruned-emaonly.safetensors"}},
    "5": {"class_type": "EmptyLatentImage", "inputs": {"width": 384, "height": 256, "batch_size": 1}},
    "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "a red fox in fresh snow, golden hour", "clip": ["4", 1]}},
    "7": {"class_type": "CLIPTextEncode", "inputs": {"text": "text, watermark", "clip": ["4", 1]}},
    "8": {"class_type": "VAEDecode", "inputs": {"samples": ["3", 0], "vae": ["4", 2]}},
    "9": {"class_type": "SaveImage", "inputs": {"filename_prefix": "ComfyUI", "images": ["8", 0]}},
}
COMFY_WORKFLOW = {
    "last_node_id": 9, "last_link_id": 9, "version": 0.4,
    "nodes": [
        {"id": 4, "type": "CheckpointLoaderSimple", "widgets_values": ["v1-5-pruned-emaonly.safetensors"]},
        {"id": 6, "type": "CLIPTextEncode", "widgets_values": ["a red fox in fresh snow, golden hour"]},
        {"id": 3, "type": "KSampler", "widgets_values": [42, "fixed", 20, 8, "euler", "normal", 1]},
    ],
    "links": [],
}


def xmp_packet(source_type: str, extra: str = "") -> bytes:
    """An XMP packet with the IPTC digital source type, as Google/Adobe/OpenAI tools write it."""
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
        ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        '  <rdf:Description rdf:about=""\n'
        '    xmlns:Iptc4xmpCore="http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/"\n'
        '    xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/"\n'
        f'    Iptc4xmpExt:DigitalSourceType="{DST}{source_type}">\n'
        f"{extra}"
        "  </rdf:Description>\n"
        " </rdf:RDF>\n"
        "</x:xmpmeta>\n"
        '<?xpacket end="r"?>'
    ).encode("utf-8")


def synthetic(width: int = 384, height: int = 256, seed: int = 7) -> Image.Image:
    """A smooth, natural-looking colour field (low-pass noise plus gradients), the same every run."""
    rng = np.random.default_rng(seed)
    coarse = rng.random((height // 32 + 2, width // 32 + 2, 3))
    small = Image.fromarray((coarse * 255).astype(np.uint8)).resize((width, height), Image.BICUBIC)
    y, x = np.mgrid[0:height, 0:width]
    grad = np.stack([x / width, y / height, 1 - x / width], axis=-1) * 80
    grain = rng.normal(0, 4, (height, width, 3))
    arr = np.asarray(small, dtype=np.float64) * 0.7 + grad + grain
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))


def photo() -> Image.Image:
    """scikit-learn's bundled real photograph when available, else the synthetic field."""
    try:
        import sklearn.datasets

        path = Path(sklearn.datasets.__file__).parent / "images" / "china.jpg"
        with Image.open(path) as im:
            return im.convert("RGB").resize((480, 320), Image.LANCZOS)
    except Exception:  # noqa: BLE001 - no scikit-learn or no photo in it: the synthetic field will do
        return synthetic(480, 320, seed=11)


def camera_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "Canon"  # Make  (made up for the demo)
    exif[0x0110] = "Canon EOS 5D Mark IV"  # Model
    exif[0x0132] = "2019:06:01 10:12:30"  # DateTime
    sub = exif.get_ifd(0x8769)
    sub[0x9003] = "2019:06:01 10:12:30"  # DateTimeOriginal
    sub[0xA434] = "EF24-105mm f/4L IS II USM"  # LensModel
    return exif


def jpeg_bytes(im: Image.Image, **kw: object) -> bytes:
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=85, **kw)
    return buf.getvalue()


def png_bytes(im: Image.Image, info: PngImagePlugin.PngInfo | None = None) -> bytes:
    buf = io.BytesIO()
    im.save(buf, "PNG", pnginfo=info, optimize=True)
    return buf.getvalue()


def build() -> dict[str, bytes]:
    """File name -> content, for every sample."""
    base = synthetic()
    a1111 = PngImagePlugin.PngInfo()
    a1111.add_text("parameters", A1111_PARAMETERS)
    comfy = PngImagePlugin.PngInfo()
    comfy.add_text("prompt", json.dumps(COMFY_PROMPT))
    comfy.add_text("workflow", json.dumps(COMFY_WORKFLOW))
    camera = jpeg_bytes(photo(), exif=camera_exif())
    return {
        "a1111_parameters.png": png_bytes(base, a1111),
        "comfyui_prompt_workflow.png": png_bytes(synthetic(seed=8), comfy),
        "xmp_trained_algorithmic.jpg": jpeg_bytes(synthetic(seed=9), xmp=xmp_packet("trainedAlgorithmicMedia")),
        "camera_exif_photo.jpg": camera,
        "truncated.jpg": camera[: len(camera) * 6 // 10],
        "mislabelled_png.jpg": png_bytes(synthetic(seed=10)),
        "plain_no_metadata.jpg": jpeg_bytes(synthetic(seed=12)),
    }


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else HERE
    out.mkdir(parents=True, exist_ok=True)
    for name, data in build().items():
        assert len(data) < 200_000, f"{name} is {len(data)} bytes; samples must stay small"
        (out / name).write_bytes(data)
        print(f"{name:32s} {len(data):7d} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
