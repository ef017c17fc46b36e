"""One opened input file: identity, format, and pixels decoded at most once.

Every detector receives the same ``Media``: cheap detectors read the container bytes, pixel
detectors share one decode (``rgb``), video detectors share one frame sample (``frames``).
Files are only ever opened read-only; nothing here writes.
"""

from __future__ import annotations

import hashlib
import io
import os
import stat
import warnings
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from .limits import Limits, MediaError
from .model import ErrorCode
from .sniff import format_from_extension, media_kind, sniff

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    from PIL import Image

HEAD_BYTES = 64 * 1024
KEEP_BYTES = 256 * 1024 * 1024  # files up to this size are kept in memory from the hashing pass
_PIL_FORMATS = {"jpeg", "png", "webp", "gif", "bmp", "tiff", "heif", "avif"}


def _register_heif() -> None:
    try:
        import pillow_heif

        pillow_heif.register_heif_opener()
        if hasattr(pillow_heif, "register_avif_opener"):
            pillow_heif.register_avif_opener()
    except Exception:  # noqa: BLE001  # pragma: no cover - pillow-heif missing: HEIF is then unsupported
        pass


class Media:
    """A file being scanned.  Construct with ``Media.open(path, limits)``."""

    def __init__(self, path: Path, size: int, sha256: str, head: bytes, limits: Limits) -> None:
        self.path = path
        self.size = size
        self.sha256 = sha256
        self.head = head
        self.limits = limits
        self.format = sniff(head)
        self.extension_format = format_from_extension(path)
        self.kind = media_kind(self.format)
        self.width: int | None = None
        self.height: int | None = None
        self.n_frames: int | None = None
        self.duration: float | None = None
        self.errors: list[MediaError] = []  # non-fatal decode problems (partial frames)
        self._rgb_error: MediaError | None = None
        self.decode_max_side: int | None = None  # set by the pipeline: see Detector.decode_max_side

    # -- opening -------------------------------------------------------------------------
    @classmethod
    def open(cls, path: str | os.PathLike[str], limits: Limits | None = None) -> "Media":
        """Hash, sniff and probe ``path``; raise ``MediaError`` for files that cannot be scanned."""
        limits = limits or Limits()
        return cls.from_identity(identify(path, keep_bytes=min(KEEP_BYTES, limits.max_bytes)), limits)

    @classmethod
    def from_identity(cls, ident: "FileIdentity", limits: Limits) -> "Media":
        """Open a file already hashed by ``identify``; raise ``MediaError`` if it cannot be scanned.

        Split from ``open`` so that a caller can still report the hash, size and format of a file
        that is refused here (empty, over a limit, unsupported, undecodable header).
        """
        if ident.size == 0:
            raise MediaError(ErrorCode.TRUNCATED, "file is empty (0 bytes)")
        if ident.size > limits.max_bytes:
            raise MediaError(
                ErrorCode.LIMIT_EXCEEDED,
                f"file is {ident.size} bytes, over the limit of {limits.max_bytes} (--max-bytes)",
            )
        media = cls(ident.path, ident.size, ident.sha256, ident.head, limits)
        if ident.data is not None:  # the hashing pass already read it: do not read it again for decoding
            media.__dict__["data"] = ident.data
        if media.format is None:
            raise MediaError(ErrorCode.UNSUPPORTED_FORMAT, "content is not a supported image or video format")
        media._probe()
        return media

    def open_stream(self) -> IO[bytes]:
        """A fresh read-only binary stream over the file, for container parsers."""
        return open(self.path, "rb")

    @cached_property
    def data(self) -> bytes:
        """The whole file; cached.  Prefer ``head`` or ``open_stream`` for large videos."""
        with open(self.path, "rb") as fh:
            return fh.read()

    @property
    def mislabelled(self) -> bool:
        from .sniff import same_family

        return bool(self.extension_format and self.format and not same_family(self.extension_format, self.format))

    # -- images ---------------------------------------------------------------------------
    def _probe(self) -> None:
        if self.format in _PIL_FORMATS:
            im = self.pil
            self.width, self.height = im.size
            self._check_pixels(self.width, self.height)
            self._check_complete()
            frames = int(getattr(im, "n_frames", 1) or 1)
            self.n_frames = frames
            if frames > 1:  # animated GIF/WebP/APNG is treated as video
                self.kind = "video"
        elif self.kind == "video":
            from . import video

            info = video.probe(self.path)
            self.width, self.height, self.n_frames, self.duration = (info.width, info.height, info.n_frames,
                                                                     info.duration)
            if self.width and self.height:
                self._check_pixels(self.width, self.height)

    def _check_complete(self) -> None:
        """Spot a cut-off JPEG or PNG from its structure, so even a metadata-only scan reports it.

        A JPEG's entropy-coded data must end with an EOI marker after its last SOS; a PNG must
        have an IEND chunk.  Recorded as a ``truncated`` error; detectors still run on what is there.
        """
        tail = self.data
        if self.format == "jpeg":
            sos = tail.rfind(b"\xff\xda")
            if sos < 0 or tail.find(b"\xff\xd9", sos) < 0:
                self.errors.append(MediaError(ErrorCode.TRUNCATED,
                                              "JPEG ends before its end-of-image marker: the file is truncated"))
        elif self.format == "png" and tail.rfind(b"IEND") < 0:
            self.errors.append(MediaError(ErrorCode.TRUNCATED, "PNG has no IEND chunk: the file is truncated"))

    def _check_pixels(self, w: int, h: int) -> None:
        if w <= 0 or h <= 0:
            raise MediaError(ErrorCode.DECODE_ERROR, f"invalid dimensions {w}x{h}")
        if w * h > self.limits.max_pixels:
            raise MediaError(
                ErrorCode.LIMIT_EXCEEDED,
                f"image is {w}x{h} = {w * h} pixels, over the limit of {self.limits.max_pixels} (--max-pixels);"
                " refused before decoding",
            )

    @cached_property
    def pil(self) -> "Image.Image":
        """The Pillow image, header parsed but pixels not yet decoded (``info`` holds text chunks)."""
        from PIL import Image

        if self.format in ("heif", "avif"):
            _register_heif()
        Image.MAX_IMAGE_PIXELS = None  # our own limit is checked from the header instead
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return Image.open(io.BytesIO(self.data))
        except Exception as exc:
            raise _classify(exc, "cannot parse image header") from exc

    @property
    def rgb(self) -> "np.ndarray":
        """Pixels as an HxWx3 uint8 array (first frame), decoded once and shared."""
        if self._rgb_error is not None:
            raise self._rgb_error
        try:
            return self._rgb
        except MediaError as exc:
            self._rgb_error = exc
            raise

    @cached_property
    def _rgb(self) -> "np.ndarray":
        import numpy as np
        from PIL import ImageOps

        if self.kind == "video" and self.format not in _PIL_FORMATS:
            raise MediaError(ErrorCode.UNSUPPORTED_FORMAT, "video has no single image; use frames()")
        im = self.pil
        try:
            im.seek(0)
            self._draft(im)
            im.load()
            im = ImageOps.exif_transpose(im) or im
            arr = np.asarray(im.convert("RGB"))
        except Exception as exc:
            raise _classify(exc, "cannot decode image pixels") from exc
        return arr

    def _draft(self, im: "Image.Image") -> None:
        """Decode a JPEG at 1/2, 1/4 or 1/8 scale in the DCT when every detector asked for no more
        than ``decode_max_side`` (libjpeg skips most of the work: about 4x faster at 1/4 on 12 MP).
        The scale chosen keeps both sides at least as large as asked (after EXIF rotation too)."""
        side = self.decode_max_side
        if side is None or self.format != "jpeg" or not self.width or not self.height:
            return
        w, h = self.width, self.height
        if max(w, h) > side:  # Pillow keeps each side >= the size asked: ask for the aspect-kept box
            im.draft("RGB", (side, -(-side * h // w)) if w >= h else (-(-side * w // h), side))

    # -- video ----------------------------------------------------------------------------
    def frames(self, **options: Any) -> "list[Any]":
        """Sampled frames of a video, decoded once per distinct options and shared."""
        from . import video

        key = tuple(sorted(options.items()))
        cache = self.__dict__.setdefault("_frame_cache", {})
        if key not in cache:
            sample = video.sample_frames(self.path, self.format, limits=self.limits, duration=self.duration,
                                         image=self.pil if self.format in _PIL_FORMATS else None, **options)
            if sample.error is not None:  # a partial decode: the frames are used, the problem is reported
                self.errors.append(sample.error)
            cache[key] = list(sample.frames)
        return cache[key]


@dataclass(frozen=True)
class FileIdentity:
    """What one read-only streaming pass over a file establishes: its size and SHA-256.

    Every file that can be read gets one, whatever happens to it afterwards, so a report can
    always name the exact bytes it is about.
    """

    path: Path
    size: int  # bytes actually read, so that size and hash describe the same bytes
    sha256: str
    head: bytes = field(repr=False)  # the first HEAD_BYTES, for sniffing
    data: bytes | None = field(default=None, repr=False)  # the whole file, when it was small enough to keep

    @property
    def format(self) -> str | None:
        return sniff(self.head)


def identify(path: str | os.PathLike[str], *, keep_bytes: int = KEEP_BYTES) -> FileIdentity:
    """Hash ``path`` in one streaming, read-only pass; keep its bytes if at most ``keep_bytes``.

    The one place synthcheck hashes an input.  Raises ``MediaError(io_error)`` only for a file that
    cannot be read at all: missing, permission denied, not a regular file.  It is opened
    non-blocking and checked with ``fstat`` on the open descriptor, so a FIFO or device named as
    input is refused instead of hanging the worker, and the file checked is the file read.
    """
    p = Path(path)
    try:
        fd = os.open(p, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise MediaError(ErrorCode.IO_ERROR, f"cannot open file: {exc.strerror or exc}") from exc
    digest = hashlib.sha256()
    head = b""
    size = 0
    try:
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                raise MediaError(ErrorCode.IO_ERROR, "not a regular file")
            kept: list[bytes] | None = []
            while chunk := fh.read(1 << 20):
                if not head:
                    head = chunk[:HEAD_BYTES]
                digest.update(chunk)
                size += len(chunk)
                if kept is not None and size <= keep_bytes:
                    kept.append(chunk)
                else:
                    kept = None  # too big to hold: decoders read it from disk
    except OSError as exc:
        raise MediaError(ErrorCode.IO_ERROR, f"cannot read file: {exc.strerror or exc}") from exc
    return FileIdentity(p, size, digest.hexdigest(), head, b"".join(kept) if kept is not None else None)


def _classify(exc: Exception, what: str) -> MediaError:
    if isinstance(exc, MediaError):
        return exc
    msg = str(exc) or type(exc).__name__
    low = msg.lower()
    if "truncated" in low or "premature end" in low or "broken data stream" in low or isinstance(exc, EOFError):
        return MediaError(ErrorCode.TRUNCATED, f"{what}: file is truncated ({msg})")
    if "decompression bomb" in low:
        return MediaError(ErrorCode.LIMIT_EXCEEDED, f"{what}: {msg}")
    return MediaError(ErrorCode.DECODE_ERROR, f"{what}: {msg}")
