"""Video container tags as provenance: encoder, handler, creation software, camera tags.

MP4/MOV/MKV and animated GIF/WebP/PNG carry tags the writing software sets about itself
(``encoder``, ``software``, ``comment``...).  They are claims the file makes about itself, easy
to strip or forge, so they are read here, by the provenance detector, and never by the pixel or
temporal analysis.  A tag naming an AI tool is matched against the same vocabulary as EXIF/XMP
software fields (``synthcheck.vocabulary``): we do not know the exact tags each service writes,
so a match is STRONG (not decisive) and its absence means nothing.  Tags are read with PyAV
without decoding a frame, so they are there whichever metadata reader runs.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from synthcheck import vocabulary
from synthcheck.model import Claim, Strength

from .markers import Hit, tool_hit

if TYPE_CHECKING:  # pragma: no cover
    from synthcheck.media import Media

TOOL_KEYS = ("encoder", "software", "com.apple.quicktime.software", "comment", "description", "synopsis",
             "handler_name", "creation_tool", "com.android.capture.software", "encoded_by")
CAMERA_KEYS = ("com.apple.quicktime.make", "com.apple.quicktime.model", "make", "model",
               "com.android.manufacturer", "com.android.model", "com.android.version")
_PIL_FORMATS = ("gif", "webp", "png")
_PIL_KEYS = ("comment", "software", "Software", "Description")


def read_tags(media: "Media") -> dict[str, Any]:
    """Container and stream tags, plus data/metadata tracks, without decoding any frame."""
    tags: dict[str, Any] = {"container": {}, "streams": [], "data_tracks": []}
    if media.format in _PIL_FORMATS:
        info = getattr(media.pil, "info", {}) or {}
        tags["container"] = {k: _text(v) for k, v in info.items() if k in _PIL_KEYS}
        return tags
    import av

    with av.open(str(media.path), "r") as c:
        tags["container"] = dict(c.metadata or {})
        for s in c.streams:
            entry = {"type": s.type, "codec": getattr(getattr(s, "codec_context", None), "name", None),
                     **dict(s.metadata or {})}
            tags["streams"].append(entry)
            if s.type in ("data", "attachment") or entry.get("codec") in ("mebx", None):
                tags["data_tracks"].append(entry.get("handler_name") or s.type)
    return tags


def _text(v: Any) -> str:
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    return str(v)


def _tool_fields(tags: dict[str, Any]) -> dict[str, str]:
    out = {}
    for where, d in [("container", tags["container"])] + [(f"stream{i}", s) for i, s in enumerate(tags["streams"])]:
        for k, v in d.items():
            if k.lower() in TOOL_KEYS or k in TOOL_KEYS:
                out[f"{where}.{k}"] = _text(v)[:2000]
    return out


def match_ai_tool(text: str) -> vocabulary.AITool | None:
    """The vocabulary's tool match, plus ComfyUI's generation graph stored in a comment tag."""
    found = vocabulary.match_ai_tool(text)
    if found is None and _comfy_workflow(text):
        return vocabulary.tool("ComfyUI")
    return found


def _comfy_workflow(text: str) -> bool:
    """ComfyUI's video nodes store the generation graph as JSON in the ``comment`` tag."""
    if "class_type" not in text and '"nodes"' not in text:
        return False
    try:
        obj = json.loads(text)
    except ValueError:
        return "class_type" in text and "KSampler" in text
    blob = json.dumps(obj)
    return "class_type" in blob or ("workflow" in blob and "nodes" in blob)


def container_hits(media: "Media", *, named: set[str], camera_seen: bool) -> list[Hit]:
    """Hits for a video's container tags.

    ``named``: tools already reported from the file's other metadata (ExifTool reads some of the
    same tags), so a tool is named once; ``camera_seen``: camera metadata was already reported.
    """
    try:
        tags = read_tags(media)
    except Exception as exc:  # noqa: BLE001 - a damaged container is a note, never a crash
        return [Hit(Strength.INFO, "Unreadable container tags",
                    f"The video container's tags could not be read ({type(exc).__name__}: {exc}).",
                    None, {"block": "container", "problem": str(exc)[:500]})]
    hits: list[Hit] = []
    tools = _tool_fields(tags)
    for field, value in tools.items():
        found = match_ai_tool(value)
        if found is None or found.name in named:
            continue
        named.add(found.name)
        hit = tool_hit(field, value, found)
        hit.title = f"Container tag names {found.name}"
        hit.evidence.update(block="container", tag=field)
        hits.append(hit)
    plain = {k: v for k, v in tools.items() if not k.endswith(".comment") or len(v) < 200}
    if plain:
        pretty = "; ".join(f"{k.split('.', 1)[1]}={v[:60]!r}" for k, v in list(plain.items())[:6])
        lavf = any(v.startswith("Lavf") for v in plain.values())
        hits.append(Hit(Strength.INFO, "Encoder and handler tags",
                        f"Container tools: {pretty}." + (
                            " 'Lavf' means the file was last written by FFmpeg (re-encoded or produced by "
                            "software), which is common and not evidence by itself." if lavf else ""),
                        None, {"block": "container", "tags": plain}))
    cam = {k: _text(v) for k, v in tags["container"].items() if k.lower() in CAMERA_KEYS}
    if cam and not camera_seen:
        hits.append(Hit(Strength.INFO, "Camera tags",
                        "The container names a capture device: " + ", ".join(f"{k}={v}" for k, v in cam.items())
                        + ". Such tags are context, never proof: they can be copied or written by any software.",
                        Claim.CAPTURE, {"block": "container", "camera": cam, "data_tracks": tags["data_tracks"]}))
    elif not cam and not camera_seen and media.format not in _PIL_FORMATS:
        hits.append(Hit(Strength.INFO, "No camera tags",
                        "The container has no camera make/model tags. Phones write them; re-encoding, editing, "
                        "screen recording and generators usually do not, so this is context, not evidence.",
                        None, {"block": "container", "data_tracks": tags["data_tracks"]}))
    return hits
