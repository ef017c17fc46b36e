"""Identify a file's format from its first bytes, never from its name.

A mislabelled file (a PNG named .jpg) is scanned as what it is; the mismatch is reported.
"""

from __future__ import annotations

from pathlib import Path

IMAGE_FORMATS = ("jpeg", "png", "webp", "gif", "bmp", "tiff", "heif", "avif")
VIDEO_FORMATS = ("mp4", "mov", "m4v", "mkv", "webm", "avi")
DOCUMENT_FORMATS = ("pdf",)  # read for provenance (C2PA) only

_EXTENSIONS = {
    ".jpg": "jpeg", ".jpeg": "jpeg", ".jpe": "jpeg", ".jfif": "jpeg",
    ".png": "png", ".apng": "png", ".webp": "webp", ".gif": "gif", ".bmp": "bmp", ".dib": "bmp",
    ".tif": "tiff", ".tiff": "tiff", ".dng": "tiff",
    ".heic": "heif", ".heif": "heif", ".hif": "heif", ".avif": "avif",
    ".mp4": "mp4", ".m4v": "m4v", ".mov": "mov", ".qt": "mov",
    ".mkv": "mkv", ".webm": "webm", ".avi": "avi", ".pdf": "pdf",
}

# ISO-BMFF brands: which format a major brand means.
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
_AVIF_BRANDS = {b"avif", b"avis"}
_MOV_BRANDS = {b"qt  "}
_M4V_BRANDS = {b"M4V ", b"M4VH", b"M4VP"}


def sniff(head: bytes) -> str | None:
    """Return the format named by ``head`` (the first bytes of a file), or None."""
    if head[:1024].lstrip(b"\x00\t\n\r ").startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return "avi"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:2] == b"BM" and len(head) >= 14:
        return "bmp"
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return "tiff"
    if head[:4] == b"\x1a\x45\xdf\xa3":  # EBML: Matroska or WebM
        return "webm" if b"webm" in head[:64] else "mkv"
    if head[4:8] == b"ftyp":
        return _bmff(head)
    if head[4:8] in (b"moov", b"mdat", b"wide", b"free", b"skip"):
        return "mov"
    return None


def _bmff(head: bytes) -> str:
    major = head[8:12]
    size = int.from_bytes(head[0:4], "big")
    compatible = [head[i : i + 4] for i in range(16, min(size, len(head)), 4)]
    brands = [major, *compatible]
    if major in _AVIF_BRANDS:
        return "avif"
    if major in _HEIF_BRANDS:
        return "avif" if any(b in _AVIF_BRANDS for b in compatible) and major == b"mif1" else "heif"
    if major in _MOV_BRANDS:
        return "mov"
    if major in _M4V_BRANDS:
        return "m4v"
    if any(b in _AVIF_BRANDS for b in brands):
        return "avif"
    if any(b in _HEIF_BRANDS for b in brands):
        return "heif"
    return "mp4"


def format_from_extension(path: str | Path) -> str | None:
    return _EXTENSIONS.get(Path(path).suffix.lower())


def media_kind(fmt: str | None) -> str | None:
    if fmt in IMAGE_FORMATS:
        return "image"
    if fmt in VIDEO_FORMATS:
        return "video"
    if fmt in DOCUMENT_FORMATS:
        return "document"
    return None


def same_family(a: str, b: str) -> bool:
    """Formats that share a container and so are no mislabelling (mp4/m4v/mov, heif/avif)."""
    families = ({"mp4", "m4v", "mov"}, {"heif", "avif"}, {"mkv", "webm"})
    return a == b or any(a in f and b in f for f in families)
