"""Small pictures for the HTML report, embedded as data URIs so the page needs nothing beside it.

Why here and not in the detectors: a preview is presentation, not evidence.  Inputs are opened
read-only and never written; previews are re-encoded small (the report of 10,000 files must stay
under 50 MB) and regions are drawn over them as SVG, so the preview is never edited.  Every
failure gives ``None`` (a report without a picture), never an exception: one odd file must not
stop the report.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

THUMB_SIDE = 80  # every file: a small preview (1.3 KB for a photo; 10,000 of them must fit in 50 MB)
DETAIL_SIDE = 256  # files at or above possibly-synthetic (or all with --html-all)
FRAME_SIDE = 120  # video key frames
REPORT_SIDE = 192  # pictures detectors made (spectra)
THUMB_QUALITY = 55
DETAIL_QUALITY = 70
_ROTATED = {5, 6, 7, 8}  # EXIF orientations that swap width and height


@dataclass(frozen=True)
class Picture:
    uri: str  # data:image/...;base64,...
    width: int  # of the picture as embedded
    height: int
    source_width: int  # of the decoded input (after EXIF orientation), the frame regions refer to
    source_height: int

    @property
    def nbytes(self) -> int:
        return len(self.uri)


def data_uri(mime: str, data: bytes) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def _jpeg(im, side: int, quality: int) -> tuple[str, int, int]:  # noqa: ANN001 - PIL image
    im = im.convert("RGB")
    im.thumbnail((side, side))
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=quality, optimize=True)
    return data_uri("image/jpeg", buf.getvalue()), im.width, im.height


def image_preview(path: str | Path, side: int, quality: int, max_pixels: int) -> Picture | None:
    """A JPEG preview of an image file, oriented as the detectors saw it (EXIF orientation applied)."""
    try:
        from PIL import Image, ImageOps

        with Image.open(path) as im:  # read-only
            w0, h0 = im.size
            if w0 * h0 > max_pixels:
                return None
            orientation = im.getexif().get(0x0112, 1)
            im.draft("RGB", (side, side))  # JPEG: decode at 1/2 .. 1/8 scale, far cheaper
            im = ImageOps.exif_transpose(im) or im
            if orientation in _ROTATED:
                w0, h0 = h0, w0
            uri, w, h = _jpeg(im, side, quality)
        return Picture(uri, w, h, w0, h0)
    except Exception:  # noqa: BLE001 - a preview is optional; the report goes on without it
        return None


def video_frames(path: str | Path, times: Iterable[float], side: int, quality: int,
                 max_decode: int = 120) -> list[tuple[float, Picture]]:
    """One small JPEG per requested time (the first frame at or after it); times that cannot be read are left out."""
    out: list[tuple[float, Picture]] = []
    try:
        import av

        with av.open(str(path), mode="r") as container:
            stream = container.streams.video[0]
            for t in times:
                container.seek(max(0, int(t / stream.time_base)) if stream.time_base else 0, stream=stream,
                               backward=True, any_frame=False)
                for i, frame in enumerate(container.decode(stream)):
                    if (frame.time is not None and frame.time + 1e-3 >= t) or i >= max_decode:
                        im = frame.to_image()
                        w0, h0 = im.size
                        uri, w, h = _jpeg(im, side, quality)
                        out.append((t, Picture(uri, w, h, w0, h0)))
                        break
    except Exception:  # noqa: BLE001 - key frames are optional
        pass
    return out


def report_picture(path: str | Path, side: int = REPORT_SIDE) -> Picture | None:
    """A picture a detector wrote for the report (``--artifacts-dir``: the residual spectrum), made small.

    JPEG, not PNG: a residual spectrum is noise by design and PNG keeps all of it (80 KB at 256 px
    against 13 KB here); the peaks a reader looks for survive.
    """
    try:
        from PIL import Image

        with Image.open(path) as im:
            w0, h0 = im.size
            im = im.convert("L") if im.mode in ("L", "I", "I;16", "F", "1") else im.convert("RGB")
            im.thumbnail((side, side))
            buf = io.BytesIO()
            im.save(buf, "JPEG", quality=DETAIL_QUALITY, optimize=True)
        return Picture(data_uri("image/jpeg", buf.getvalue()), im.width, im.height, w0, h0)
    except Exception:  # noqa: BLE001
        return None
