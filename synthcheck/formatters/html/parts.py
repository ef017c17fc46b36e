"""One file's section of the HTML report, and its row in the summary table.

Every string that can come from a file (its name, metadata, C2PA claims, even detector messages,
which quote metadata) goes through ``esc``: HTML-escaped with quotes, control characters shown as
escapes.  Numbers drawn into SVG are coerced to float first, so a plugin's odd region cannot
inject markup either.  The grouping is the text report's (``formatters.groups``).
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from ...model import FileResult, Finding, Kind, Label, RunInfo, Strength
from ..groups import NO_PROVENANCE, PROVENANCE_HEADING, file_facts, group
from ..text_fmt import clean, clock
from .images import Picture

VALUE_CHARS = 300  # evidence values are cut here in the page; the JSON report holds them whole
LIST_ITEMS = 12
C2PA_KEYS = ("manifest", "validation_state", "claim_generator", "signer", "all_actions", "failures", "ingredients",
             "user_trust_anchors")
TIMELINE_W, TIMELINE_H = 600, 64


def esc(value: Any) -> str:
    return html.escape(clean(str(value)), quote=True)


def num(value: Any) -> str:
    """A number for an SVG attribute: always a plain float literal, whatever a detector put there."""
    try:
        x = float(value)
    except (TypeError, ValueError):
        x = 0.0
    return f"{x:.6g}" if x == x and abs(x) != float("inf") else "0"


def score_text(score: float | None) -> str:
    return "—" if score is None else f"{score:.2f}"


def anchor(n: int) -> str:
    return f"f{n}"


def facts(r: FileResult) -> str:
    return " · ".join(esc(x) for x in file_facts(r))


def top_finding(r: FileResult) -> Finding | None:
    """The finding a reader should look at first: the strongest, then the highest score (INFO never)."""
    ranked = [f for f in r.findings if f.strength is not Strength.INFO]
    if not ranked:
        return None
    return max(ranked, key=lambda f: (f.strength.rank, f.score if f.score is not None else -1.0))


def badge(label: Label) -> str:
    return f'<span class="badge b-{esc(label.value)}">{esc(label.value.upper())}</span>'


def summary_row(n: int, r: FileResult) -> str:
    v = r.verdict
    top = top_finding(r)
    top_text = esc(top.title or top.detector) if top else '<span class="muted">—</span>'
    errors = "; ".join(e.code.value + (f" ({e.detector})" if e.detector else "") for e in r.errors)
    return (f'<tr data-verdict="{esc(v.label.value)}"><td data-v="{n}">{n}</td>'
            f'<td><a href="#{anchor(n)}">{esc(r.path)}</a></td>'
            f'<td data-v="{v.label.rank}">{badge(v.label)}</td>'
            f'<td data-v="{num(v.score) if v.score is not None else ""}">{score_text(v.score)}</td>'
            f"<td>{top_text}</td>"
            f"<td>{esc(errors)}</td></tr>")


def stage(pic: Picture, boxes: Sequence[tuple[int, tuple[int, int, int, int]]], alt: str) -> str:
    """The preview with each region outlined and numbered, as SVG over the image (the picture itself is untouched)."""
    out = [f'<div class="stage"><img src="{pic.uri}" width="{pic.width}" height="{pic.height}" alt="{esc(alt)}">']
    if boxes:
        sw, sh = max(1, pic.source_width), max(1, pic.source_height)
        fs = max(sw, sh) / 14
        out.append(f'<svg viewBox="0 0 {sw} {sh}" preserveAspectRatio="none" aria-hidden="true">')
        for n, (x, y, w, h) in boxes:
            out.append(f'<rect x="{num(x)}" y="{num(y)}" width="{num(w)}" height="{num(h)}" '
                       f'vector-effect="non-scaling-stroke"/><text x="{num(float(num(x)) + fs * 0.2)}" '
                       f'y="{num(float(num(y)) + fs * 0.9)}" font-size="{num(fs)}">{n}</text>')
        out.append("</svg>")
    out.append("</div>")
    return "".join(out)


def _value(v: Any) -> str:
    if isinstance(v, str):
        text = v
    elif isinstance(v, (list, tuple)) and len(v) > LIST_ITEMS:
        text = json.dumps(list(v[:LIST_ITEMS]), default=str, ensure_ascii=False)[:-1] + f", … ({len(v)} items)]"
    else:
        text = json.dumps(v, default=str, ensure_ascii=False)
    if len(text) > VALUE_CHARS:
        text = text[:VALUE_CHARS] + f"… ({len(text)} characters; the JSON report has them all)"
    return esc(text)


def evidence_table(f: Finding) -> str:
    skip = set(C2PA_KEYS) if f.detector == "c2pa" else set()
    rows = [(k, v) for k, v in f.evidence.items() if k not in skip and not str(k).endswith("_png")]
    if not rows:
        return ""
    body = "".join(f"<tr><th>{esc(k)}</th><td>{_value(v)}</td></tr>" for k, v in rows)
    return f'<details><summary>evidence</summary><table class="ev">{body}</table></details>'


def finding_item(f: Finding, box: int | None, pictures: Sequence[tuple[str, Picture]] = (), tables: bool = True) -> str:
    where = []
    if box is not None and f.region is not None:
        x, y, w, h = f.region
        where.append(f'<span class="box">{box}</span> region x={esc(x)} y={esc(y)} {esc(w)}×{esc(h)} px')
    if f.time is not None:
        where.append(f"time {esc(clock(float(f.time[0])))}–{esc(clock(float(f.time[1])))}")
    claim = f' <i>claims {esc(f.claim.value)}</i>' if f.claim is not None else ""
    # short where it repeats 10,000 times: no score where there is none, the version only with the tables
    score = "" if f.score is None else f' <span class="mono">{score_text(f.score)}</span>'
    who = f"{esc(f.detector)} {esc(f.detector_version)}" if tables else esc(f.detector)
    parts = [f'<li class="s-{esc(f.strength.value)}"><span class="strength">{esc(f.strength.value)}</span>{score} '
             f'<b>{esc(f.title or f.detector)}</b> <code class="muted">[{who}]</code>{claim}',
             f"<div>{esc(f.explanation)}</div>"]
    if where:
        parts.append(f'<div class="small muted">{"; ".join(where)}</div>')
    if pictures:
        parts.append('<div class="pictures">' + "".join(
            f'<figure><img src="{p.uri}" width="{p.width}" height="{p.height}" alt="{esc(cap)}">'
            f"<figcaption>{esc(cap)}</figcaption></figure>" for cap, p in pictures) + "</div>")
    if tables:
        parts.append(evidence_table(f))
    parts.append("</li>")
    return "".join(parts)


def _color(score: float) -> str:
    if score >= 0.9:
        return "#c62828"
    if score >= 0.6:
        return "#ef6c00"
    if score >= 0.3:
        return "#f9a825"
    return "#66bb6a"


def timeline(timed: Sequence[Finding], duration: float | None) -> str:
    """Segments as bars over the clip's time, height and colour by score; the whole-clip finding is the line."""
    segs = [f for f in timed if "segment" in f.evidence] or [f for f in timed if f.score is not None]
    if not segs:
        return ""
    end = max([float(duration or 0.0)] + [float(f.time[1]) for f in timed if f.time])  # type: ignore[index]
    end = end or 1.0
    w, h = TIMELINE_W, TIMELINE_H
    out = [f'<svg class="timeline" viewBox="0 0 {w} {h + 14}" role="img" aria-label="score over time">',
           f'<line x1="0" y1="{num(h * 0.4)}" x2="{w}" y2="{num(h * 0.4)}" stroke="#999" stroke-dasharray="4 3"/>']
    for f in segs:
        t0, t1 = (float(t) for t in f.time)  # type: ignore[union-attr]
        s = f.evidence.get("segment_score", f.score)
        s = min(1.0, max(0.0, float(s))) if isinstance(s, (int, float)) else 0.0
        x0, x1 = t0 / end * w, max(t1 / end * w, t0 / end * w + 2)
        bar = max(2.0, s * h)
        out.append(f'<rect x="{num(x0)}" y="{num(h - bar)}" width="{num(x1 - x0 - 1)}" height="{num(bar)}" '
                   f'fill="{_color(s)}"><title>{esc(clock(t0))}–{esc(clock(t1))}: score {s:.2f}</title></rect>')
    out.append(f'<text x="0" y="{h + 12}" font-size="11">{esc(clock(0))}</text>'
               f'<text x="{w}" y="{h + 12}" font-size="11" text-anchor="end">{esc(clock(end))}</text>'
               f'<text x="{w / 2}" y="{h + 12}" font-size="11" text-anchor="middle">dashed line: score 0.6 '
               "(a lead)</text></svg>")
    return "".join(out)


def key_frames(frames: Sequence[tuple[float, Picture]]) -> str:
    if not frames:
        return ""
    return '<div class="pictures">' + "".join(
        f'<figure><img src="{p.uri}" width="{p.width}" height="{p.height}" alt="frame at {esc(clock(t))}">'
        f"<figcaption>{esc(clock(t))}</figcaption></figure>" for t, p in frames) + "</div>"


def _kv(rows: Iterable[tuple[str, Any]]) -> str:
    body = "".join(f"<tr><th>{esc(k)}</th><td class=\"val\">{v}</td></tr>" for k, v in rows)
    return f'<div class="wrap"><table class="kv">{body}</table></div>'


def _text(v: Any) -> str:
    if v in (None, "", [], {}):
        return '<span class="muted">—</span>'
    if isinstance(v, Mapping):
        return "; ".join(f"{esc(k)}: {_value(x)}" for k, x in v.items())
    if isinstance(v, (list, tuple)):
        return esc(", ".join(str(x) for x in v[:LIST_ITEMS]) + (f", … ({len(v)})" if len(v) > LIST_ITEMS else ""))
    return _value(v)


def c2pa_tables(findings: Iterable[Finding]) -> str:
    """The active manifest and its ingredient chain, from the first C2PA finding that carries them."""
    base = next((f.evidence for f in findings if f.detector == "c2pa" and f.evidence.get("validation_state")), None)
    if base is None:
        return ""
    state = _text(base.get("state_words") or base.get("validation_state"))
    if base.get("state_meaning"):
        state += f' <span class="muted">({_text(base.get("state_meaning"))})</span>'
    out = ["<h3>C2PA manifest</h3>", _kv([
        ("active manifest", _text(base.get("manifest"))), ("state", state),
        ("SDK validation", _text(base.get("validation_state"))),
        ("claim generator", _text(base.get("claim_generator"))), ("signer", _text(base.get("signer"))),
        ("actions", _text(base.get("all_actions"))), ("failures", _text(base.get("failures")))])]
    links = [x for x in base.get("ingredients") or [] if isinstance(x, Mapping)]
    if links:
        head = "".join(f"<th>{x}</th>" for x in ("depth", "ingredient", "format", "relationship", "state", "manifest",
                                                   "failures"))
        rows = "".join(
            f"<tr><td>{_text(x.get('depth'))}</td><td>{_text(x.get('title'))}</td><td>{_text(x.get('format'))}</td>"
            f"<td>{_text(x.get('relationship'))}</td><td>{_text(x.get('state_words'))}</td>"
            f"<td class=\"val\">{_text(x.get('manifest'))}</td>"
            f"<td>{_text(x.get('failures'))}</td></tr>" for x in links[:50])
        out.append(f'<h3>C2PA ingredient chain</h3><div class="wrap"><table><thead><tr>{head}</tr></thead>'
                   f"<tbody>{rows}</tbody></table></div>")
    return "".join(out)


def custody(r: FileResult, run: RunInfo) -> str:
    """SHA-256, size and what ran, in one line: every file has it, so it is kept short (10,000 files)."""
    seen = {f.detector: f.detector_version for f in r.findings}  # what reported; the run record as fallback
    detectors = ", ".join(f"{d} {seen.get(d) or run.detectors.get(d, '?')}" for d in r.detectors_run) or "none"
    size = f"{r.size} bytes" if r.size is not None else "size ?"
    sha = esc(r.sha256 or "not read")
    return (f'<p class="custody small"><b>Chain of custody</b>: SHA-256 <span class="mono">{sha}'
            f"</span> · {esc(size)} · detectors {esc(detectors)} · scan {r.elapsed_ms / 1000:.2f} s</p>")


def section(n: int, r: FileResult, run: RunInfo, *, preview: Picture | None, pictures: Mapping[int, list],
            frames: Sequence[tuple[float, Picture]], note: str = "", detail: bool = True) -> str:
    """One file.  ``pictures`` maps a finding's index in ``r.findings`` to its (caption, Picture) list.

    Without ``detail`` (files below possibly-synthetic, by default) the evidence tables are left out:
    each finding keeps its sentence, and the JSON report has every value.
    """
    v = r.verdict
    groups = group(r.findings)
    index = {id(f): i for i, f in enumerate(r.findings)}
    ordered = list(groups.provenance) + [f for s in groups.sections for f in (*s.timeline, *s.findings)]
    boxes: dict[int, int] = {}
    for f in ordered:
        if f.region is not None and len(f.region) == 4:
            boxes[id(f)] = len(boxes) + 1
    out = [f'<section class="file" id="{anchor(n)}" data-verdict="{esc(v.label.value)}">',
           f'<h2><a href="#{anchor(n)}">{esc(r.path)}</a></h2><div class="small muted">{facts(r)}</div>',
           '<div class="top">']
    if preview is not None:
        regions = [(boxes[id(f)], f.region) for f in ordered if id(f) in boxes]
        out.append(stage(preview, regions, f"preview of {Path(r.path).name}"))  # type: ignore[arg-type]
    else:
        out.append('<div class="noprev">no preview</div>')
    score = "" if v.score is None else f" score {v.score:.2f}"
    out.append(f'<div class="verdict">{badge(v.label)}<span class="mono">{score}</span> '
               f'<span class="muted">basis: {esc(v.basis)}</span><p>{esc(v.summary)}</p>')
    if note:
        out.append(f'<p class="small muted">{esc(note)}</p>')
    out.append("</div></div>")

    def items(fs: Iterable[Finding]) -> str:
        return '<ul class="findings">' + "".join(
            finding_item(f, boxes.get(id(f)), pictures.get(index[id(f)], ()), detail) for f in fs) + "</ul>"

    if groups.provenance or v.label is not Label.ERROR:
        out.append(f"<h3>{esc(PROVENANCE_HEADING)}</h3>")
        out.append(items(groups.provenance) if groups.provenance else f'<p class="muted">{esc(NO_PROVENANCE)}</p>')
        out.append(c2pa_tables(groups.provenance) if detail else "")
    for sec in groups.sections:
        if sec.timeline:
            out.append(f"<h3>{esc(sec.heading)}: timeline</h3>")
            if sec.kind is Kind.TEMPORAL:
                out.append(timeline(sec.timeline, r.duration))
                out.append(key_frames(frames))
            out.append(items(sec.timeline))
        if sec.findings:
            out.append(f"<h3>{esc(sec.heading)}</h3>{items(sec.findings)}")
    if r.errors:
        out.append('<h3>Errors</h3><ul class="errors">' + "".join(
            f"<li>{esc(e.code.value)}{' (' + esc(e.detector) + ')' if e.detector else ''}: {esc(e.message)}</li>"
            for e in r.errors) + "</ul>")
    out.append(custody(r, run))
    out.append("</section>\n")
    return "".join(out)


def run_record(run: RunInfo, files: int, errors: int, scan_s: float) -> str:
    """The run's versions and options at the end of the page: what a second examiner needs to reproduce it."""
    rows = [("tool", esc(f"synthcheck {run.tool_version} (schema {run.schema_version})")),
            ("started / finished", esc(f"{run.started} / {run.finished or '?'}")),
            ("host", esc(run.host if run.host is not None else "(left out)")),
            ("python / platform", esc(f"{run.python} / {run.platform}")),
            ("files", esc(f"{files} ({errors} with errors); scan time {scan_s:.1f} s")),
            ("detectors", esc(", ".join(f"{k} {v}" for k, v in run.detectors.items()) or "none")),
            ("not run", esc("; ".join(f"{k} ({v})" for k, v in run.skipped_detectors.items()) or "—")),
            ("weights", "<br>".join(f'{esc(k)} <span class="mono">{esc(v)}</span>' for k, v in run.weights.items())
             or "—"),
            ("libraries", esc(", ".join(f"{k} {v or 'absent'}" for k, v in run.libraries.items()) or "—")),
            ("options", '<span class="mono">' + esc(json.dumps(dict(run.options), default=str, sort_keys=True))
             + "</span>")]
    return "<footer><h2>Run record (chain of custody)</h2>" + _kv(rows) + "</footer>"
