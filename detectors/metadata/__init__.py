"""Metadata and generator-marker detector: what a file's own EXIF, XMP, IPTC and text chunks say."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from synthcheck.detector import Detector
from synthcheck.model import Finding, Kind

if TYPE_CHECKING:  # pragma: no cover
    from synthcheck.media import Media

OPTION_READER = "metadata.reader"  # "auto" (default), "exiftool" or "python"


class MetadataDetector(Detector):
    """Reads the labels a file carries about its own origin: EXIF, XMP, IPTC and PNG/WebP text.

    What it measures: nothing in the pixels.  It reports provenance claims embedded in the file:
    - the IPTC "digital source type" label that generators and AI editors write
      (trainedAlgorithmicMedia = made by generative AI: decisive; compositeWithTrainedAlgorithmicMedia
      = AI-edited: strong; algorithmicMedia: moderate; digitalCapture: camera claim, context only);
    - the IPTC 2025.1 AI fields (AI system used, prompt, prompt writer): strong, AI-edited at least;
    - generation records written by the generator itself (Automatic1111/Forge "parameters", ComfyUI
      prompt/workflow graphs, InvokeAI, NovelAI, Fooocus, Draw Things), parsed into model, seed,
      steps, sampler and prompt: decisive;
    - Software/CreatorTool/Make values naming an AI generator or an AI editing feature (Midjourney,
      DALL-E, Firefly, Generative Fill, Magic Editor, ...): strong.  Ordinary editors such as
      "Adobe Photoshop" are not AI markers and are not reported;
    - video container tags (MP4/MOV encoder, software, comment, handler; animated GIF/WebP/PNG
      comment and software), read without decoding a frame: a tag naming an AI tool (AnimateDiff,
      Runway Gen-3, ComfyUI's graph in a comment, ...) is strong ai-generated; the encoder and
      handler tags and camera make/model tags (or their absence) are informational context;
    - camera Make/Model/Lens: informational, a capture claim that is never proof of authenticity;
    - no metadata at all: informational, a plain observation (sites strip metadata routinely).

    How to read it: findings have no score; the strength label says how much a reader should rely
    on them.  A decisive finding makes the verdict ``ai-generated``; strong ones ``likely-synthetic``.
    Each finding quotes the exact field (for example ``PNG:parameters``) so anyone can check it
    with ``exiftool -G1 -a FILE``.

    What a digital source type or a tool name means is the shared vocabulary
    (``synthcheck.vocabulary``), so the c2pa detector reads the same term the same way; film
    scans are capture claims, "print" and "algorithmicallyEnhanced" are context only.

    When it fails: metadata is trivially removed, and can be added or forged by hand.  Absence of
    markers says nothing (most re-shared AI images have none); a marker proves only that some
    software wrote it.  Without ExifTool installed a built-in reader is used, which misses maker
    notes and video (QuickTime, Matroska) metadata other than XMP and the basic container tags.
    Option ``metadata.reader``: ``auto`` (ExifTool when installed), ``exiftool`` or ``python``.
    """

    id: ClassVar[str] = "metadata"
    version: ClassVar[str] = "1.1.0"  # 1.1: video container tags; IPTC terms from synthcheck.vocabulary
    title: ClassVar[str] = "Metadata and generator markers"
    media: ClassVar[frozenset[str]] = frozenset({"image", "video"})
    cost: ClassVar[str] = "cheap"
    kind: ClassVar[Kind] = Kind.PROVENANCE

    def _use_exiftool(self) -> bool | None:
        choice = str(self.context.options.get(OPTION_READER, "auto")).lower()
        return {"exiftool": True, "python": False}.get(choice)  # None: auto

    def run(self, media: "Media") -> list[Finding]:
        from .markers import evaluate
        from .read import read_fields

        fields = read_fields(media, use_exiftool=self._use_exiftool())
        container = None
        if media.kind == "video":
            from .container import container_hits

            def container(**seen: object) -> list:  # see markers.ContainerRule
                return container_hits(media, **seen)  # type: ignore[arg-type]
        out = []
        for hit in evaluate(fields, container):
            evidence = {**hit.evidence, "source": "metadata", "reader": fields.reader}
            out.append(self.finding(hit.explanation, strength=hit.strength, claim=hit.claim,
                                    title=hit.title, evidence=evidence))
        return out
