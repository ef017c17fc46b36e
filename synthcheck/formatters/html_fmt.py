"""``html``: one self-contained page for people who do not read JSON: the evidence drawn on the image.

Why one file with everything inline: a report is handed on (mailed, copied to a USB stick, opened
on an offline laptop, printed to PDF); a page that fetched anything would break there and would
tell a server who read it.  So CSS, the one small script and every picture are inline, and the
Content-Security-Policy forbids fetching anything at all (see ``html.assets``).

Layout: a summary on top (counts per verdict, a sortable table linking to each file, a filter by
verdict that needs the script; without it the page still reads), then one section per file in
input order, then the run record.  Sections stream to a temporary file as results arrive (a batch
can be huge) and are copied after the summary at the end.

Size (10,000 files must stay under 50 MB): every file gets a small preview and its findings'
sentences; detail (a larger preview with the regions, the detectors' own images, video key
frames, the evidence and C2PA tables) only for files at or above possibly-synthetic, unless
``--html-all``.  Pictures stop once ``PICTURE_BUDGET`` bytes of them are spent, unless
``--html-all``, and the file says so.  Regions are SVG over the preview, never drawn into it.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections import Counter
from pathlib import Path

from ..limits import Limits
from ..model import ErrorCode, FileResult, Finding, Kind, Label, RunInfo
from . import BaseFormatter
from .groups import LEGEND
from .html import images
from .html.assets import CSP, CSS, SCRIPT
from .html.parts import badge, esc, run_record, section, summary_row

PICTURE_BUDGET = 20_000_000  # bytes of embedded pictures per report, unless --html-all
MAX_KEY_FRAMES = 8
# The parent never decodes a file a worker could not: a crash or a hang there would stop the batch.
_NO_PREVIEW = {ErrorCode.UNSUPPORTED_FORMAT, ErrorCode.TRUNCATED, ErrorCode.DECODE_ERROR, ErrorCode.LIMIT_EXCEEDED,
               ErrorCode.TIMEOUT, ErrorCode.CRASHED, ErrorCode.IO_ERROR}


class Formatter(BaseFormatter):
    def start(self) -> None:
        # sections wait in the system temp folder (never beside the inputs) until the summary is written
        self._sections = tempfile.TemporaryFile("w+", encoding="utf-8")
        self._rows: list[str] = []
        self._labels: Counter[Label] = Counter()
        self._errors = 0
        self._scan_ms = 0.0
        self._picture_bytes = 0
        self.render_s = 0.0  # time spent here, for the speed benchmark (bench/html_render.py)
        s = self.settings
        self._all = bool(s is not None and s.html_all)
        self._max_pixels = (s.limits if s is not None else Limits()).max_pixels

    def add(self, result: FileResult) -> None:
        if not hasattr(self, "_sections"):
            self.start()
        t = time.perf_counter()
        n = len(self._rows) + 1
        self._labels[result.verdict.label] += 1
        self._errors += bool(result.errors)
        self._scan_ms += result.elapsed_ms
        self._rows.append(summary_row(n, result))
        self._sections.write(self._section(n, result))
        self.render_s += time.perf_counter() - t

    def _section(self, n: int, r: FileResult) -> str:
        flagged = r.verdict.label.rank >= Label.POSSIBLY.rank
        can_preview = (r.media in ("image", "video") and r.verdict.label is not Label.ERROR
                       and not any(e.code in _NO_PREVIEW for e in r.errors))
        detail = self._all or flagged
        note = ""
        if can_preview and not self._all and self._picture_bytes >= PICTURE_BUDGET:
            can_preview, note = False, "Pictures left out: this report's picture budget is spent (see --html-all)."
        side, quality = ((images.DETAIL_SIDE, images.DETAIL_QUALITY) if detail and can_preview
                         else (images.THUMB_SIDE, images.THUMB_QUALITY))
        preview = None
        frames: list = []
        pictures: dict[int, list] = {}
        if can_preview and r.media == "image":
            preview = images.image_preview(r.path, side, quality, self._max_pixels)
        elif can_preview:
            got = images.video_frames(r.path, [0.0], side, quality)
            preview = got[0][1] if got else None
        if detail and can_preview:
            pictures = self._pictures(r.findings)
            if r.media == "video":
                frames = images.video_frames(r.path, _key_times(r.findings), images.FRAME_SIDE,
                                             images.THUMB_QUALITY)
        self._picture_bytes += ((preview.nbytes if preview else 0) + sum(p.nbytes for _, p in frames)
                                + sum(p.nbytes for ps in pictures.values() for _, p in ps))
        return section(n, r, self.run, preview=preview, pictures=pictures, frames=frames, note=note, detail=detail)

    @staticmethod
    def _pictures(findings: tuple[Finding, ...]) -> dict[int, list]:
        """Images detectors wrote for the report (evidence keys ending in ``_png``), by finding index."""
        out: dict[int, list] = {}
        for i, f in enumerate(findings):
            for key, value in f.evidence.items():
                if str(key).endswith("_png") and isinstance(value, str) and Path(value).is_file():
                    pic = images.report_picture(value)
                    if pic is not None:
                        caption = f"{f.detector}: {str(key)[:-4].replace('_', ' ')}"
                        out.setdefault(i, []).append((caption, pic))
        return out

    def finish(self, run: RunInfo) -> None:
        if not hasattr(self, "_sections"):
            self.start()
        t = time.perf_counter()
        w = self.out.write
        total = len(self._rows)
        w('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
          f'<meta http-equiv="Content-Security-Policy" content="{esc(CSP)}">'
          '<meta name="viewport" content="width=device-width, initial-scale=1">'
          '<meta name="referrer" content="no-referrer">'
          f"<title>synthcheck report: {total} file(s)</title><style>{CSS}</style></head><body>\n")
        w(f"<header><h1>synthcheck report</h1><p class=\"muted\">{total} file(s), {self._errors} with errors · "
          f"synthcheck {esc(run.tool_version)} · {esc(run.started)}</p>"
          '<p class="note small">Evidence, not verdicts: each finding says what was measured and how much weight it '
          "carries. Provenance (what a file says about itself) is shown apart from statistics. "
          "No verdict here means “authentic”: no-evidence only means the detectors that ran found nothing."
          "</p></header>\n")
        w(self._summary(total))
        self._sections.seek(0)
        shutil.copyfileobj(self._sections, self.out)
        self._sections.close()
        w(run_record(run, total, self._errors, self._scan_ms / 1000))
        w(f"\n<script>{SCRIPT}</script>\n</body></html>\n")
        self.out.flush()
        self.render_s += time.perf_counter() - t

    def _summary(self, total: int) -> str:
        counts = "".join(
            f'<tr><td><label><input type="checkbox" class="vf" value="{esc(lb.value)}" checked '
            f'aria-label="show {esc(lb.value)}"></label></td><td>{badge(lb)}</td>'
            f"<td>{self._labels[lb]}</td><td>{esc(LEGEND[lb])}</td></tr>" for lb in Label)
        head = ('<tr><th data-type="num">#</th><th>file</th><th data-type="num">verdict</th>'
                '<th data-type="num">score</th><th>top finding</th><th>errors</th></tr>')
        return (f'<h2>Summary</h2><div class="wrap"><table class="counts"><thead><tr><th class="filters">show</th>'
                f"<th>verdict</th><th>files</th><th>meaning</th></tr></thead><tbody>{counts}</tbody></table></div>"
                '<p class="filters small muted">Untick a verdict to hide its files; click a column to sort.</p>'
                f'<div class="wrap"><table class="files"><thead>{head}</thead><tbody>'
                + "\n".join(self._rows) + "</tbody></table></div>\n")


def _key_times(findings: tuple[Finding, ...]) -> list[float]:
    """Where to show a frame: the start of each temporal segment (the clip's start when there are none)."""
    starts = sorted({float(f.time[0]) for f in findings
                     if f.kind is Kind.TEMPORAL and f.time is not None and "segment" in f.evidence})
    if len(starts) > MAX_KEY_FRAMES:
        step = len(starts) / MAX_KEY_FRAMES
        starts = [starts[int(i * step)] for i in range(MAX_KEY_FRAMES)]
    return starts or [0.0]
