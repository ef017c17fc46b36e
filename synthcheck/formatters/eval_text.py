"""Rich table rendering of an evaluation report; it renders what ``evaluate`` computed."""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

from ..evaluate import REAL, EvalReport, GroupTable, Metrics

if TYPE_CHECKING:  # pragma: no cover
    from rich.table import Table


def _f(v: float | None, pct: bool = False) -> str:
    if v is None:
        return "n/a"
    return f"{100 * v:.1f}%" if pct else f"{v:.3f}"


def _cut(m: Metrics, name: str) -> tuple[str, str]:
    for t in m.thresholds:
        if t.name == name:
            return _f(t.tpr, True), _f(t.fpr, True)
    return "n/a", "n/a"


def _group_table(t: GroupTable, by: str) -> Table:
    from rich.table import Table

    title = "fused verdict" if t.scorer == "fused" else t.scorer
    table = Table(title=f"{title} by {by} (each group against the whole other side)")
    for col in ("group", "side", "n", "ROC AUC", "likely"):
        table.add_column(col, justify="left" if col in ("group", "side") else "right")
    for r in t.rows:
        side = "real" if r.label == REAL else "synthetic"
        what = "false likely " if r.label == REAL else "TPR "
        table.add_row(r.group, side, str(r.n), _f(r.auc), what + _f(r.likely_rate, True))
    table.add_row("MEAN", "", "", _f(t.mean_auc), "TPR " + _f(t.mean_tpr, True))
    table.add_row(f"WORST ({t.worst_group or 'n/a'})", "", "", _f(t.worst_auc),
                  "TPR " + _f(t.worst_tpr, True) + "; max false likely " + _f(t.max_false_likely, True))
    return table


def render(report: EvalReport, out: TextIO, *, color: bool = False) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(file=out, color_system="auto" if color else None, width=140, highlight=False)
    ds = report.dataset
    norm = ds.normalization
    console.print(f"Data: {ds.n_synthetic} synthetic, {ds.n_real} real"
                  f" from {', '.join(ds.sources) or 'given items'}")
    console.print(f"Normalisation: {norm.get('preset', 'none')} ({norm.get('description', '')});"
                  f" normalised {norm.get('normalised', 0)}, upscaled {norm.get('upscaled', 0)},"
                  f" passed through {norm.get('passed_through', 0)}")
    table = Table(title="Detector quality (score >= cut counts as synthetic)")
    for col in ("detector", "n", "ROC AUC", "avg prec", "acc@likely", "TPR@likely", "FPR@likely",
                "TPR@possibly", "FPR@possibly", "no score", "errors"):
        table.add_column(col, justify="left" if col == "detector" else "right")
    for m in (*report.per_detector, report.fused):
        name = "fused verdict" if m.name == "fused" else f"{m.name} {m.version}"
        tl, fl = _cut(m, "likely")
        tp, fp = _cut(m, "possibly")
        table.add_row(name, str(m.n), _f(m.auc), _f(m.average_precision), _f(m.accuracy, True), tl, fl, tp, fp,
                      str(m.no_score), str(m.errors))
    console.print(table)
    console.print("Cuts: detectors likely >= 0.9, possibly >= 0.6; fused verdict likely = label >= "
                  "likely-synthetic, possibly = label >= possibly-synthetic.")
    for t in report.groups:
        console.print(_group_table(t, report.group_by))
        if t.inverted:
            console.print(f"{t.scorer}: ranked BELOW chance (AUC < 0.5) on {', '.join(t.inverted)}")
    console.print(f"Files that could not be scanned: {report.errors}; inconclusive verdicts: {report.inconclusive}")
    if report.run.skipped_detectors:
        skipped = ", ".join(f"{k} ({v})" for k, v in report.run.skipped_detectors.items())
        console.print(f"Skipped detectors: {skipped}")
