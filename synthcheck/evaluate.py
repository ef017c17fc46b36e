"""Measure detectors on labelled files: the yardstick every quality number in the docs comes from.

A file's score for one detector is the highest score among that detector's findings; a file where
the detector gave no scored finding counts as 0 and as "no score"; a detector that scored no
file at all gets no AUC or average precision (a constant has nothing to rank).  The fused verdict is
ranked by its label (no-evidence < inconclusive < possibly < likely < ai-generated), ties broken
by the verdict score, and judged at two cut points: label >= likely-synthetic and label >=
possibly-synthetic.  Files whose scan failed (verdict ``error``) are left out of the metrics and
counted.  Rates are computed here; formatters only render them.

Grouped results (``--group-by``): a mean over a mixed set hides the generator a detector misses,
so each group is also measured on its own.  A synthetic group is ranked against every real file
(AUC) and judged by its share at the likely cut (TPR); a real group is ranked against every
synthetic file and judged by its false-"likely" rate.  Each table carries the mean and the WORST
group beside it.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

from .detector import LIKELY_THRESHOLD, POSSIBLY_THRESHOLD
from .discover import iter_files
from .model import FileResult, Label, RunInfo

REAL, SYNTHETIC = 0, 1
FUSED = "fused"
_LABEL_WORDS = {"real": REAL, "0": REAL, "synthetic": SYNTHETIC, "1": SYNTHETIC}


@dataclass(frozen=True)
class ThresholdStats:
    name: str  # "likely" / "possibly"
    threshold: float  # the score cut point (for the fused verdict: the label rank)
    tpr: float | None  # synthetic files at or above the cut / all synthetic
    fpr: float | None  # real files at or above the cut / all real
    accuracy: float | None


@dataclass(frozen=True)
class Metrics:
    """Quality of one detector (or of the fused verdict) on the files it could score."""

    name: str
    version: str
    n: int  # files in the metrics (errors excluded)
    n_synthetic: int
    n_real: int
    auc: float | None  # None when only one class is present
    average_precision: float | None
    accuracy: float | None  # at the likely cut point
    thresholds: tuple[ThresholdStats, ...]
    no_score: int = 0  # ran, but gave no scored finding: counted as 0
    errors: int = 0  # files where this detector failed or the file could not be read


@dataclass(frozen=True)
class FileScores:
    path: str  # the original input path (not the normalised copy)
    label: int
    verdict: str
    scores: Mapping[str, float | None]  # detector id -> max finding score (None: no score)
    errors: tuple[str, ...] = ()


@dataclass(frozen=True)
class Dataset:
    sources: tuple[str, ...]  # folders / csv files the items came from
    n_real: int
    n_synthetic: int
    normalization: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class EvalReport:
    dataset: Dataset
    run: RunInfo
    detectors: Mapping[str, str]  # id -> version
    per_detector: tuple[Metrics, ...]
    fused: Metrics
    errors: int  # files whose scan failed entirely
    inconclusive: int
    files: tuple[FileScores, ...]
    groups: tuple["GroupTable", ...] = ()  # one per scorer when grouping was asked for
    group_by: str = ""


GROUP_BYS = ("generator", "source", "folder")


@dataclass(frozen=True)
class GroupRow:
    group: str
    label: int  # the side this group is on
    n: int
    auc: float | None  # this group against every file of the other side
    likely_rate: float | None  # synthetic: TPR at the likely cut; real: false-"likely" rate


@dataclass(frozen=True)
class GroupTable:
    """One scorer (a detector or the fused verdict) measured group by group."""

    scorer: str
    rows: tuple[GroupRow, ...]
    mean_auc: float | None
    worst_auc: float | None
    worst_group: str | None
    mean_tpr: float | None  # over synthetic groups
    worst_tpr: float | None
    max_false_likely: float | None  # over real groups
    inverted: tuple[str, ...] = ()  # groups ranked below chance (AUC < 0.5)


# -- loading labelled items -------------------------------------------------------------------
def parse_label(text: str) -> int:
    try:
        return _LABEL_WORDS[text.strip().lower()]
    except KeyError:
        raise ValueError(f"unknown label {text!r}: use real/synthetic or 0/1") from None


def load_csv(path: str | Path) -> list[tuple[str, int]]:
    """Read ``path,label`` rows (optional header); relative paths are relative to the CSV file."""
    base = Path(path).resolve().parent
    items: list[tuple[str, int]] = []
    with open(path, newline="", encoding="utf-8") as fh:
        for n, row in enumerate(csv.reader(fh), 1):
            if not row or not row[0].strip() or row[0].lstrip().startswith("#"):
                continue
            if len(row) < 2:
                raise ValueError(f"{path}:{n}: expected 'path,label'")
            if n == 1 and row[1].strip().lower() in ("label", "class", "y"):
                continue  # header
            try:
                label = parse_label(row[1])
            except ValueError as exc:
                raise ValueError(f"{path}:{n}: {exc}") from None
            p = Path(row[0].strip())
            items.append((str(p if p.is_absolute() else base / p), label))
    return items


def items_from_dirs(real: Iterable[str] = (), synthetic: Iterable[str] = ()) -> list[tuple[str, int]]:
    items = [(p, REAL) for p in iter_files(list(real))]
    return items + [(p, SYNTHETIC) for p in iter_files(list(synthetic))]


def group_of(path: str, root: str, by: str, csv_group: str | None = None) -> str:
    """The group a file belongs to, given the folder or CSV (``root``) it was listed from.

    ``source``: the root itself.  ``generator``: the first folder below the root (a folder of
    per-generator folders), the root's own name for files directly in it, or a CSV's third
    column when it has one.  ``folder``: the file's parent folder.
    """
    if by not in GROUP_BYS:
        raise ValueError(f"unknown grouping {by!r}: use {', '.join(GROUP_BYS)}")
    p, r = Path(path), Path(root)
    if by == "source":
        return str(root)
    if by == "folder":
        return p.parent.name or str(p.parent)
    if csv_group:
        return csv_group
    try:
        rel = p.relative_to(r)
    except ValueError:
        return p.parent.name
    return rel.parts[0] if len(rel.parts) > 1 else (r.name if r.is_dir() else p.parent.name)


def csv_groups(path: str | Path) -> dict[str, str]:
    """The optional third column (``path,label,group``) of a CSV, keyed like ``load_csv`` paths."""
    base = Path(path).resolve().parent
    out: dict[str, str] = {}
    with open(path, newline="", encoding="utf-8") as fh:
        for row in csv.reader(fh):
            if len(row) >= 3 and row[0].strip() and not row[0].lstrip().startswith("#") and row[2].strip():
                p = Path(row[0].strip())
                out[str(p if p.is_absolute() else base / p)] = row[2].strip()
    out.pop(str(base / "path"), None)  # header
    return out


# -- metrics ----------------------------------------------------------------------------------
def binary_metrics(name: str, version: str, labels: Sequence[int], scores: Sequence[float],
                   cuts: Sequence[tuple[str, float]], *, no_score: int = 0, errors: int = 0) -> Metrics:
    """AUC, average precision and the rates at each cut (score >= cut counts as synthetic)."""
    pos = sum(1 for y in labels if y == SYNTHETIC)
    neg = len(labels) - pos
    auc = ap = None
    if pos and neg:
        from sklearn.metrics import average_precision_score, roc_auc_score

        auc = float(roc_auc_score(labels, scores))
        ap = float(average_precision_score(labels, scores))
    rows = []
    for cut_name, cut in cuts:
        flagged = [s >= cut for s in scores]
        tp = sum(1 for f, y in zip(flagged, labels) if f and y == SYNTHETIC)
        fp = sum(1 for f, y in zip(flagged, labels) if f and y == REAL)
        tn = neg - fp
        rows.append(ThresholdStats(cut_name, cut, tp / pos if pos else None, fp / neg if neg else None,
                                   (tp + tn) / len(labels) if labels else None))
    acc = rows[0].accuracy if rows else None
    return Metrics(name, version, len(labels), pos, neg, auc, ap, acc, tuple(rows), no_score, errors)


def _auc(pos: Sequence[float], neg: Sequence[float]) -> float | None:
    """Probability that a positive outranks a negative (ties count half): ROC AUC without sklearn."""
    import numpy as np

    if len(pos) == 0 or len(neg) == 0:
        return None

    n = np.sort(np.asarray(neg, float))
    p = np.asarray(pos, float)
    below = np.searchsorted(n, p, side="left")
    ties = np.searchsorted(n, p, side="right") - below
    return float((below + 0.5 * ties).sum() / (len(p) * len(n)))


def group_table(scorer: str, labels: Sequence[int], scores: Sequence[float], groups: Sequence[str],
                likely_cut: float) -> GroupTable:
    """Per-group AUC (the group against the whole other side) and rate at the likely cut."""
    rows: list[GroupRow] = []
    sides = {y: [s for s, yy in zip(scores, labels) if yy == y] for y in (REAL, SYNTHETIC)}
    for name in sorted(set(groups)):
        for y in (SYNTHETIC, REAL):
            mine = [s for s, yy, g in zip(scores, labels, groups) if g == name and yy == y]
            if not mine:
                continue
            other = sides[REAL if y == SYNTHETIC else SYNTHETIC]
            auc = _auc(mine, other) if y == SYNTHETIC else _auc(other, mine)
            rate = sum(1 for s in mine if s >= likely_cut) / len(mine)
            rows.append(GroupRow(name, y, len(mine), auc, rate))
    aucs = [(r.auc, r.group) for r in rows if r.auc is not None]
    tprs = [r.likely_rate for r in rows if r.label == SYNTHETIC and r.likely_rate is not None]
    fls = [r.likely_rate for r in rows if r.label == REAL and r.likely_rate is not None]
    worst = min(aucs) if aucs else (None, None)
    return GroupTable(scorer, tuple(rows), sum(a for a, _ in aucs) / len(aucs) if aucs else None,
                      worst[0], worst[1], sum(tprs) / len(tprs) if tprs else None, min(tprs) if tprs else None,
                      max(fls) if fls else None, tuple(sorted({g for a, g in aucs if a < 0.5})))


def group_tables(results: Sequence[FileResult], labels: Sequence[int], groups: Sequence[str],
                 detectors: Mapping[str, str]) -> tuple[GroupTable, ...]:
    """Group tables for the fused verdict and for every detector that scored at least one file."""
    ok = [i for i, r in enumerate(results) if r.verdict.label is not Label.ERROR]
    tables = [group_table(FUSED, [labels[i] for i in ok], [fused_rank(results[i]) for i in ok],
                          [groups[i] for i in ok], float(Label.LIKELY.rank))]
    for det in detectors:
        keep = [i for i in ok if not any(e.detector == det for e in results[i].errors)]
        raw = [detector_score(results[i], det) for i in keep]
        if all(s is None for s in raw):
            continue
        tables.append(group_table(det, [labels[i] for i in keep], [0.0 if s is None else s for s in raw],
                                  [groups[i] for i in keep], LIKELY_THRESHOLD))
    return tuple(tables)


DETECTOR_CUTS = (("likely", LIKELY_THRESHOLD), ("possibly", POSSIBLY_THRESHOLD))
FUSED_CUTS = (("likely", float(Label.LIKELY.rank)), ("possibly", float(Label.POSSIBLY.rank)))


def fused_rank(result: FileResult) -> float:
    """Verdict label rank, ties broken by the verdict score (kept below the next rank)."""
    return result.verdict.label.rank + 0.99 * (result.verdict.score or 0.0)


def detector_score(result: FileResult, detector: str) -> float | None:
    scores = [f.score for f in result.findings if f.detector == detector and f.score is not None]
    return max(scores) if scores else None


def compute(results: Sequence[FileResult], labels: Sequence[int], detectors: Mapping[str, str],
            paths: Sequence[str] | None = None) -> tuple[tuple[Metrics, ...], Metrics, tuple[FileScores, ...]]:
    """Per-detector and fused metrics from scan results aligned with ``labels``."""
    paths = list(paths) if paths is not None else [r.path for r in results]
    ok = [i for i, r in enumerate(results) if r.verdict.label is not Label.ERROR]
    per: list[Metrics] = []
    for det, version in detectors.items():
        ys: list[int] = []
        ss: list[float] = []
        missing = errs = 0
        for i, r in enumerate(results):
            failed = r.verdict.label is Label.ERROR or any(e.detector == det for e in r.errors)
            if failed:
                errs += 1
                continue
            s = detector_score(r, det)
            missing += s is None
            ys.append(labels[i])
            ss.append(0.0 if s is None else s)
        m = binary_metrics(det, version, ys, ss, DETECTOR_CUTS, no_score=missing, errors=errs)
        if ys and missing == len(ys):  # never scored (provenance-only, or not applicable): nothing to rank
            m = replace(m, auc=None, average_precision=None)
        per.append(m)
    fused = binary_metrics(FUSED, "", [labels[i] for i in ok], [fused_rank(results[i]) for i in ok], FUSED_CUTS,
                           errors=len(results) - len(ok))
    files = tuple(FileScores(paths[i], labels[i], r.verdict.label.value,
                             {d: detector_score(r, d) for d in detectors},
                             tuple(f"{e.detector or 'file'}: {e.code.value}: {e.message}" for e in r.errors))
                  for i, r in enumerate(results))
    return tuple(per), fused, files


# -- the whole evaluation ---------------------------------------------------------------------
def evaluate(items: Sequence[tuple[str, int]], *, detectors: Sequence[str] | None = None,
             skip: Sequence[str] | None = None, workers: int | None = 1, device: str = "cpu",
             normalize: str = "none", options: Mapping[str, Any] | None = None,
             sources: Sequence[str] = (), progress: Callable[[int, int], None] | None = None,
             groups: Sequence[str] | None = None, group_by: str = "") -> EvalReport:
    """Scan labelled ``(path, label)`` items and measure every selected detector and the verdict.

    ``groups`` (aligned with ``items``, see ``group_of``) adds per-group tables named ``group_by``.

    Raises ``ValueError`` when there is nothing to evaluate and ``KeyError`` for unknown
    detector ids (the CLI turns both into exit status 2).
    """
    from .api import prepare
    from .normalize import get_preset, normalized

    if not items:
        raise ValueError("no labelled files to evaluate")
    preset = get_preset(normalize)
    labels = [int(y) for _, y in items]
    if any(y not in (REAL, SYNTHETIC) for y in labels):
        raise ValueError("labels must be 0 (real) or 1 (synthetic)")
    if groups is not None and len(groups) != len(items):
        raise ValueError("groups must name one group per item")
    scan = prepare(detectors=detectors, skip=skip, device=device, workers=workers, options=options)
    originals = [p for p, _ in items]
    results: list[FileResult | None] = [None] * len(items)
    with normalized(originals, preset) as (paths, stats):
        for done, (idx, res) in enumerate(scan.results(paths), 1):
            results[idx] = res
            if progress:
                progress(done, len(items))
    run = scan.finish()
    final = [r for r in results if r is not None]
    assert len(final) == len(items)
    per, fused, files = compute(final, labels, run.detectors, originals)
    norm = {"preset": stats.preset, "description": stats.description, "normalised": stats.normalised,
            "upscaled": stats.upscaled, "passed_through": stats.passed_through}
    dataset = Dataset(tuple(sources), labels.count(REAL), labels.count(SYNTHETIC), norm)
    return EvalReport(dataset=dataset, run=run, detectors=dict(run.detectors), per_detector=per, fused=fused,
                      errors=sum(1 for r in final if r.verdict.label is Label.ERROR),
                      inconclusive=sum(1 for r in final if r.verdict.label is Label.INCONCLUSIVE),
                      files=files,
                      groups=group_tables(final, labels, groups, run.detectors) if groups is not None else (),
                      group_by=group_by if groups is not None else "")
