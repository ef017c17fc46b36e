"""``text``: a report for people, printed as each file finishes, with a summary at the end.

Provenance (what the file says about itself) is printed apart from statistical evidence, because
the two are read differently: a valid AI manifest settles the question, a pixel statistic is a
lead.  No label says "real" or "authentic": no-evidence only means the detectors found nothing.
With ``quiet`` only files whose verdict is above no-evidence, or that had errors, are printed.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime
from typing import Iterable

from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.table import Table
from rich.text import Text

from ..model import FileResult, Finding, Label, RunInfo, Strength
from . import BaseFormatter
from .groups import LEGEND, NO_PROVENANCE, file_facts, group

LABEL_STYLE = {Label.AI_GENERATED: "bold white on red", Label.LIKELY: "bold red", Label.POSSIBLY: "bold yellow",
               Label.INCONCLUSIVE: "bold magenta", Label.NO_EVIDENCE: "bold green", Label.ERROR: "bold red"}
STRENGTH_STYLE = {Strength.INFO: "dim", Strength.WEAK: "", Strength.MODERATE: "yellow", Strength.STRONG: "red",
                  Strength.DECISIVE: "bold red"}


def clock(t: float) -> str:
    """Seconds as mm:ss.d (h:mm:ss.d past an hour), as a video player shows them."""
    tenths = int(round(t * 10))
    h, rest = divmod(tenths, 36000)
    m, rest = divmod(rest, 600)
    s = f"{m:02d}:{rest // 10:02d}.{rest % 10}"
    return f"{h}:{s}" if h else s


def score_text(score: float | None) -> str:
    return "  —  " if score is None else f"{score:.2f}"


class Formatter(BaseFormatter):
    def start(self) -> None:
        isatty = getattr(self.out, "isatty", lambda: False)()
        self.console = Console(file=self.out, force_terminal=self.color, no_color=not self.color,
                               highlight=False, emoji=False, soft_wrap=False, width=None if isatty else 100)
        self._labels: Counter[Label] = Counter()
        self._errors = 0
        self._files = 0
        self._scan_ms = 0.0

    def add(self, result: FileResult) -> None:
        if not hasattr(self, "console"):
            self.start()
        self._files += 1
        self._labels[result.verdict.label] += 1
        self._errors += bool(result.errors)
        self._scan_ms += result.elapsed_ms
        if self.quiet and result.verdict.label is Label.NO_EVIDENCE and not result.errors:
            return
        for line in self.render(result):
            self.console.print(line)
        self.out.flush()

    def render(self, r: FileResult) -> Iterable[RenderableType]:
        facts = file_facts(r)
        if r.sha256:
            facts.append(f"sha256 {r.sha256[:12]}…")
        yield Text.assemble(("━━ ", "dim"), (clean(r.path), "bold"), ("  " + " · ".join(facts), "dim"))
        v = r.verdict
        score = "" if v.score is None else f"  score {v.score:.2f}"
        yield Text.assemble("   verdict: ", (f" {v.label.value.upper()} ", LABEL_STYLE[v.label]), score,
                            (f"  basis: {v.basis}", "dim"))
        yield _Indent(Text(clean(v.summary)), 3)
        groups = group(r.findings)
        if groups.provenance or v.label is not Label.ERROR:
            yield Text("   PROVENANCE (what the file says about itself)", style="bold cyan")
        if groups.provenance:
            for f in groups.provenance:
                yield from self._finding(f)
        elif v.label is not Label.ERROR:
            yield Text(f"     {NO_PROVENANCE}", style="dim")
        for sec in groups.sections:
            if sec.timeline:
                yield Text(f"   {sec.kind.value.upper()} TIMELINE", style="bold cyan")
                for f in sec.timeline:
                    t0, t1 = f.time  # type: ignore[misc]
                    yield _Indent(Text.assemble(
                        f"{clock(t0)}-{clock(t1)}  ", (f"{f.strength.value:<8}", STRENGTH_STYLE[f.strength]),
                        f"  {score_text(f.score)}  ", clean(f.explanation), (f"  [{clean(f.detector)}]", "dim")), 5)
            if sec.findings:
                yield Text(f"   {sec.kind.value.upper()}: {sec.heading}", style="bold cyan")
                for f in sec.findings:
                    yield from self._finding(f)
        if r.errors:
            yield Text("   ERRORS", style="bold red")
            for e in r.errors:
                who = f" ({clean(e.detector)})" if e.detector else ""
                yield _Indent(Text(f"{e.code.value}{who}: {clean(e.message)}", style="red"), 5)
        yield Text("")

    @staticmethod
    def _finding(f: Finding) -> Iterable[RenderableType]:
        head = Text.assemble("     • ", (f"{f.strength.value:<8}", STRENGTH_STYLE[f.strength]),
                             f"  {score_text(f.score)}  ", (clean(f.title or f.detector), "bold"),
                             (f"  [{clean(f.detector)}]", "dim"))
        if f.claim is not None:
            head.append(f"  claims {f.claim.value}", style="italic")
        yield head
        yield _Indent(Text(clean(f.explanation)), 9)
        where = []
        if f.region is not None:
            x, y, w, h = f.region
            where.append(f"region x={x} y={y} {w}×{h} px")
        if f.time is not None:
            where.append(f"time {clock(f.time[0])}-{clock(f.time[1])}")
        if where:
            yield _Indent(Text("; ".join(where), style="dim"), 9)

    def finish(self, run: RunInfo) -> None:
        if not hasattr(self, "console"):
            self.start()
        table = Table(title="Summary", show_header=True, header_style="bold")
        table.add_column("verdict")
        table.add_column("files", justify="right")
        table.add_column("meaning")
        for label in Label:
            table.add_row(Text(label.value, style=LABEL_STYLE[label]), str(self._labels[label]), LEGEND[label])
        self.console.print(table)
        wall = _seconds(run.started, run.finished)
        self.console.print(Text(
            f"{self._files} file(s), {self._errors} with errors; scan time {self._scan_ms / 1000:.1f} s"
            + (f", wall time {wall:.1f} s" if wall is not None else "")
            + f"; detectors: {clean(', '.join(run.detectors)) or 'none'}", style="dim"))
        if run.skipped_detectors:
            skipped = "; ".join(f"{k} ({v})" for k, v in run.skipped_detectors.items())
            self.console.print(Text(f"not run: {clean(skipped)}", style="dim"))
        self.out.flush()


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def clean(text: str) -> str:
    """Show control characters as escapes: file names and metadata come from untrusted files, and a
    raw ESC sequence in one could rewrite the reader's terminal."""
    text = text.replace("\n", " ").replace("\t", " ")
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


class _Indent:
    """Indent wrapped lines too, so a long explanation stays under its finding (no trailing blanks,
    unlike ``rich.padding.Padding``, which pads every line to the full width)."""

    def __init__(self, text: Text, n: int) -> None:
        self.text, self.n = text, n

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for line in self.text.wrap(console, max(20, options.max_width - self.n)):
            line.rstrip()
            yield Text(" " * self.n) + line


def _seconds(start: str, end: str | None) -> float | None:
    try:
        return (datetime.fromisoformat(end.replace("Z", "+00:00"))  # type: ignore[union-attr]
                - datetime.fromisoformat(start.replace("Z", "+00:00"))).total_seconds()
    except (AttributeError, ValueError):
        return None
