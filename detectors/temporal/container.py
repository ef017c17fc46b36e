"""Container tags as provenance context: encoder, handler, creation software, camera tags.

These are claims the file makes about itself: easy to strip or forge, so they are PROVENANCE
findings, INFO unless a tag names a known generator.  The generator list is name matching in
tool fields (``encoder``, ``software``, ``comment``...), not verified export signatures: we do not
know the exact tags each service writes, so a match is STRONG (not decisive) and its absence
means nothing.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from synthcheck.model import Claim, Kind, Strength

if TYPE_CHECKING:  # pragma: no cover
    from synthcheck.detector import Detector
    from synthcheck.media import Media

TOOL_KEYS = ("encoder", "software", "com.apple.quicktime.software", "comment", "description", "synopsis",
             "handler_name", "creation_tool", "com.android.capture.software", "encoded_by")
CAMERA_KEYS = ("com.apple.quicktime.make", "com.apple.quicktime.model", "make", "model",
               "com.android.manufacturer", "com.android.model", "com.android.version")

# (pattern, tool name).  Word-bounded so "LumaFusion" (an editor) or "Pikachu" do not match.
KNOWN_AI_TOOLS: tuple[tuple[str, str], ...] = (
    (r"\bopenai\s*sora\b|\bsora\b", "OpenAI Sora"),
    (r"\brunway(?:ml)?\b|\bgen-?[234](?:\s*alpha)?\b.*runway", "Runway"),
    (r"\bpika(?:\s*labs|\.art)?\b", "Pika"),
    (r"\bkling(?:\s*ai)?\b|\bkuaishou\b", "Kling"),
    (r"\bluma\s*(?:ai|labs)\b|\bdream\s*machine\b|\bray2\b", "Luma Dream Machine"),
    (r"\b(?:google\s*)?veo\s*\d?\b", "Google Veo"),
    (r"\banimatediff\b", "AnimateDiff"),
    (r"\bstable\s*video\s*diffusion\b", "Stable Video Diffusion"),
    (r"\bhailuo\b|\bminimax\b", "MiniMax Hailuo"),
    (r"\bcomfyui\b", "ComfyUI"),
    (r"\bdeforum\b", "Deforum"),
    (r"\bhunyuan\s*video\b", "HunyuanVideo"),
    (r"\bcogvideox?\b", "CogVideo"),
    (r"\bltx-?video\b", "LTX-Video"),
    (r"\bwan\s*2\.[0-9]\b", "Wan"),
)


def read_tags(media: "Media") -> dict[str, Any]:
    """Container and stream tags, plus data/metadata tracks, without decoding any frame."""
    tags: dict[str, Any] = {"container": {}, "streams": [], "data_tracks": []}
    if media.format in ("gif", "webp", "png"):
        info = getattr(media.pil, "info", {}) or {}
        tags["container"] = {k: _text(v) for k, v in info.items() if k in ("comment", "software", "Software",
                                                                          "Description", "XML:com.adobe.xmp")}
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


def match_ai_tool(text: str) -> str | None:
    low = text.lower()
    for pat, name in KNOWN_AI_TOOLS:
        if re.search(pat, low):
            return name
    if _comfy_workflow(text):
        return "ComfyUI"
    return None


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


def container_findings(det: "Detector", media: "Media") -> list:
    try:
        tags = read_tags(media)
    except Exception:  # noqa: BLE001 - tags are context; the pixels are still analysed
        return []
    found = []
    tools = _tool_fields(tags)
    for field, value in tools.items():
        name = match_ai_tool(value)
        if name:
            found.append(det.finding(
                f"The {field.split('.', 1)[1]} tag names {name} (\"{value[:80]}\"), a video generator. "
                "Tags are easy to edit or strip, so this is the file's own claim, not proof.",
                strength=Strength.STRONG, kind=Kind.PROVENANCE, claim=Claim.AI_GENERATED,
                title=f"Container tag names {name}", evidence={"source": "container", "tag": field, "value": value[:500],
                                                               "tool": name}))
    plain = {k: v for k, v in tools.items() if not k.endswith(".comment") or len(v) < 200}
    if plain:
        pretty = "; ".join(f"{k.split('.', 1)[1]}={v[:60]!r}" for k, v in list(plain.items())[:6])
        lavf = any(v.startswith("Lavf") for v in plain.values())
        found.append(det.finding(
            f"Container tools: {pretty}." + (" 'Lavf' means the file was last written by FFmpeg (re-encoded or "
                                             "produced by software), which is common and not evidence by itself."
                                             if lavf else ""),
            strength=Strength.INFO, kind=Kind.PROVENANCE, title="Encoder and handler tags",
            evidence={"source": "container", "tags": plain}))
    cam = {k: _text(v) for k, v in tags["container"].items() if k.lower() in CAMERA_KEYS}
    if cam:
        found.append(det.finding(
            "The container names a capture device: " + ", ".join(f"{k}={v}" for k, v in cam.items())
            + ". Such tags are context, never proof: they can be copied or written by any software.",
            strength=Strength.INFO, kind=Kind.PROVENANCE, claim=Claim.CAPTURE, title="Camera tags",
            evidence={"source": "container", "camera": cam, "data_tracks": tags["data_tracks"]}))
    elif media.format not in ("gif", "webp", "png"):
        found.append(det.finding(
            "The container has no camera make/model tags. Phones write them; re-encoding, editing, "
            "screen recording and generators usually do not, so this is context, not evidence.",
            strength=Strength.INFO, kind=Kind.PROVENANCE, title="No camera tags",
            evidence={"source": "container", "data_tracks": tags["data_tracks"]}))
    return found
