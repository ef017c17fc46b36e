"""The detector plugin contract.

A detector is a class with stable identity as class data (``id``, ``version``) so a report can
name exactly what produced a finding, in the way bandit names its tests.  Detectors are found
through the ``synthcheck.detectors`` entry-point group; the built-in ones are declared there too,
so a third-party package plugs in the same way.

Heavy dependencies (torch, cv2, c2pa) must be imported inside ``load``/``run`` or in modules
those import, never at module import time: ``synthcheck detectors`` imports every detector class
and must stay fast and torch-free.
"""

from __future__ import annotations

import importlib.resources
import importlib.util
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Mapping, Sequence

from .model import Claim, Finding, Kind, Strength

if TYPE_CHECKING:  # pragma: no cover
    from .media import Media

COST_TIERS = ("cheap", "moderate", "expensive")  # run order: cheap checks first
ADVISORY_KEY = "advisory"  # evidence key: the finding is context only (see ``Detector.advisory``)


@dataclass(frozen=True)
class Availability:
    ok: bool
    reason: str = ""
    fix: str = ""


@dataclass
class DetectorContext:
    """What a detector may know about the run: device, options, where weights live."""

    device: str = "cpu"  # resolved: "cpu" or "cuda"
    options: Mapping[str, Any] = field(default_factory=dict)
    weights_dir: Path = field(default_factory=lambda: default_weights_dir())


def default_weights_dir() -> Path:
    """The shipped weights: the repo's top-level ``weights/`` is the package ``synthcheck.weights``
    in an install (editable or not, see setup.py), so it is found as package data."""
    try:
        return Path(str(importlib.resources.files("synthcheck.weights")))
    except ModuleNotFoundError:  # a source tree put on sys.path by hand, never installed
        return Path(__file__).resolve().parent.parent / "weights"


class Detector:
    """Base class: subclass, set the class data, implement ``run``.

    The docstring of a subclass is user documentation: ``synthcheck explain ID`` prints it.
    It must say what the detector measures, how to read its score and when it fails.
    """

    id: ClassVar[str] = ""
    version: ClassVar[str] = "0"
    title: ClassVar[str] = ""
    media: ClassVar[frozenset[str]] = frozenset({"image"})  # "image", "video", "document" (PDF)
    cost: ClassVar[str] = "cheap"
    kind: ClassVar[Kind] = Kind.SIGNAL  # the kind of most of its findings
    requires_modules: ClassVar[Sequence[str]] = ()  # importable modules it needs
    requires_tools: ClassVar[Sequence[str]] = ()  # executables it needs on PATH
    extra: ClassVar[str] = ""  # pip extra that provides its modules, for the fix hint
    weights: ClassVar[Sequence[str]] = ()  # file names under weights/
    # Why the detector's findings are context only, or "" when they may set the verdict.  A detector
    # measured as inverted on a held-out group (rule 5: broken, not weak) keeps reporting what it sees,
    # so a reader can look, but ``finding`` caps its strength at weak and fusion leaves it out.
    advisory: ClassVar[str] = ""
    # Keys of what ``prepare_run`` returns that the run record must state (a trust list's or a hash
    # list's identity and SHA-256): they can change a result, so a report names them.
    record_keys: ClassVar[Sequence[str]] = ()
    # Longest image side the detector needs, for a detector that downscales anyway: when every pixel
    # detector of a run declares one, JPEGs are decoded at that size (DCT scaling, media.py) and
    # ``media.rgb`` is the smaller image; None (the default) means full resolution.
    decode_max_side: ClassVar[int | None] = None

    def __init__(self, context: DetectorContext) -> None:
        self.context = context

    @classmethod
    def availability(cls) -> Availability:
        """Whether the detector can run here, checked without importing heavy modules."""
        for mod in cls.requires_modules:
            if importlib.util.find_spec(mod) is None:
                hint = f"pip install 'synthcheck[{cls.extra}]'" if cls.extra else f"pip install {mod}"
                return Availability(False, f"Python module '{mod}' is not installed", hint)
        for tool in cls.requires_tools:
            if shutil.which(tool) is None:
                return Availability(False, f"'{tool}' is not on PATH", f"apt-get install {tool}")
        return Availability(True)

    @classmethod
    def prepare_run(cls, options: Mapping[str, Any]) -> Mapping[str, Any]:
        """Parent side, once per scan before any file is read: check and load what the workers need
        (a hash list), returning options to add for them.  Raise ``ValueError`` with a one-line
        message for bad input: the scan then stops with exit code 2 before reading a file."""
        return {}

    def load(self) -> None:
        """Load models or weights; called once per worker before the first ``run``."""

    def run(self, media: "Media") -> list[Finding]:  # pragma: no cover - abstract
        raise NotImplementedError

    # Helpers so detectors build findings with their own id/version filled in.
    def finding(
        self,
        explanation: str,
        *,
        strength: Strength,
        score: float | None = None,
        kind: Kind | None = None,
        evidence: Mapping[str, Any] | None = None,
        region: tuple[int, int, int, int] | None = None,
        time: tuple[float, float] | None = None,
        claim: Claim | None = None,
        title: str = "",
        advisory: str = "",
    ) -> Finding:
        """``advisory`` marks this one finding as context only, for a detector that is inverted on
        one kind of media but not another (the class-wide ``advisory`` covers all of them)."""
        why = advisory or self.advisory
        if why and score is not None:
            strength = min(strength, Strength.WEAK, key=lambda st: st.rank)
            evidence = {**(evidence or {}), ADVISORY_KEY: why}
            explanation = f"{explanation} Context only, not counted in the verdict: this check is {why}."
        return Finding(
            detector=self.id,
            detector_version=self.version,
            kind=kind or self.kind,
            strength=strength,
            explanation=explanation,
            score=None if score is None else float(min(1.0, max(0.0, score))),
            evidence=dict(evidence or {}),
            region=None if region is None else tuple(int(v) for v in region),  # type: ignore[arg-type]
            time=time,
            claim=claim,
            title=title,
        )


def strength_for_score(score: float) -> Strength:
    """The shared map from a calibrated signal score to a strength label.

    Signal detectors calibrate their scores so that these cut points mean the same thing for all
    of them (see docs/scoring.md): >= 0.9 strong (the ``likely-synthetic`` threshold), >= 0.6
    moderate (``possibly-synthetic``), >= 0.3 weak, below that informational.
    """
    if score >= LIKELY_THRESHOLD:
        return Strength.STRONG
    if score >= POSSIBLY_THRESHOLD:
        return Strength.MODERATE
    if score >= WEAK_THRESHOLD:
        return Strength.WEAK
    return Strength.INFO


LIKELY_THRESHOLD = 0.9
POSSIBLY_THRESHOLD = 0.6
WEAK_THRESHOLD = 0.3
