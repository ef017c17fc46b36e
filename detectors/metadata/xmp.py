"""Find XMP packets in raw bytes and flatten them into ExifTool-style ``XMP-<group>:<Name>`` fields.

Used when ExifTool is absent.  XMP is located by scanning for ``<x:xmpmeta`` rather than by
walking each container, because the packet is plain text wherever it is stored (JPEG APP1, PNG
iTXt, WebP XMP chunk, MP4 uuid box) and the scan is one ``bytes.find``.  Names follow ExifTool's
family-1 groups so the marker rules see the same names from either reader.

Hostile packets: size is capped, DOCTYPE/ENTITY declarations are refused (no entity expansion),
and parse errors are returned as problems, never raised.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Iterator

MAX_PACKET_BYTES = 4 * 1024 * 1024
MAX_PACKETS = 4
MAX_DEPTH = 12

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
GROUPS = {
    "http://ns.adobe.com/xap/1.0/": "XMP-xmp",
    "http://purl.org/dc/elements/1.1/": "XMP-dc",
    "http://iptc.org/std/Iptc4xmpExt/2008-02-29/": "XMP-iptcExt",
    "http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/": "XMP-iptcCore",
    "http://ns.adobe.com/tiff/1.0/": "XMP-tiff",
    "http://ns.adobe.com/exif/1.0/": "XMP-exif",
    "http://ns.adobe.com/exif/1.0/aux/": "XMP-aux",
    "http://cipa.jp/exif/1.0/": "XMP-exifEX",
    "http://ns.adobe.com/photoshop/1.0/": "XMP-photoshop",
    "http://ns.adobe.com/xap/1.0/mm/": "XMP-xmpMM",
    "http://ns.useplus.org/ldf/xmp/1.0/": "XMP-plus",
    "http://ns.adobe.com/xap/1.0/rights/": "XMP-xmpRights",
}
_STARTS = (b"<x:xmpmeta", b"<x:xapmeta")
_ENDS = {b"<x:xmpmeta": b"</x:xmpmeta>", b"<x:xapmeta": b"</x:xapmeta>"}


def find_packets(buf: bytes | memoryview) -> tuple[list[bytes], list[str]]:
    """Up to ``MAX_PACKETS`` XMP packets in ``buf``, and a note for each one that was skipped."""
    packets: list[bytes] = []
    problems: list[str] = []
    data = buf if isinstance(buf, (bytes, bytearray)) else bytes(buf)
    pos = 0
    while len(packets) < MAX_PACKETS:
        hits = [(i, s) for s in _STARTS if (i := data.find(s, pos)) >= 0]
        if not hits:
            break
        start, opener = min(hits)
        stop = data.find(_ENDS[opener], start)
        if stop < 0:
            problems.append(f"an XMP packet at byte {start} has no closing tag (cut off or corrupt)")
            break
        stop += len(_ENDS[opener])
        if stop - start > MAX_PACKET_BYTES:
            problems.append(f"an XMP packet of {stop - start} bytes is over the {MAX_PACKET_BYTES}-byte limit; skipped")
        else:
            packets.append(bytes(data[start:stop]))
        pos = stop
    return packets, problems


def parse_packet(packet: bytes) -> list[tuple[str, str, str]]:
    """``(group, name, value)`` for each simple property; raises ``ValueError`` when malformed."""
    if b"<!DOCTYPE" in packet or b"<!ENTITY" in packet:
        raise ValueError("XMP packet declares a DOCTYPE/ENTITY, which XMP never needs; not parsed")
    try:
        root = ET.fromstring(packet)
    except ET.ParseError as exc:
        raise ValueError(f"XMP packet is not well-formed XML ({exc})") from exc
    out: list[tuple[str, str, str]] = []
    for rdf in root.iter(f"{{{RDF}}}RDF"):  # top-level Descriptions; nested ones are structures
        for desc in rdf:
            if desc.tag == f"{{{RDF}}}Description":
                out.extend(_properties(desc, "", 0))
    return out


def _split(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        ns, _, local = tag[1:].partition("}")
        return ns, local
    return "", tag


def _group(ns: str) -> str:
    if ns in GROUPS:
        return GROUPS[ns]
    tail = ns.rstrip("/#").rsplit("/", 1)[-1] or "unknown"
    return f"XMP-{tail}"


def _name(prefix: str, local: str) -> str:
    local = local[:1].upper() + local[1:]
    return f"{prefix}{local}"


def _properties(elem: ET.Element, prefix: str, depth: int) -> Iterator[tuple[str, str, str]]:
    if depth > MAX_DEPTH:
        return
    for key, value in elem.attrib.items():
        ns, local = _split(key)
        if ns in (RDF, "") or ns.startswith("http://www.w3.org/XML/"):
            continue
        yield _group(ns), _name(prefix, local), value
    for child in elem:
        ns, local = _split(child.tag)
        if ns == RDF:
            continue
        name = _name(prefix, local)
        containers = [c for c in child if _split(c.tag) in ((RDF, "Bag"), (RDF, "Seq"), (RDF, "Alt"))]
        if containers:
            items = [li for c in containers for li in c if _split(li.tag) == (RDF, "li")]
            texts = [(li.text or "").strip() for li in items if (li.text or "").strip()]
            if texts:
                yield _group(ns), name, "; ".join(texts)
            for li in items:  # lists of structures (xmpMM:History) flatten like ExifTool's
                yield from _struct(li, name, depth, _group(ns))
        elif len(child) or child.attrib.get(f"{{{RDF}}}parseType") == "Resource":
            yield from _struct(child, name, depth, _group(ns))
        elif (child.text or "").strip():
            yield _group(ns), name, child.text.strip()
        elif f"{{{RDF}}}resource" in child.attrib:
            yield _group(ns), name, child.attrib[f"{{{RDF}}}resource"]


def _struct(elem: ET.Element, name: str, depth: int, group: str) -> Iterator[tuple[str, str, str]]:
    """Fields of a structure are named ParentChild in the parent's group, as ExifTool does."""
    inner = [c for c in elem if _split(c.tag) == (RDF, "Description")] or [elem]
    for node in inner:
        for _, sub, value in _properties(node, name, depth + 1):
            yield group, sub, value
