"""Fuse a file's findings into one verdict, keeping provenance and signals apart.

Rules (docs/scoring.md explains them for readers):
- decisive provenance that claims AI creation or AI editing -> ``ai-generated`` (basis provenance);
- else a strong hash match to a list of known AI-generated items -> ``ai-generated`` (basis known-content);
- otherwise the strongest statistical finding (signal, semantic, temporal) sets the label through
  the shared thresholds: >= 0.9 ``likely-synthetic``, >= 0.6 ``possibly-synthetic``;
- findings of an advisory detector (``Detector.advisory``: measured as inverted on a held-out
  group) are listed but never set the label;
- a finding a detector marks unstable (``evidence["unstable"]``), a contradiction between
  provenance sources, or tampered provenance with no stronger signal -> ``inconclusive``;
- nothing above the thresholds -> ``no-evidence``; never "real" or "authentic";
- a file-level error -> ``error`` (its partial findings are still listed).
"""

from __future__ import annotations

from typing import Sequence

from . import __version__
from .detector import ADVISORY_KEY, LIKELY_THRESHOLD, POSSIBLY_THRESHOLD
from .model import Claim, FileError, Finding, Kind, Label, Strength, Verdict
from .registry import CONTRADICTION_ID  # reserved: no plugin may take it

_AI_CLAIMS = (Claim.AI_GENERATED, Claim.AI_EDITED)
_STAT_KINDS = (Kind.SIGNAL, Kind.SEMANTIC, Kind.TEMPORAL)


def contradictions(findings: Sequence[Finding]) -> list[Finding]:
    """A finding for each pair of provenance sources that disagree about the file's origin."""
    prov = [f for f in findings if f.kind is Kind.PROVENANCE and f.claim is not None]
    # Only a claim of AI *creation* contradicts a capture claim: a camera photo later edited with AI
    # legitimately carries both camera metadata and an AI-edit record.
    ai = [f for f in prov if f.claim is Claim.AI_GENERATED and f.strength.rank >= Strength.MODERATE.rank]
    capture = [f for f in prov if f.claim is Claim.CAPTURE and f.detector != CONTRADICTION_ID]
    out: list[Finding] = []
    for cap in capture:
        for a in ai:
            if a.detector == cap.detector and a.evidence.get("source") == cap.evidence.get("source"):
                continue  # one manifest recording a capture then an AI edit is a history, not a conflict
            out.append(Finding(
                detector=CONTRADICTION_ID,
                detector_version=__version__,
                kind=Kind.PROVENANCE,
                strength=Strength.STRONG,
                title="Provenance sources disagree",
                explanation=(f"Provenance sources disagree: {cap.detector} says the file is a camera capture "
                             f"({cap.title or cap.explanation}) while {a.detector} says it is "
                             "AI-generated "
                             f"({a.title or a.explanation})."),
                evidence={"capture": {"detector": cap.detector, "title": cap.title, "evidence": dict(cap.evidence)},
                          "ai": {"detector": a.detector, "title": a.title, "evidence": dict(a.evidence)}},
            ))
    return out


def fuse(findings: Sequence[Finding], errors: Sequence[FileError], *, fatal: bool) -> Verdict:
    """The verdict for one file.  ``fatal`` is true when the file itself could not be read."""
    if fatal:
        codes = ", ".join(sorted({e.code.value for e in errors if e.detector is None})) or "error"
        return Verdict(Label.ERROR, None, "none", f"The file could not be scanned ({codes}); see errors.")

    decisive_ai = [f for f in findings if f.kind is Kind.PROVENANCE and f.claim in _AI_CLAIMS
                   and f.strength is Strength.DECISIVE]
    conflicts = [f for f in findings if f.detector == CONTRADICTION_ID]
    tampered = [f for f in findings if f.claim is Claim.TAMPERED]
    # advisory findings (a detector measured as inverted on held-out data) are shown, never counted
    stats = [f for f in findings
             if f.kind in _STAT_KINDS and f.score is not None and not f.evidence.get(ADVISORY_KEY)]
    unstable = [f for f in stats if f.evidence.get("unstable")]
    top = max(stats, key=lambda f: f.score or 0.0, default=None)
    top_score = top.score if top is not None and top.score is not None else None

    known_ai = [f for f in findings if f.kind is Kind.MATCH and f.claim is Claim.AI_GENERATED
                and f.strength.rank >= Strength.STRONG.rank]
    if known_ai and not decisive_ai:
        best = max(known_ai, key=lambda f: (f.strength.rank, f.score or 0.0))
        return Verdict(Label.AI_GENERATED, best.score, "known-content",
                       f"The file matches a known AI-generated item: {best.explanation}")
    if decisive_ai:
        best = decisive_ai[0]
        note = " Other provenance contradicts it; see the contradiction finding." if conflicts else ""
        score = max(f.score if f.score is not None else 1.0 for f in decisive_ai)
        return Verdict(Label.AI_GENERATED, score, "provenance",
                       f"Provenance says the file was made or edited with generative AI: "
                       f"{best.title or best.explanation}.{note}")
    if unstable and top is not None and (top.evidence.get("unstable") or (top_score or 0) < LIKELY_THRESHOLD):
        f = unstable[0]
        return Verdict(Label.INCONCLUSIVE, top_score, "signals",
                       f"Inconclusive: the {f.detector} score changes verdict under mild re-encoding "
                       f"({f.evidence.get('unstable_reason', 'unstable score')}).")
    if top_score is not None and top_score >= LIKELY_THRESHOLD:
        return Verdict(Label.LIKELY, top_score, "signals",
                       f"Statistical evidence points to a synthetic origin; strongest: {top.detector} "
                       f"({top_score:.2f}). This is not provenance.")
    if top_score is not None and top_score >= POSSIBLY_THRESHOLD:
        return Verdict(Label.POSSIBLY, top_score, "signals",
                       f"Some statistical evidence of a synthetic origin; strongest: {top.detector} "
                       f"({top_score:.2f}). Treat as a lead, not a finding.")
    if conflicts:
        return Verdict(Label.INCONCLUSIVE, top_score, "provenance",
                       "Inconclusive: the file's provenance sources contradict each other.")
    if tampered:
        return Verdict(Label.INCONCLUSIVE, top_score, "provenance",
                       "Inconclusive: the file's signed provenance no longer matches its content "
                       "(altered after signing).")
    graded_ai = [f for f in findings if f.kind is Kind.PROVENANCE and f.claim in _AI_CLAIMS
                 and f.strength.rank >= Strength.MODERATE.rank]
    if graded_ai:
        best = max(graded_ai, key=lambda f: f.strength.rank)
        label = Label.LIKELY if best.strength is Strength.STRONG else Label.POSSIBLY
        return Verdict(label, best.score, "provenance",
                       f"Provenance suggests generative AI was involved: {best.title or best.explanation}.")
    if not any(f.kind in _STAT_KINDS for f in findings) and not any(f.kind is Kind.PROVENANCE for f in findings):
        return Verdict(Label.NO_EVIDENCE, top_score, "none",
                       "No detector found evidence of generative AI. This does not show the file is authentic.")
    return Verdict(Label.NO_EVIDENCE, top_score, "signals" if stats else "provenance",
                   "No evidence of generative AI was found by the detectors that ran. "
                   "Absence of evidence does not show the file is authentic.")
