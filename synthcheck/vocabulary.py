"""The provenance vocabulary: what a declared source type or a named AI tool claims about a file.

One table per concept, kept here so that every provenance detector gives a declaration the same
meaning (as bandit keeps one CWE table for all its tests).  A contradiction between two sources
must never depend on which detector happened to read the claim: the c2pa detector reading
``negativeFilm`` in a signed manifest and the metadata detector reading it in XMP both get the
claim listed here.  How much a claim is worth (its strength) is the detector's business, because
it depends on whether the claim is signed; what it *means* is decided only here.

Two vocabularies:

- ``SOURCE_TYPES``: the IPTC NewsCodes "digital source type" terms
  (http://cv.iptc.org/newscodes/digitalsourcetype/), used by XMP ``Iptc4xmpExt:DigitalSourceType``
  and by C2PA actions.  Each term maps to a ``Claim`` (or ``None``: context that says nothing for
  or against generative AI) and a plain label a reader understands.
- ``AI_TOOLS``: names of generative-AI tools and AI editing features as they appear in software,
  creator-tool and encoder tags, with the claim a match makes (generated or edited) and the
  pattern that matches it.  Patterns are word-bounded and ambiguous words need a qualifier
  (bare "sora", "runway", "pika", "veo" or "imagen" are ordinary words or other products), so a
  match is a tool's name, not a coincidence.  Ordinary editors (Photoshop, GIMP) never match.

Meaning decisions, and why:
- capture (``Claim.CAPTURE``) is a claim that the picture was sampled from a real scene by a
  camera: digital, computational and composite captures, and film (negative or positive).  It is
  context, never proof of authenticity, and only a claim of AI *creation* contradicts it.
- ``print`` (digitised from a print), ``algorithmicallyEnhanced`` (a correction such as denoising),
  human edits, digital art, screen captures, data-driven media and virtual recordings carry no
  claim: a print or an enhanced file can show anything, including a generated picture, so
  reading them as a capture would invent contradictions.
- ``algorithmicMedia`` and ``compositeSynthetic`` are ``Claim.ALGORITHMIC``: made by software,
  not by a trained model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .model import Claim

IPTC_DST_PREFIX = "http://cv.iptc.org/newscodes/digitalsourcetype/"


@dataclass(frozen=True)
class SourceType:
    """One IPTC digital source type term: the claim it makes and what it means in plain words."""

    term: str  # the IPTC term as IPTC spells it ("trainedAlgorithmicMedia")
    claim: Claim | None  # None: context only
    label: str  # reads after "declared as" / "declares the content as"

    @property
    def uri(self) -> str:
        return IPTC_DST_PREFIX + self.term


def _types(*rows: tuple[str, Claim | None, str]) -> dict[str, SourceType]:
    return {term.lower(): SourceType(term, claim, label) for term, claim, label in rows}


SOURCE_TYPES: dict[str, SourceType] = _types(
    ("trainedAlgorithmicMedia", Claim.AI_GENERATED, "created by a trained AI model (generative AI)"),
    ("compositeWithTrainedAlgorithmicMedia", Claim.AI_EDITED,
     "a composite that includes AI-generated elements (edited with generative AI)"),
    ("algorithmicMedia", Claim.ALGORITHMIC, "made purely by software algorithms (not a trained AI model)"),
    ("compositeSynthetic", Claim.ALGORITHMIC, "a composite that includes synthetic elements"),
    ("digitalCapture", Claim.CAPTURE, "captured by a digital camera or recorder"),
    ("computationalCapture", Claim.CAPTURE, "captured by a camera with computational (multi-frame) processing"),
    ("compositeCapture", Claim.CAPTURE, "a composite of several captures"),
    ("negativeFilm", Claim.CAPTURE, "digitised from a film negative"),
    ("positiveFilm", Claim.CAPTURE, "digitised from a film positive (slide)"),
    ("print", None, "digitised from a print"),
    ("algorithmicallyEnhanced", None, "enhanced by algorithms (for example denoising)"),
    ("humanEdits", None, "edited by a person"),
    ("minorHumanEdits", None, "lightly edited by a person"),
    ("digitalArt", None, "created digitally by a person (digital art)"),
    ("digitalCreation", None, "created digitally by a person (digital art)"),
    ("dataDrivenMedia", None, "generated from data (for example a chart)"),
    ("screenCapture", None, "a screen capture"),
    ("virtualRecording", None, "a recording of a virtual scene"),
    ("composite", None, "a composite of several elements"),
)


def source_type(value: str) -> SourceType:
    """The vocabulary entry for an IPTC URI or bare term, matched case-insensitively.

    An unknown term gets no claim: a source type this tool does not interpret says nothing.
    """
    term = value.strip().rstrip("/").rsplit("/", 1)[-1].strip()
    known = SOURCE_TYPES.get(term.lower())
    return known or SourceType(term, None, f"of source type '{term}', which this tool does not interpret")


# -- AI tool and generator names ---------------------------------------------------------------------
@dataclass(frozen=True)
class AITool:
    """A generative-AI tool or feature as named in software/creator/encoder tags."""

    name: str  # the product, as a reader knows it
    claim: Claim  # AI_GENERATED (makes whole pictures) or AI_EDITED (changes part of one)
    pattern: re.Pattern[str]

    @property
    def verb(self) -> str:
        return "generates" if self.claim is Claim.AI_GENERATED else "edits"


_GEN, _EDIT = Claim.AI_GENERATED, Claim.AI_EDITED

# Checked in order, first match wins: editing features before the products they belong to
# ("Photoshop (Generative Fill)" is an edit, "Firefly" alone a generation), specific names before
# the company ("OpenAI Sora" names Sora).
AI_TOOLS: tuple[AITool, ...] = tuple(AITool(n, c, re.compile(p, re.I)) for p, n, c in [
    (r"generative (?:fill|expand|remove)|photoshop.*firefly|firefly.*photoshop", "Adobe generative editing", _EDIT),
    (r"\bmagic editor\b", "Google Magic Editor", _EDIT),
    (r"\bedited with google ai\b", "Google AI editing", _EDIT),
    (r"\bgalaxy ai\b|\bgenerative edit\b", "Samsung Generative Edit", _EDIT),
    (r"\bfirefly\b", "Adobe Firefly", _GEN),
    (r"\bmade with google ai\b", "Google generative AI", _GEN),
    (r"\bmidjourney\b", "Midjourney", _GEN),
    (r"\bdall[^a-z0-9]{0,3}e\b", "OpenAI DALL-E", _GEN),
    (r"\bopenai\s*sora\b|\bsora\b.*\bopenai\b|\bsora\s*(?:2|turbo)\b", "OpenAI Sora", _GEN),
    (r"\bchatgpt\b|\bopenai\b", "OpenAI", _GEN),
    (r"\bgoogle imagen\b", "Google Imagen", _GEN),  # bare "imagen" is Spanish for image
    (r"\bgoogle gemini\b|\bgemini [\d.]+ flash image\b|\bnano banana\b", "Google Gemini", _GEN),
    (r"\bgoogle\s*veo\b|\bveo\s*[1-3](?:\.\d)?\b", "Google Veo", _GEN),  # bare "veo": Spanish, a camera maker
    (r"\bstable\s*video\s*diffusion\b", "Stable Video Diffusion", _GEN),
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
    (r"\bcraiyon\b|\bnightcafe\b|\bplayground ?ai\b|\brecraft\b|\bkandinsky\b|\bseedream\b",
     "an image generator", _GEN),
    (r"\bmeta ai\b|\bimagine with meta\b", "Meta AI", _GEN),
    # video generators; "runway", "pika", "kling", "luma" and "minimax" alone are ordinary words or other products
    (r"\brunway\s*ml\b|\brunway\s*ai\b|\brunway\b.*\bgen-?[1-4]\b|\bgen-?[1-4]\b.*\brunway\b", "Runway", _GEN),
    (r"\bpika\s*(?:labs|art|\d(?:\.\d)?)\b|\bpika\.art\b", "Pika", _GEN),
    (r"\bkling\s*(?:ai|\d(?:\.\d)?)\b", "Kling", _GEN),
    (r"\bluma\s*(?:ai|labs)\b|\bluma\s*dream\s*machine\b|\bdream\s*machine\b.*\bluma\b|\bray2\b",
     "Luma Dream Machine", _GEN),
    (r"\bhailuo\b|\bminimax\s*(?:video|hailuo)\b", "MiniMax Hailuo", _GEN),
    (r"\banimatediff\b", "AnimateDiff", _GEN),
    (r"\bdeforum\b", "Deforum", _GEN),
    (r"\bhunyuan\s*video\b", "HunyuanVideo", _GEN),
    (r"\bcogvideox?\b", "CogVideo", _GEN),
    (r"\bltx-?video\b", "LTX-Video", _GEN),
    (r"\bwan\s*2\.\d\b", "Wan", _GEN),
])

MATCHED_CHARS = 1000  # a tool name sits at the start of a tag; long free text is not searched further


def match_ai_tool(text: str) -> AITool | None:
    """The first AI tool named in a software/creator/encoder tag value, or None."""
    head = text[:MATCHED_CHARS]
    return next((tool for tool in AI_TOOLS if tool.pattern.search(head)), None)


def tool(name: str) -> AITool:
    """The vocabulary entry for a product name (for rules that recognise a tool by other means)."""
    return next(t for t in AI_TOOLS if t.name == name)


# -- C2PA manifest states ----------------------------------------------------------------------------
@dataclass(frozen=True)
class ManifestState:
    """One of the four states of a C2PA manifest, in the words every format prints.

    The number one confusion with content credentials is "valid" versus "trusted": an unverified
    signer reads like a failure.  Every report (text, JSON, SARIF, HTML) therefore shows the same
    words and the same one-sentence meaning, taken from here.
    """

    key: str  # stable identifier written in evidence ("valid-untrusted")
    words: str  # what a reader sees ("valid, signer not on a trust list")
    meaning: str  # what the state does and does not prove, in one sentence


C2PA_STATES: dict[str, ManifestState] = {s.key: s for s in (
    ManifestState("absent", "absent",
                  "The file carries no C2PA manifest, so its provenance is unknown; this says nothing about how it "
                  "was made, since most files have none."),
    ManifestState("invalid", "invalid",
                  "The manifest's hash or signature checks fail, so the file or its manifest changed after signing "
                  "or the signature cannot be relied on; nothing it declares can be taken as stated, and it does not "
                  "show who changed what."),
    ManifestState("valid-untrusted", "valid, signer not on a trust list",
                  "The file and manifest are unchanged since signing, but who signed it is unverified: the signing "
                  "certificate does not chain to a trust list in use, so anyone could have made this signature."),
    ManifestState("trusted", "trusted",
                  "The file and manifest are unchanged since signing and the signer's certificate chains to a trust "
                  "list in use, which confirms who signed it, not that what they declare is true."),
)}


def c2pa_state(key: str) -> ManifestState:
    """The state for ``key`` (a KeyError for anything else: there are exactly four)."""
    return C2PA_STATES[key]
