"""Measure detectors on labelled files: the yardstick every quality number in the docs comes from.

A file's score for one detector is the highest score among that detector's findings; a file where
the detector gave no scored finding counts as 0 and as "no score"; a detector that scored no
file at all gets no AUC or average precision (a constant has nothing to rank).  The fused verdict is
ranked by its label (no-evidence < inconclusive < possibly < likely < ai-generated), ties broken
by the verdict score, and judged at two cut points: label >= likely-synthetic and label >=
possibly-synthetic.  Files whose scan failed (verdict ``error``) are left out of the metrics and
counted.  Rates are computed here; formatters only render them.
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
             sources: Sequence[str] = (), progress: Callable[[int, int], None] | None = None) -> EvalReport:
    """Scan labelled ``(path, label)`` items and measure every selected detector and the verdict.

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
                      files=files)
