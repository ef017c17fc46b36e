import pytest

from synthcheck.sniff import format_from_extension, media_kind, same_family, sniff


@pytest.mark.parametrize("head,fmt", [
    (b"\xff\xd8\xff\xe0\x00\x10JFIF", "jpeg"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "png"),
    (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "webp"),
    (b"RIFF\x00\x00\x00\x00AVI LIST", "avi"),
    (b"GIF89a\x01\x00", "gif"),
    (b"BM" + b"\x00" * 20, "bmp"),
    (b"II*\x00\x08\x00\x00\x00", "tiff"),
    (b"\x1a\x45\xdf\xa3" + b"\x00" * 20 + b"webm", "webm"),
    (b"\x1a\x45\xdf\xa3" + b"\x00" * 20 + b"matroska", "mkv"),
    (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", "heif"),
    (b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf", "avif"),
    (b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00qt  ", "mov"),
    (b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2", "mp4"),
    (b"\x00\x00\x00\x18ftypM4V \x00\x00\x00\x00M4V ", "m4v"),
    (b"%PDF-1.7", "pdf"),
    (b"hello", None),
])
def test_sniff_by_magic(head, fmt):
    assert sniff(head) == fmt


def test_extension_and_kind():
    assert format_from_extension("A.JPG") == "jpeg"
    assert format_from_extension("clip.mov") == "mov"
    assert format_from_extension("noext") is None
    assert media_kind("png") == "image" and media_kind("mkv") == "video" and media_kind(None) is None
    assert same_family("mp4", "mov") and same_family("heif", "avif") and not same_family("png", "jpeg")


def test_pdf_is_a_document():
    assert sniff(b"%PDF-1.7\n%\xe2\xe3") == "pdf" and media_kind("pdf") == "document"
