"""The rules: which metadata fields say something about a file's origin, and how strongly.

Strengths, and why:
- IPTC ``DigitalSourceType`` = trainedAlgorithmicMedia: DECISIVE ai-generated.  It is the
  industry's explicit label, written by the generators themselves (Google, Adobe, OpenAI, Meta).
  compositeWithTrainedAlgorithmicMedia: STRONG ai-edited (part of the picture is AI).
  algorithmicMedia / compositeSynthetic: MODERATE algorithmic (software-made, not necessarily AI).
  Capture types (digitalCapture, computationalCapture, film, print): INFO capture.
- IPTC 2025.1 AI fields (AISystemUsed, AISystemVersionUsed, AIPromptInformation,
  AIPromptWriterName): STRONG ai-edited.  They say an AI system was used but not whether it made
  the whole picture or touched part of it, so they cannot be decisive on their own; ``ai-edited``
  is the least they establish.
- A full generation record (prompt, seed, steps, sampler) in a known generator's own format:
  DECISIVE ai-generated, because only the generator writes such a record during generation.
- A bare Software/CreatorTool/Make string naming a generator or an AI editing feature: STRONG.
- Camera Make/Model/Lens: INFO capture.  "Adobe Photoshop" and other editors are not AI markers.
All metadata can be stripped, copied or forged; the detector documentation says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

from synthcheck.model import Claim, Strength

from . import parameters as P
from .read import Fields, norm

EVIDENCE_CHARS = 16 * 1024  # longer values are cut in evidence (and flagged)
SHOWN_PROMPT = 120  # characters of a prompt quoted in an explanation
DST_PREFIX = "http://cv.iptc.org/newscodes/digitalsourcetype/"


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
_DST = {
    "trainedalgorithmicmedia": (Strength.DECISIVE, Claim.AI_GENERATED, "made by a generative AI model"),
    "compositewithtrainedalgorithmicmedia": (Strength.STRONG, Claim.AI_EDITED,
                                             "a composite that includes AI-generated elements"),
    "algorithmicmedia": (Strength.MODERATE, Claim.ALGORITHMIC, "created purely by an algorithm (not necessarily AI)"),
    "compositesynthetic": (Strength.MODERATE, Claim.ALGORITHMIC, "a composite that includes synthetic elements"),
    "algorithmicallyenhanced": (Strength.INFO, Claim.ALGORITHMIC, "a capture enhanced by an algorithm"),
    "digitalcapture": (Strength.INFO, Claim.CAPTURE, "an original digital capture of a real scene"),
    "computationalcapture": (Strength.INFO, Claim.CAPTURE, "a computational (multi-frame) camera capture"),
    "negativefilm": (Strength.INFO, Claim.CAPTURE, "digitised from a film negative"),
    "positivefilm": (Strength.INFO, Claim.CAPTURE, "digitised from a film positive"),
    "print": (Strength.INFO, Claim.CAPTURE, "digitised from a print"),
    "compositecapture": (Strength.INFO, Claim.CAPTURE, "a composite of captured elements"),
}


def digital_source_type(fields: Fields, used: set[str]) -> list[Hit]:
    hits = []
    for key, value in fields.find("DigitalSourceType"):
        used.add(key)
        term = norm(value.strip().rstrip("/").rsplit("/", 1)[-1])
        strength, claim, meaning = _DST.get(term, (Strength.INFO, None, "a source type this tool does not interpret"))
        verb = "declares" if claim is not Claim.CAPTURE else "claims"
        caution = (" Such a claim is easily copied or forged; it is context, never proof of authenticity."
                   if claim is Claim.CAPTURE else " Metadata can be removed or forged, but generators write this label themselves."
                   if claim in (Claim.AI_GENERATED, Claim.AI_EDITED) else "")
        hits.append(Hit(strength, f"IPTC digital source type: {value.rsplit('/', 1)[-1]}",
                        f"The file's {key} field {verb} it is {meaning} ({value}).{caution}",
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
_GEN = Claim.AI_GENERATED
_EDIT = Claim.AI_EDITED
# (pattern, product, claim); checked in order, first match wins.  Plain editors never match.
_SOFTWARE: list[tuple[re.Pattern[str], str, Claim]] = [(re.compile(p, re.I), n, c) for p, n, c in [
    (r"generative (fill|expand|remove)|photoshop.*firefly|firefly.*photoshop", "Adobe generative editing", _EDIT),
    (r"\bmagic editor\b", "Google Magic Editor", _EDIT),
    (r"\bedited with google ai\b", "Google AI editing", _EDIT),
    (r"\bgalaxy ai\b|\bgenerative edit\b", "Samsung Generative Edit", _EDIT),
    (r"\bfirefly\b", "Adobe Firefly", _GEN),
    (r"\bmade with google ai\b", "Google generative AI", _GEN),
    (r"\bmidjourney\b", "Midjourney", _GEN),
    (r"\bdall[^a-z0-9]{0,3}e\b", "OpenAI DALL-E", _GEN),
    (r"\bchatgpt\b|\bopenai\b", "OpenAI", _GEN),
    (r"\bgoogle imagen\b", "Google Imagen", _GEN),  # bare "imagen" is Spanish for image
    (r"\bgoogle gemini\b|\bgemini [\d.]+ flash image\b|\bnano banana\b", "Google Gemini", _GEN),
    (r"\bstable[- ]?diffusion\b|\bstability ?ai\b|\bdreamstudio\b|\bsdxl\b", "Stable Diffusion", _GEN),
    (r"\bnovelai\b", "NovelAI", _GEN),
    (r"\bcomfyui\b", "ComfyUI", _GEN),
    (r"\binvokeai\b", "InvokeAI", _GEN),
    (r"\bfooocus\b", "Fooocus", _GEN),
    (r"\bautomatic1111\b|stable-diffusion-webui", "Automatic1111", _GEN),
    (r"\bdraw things\b", "Draw Things", _GEN),
    (r"\bdiffusionbee\b", "DiffusionBee", _GEN),
    (r"\bleonardo[. ]ai\b", "Leonardo.Ai", _GEN),
    (r"\bideogram\b", "Ideogram", _GEN),
    (r"\bflux\.1\b|\bblack forest labs\b", "FLUX (Black Forest Labs)", _GEN),
    (r"\bbing image creator\b|\bmicrosoft designer\b|\bimage creator from designer\b", "Microsoft Designer", _GEN),
    (r"\bcraiyon\b|\bnightcafe\b|\bplayground ?ai\b|\brecraft\b|\bkandinsky\b|\bseedream\b", "an image generator", _GEN),
    (r"\bmeta ai\b|\bimagine with meta\b", "Meta AI", _GEN),
    (r"\brunwayml\b|\brunway gen-?\d\b|\bsora\b.*openai|\bkling ai\b|\bhailuo\b|\bluma dream machine\b",
     "a video generator", _GEN),
]]
_SOFTWARE_FIELDS = ("Software", "CreatorTool", "HistorySoftwareAgent", "ProcessingSoftware", "Make", "Model",
                    "Credit", "Source", "OriginatingProgram", "Encoder", "Artist", "Generator", "Producer")


def software_names(fields: Fields, used: set[str]) -> list[Hit]:
    hits: list[Hit] = []
    seen: set[str] = set()
    for key, value in fields.find(*_SOFTWARE_FIELDS):
        if key in used:
            continue
        for pattern, product, claim in _SOFTWARE:
            if pattern.search(value[:1000]):
                used.add(key)
                if product in seen:
                    break
                seen.add(product)
                what = "generated" if claim is _GEN else "edited"
                hits.append(Hit(Strength.STRONG, f"{product} named in metadata",
                                f'The file\'s {key} field reads "{_short(value, 80)}", naming {product}, a tool that '
                                f"{what} images with generative AI; a software name alone is easy to add or remove.",
                                claim, _ev(key, value, product=product)))
                break
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
    hits = [Hit(Strength.INFO, f"Unreadable {where} metadata", f"Part of the file's metadata could not be read: {what}.",
                None, {"block": where, "problem": what}) for where, what in fields.problems]
    hits += [Hit(Strength.INFO, "Metadata warning", f"ExifTool reports a problem in the file's metadata: {w}.",
                 None, {"warning": w}) for w in fields.warnings]
    for key in sorted(fields.cut):
        hits.append(Hit(Strength.INFO, "Oversized metadata field",
                        f"The file's {key} field is {fields.sizes[key]} characters long, over the limit this tool "
                        "parses; it was not interpreted (unusually large fields can be an attempt to hide or to crash).",
                        None, _ev(key, fields.values[key], chars=fields.sizes[key])))
    return hits


def evaluate(fields: Fields) -> list[Hit]:
    """All hits for one file, strongest rules first."""
    used: set[str] = set()
    hits = digital_source_type(fields, used) + iptc_ai_fields(fields, used)
    hits += generator_blocks(fields, used) + software_names(fields, used) + camera(fields, used)
    hits += problems(fields)
    if not fields.meaningful() and not fields.complete:
        hits.append(Hit(Strength.INFO, "No metadata found (partial read)",
                        "No XMP metadata was found; this container's own tags were not read because ExifTool is "
                        "not installed, so the file may still carry metadata.", None, {}))
    elif not fields.meaningful():
        hits.append(Hit(Strength.INFO, "No metadata",
                        "The file carries no EXIF, XMP, IPTC or text metadata; sites and editors often strip "
                        "metadata, so its absence says nothing about where the file came from.", None, {}))
    return hits
