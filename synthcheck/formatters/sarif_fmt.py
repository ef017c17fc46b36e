"""``sarif``: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

Mapping (docs/schema.md has the reader's version):
- one rule per detector that ran or reported (``ruleId`` = detector id) plus the pseudo-rules ``contradiction``,
  ``format`` and ``error``; short description = docstring summary, full description and help =
  the docstring, which is what ``synthcheck explain ID`` prints;
- one result per finding that is worth an alert: strength ``weak`` or above, any provenance
  ``claim``, or a ``format`` mismatch.  Informational context (camera EXIF, a score under the
  weak threshold) stays in the json/jsonl record, so an alert list is not flooded with noise;
- one result per error (``ruleId`` ``error``): level ``error`` when the file could not be scanned,
  ``warning`` when one detector failed and the others ran;
- ``level`` comes from the file's verdict, not the single finding: ai-generated and
  likely-synthetic -> error, possibly-synthetic and inconclusive -> warning, no-evidence -> note;
- media files are binary, so every location is the file with a region on line 1; absolute paths
  under the working directory are written relative to it (GitHub wants repository-relative paths),
  others as ``file://`` URIs, and the working directory is in ``invocations[0].workingDirectory``;
- ``partialFingerprints["synthcheckFinding/v1"]`` = sha256:detector:title (plus ``:n`` for a repeat
  within one file), stable across runs and independent of where the file sits.
Buffered: written at ``finish`` because the rules list depends on every result.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import PurePath
from typing import Any
from urllib.parse import quote

from .. import __version__
from ..model import FileError, FileResult, Finding, Label, RunInfo, Strength
from ..registry import CONTRADICTION_ID, ERROR_ID, FORMAT_ID, PIPELINE_ID
from ..serialize import plain, run_dict
from ..vocabulary import C2PA_STATES
from . import BaseFormatter, DetectorDoc

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT = "synthcheckFinding/v1"
ERROR_FINGERPRINT = "synthcheckError/v1"
LEVELS = {Label.AI_GENERATED: "error", Label.LIKELY: "error", Label.POSSIBLY: "warning",
          Label.INCONCLUSIVE: "warning", Label.NO_EVIDENCE: "note", Label.ERROR: "error"}
_FULL_MAX = 1000  # keep full descriptions short; the whole docstring is in help

PSEUDO_RULES = {
    CONTRADICTION_ID: DetectorDoc(
        CONTRADICTION_ID, __version__, "Provenance sources disagree",
        "Two provenance sources make incompatible claims about the file's origin.",
        "Reported when one provenance source says the file is a camera capture and another says it was "
        "made or edited with generative AI. The file's verdict becomes inconclusive unless decisive AI "
        "provenance settles it. Check both sources by hand: metadata is easy to forge, a valid signed "
        "manifest is not."),
    FORMAT_ID: DetectorDoc(
        FORMAT_ID, "1", "Extension does not match content",
        "The file's name says one format but its bytes are another.",
        "synthcheck sniffs the format from the content and scans the file as what it is. A mismatch is "
        "context, not evidence of generative AI: files are often renamed by chat apps and downloaders."),
    PIPELINE_ID: DetectorDoc(
        PIPELINE_ID, __version__, "Detectors not run on this file",
        "synthcheck chose not to run some detectors on this file; the finding says which and why.",
        "When provenance is already decisive (a verified AI claim and no capture claim), the expensive "
        "statistical detectors cannot change the verdict and are skipped unless --all-detectors is given."),
    ERROR_ID: DetectorDoc(
        ERROR_ID, __version__, "File or detector could not be scanned",
        "The file, or one detector on it, could not be scanned; the message gives the error code.",
        "A file-level error (unsupported_format, truncated, decode_error, limit_exceeded, timeout, crashed, "
        "io_error) means no verdict could be reached. A detector_error means one detector failed and the "
        "others still ran; the verdict rests on the ones that ran."),
}


def reported(f: Finding) -> bool:
    """Alert-worthy findings, plus every C2PA finding of a file that has a manifest: its state
    (valid, trusted ...) and history are what a reviewer needs beside the alerts."""
    return (f.strength.rank >= Strength.WEAK.rank or f.claim is not None or f.detector == FORMAT_ID
            or f.evidence.get("state") in C2PA_STATES.keys() - {"absent"})


def uri(path: str, base: str | None = None) -> str:
    """A relative URI reference where possible: GitHub resolves those against the repository root
    and rejects absolute ``file`` URIs outside the working directory it is told about."""
    p = PurePath(path)
    if p.is_absolute() and base is not None:
        try:
            p = p.relative_to(base)
        except ValueError:
            pass
    text = quote(p.as_posix(), safe="/")
    return "file://" + text if p.is_absolute() else text


def _dir_uri(path: str) -> str:
    text = uri(path)
    return text if text.endswith("/") else text + "/"


def _camel(text: str) -> str:
    return "".join(w[:1].upper() + w[1:] for w in re.split(r"[^0-9A-Za-z]+", text) if w) or "Rule"


def rule(doc: DetectorDoc) -> dict[str, Any]:
    full = doc.doc.strip() or doc.summary or doc.title or doc.id
    if len(full) > _FULL_MAX:
        full = full[:_FULL_MAX].rsplit(" ", 1)[0] + " ..."
    short = (doc.summary or doc.title or doc.id).strip()
    return {
        "id": doc.id,
        "name": _camel(doc.title or doc.id),
        "shortDescription": {"text": short},
        "fullDescription": {"text": full},
        "help": {"text": (doc.doc.strip() or short) + f"\n\nRun `synthcheck explain {doc.id}` for details."},
        "defaultConfiguration": {"level": "warning"},
        "properties": {"version": doc.version, "tags": ["synthetic-media", "forensics"]},
    }


class Formatter(BaseFormatter):
    def start(self) -> None:
        self._results: list[FileResult] = []
        self._cwd = os.getcwd()

    def add(self, result: FileResult) -> None:
        if not hasattr(self, "_results"):
            self.start()
        self._results.append(result)

    def finish(self, run: RunInfo) -> None:
        json.dump(self.document(run), self.out, indent=2, ensure_ascii=True, allow_nan=False)
        self.out.write("\n")
        self.out.flush()

    def document(self, run: RunInfo) -> dict[str, Any]:
        if not hasattr(self, "_results"):
            self.start()
        results = self._results
        docs = {**PSEUDO_RULES, **{i: d for i, d in self.detectors.items() if i not in PSEUDO_RULES}}
        versions = {**run.detectors, **{f.detector: f.detector_version for r in results for f in r.findings}}
        ids = sorted(i for i in versions if i not in PSEUDO_RULES) + list(PSEUDO_RULES)
        rules = [rule(docs.get(i) or DetectorDoc(i, versions[i], i, f"Findings of the {i} detector.", ""))
                 for i in ids]
        index = {i: n for n, i in enumerate(ids)}
        out: list[dict[str, Any]] = []
        for r in results:
            seen: dict[str, int] = {}
            for f in r.findings:
                if reported(f):
                    out.append(self._finding(r, f, index, seen))
            for e in r.errors:
                out.append(self._error(r, e, index))
        invocation: dict[str, Any] = {"executionSuccessful": True, "startTimeUtc": run.started,
                                      "workingDirectory": {"uri": _dir_uri(self._cwd)}}
        if run.finished:
            invocation["endTimeUtc"] = run.finished
        return {
            "$schema": SARIF_SCHEMA,
            "version": "2.1.0",
            "runs": [{
                "tool": {"driver": {"name": "synthcheck", "version": run.tool_version,
                                    "semanticVersion": run.tool_version, "rules": rules}},
                "invocations": [invocation],
                "results": out,
                "columnKind": "unicodeCodePoints",
                "properties": {"synthcheck": run_dict(run)},
            }],
        }

    def _location(self, r: FileResult) -> list[dict[str, Any]]:
        return [{"physicalLocation": {"artifactLocation": {"uri": uri(r.path, self._cwd)},
                                      "region": {"startLine": 1}}}]

    def _finding(self, r: FileResult, f: Finding, index: dict[str, int], seen: dict[str, int]) -> dict[str, Any]:
        key = f"{r.sha256 or r.path}:{f.detector}" + (f":{f.title}" if f.title else "")
        n = seen[key] = seen.get(key, 0) + 1
        props: dict[str, Any] = {
            "score": f.score, "strength": f.strength.value, "kind": f.kind.value, "detector_version":
            f.detector_version, "verdict": r.verdict.label.value, "verdict_score": r.verdict.score,
            "sha256": r.sha256, "media": r.media}
        if f.claim is not None:
            props["claim"] = f.claim.value
        if f.title:
            props["title"] = f.title
        if f.evidence.get("state") in C2PA_STATES:  # the same words and sentence as every other format
            state = C2PA_STATES[f.evidence["state"]]
            props["c2pa_state"], props["c2pa_state_meaning"] = state.words, state.meaning
        if f.region is not None:
            props["region"] = list(f.region)
        if f.time is not None:
            props["time"] = list(f.time)
        return {
            "ruleId": f.detector, "ruleIndex": index[f.detector], "level": LEVELS[r.verdict.label],
            "message": {"text": f.explanation}, "locations": self._location(r),
            "partialFingerprints": {FINGERPRINT: key if n == 1 else f"{key}:{n}"},
            "properties": plain(props),
        }

    def _error(self, r: FileResult, e: FileError, index: dict[str, int]) -> dict[str, Any]:
        who = f" ({e.detector})" if e.detector else ""
        return {
            "ruleId": ERROR_ID, "ruleIndex": index[ERROR_ID], "level": "warning" if e.detector else "error",
            "message": {"text": f"{e.code.value}{who}: {e.message}"}, "locations": self._location(r),
            "partialFingerprints": {ERROR_FINGERPRINT: f"{r.sha256 or r.path}:{e.code.value}:{e.detector or ''}"},
            "properties": {"code": e.code.value, "detector": e.detector, "verdict": r.verdict.label.value},
        }
