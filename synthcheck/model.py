"""The evidence model: small frozen records that every detector, formatter and caller shares.

Records are frozen so that a finding cannot be edited after a detector reports it; a formatter
can only render what the scan computed.  Serialisation lives in ``synthcheck.serialize``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Mapping


class Kind(str, Enum):
    """What sort of evidence a finding is; provenance is always reported apart from the rest."""

    PROVENANCE = "provenance"  # C2PA, watermarks, metadata: claims the file makes about itself
    SIGNAL = "signal"  # statistical pixel evidence (frequency, learned detector)
    SEMANTIC = "semantic"  # content that is wrong (six fingers)
    TEMPORAL = "temporal"  # evidence over time in video
    MATCH = "match"  # a match against a known item (hash lists)


class Strength(str, Enum):
    """How much weight a reader should give a finding, from context to decisive."""

    INFO = "info"  # context only (camera EXIF, stripped metadata, not checked)
    WEAK = "weak"
    MODERATE = "moderate"
    STRONG = "strong"
    DECISIVE = "decisive"  # provenance that settles the question (valid AI manifest, known watermark)

    @property
    def rank(self) -> int:
        return _STRENGTH_RANK[self]


_STRENGTH_RANK = {s: i for i, s in enumerate(Strength)}


class Claim(str, Enum):
    """What a provenance finding says about the file's origin; used to spot contradictions."""

    AI_GENERATED = "ai-generated"
    AI_EDITED = "ai-edited"
    ALGORITHMIC = "algorithmic"  # made by software, not necessarily trained AI
    CAPTURE = "capture"  # a camera / digital capture claim: context, never proof
    TAMPERED = "tampered"  # provenance that no longer matches the file


class Label(str, Enum):
    """A file's fused verdict.  There is deliberately no 'real' or 'authentic'."""

    AI_GENERATED = "ai-generated"
    LIKELY = "likely-synthetic"
    POSSIBLY = "possibly-synthetic"
    INCONCLUSIVE = "inconclusive"
    NO_EVIDENCE = "no-evidence"
    ERROR = "error"

    @property
    def rank(self) -> int:
        """Order used by ``--fail-on``: higher is more severe; error sits outside the scale."""
        return _LABEL_RANK[self]


_LABEL_RANK = {
    Label.ERROR: -1,
    Label.NO_EVIDENCE: 0,
    Label.INCONCLUSIVE: 1,
    Label.POSSIBLY: 2,
    Label.LIKELY: 3,
    Label.AI_GENERATED: 4,
}


class ErrorCode(str, Enum):
    UNSUPPORTED_FORMAT = "unsupported_format"
    TRUNCATED = "truncated"
    DECODE_ERROR = "decode_error"
    LIMIT_EXCEEDED = "limit_exceeded"
    TIMEOUT = "timeout"
    CRASHED = "crashed"
    IO_ERROR = "io_error"
    DETECTOR_ERROR = "detector_error"  # one detector failed; the others still ran


@dataclass(frozen=True)
class Finding:
    """One piece of evidence from one detector, with a sentence a reader can check."""

    detector: str
    detector_version: str
    kind: Kind
    strength: Strength
    explanation: str
    score: float | None = None  # in [0, 1]; None where a score makes no sense
    evidence: Mapping[str, Any] = field(default_factory=dict)
    region: tuple[int, int, int, int] | None = None  # x, y, w, h in pixels
    time: tuple[float, float] | None = None  # t0, t1 in seconds
    claim: Claim | None = None  # provenance findings only
    title: str = ""  # a short name for the finding ("SDXL watermark")

    def __post_init__(self) -> None:
        if self.score is not None and not 0.0 <= self.score <= 1.0:
            raise ValueError(f"finding score {self.score!r} outside [0, 1] ({self.detector})")
        if not self.explanation:
            raise ValueError(f"finding from {self.detector} has no explanation")


@dataclass(frozen=True)
class FileError:
    """A typed reason a file, or one detector on it, could not be scanned."""

    code: ErrorCode
    message: str
    detector: str | None = None


@dataclass(frozen=True)
class Verdict:
    label: Label
    score: float | None
    basis: str  # "provenance" | "known-content" | "signals" | "none"
    summary: str


@dataclass(frozen=True)
class FileResult:
    path: str
    sha256: str | None
    size: int | None
    media: str | None  # "image" | "video" | None when unknown
    format: str | None  # sniffed from content: "jpeg", "png", "mp4", ...
    findings: tuple[Finding, ...]
    errors: tuple[FileError, ...]
    verdict: Verdict
    elapsed_ms: float
    width: int | None = None
    height: int | None = None
    frames: int | None = None
    duration: float | None = None
    detectors_run: tuple[str, ...] = ()


@dataclass(frozen=True)
class RunInfo:
    """Everything needed to reproduce a run: versions, weights, options, when and where.

    A detector's ``version`` covers its scoring and calibration too: a recalibration bumps it, so
    two reports with the same detector versions, weight hashes and library versions are comparable.
    """

    tool_version: str
    schema_version: str
    detectors: Mapping[str, str]  # id -> version of the detectors that were run
    weights: Mapping[str, str]  # weight file -> sha256
    options: Mapping[str, Any]
    started: str  # ISO 8601 UTC
    finished: str | None
    host: str | None  # None when the user asked to leave it out (--no-host)
    python: str
    platform: str
    skipped_detectors: Mapping[str, str] = field(default_factory=dict)  # id -> why
    libraries: Mapping[str, str | None] = field(default_factory=dict)  # library or tool -> version (None: absent)
