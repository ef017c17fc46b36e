"""The rules: which metadata fields say something about a file's origin, and how strongly.

Strengths, and why:
- IPTC ``DigitalSourceType`` = trainedAlgorithmicMedia: DECISIVE ai-generated.  It is the
  industry's explicit label, written by the generators themselves (Google, Adobe, OpenAI, Meta).
  compositeWithTrainedAlgorithmicMedia: STRONG ai-edited (part of the picture is AI).
  algorithmicMedia / compositeSynthetic: MODERATE algorithmic (software-made, not necessarily AI).
  Capture types (digitalCapture, computationalCapture, film): INFO capture.  What each term
  means (and which are context only) is ``synthcheck.vocabulary``'s, shared with the c2pa detector.
- IPTC 2025.1 AI fields (AISystemUsed, AISystemVersionUsed, AIPromptInformation,
  AIPromptWriterName): STRONG ai-edited.  They say an AI system was used but not whether it made
  the whole picture or touched part of it, so they cannot be decisive on their own; ``ai-edited``
  is the least they establish.
- A full generation record (prompt, seed, steps, sampler) in a known generator's own format:
  DECISIVE ai-generated, because only the generator writes such a record during generation.
- A bare Software/CreatorTool/Make string (or a video container's encoder/software/comment tag)
  naming a generator or an AI editing feature from ``synthcheck.vocabulary.AI_TOOLS``: STRONG.
- Camera Make/Model/Lens: INFO capture.  "Adobe Photoshop" and other editors are not AI markers.
All metadata can be stripped, copied or forged; the detector documentation says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from synthcheck import vocabulary
from synthcheck.model import Claim, Strength

from . import parameters as P
from .read import Fields

EVIDENCE_CHARS = 16 * 1024  # longer values are cut in evidence (and flagged)
SHOWN_PROMPT = 120  # characters of a prompt quoted in an explanation


@dataclass
class Hit:
    strength: Strength
    title: str
    explanation: str
    claim: Claim | None = None
    evidence: dict[str, Any] = field(default_factory=dict)


def _bounded(value: Any) -> Any:
    if isinstance(value, str) and len(value) > EVIDENCE_CHARS:
        return value[:EVIDENCE_CHARS] + "…[cut]"
    if isinstance(value, dict):
        return {k: _bounded(v) for k, v in value.items()}
    return value


def _ev(key: str, value: str, **extra: Any) -> dict[str, Any]:
    ev: dict[str, Any] = {"field": key, "value": _bounded(value)}
    if len(value) > EVIDENCE_CHARS:
        ev["value_chars"] = len(value)
    ev.update({k: _bounded(v) for k, v in extra.items()})
    return ev


def _short(text: Any, n: int = SHOWN_PROMPT) -> str:
    s = " ".join(str(text).split())
    return s if len(s) <= n else s[: n - 1] + "…"


# -- IPTC digital source type ------------------------------------------------------------------
# What a term means comes from synthcheck.vocabulary (shared with the c2pa detector); how much an
# unsigned label is worth is decided here.  The generators write trainedAlgorithmicMedia
# themselves, so it is decisive; an AI composite is strong (part of the picture is AI); a
# software-made claim moderate; captures and context-only terms informational.
_DST_STRENGTH = {Claim.AI_GENERATED: Strength.DECISIVE, Claim.AI_EDITED: Strength.STRONG,
                 Claim.ALGORITHMIC: Strength.MODERATE, Claim.CAPTURE: Strength.INFO}


def digital_source_type(fields: Fields, used: set[str]) -> list[Hit]:
    hits = []
    for key, value in fields.find("DigitalSourceType"):
        used.add(key)
        entry = vocabulary.source_type(value)
        claim = entry.claim
        strength = _DST_STRENGTH.get(claim, Strength.INFO) if claim else Strength.INFO
        caution = (" Such a claim is easily copied or forged; it is context, never proof of authenticity."
                   if claim is Claim.CAPTURE
                   else " Metadata can be removed or forged, but generators write this label themselves."
                   if claim in (Claim.AI_GENERATED, Claim.AI_EDITED) else "")
        hits.append(Hit(strength, f"IPTC digital source type: {value.rsplit('/', 1)[-1]}",
                        f"The file's {key} field describes the content as {entry.label} ({value}).{caution}",
                        claim, _ev(key, value)))
    return hits


_IPTC_AI = ("AISystemUsed", "AISystemVersionUsed", "AIPromptInformation", "AIPromptWriterName")


def iptc_ai_fields(fields: Fields, used: set[str]) -> list[Hit]:
    found = [(k, v) for k, v in fields.find(*_IPTC_AI)]
    if not found:
        return []
    used.update(k for k, _ in found)
    summary = "; ".join(f"{k.partition(':')[2]} = {_short(v, 60)}" for k, v in found)
    return [Hit(Strength.STRONG, "IPTC AI-system fields",
                f"The file's IPTC metadata names the AI system used to make or edit it ({summary}); "
                "these fields do not say whether the AI made the whole picture or part of it.",
                Claim.AI_EDITED, {"fields": {k: _bounded(v) for k, v in found}})]


# -- generator parameter blocks ---------------------------------------------------------------------
def _describe(params: dict[str, Any]) -> str:
    bits = [f"model {params['model']}" if "model" in params else "",
            f"seed {params['seed']}" if "seed" in params else "",
            f"{params['steps']} steps" if "steps" in params else "",
            f"sampler {params['sampler']}" if "sampler" in params else ""]
    detail = ", ".join(b for b in bits if b)
    prompt = f'; prompt "{_short(params["prompt"])}"' if params.get("prompt") else ""
    return f" ({detail}{prompt})" if detail or prompt else ""


def _block_hit(key: str, value: str, params: dict[str, Any], strength: Strength = Strength.DECISIVE) -> Hit:
    gen = params["generator"]
    return Hit(strength, f"{gen} generation record",
               f"The file's {key} field holds a generation record from {gen}{_describe(params)}; such records are "
               "written by the generator itself, though one can also be pasted in by hand.",
               Claim.AI_GENERATED, _ev(key, value, generator=gen, parameters=params))


def _try(fields: Fields, used: set[str], hits: list[Hit], names: tuple[str, ...],
         parse: Callable[[str, str], dict[str, Any] | None], strength: Strength = Strength.DECISIVE) -> None:
    for key, value in fields.find(*names):
        if key in used or key in fields.cut:
            continue
        try:
            params = parse(key.partition(":")[2], value)
        except ValueError as exc:
            used.add(key)
            hits.append(Hit(Strength.INFO, "Unreadable generator field",
                            f"The file's {key} field has the name a generator uses but cannot be read: {exc}.",
                            None, _ev(key, value, error=str(exc))))
            continue
        if params:
            used.add(key)
            full = len({"prompt", "seed", "steps", "sampler", "model"} & params.keys()) >= 2
            hits.append(_block_hit(key, value, params, strength if full else Strength.STRONG))


def generator_blocks(fields: Fields, used: set[str]) -> list[Hit]:
    hits: list[Hit] = []
    software = " ".join(v for _, v in fields.find("Software", "CreatorTool", "Source")).lower()
    _try(fields, used, hits, ("parameters", "UserComment", "Comment", "Description"), lambda n, v: P.parse_a1111(v))
    _try(fields, used, hits, ("parameters",), lambda n, v: P.parse_fooocus(v))
    _try(fields, used, hits, ("prompt",), lambda n, v: P.parse_comfy_prompt(v))
    if any(h.evidence.get("generator") == "ComfyUI" for h in hits):  # the editor graph repeats the API graph
        used.update(k for k, _ in fields.find("workflow"))
    _try(fields, used, hits, ("workflow",), lambda n, v: P.parse_comfy_workflow(v))
    _try(fields, used, hits, ("invokeai_metadata", "sd-metadata", "Dream"), P.parse_invokeai)
    if "novelai" in software:
        _try(fields, used, hits, ("Comment",), lambda n, v: P.parse_novelai(v))
    else:
        def unnamed(n: str, v: str) -> dict[str, Any] | None:
            params = P.parse_novelai(v) if v.lstrip().startswith("{") else None
            return {**params, "generator": "unnamed generator"} if params else None
        _try(fields, used, hits, ("Comment",), unnamed, Strength.STRONG)
    if "draw things" in software:
        _try(fields, used, hits, ("UserComment",), lambda n, v: P.parse_drawthings(v))
    makers = {h.evidence["generator"].split()[0].lower() for h in hits if "generator" in h.evidence}
    for key, value in fields.find("Software", "CreatorTool", "Source"):  # part of the same record
        if any(m in value.lower() for m in makers) or ("novelai" in makers and key.endswith(":Source")):
            used.add(key)
    return hits


# -- software names -----------------------------------------------------------------------------
# The tool names and how to match them live in synthcheck.vocabulary; plain editors never match.
_SOFTWARE_FIELDS = ("Software", "CreatorTool", "HistorySoftwareAgent", "ProcessingSoftware", "Make", "Model",
                    "Credit", "Source", "OriginatingProgram", "Encoder", "Artist", "Generator", "Producer")


def tool_hit(key: str, value: str, tool: vocabulary.AITool) -> Hit:
    """A STRONG claim for a tag naming an AI tool: a name alone is easy to add or remove."""
    return Hit(Strength.STRONG, f"{tool.name} named in metadata",
               f'The file\'s {key} field reads "{_short(value, 80)}", naming {tool.name}, a tool that '
               f"{tool.verb} images or video with generative AI; a software name alone is easy to add or remove.",
               tool.claim, _ev(key, value, product=tool.name))


def software_names(fields: Fields, used: set[str]) -> list[Hit]:
    hits: list[Hit] = []
    seen: set[str] = set()
    for key, value in fields.find(*_SOFTWARE_FIELDS):
        if key in used:
            continue
        tool = vocabulary.match_ai_tool(value)
        if tool is None:
            continue
        used.add(key)
        if tool.name in seen:
            continue
        seen.add(tool.name)
        hits.append(tool_hit(key, value, tool))
    return hits


# -- camera, problems, absence -----------------------------------------------------------------------
def camera(fields: Fields, used: set[str]) -> list[Hit]:
    make = [(k, v) for k, v in fields.find("Make") if k not in used]
    model = [(k, v) for k, v in fields.find("Model", "CameraModelName") if k not in used]
    lens = fields.find("LensModel", "Lens")
    if not (make or model or lens):
        return []
    parts = {k: v for k, v in make[:1] + model[:1] + lens[:1] + fields.find("DateTimeOriginal")[:1]}
    names = " ".join(_short(v, 40) for _, v in make[:1] + model[:1])
    lens_txt = f", lens {_short(lens[0][1], 40)}" if lens else ""
    when = fields.find("DateTimeOriginal")
    when_txt = f", taken {when[0][1]}" if when else ""
    return [Hit(Strength.INFO, "Camera metadata",
                f"The file's metadata names a camera ({names or 'unnamed'}{lens_txt}{when_txt}); camera metadata is "
                "easily copied or forged, so it is context, never proof that the picture is an unaltered photograph.",
                Claim.CAPTURE, {"fields": parts})]


def problems(fields: Fields) -> list[Hit]:
    hits = [Hit(Strength.INFO, f"Unreadable {where} metadata",
                f"Part of the file's metadata could not be read: {what}.",
                None, {"block": where, "problem": what}) for where, what in fields.problems]
    hits += [Hit(Strength.INFO, "Metadata warning", f"ExifTool reports a problem in the file's metadata: {w}.",
                 None, {"warning": w}) for w in fields.warnings]
    for key in sorted(fields.cut):
        hits.append(Hit(Strength.INFO, "Oversized metadata field",
                        f"The file's {key} field is {fields.sizes[key]} characters long, over the limit this tool "
                        "parses; it was not interpreted (unusually large fields can be an attempt to hide or to "
                        "crash).",
                        None, _ev(key, fields.values[key], chars=fields.sizes[key])))
    return hits


ContainerRule = Callable[..., list[Hit]]  # (named=set of tools already named, camera_seen=bool) -> hits


def evaluate(fields: Fields, container: ContainerRule | None = None) -> list[Hit]:
    """All hits for one file, strongest rules first; ``container`` reads a video's container tags."""
    used: set[str] = set()
    hits = digital_source_type(fields, used) + iptc_ai_fields(fields, used) + generator_blocks(fields, used)
    named = software_names(fields, used)
    cam = camera(fields, used)
    hits += named + cam
    if container is not None:
        hits += container(named={h.evidence["product"] for h in named}, camera_seen=bool(cam))
    hits += problems(fields)
    if not fields.meaningful() and not fields.complete:
        hits.append(Hit(Strength.INFO, "No metadata found (partial read)",
                        "No XMP metadata was found; ExifTool was not used (not installed, or not chosen), so "
                        "beyond the container's basic tags this video's own metadata (QuickTime, Matroska) was "
                        "not read: the file may still carry metadata.", None, {}))
    elif not fields.meaningful():
        hits.append(Hit(Strength.INFO, "No metadata",
                        "The file carries no EXIF, XMP, IPTC or text metadata; sites and editors often strip "
                        "metadata, so its absence says nothing about where the file came from.", None, {}))
    return hits
