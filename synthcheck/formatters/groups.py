"""How findings are grouped for people: provenance apart from statistics, then one section per kind.

Shared by the text and HTML reports so that both tell the same story in the same order: what the
file says about itself first (a valid AI manifest settles the question), then pixel statistics,
content checks, evidence over time and matches.  Timed temporal findings form a timeline.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from ..model import FileResult, Finding, Kind, Label

PROVENANCE_HEADING = "Provenance (what the file says about itself)"
NO_PROVENANCE = "none found (most files carry none; its absence says nothing)"
STAT_SECTIONS = ((Kind.SIGNAL, "Statistical signals"), (Kind.SEMANTIC, "Content (semantic) checks"),
                 (Kind.TEMPORAL, "Over time (video)"), (Kind.MATCH, "Matches against known items"))
LEGEND = {
    Label.AI_GENERATED: "provenance (a signed manifest or known watermark) says generative AI made or edited it",
    Label.LIKELY: "strong statistical evidence of a synthetic origin; not provenance",
    Label.POSSIBLY: "some statistical evidence; treat as a lead, not a finding",
    Label.INCONCLUSIVE: "evidence is unstable or sources contradict each other",
    Label.NO_EVIDENCE: "the detectors that ran found nothing; absence of evidence is not proof of authenticity",
    Label.ERROR: "the file could not be scanned",
}


@dataclass(frozen=True)
class Section:
    """One kind of statistical evidence: findings without a time span, and (temporal only) a timeline."""

    kind: Kind
    heading: str
    findings: tuple[Finding, ...]
    timeline: tuple[Finding, ...] = ()  # sorted by start, then end


@dataclass(frozen=True)
class Groups:
    provenance: tuple[Finding, ...]
    sections: tuple[Section, ...]  # only the non-empty ones, in STAT_SECTIONS order


def group(findings: Iterable[Finding]) -> Groups:
    """Split findings the way every report for people shows them (input order kept within a group)."""
    items = tuple(findings)
    sections = []
    for kind, heading in STAT_SECTIONS:
        of_kind = [f for f in items if f.kind is kind]
        timed: tuple[Finding, ...] = ()
        if kind is Kind.TEMPORAL:
            timed = tuple(sorted((f for f in of_kind if f.time is not None), key=lambda f: (f.time[0], f.time[1])))
            of_kind = [f for f in of_kind if f.time is None]
        if of_kind or timed:
            sections.append(Section(kind, heading, tuple(of_kind), timed))
    return Groups(tuple(f for f in items if f.kind is Kind.PROVENANCE), tuple(sections))


def human_size(n: int | None) -> str:
    if n is None:
        return "?"
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{n} B"  # pragma: no cover


def file_facts(r: FileResult) -> list[str]:
    """What a report says about the file before its evidence: kind, format, size in pixels, time and bytes."""
    items = [x for x in (r.media, r.format) if x]
    if r.width and r.height:
        items.append(f"{r.width}×{r.height}")
    if r.duration is not None:
        items.append(f"{r.duration:.1f} s")
    if r.frames:
        items.append(f"{r.frames} frames")
    if r.size is not None:
        items.append(human_size(r.size))
    return items
