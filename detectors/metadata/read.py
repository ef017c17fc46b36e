"""Gather a file's embedded metadata into one flat, bounded ``Group:Name -> text`` record.

Two readers fill the same record so the rules in ``markers`` never care which one ran:
ExifTool (complete: every container, maker notes, QuickTime atoms) when it is installed, and a
pure-Python reader (Pillow's text chunks, EXIF and IPTC, plus an XMP packet scan) that covers the
cases generators actually write.  Names use ExifTool's family-1 groups (``PNG:parameters``,
``IFD0:Software``, ``ExifIFD:UserComment``, ``XMP-iptcExt:DigitalSourceType``); rules match on
the bare name, case- and punctuation-insensitively, because the two readers spell PNG keywords
differently (``Invokeai_metadata`` vs ``invokeai_metadata``).

Every value is bounded (``MAX_VALUE_CHARS``) and every block is parsed on its own: a malformed
block becomes a problem note, never an exception.
"""

from __future__ import annotations

import mmap
import re
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import exiftool, xmp

if TYPE_CHECKING:  # pragma: no cover
    from synthcheck.media import Media

MAX_VALUE_CHARS = 2 * 1024 * 1024  # longer values are cut; a cut value is not parsed
MAX_FIELDS = 4000
SCAN_WHOLE_BYTES = 64 * 1024 * 1024  # bigger files (videos): scan only the first/last part for XMP
SCAN_EDGE_BYTES = 16 * 1024 * 1024
MAX_PNG_CHUNKS = 100_000

# ExifTool groups that describe the container or the file system, not claims about origin.
_NOISE_GROUPS = {"ExifTool", "System", "File", "Composite", "JFIF", "RIFF", "QuickTime", "GIF", "BMP",
                 "APP14", "Adobe", "MPF0", "MPImage1", "MPImage2", "PNG-pHYs", "PNG-sRGB", "PNG-gAMA",
                 "PNG-cHRM", "PNG-bKGD", "PNG-tIME", "Photoshop", "ICC_Profile", "Matroska", "AVI1"}
_NOISE_PREFIXES = ("ICC", "Track", "PNG-", "MPImage", "IFD1")
_PNG_STRUCTURE = {"imagewidth", "imageheight", "bitdepth", "colortype", "compression", "filter", "interlace",
                  "gamma", "srgbrendering", "palette", "transparency", "significantbits", "backgroundcolor",
                  "animationframes", "animationplays", "pixelsperunitx", "pixelsperunity", "pixelunits",
                  "whitepointx", "whitepointy", "redx", "redy", "greenx", "greeny", "bluex", "bluey",
                  "modifydate", "virtualpageunits"}
_C2PA_GROUPS = {"JUMBF", "CBOR", "JSON", "Jpeg2000"}
_KEEP = {"File:Comment"}  # JPEG COM segment
_PIL_FORMATS = {"jpeg", "png", "webp", "gif", "bmp", "tiff", "heif", "avif"}
_PIL_SKIP = {"dpi", "gamma", "transparency", "icc_profile", "exif", "xmp", "jfif", "jfif_version", "jfif_unit",
             "jfif_density", "adobe", "adobe_transform", "progressive", "progression", "duration", "loop",
             "background", "version", "srgb", "chromaticity", "aspect", "photoshop", "mp", "mpoffset",
             "flashpix", "interlace", "compression", "default_image", "mpinfo", "loop_count", "blend",
             "disposal", "bbox", "extension", "timestamp", "frame_rate"}
_IPTC_NAMES = {5: "ObjectName", 25: "Keywords", 40: "SpecialInstructions", 55: "DateCreated", 65: "OriginatingProgram",
               70: "ProgramVersion", 80: "By-line", 105: "Headline", 110: "Credit", 115: "Source",
               116: "CopyrightNotice", 120: "Caption-Abstract", 122: "Writer-Editor"}


def norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


@dataclass
class Fields:
    """The metadata of one file: ``values`` maps ``Group:Name`` to text."""

    reader: str = "python"  # "exiftool" or "python"
    complete: bool = True  # False: the built-in reader only scanned this container for XMP
    values: dict[str, str] = field(default_factory=dict)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (where, what went wrong)
    warnings: list[str] = field(default_factory=list)  # ExifTool's own warnings, minor ones dropped
    cut: set[str] = field(default_factory=set)  # keys whose value was longer than MAX_VALUE_CHARS
    sizes: dict[str, int] = field(default_factory=dict)  # original length of cut values

    def add(self, group: str, name: str, value: Any) -> None:
        text = _text(value)
        if text is None or not text.strip() or len(self.values) >= MAX_FIELDS:
            return
        key = f"{group}:{name}"
        if key in self.values:
            return
        if len(text) > MAX_VALUE_CHARS:
            self.cut.add(key)
            self.sizes[key] = len(text)
            text = text[:MAX_VALUE_CHARS]
        self.values[key] = text

    def find(self, *names: str) -> list[tuple[str, str]]:
        """``(key, value)`` for every field whose bare name matches one of ``names``.

        Fields ExifTool decodes from inside a C2PA manifest (JUMBF/CBOR/JSON) are left out: the
        c2pa detector reports them after checking the signature, and an unverified copy must not
        count twice.
        """
        wanted = {norm(n) for n in names}
        return [(k, v) for k, v in self.values.items()
                if norm(k.partition(":")[2]) in wanted and k.partition(":")[0] not in _C2PA_GROUPS]

    def first(self, *names: str) -> tuple[str, str] | None:
        for name in names:  # in the order asked: the first name is preferred
            hits = self.find(name)
            if hits:
                return hits[0]
        return None

    def meaningful(self) -> list[str]:
        """Keys that carry metadata (EXIF, XMP, IPTC, text), as opposed to container structure."""
        out = []
        for key in self.values:
            group, _, name = key.partition(":")
            if key in _KEEP:
                out.append(key)
            elif group in _NOISE_GROUPS or group.startswith(_NOISE_PREFIXES):
                continue
            elif group == "PNG" and norm(name) in _PNG_STRUCTURE:
                continue
            else:
                out.append(key)
        return out


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, (list, tuple)):
        return "; ".join(t for t in (_text(v) for v in value) if t)
    if isinstance(value, (int, float)):
        return str(value)
    return None  # dicts (structures with -struct) and other types are not needed by the rules


def read_fields(media: "Media", *, use_exiftool: bool | None = None) -> Fields:
    """ExifTool's view of the file when available (``use_exiftool`` None: if installed), else Python's."""
    if use_exiftool is None:
        use_exiftool = exiftool.available()
    if use_exiftool:
        try:
            return from_exiftool(exiftool.shared().read(media.path))
        except exiftool.ExifToolError as exc:
            fields = read_python(media)
            fields.problems.append(("exiftool", f"ExifTool could not read the file ({exc}); used the built-in reader"))
            return fields
    return read_python(media)


def from_exiftool(record: dict[str, Any]) -> Fields:
    fields = Fields(reader="exiftool")
    for key, value in record.items():
        group, sep, name = key.partition(":")
        if not sep:
            continue  # SourceFile
        if group == "ExifTool" and name in ("Warning", "Error"):
            text = _text(value) or ""
            if not text.startswith("[minor]"):
                fields.warnings.append(text[:500])
            continue
        fields.add(group, name, value)
    return fields


# -- the pure-Python reader ---------------------------------------------------------------------------
def read_python(media: "Media") -> Fields:
    fields = Fields(reader="python")
    if media.format in _PIL_FORMATS:  # animated GIF/WebP/PNG count as video but carry the same chunks
        _read_pil(media, fields)
    else:  # MP4/MOV/MKV/AVI: QuickTime and Matroska tags need ExifTool
        fields.complete = False
    _read_xmp(media, fields)
    return fields


def _read_pil(media: "Media", fields: Fields) -> None:
    im = media.pil  # already parsed by Media.open; pixels are not decoded here
    for key, value in dict(im.info).items():
        if not isinstance(key, str) or key in _PIL_SKIP or key.startswith("XML:com.adobe.xmp"):
            continue
        if key == "comment":
            fields.add("File" if media.format == "jpeg" else media.format.upper(), "Comment", value)
        elif isinstance(value, str):  # PNG tEXt/zTXt/iTXt
            fields.add("PNG" if media.format == "png" else media.format.upper(), key, value)
    if media.format == "png":
        _png_text_after_idat(media.data, fields)
    try:
        with warnings.catch_warnings():  # Pillow warns on damaged EXIF; damage is reported below instead
            warnings.simplefilter("ignore")
            _read_exif(im, fields)
    except Exception as exc:  # noqa: BLE001 - malformed EXIF is reported, not fatal
        fields.problems.append(("EXIF", f"the EXIF block could not be parsed ({type(exc).__name__}: {exc})"))
    if media.format == "jpeg":
        try:
            _read_iptc(im, fields)
        except Exception as exc:  # noqa: BLE001
            fields.problems.append(("IPTC", f"the IPTC block could not be parsed ({type(exc).__name__}: {exc})"))


def _png_text_after_idat(data: bytes, fields: Fields) -> None:
    """Pillow stops at the first IDAT until pixels are decoded; text chunks after it are walked here."""
    import io

    from PIL import PngImagePlugin

    fp = io.BytesIO(data)
    fp.seek(8)
    png = PngImagePlugin.PngStream(fp)
    seen_idat = False
    for _ in range(MAX_PNG_CHUNKS):
        try:
            cid, pos, length = png.read()
        except Exception:  # noqa: BLE001 - the end of a damaged or truncated file
            break
        if cid == b"IEND":
            break
        if cid == b"IDAT":
            seen_idat = True
        elif seen_idat and cid in (b"tEXt", b"zTXt", b"iTXt"):
            try:
                png.call(cid, pos, length)
            except Exception as exc:  # noqa: BLE001
                fields.problems.append(("PNG", f"a {cid.decode()} chunk after the image data is unreadable ({exc})"))
        fp.seek(pos + length + 4)  # chunk data and CRC
    for key, value in png.im_text.items():
        if isinstance(key, str) and isinstance(value, str) and not key.startswith("XML:com.adobe.xmp"):
            fields.add("PNG", key, value)


def _read_exif(im: Any, fields: Fields) -> None:
    from PIL.ExifTags import GPSTAGS, TAGS

    exif = im.getexif()
    for tag, value in exif.items():
        if tag in (0x8769, 0x8825, 0xA005):
            continue  # pointers to sub-IFDs
        fields.add("IFD0", TAGS.get(tag, f"Tag{tag:04x}"), _exif_value(tag, value))
    for tag, value in exif.get_ifd(0x8769).items():
        fields.add("ExifIFD", TAGS.get(tag, f"Tag{tag:04x}"), _exif_value(tag, value))
    for tag, value in exif.get_ifd(0x8825).items():
        fields.add("GPS", GPSTAGS.get(tag, f"Tag{tag:04x}"), _exif_value(tag, value))


def _exif_value(tag: int, value: Any) -> Any:
    if tag == 0x9286 and isinstance(value, bytes):  # UserComment: 8-byte charset code, then text
        return decode_user_comment(value)
    if tag in (0x9C9B, 0x9C9C, 0x9C9D, 0x9C9E, 0x9C9F) and isinstance(value, bytes):  # Windows XP* tags
        return value.decode("utf-16-le", "replace").rstrip("\x00")
    if isinstance(value, bytes):
        return None  # maker notes, thumbnails: binary, not text
    if isinstance(value, str):
        return _utf8(value.rstrip("\x00"))
    return value if isinstance(value, (int, float)) else _text(value) if isinstance(value, tuple) else None


def _utf8(text: str) -> str:
    """Pillow reads EXIF ASCII as Latin-1; writers put UTF-8 there, as ExifTool assumes too."""
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def decode_user_comment(raw: bytes) -> str:
    code, body = raw[:8], raw[8:]
    if code.startswith(b"UNICODE"):
        # The byte order is not recorded; text is mostly ASCII, so the zero bytes tell it.
        even_zero = body[0::2].count(0)
        odd_zero = body[1::2].count(0)
        enc = "utf-16-be" if even_zero > odd_zero else "utf-16-le"
        return body.decode(enc, "replace").rstrip("\x00")
    if code.startswith((b"ASCII", b"\x00" * 8)) or code.startswith(b"JIS"):
        return body.decode("utf-8", "replace").rstrip("\x00")
    return raw.decode("utf-8", "replace").rstrip("\x00")


def _read_iptc(im: Any, fields: Fields) -> None:
    from PIL import IptcImagePlugin

    info = IptcImagePlugin.getiptcinfo(im) or {}
    for (record, dataset), value in info.items():
        if record != 2:
            continue
        fields.add("IPTC", _IPTC_NAMES.get(dataset, f"Dataset2-{dataset}"), value)


def _read_xmp(media: "Media", fields: Fields) -> None:
    if media.size <= SCAN_WHOLE_BYTES:
        packets, notes = xmp.find_packets(media.data)
    else:  # large videos: XMP sits near the start or the end; map rather than read the file
        with media.open_stream() as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
            packets, notes = xmp.find_packets(mm[:SCAN_EDGE_BYTES])
            more, notes2 = xmp.find_packets(mm[-SCAN_EDGE_BYTES:])
            packets += [p for p in more if p not in packets]
            notes += notes2
    fields.problems.extend(("XMP", n) for n in notes)
    for packet in packets:
        try:
            for group, name, value in xmp.parse_packet(packet):
                fields.add(group, name, value)
        except (ValueError, RecursionError) as exc:
            fields.problems.append(("XMP", str(exc)))
