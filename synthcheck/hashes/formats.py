"""One hash-list file: its formats, read strictly, line by line, into the catalog's builder.

Why strict: a list that silently drops a malformed line drops a known item, and the scan would
then report "no match" for a file that is on the list.  Every line must parse; the first one
that does not raises ``ListError`` with the file name and line number.

One list is a file, given as ``[KIND=]FILE`` (``--match-list synthetic=debunked.csv``).  KIND
says what a match means: ``synthetic`` (known AI-generated items: a match makes the verdict
ai-generated), ``allow`` (known authentic or cleared items: context) or ``other`` (known items
that say nothing about AI: context).  Without a prefix the file's own ``# kind:`` line decides,
else ``other``.  Text lists may carry ``# kind: synthetic``, ``# label: NAME`` and
``# source: WHERE`` lines; other ``#`` lines are comments.  Formats, told apart by content:

- plain CSV or TSV: ``HASH[,LABEL]`` per line; HASH is a 64-digit PDQ hash, or a SHA-256 when an
  optional header row names the first column ``sha256`` (``pdq``/``hash`` headers mean PDQ);
- ThreatExchange PDQ export: ``HASH,INDICATOR_ID,TIMESTAMP,TAGS`` (tags space-separated);
- vPDQ (ThreatExchange video PDQ): ``FRAME,QUALITY,HASH,TIMESTAMP`` per frame; the file is one
  video item, and frames of quality under 50 are left out as vPDQ's matcher does;
- ``synthcheck hash`` output, as JSON, JSON lines or CSV: each file is an item with its SHA-256,
  and its PDQ or, for a video, its per-second PDQ hashes.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from .compute import PDQ_MIN_QUALITY

LIST_KINDS = ("synthetic", "allow", "other")
_SPEC = re.compile(r"^(synthetic|allow|other)=(.+)$")
_TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\d")
_HASH_CSV_HEAD = ("path", "sha256")


class ListError(ValueError):
    """A list that cannot be used; the message is one line naming the file and line."""


@dataclass(frozen=True)
class ListSpec:
    path: str
    kind: str | None = None  # from the KIND= prefix; None: the file decides


def parse_spec(spec: str) -> ListSpec:
    m = _SPEC.match(spec)
    return ListSpec(m.group(2), m.group(1)) if m else ListSpec(spec)


@dataclass(frozen=True)
class HashList:
    """One loaded list, as a finding names it."""

    path: str
    sha256: str  # of the list file, so a report says which version of the list matched
    kind: str
    label: str
    source: str
    format: str
    n_items: int
    n_pdq: int
    n_sha256: int


@dataclass
class Builder:
    """Entries of all lists as they are parsed; items are what a match names (a line, a file, a video)."""

    pdq: list[str] = field(default_factory=list)
    pdq_item: list[int] = field(default_factory=list)
    pdq_time: list[float] = field(default_factory=list)
    sha: list[str] = field(default_factory=list)
    sha_item: list[int] = field(default_factory=list)
    item_list: list[int] = field(default_factory=list)
    item_line: list[int] = field(default_factory=list)
    item_label: list[int] = field(default_factory=list)
    labels: dict[str, int] = field(default_factory=dict)
    last_path: Any = None  # (list, path) -> item of the previous hash-CSV row: a video's seconds share one

    def item(self, list_no: int, line: int, label: str) -> int:
        self.item_list.append(list_no)
        self.item_line.append(line)
        self.item_label.append(self.labels.setdefault(label, len(self.labels)))
        return len(self.item_list) - 1


def read_list(spec: ListSpec, list_no: int, b: Builder) -> HashList:
    path = Path(spec.path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ListError(f"--match-list: cannot read {path}: {exc.strerror or exc}") from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise ListError(f"--match-list: {path} line {line}: not UTF-8 text") from exc
    n_items0, n_pdq0, n_sha0 = len(b.item_list), len(b.pdq), len(b.sha)
    head = text.lstrip()[:1]
    meta: dict[str, str] = {}
    if head in ("{", "["):
        fmt = _read_json(text, path, list_no, b, meta)
    else:
        fmt = _read_text(text, path, list_no, b, meta)
    kind = spec.kind or meta.get("kind") or "other"
    if len(b.item_list) == n_items0:
        raise ListError(f"--match-list: {path} holds no hashes")
    return HashList(path=str(path), sha256=hashlib.sha256(data).hexdigest(), kind=kind,
                    label=meta.get("label") or path.stem, source=meta.get("source") or str(path), format=fmt,
                    n_items=len(b.item_list) - n_items0, n_pdq=len(b.pdq) - n_pdq0, n_sha256=len(b.sha) - n_sha0)


def _bad(path: Path, line: int, why: str) -> ListError:
    return ListError(f"--match-list: {path} line {line}: {why}")


def _hex64(value: str, path: Path, line: int, what: str) -> str:
    v = value.strip().lower()
    if len(v) != 64 or not _is_hex(v):
        shown = value if len(value) <= 80 else value[:77] + "..."
        raise _bad(path, line, f"{shown!r} is not a {what} (64 hex digits)")
    return v


_HEXCHARS = frozenset("0123456789abcdef")


def _is_hex(v: str) -> bool:
    return _HEXCHARS.issuperset(v)


def _read_text(text: str, path: Path, list_no: int, b: Builder, meta: dict[str, str]) -> str:
    fmt: str | None = None
    video_item: int | None = None
    header: dict[str, int] | None = None
    lines = text.splitlines()
    for line_no, line in enumerate(lines, 1):
        s = line.strip()
        if not s:
            continue
        if s[0] == "#":
            _directive(s, path, line_no, meta)
            continue
        delim = "\t" if "\t" in s else ","
        if fmt is None:  # the first data row decides the format
            fields = s.split(delim)
            first = fields[0].strip().lower()
            if tuple(f.strip().lower() for f in fields[:2]) == _HASH_CSV_HEAD:
                fmt, header = "synthcheck-hash-csv", {f.strip().lower(): i for i, f in enumerate(fields)}
                if "pdq" not in header:
                    raise _bad(path, line_no, "synthcheck hash CSV header has no pdq column")
                continue
            if first in ("pdq", "hash", "sha256"):
                _bulk(lines, line_no, "csv", "sha256" if first == "sha256" else "pdq", path, list_no, b, meta)
                return "csv"
            if len(fields) == 4 and fields[0].isdigit() and fields[1].strip().isdigit() and len(fields[2]) == 64:
                fmt = "vpdq"
                video_item = b.item(list_no, line_no, meta.get("label") or path.stem)
            elif len(fields) == 4 and len(first) == 64 and _TIMESTAMP.match(fields[2].strip()):
                _bulk(lines, line_no - 1, "threatexchange", "pdq", path, list_no, b, meta)
                return "threatexchange"
            else:
                _bulk(lines, line_no - 1, "csv", "pdq", path, list_no, b, meta)
                return "csv"
        if fmt == "vpdq":
            fields = s.split(",")
            if len(fields) != 4:
                raise _bad(path, line_no, f"expected FRAME,QUALITY,HASH,TIMESTAMP (4 fields), got {len(fields)}")
            try:
                quality, t = int(fields[1]), float(fields[3])
            except ValueError:
                raise _bad(path, line_no, "quality must be an integer and timestamp a number") from None
            h = _hex64(fields[2], path, line_no, "PDQ hash")
            if quality >= PDQ_MIN_QUALITY:
                b.pdq.append(h)
                b.pdq_item.append(video_item)  # type: ignore[arg-type]
                b.pdq_time.append(t)
        else:  # synthcheck hash CSV: one row per image, one per second of a video
            _hash_csv_row(next(csv.reader(io.StringIO(s))), header or {}, path, line_no, list_no, b)
    b.last_path = None
    return fmt or "csv"


def _bulk(lines: list[str], start: int, fmt: str, hash_kind: str, path: Path, list_no: int, b: Builder,
          meta: dict[str, str]) -> None:
    """Plain and ThreatExchange rows from ``lines[start:]``: one item per row, hashes checked in bulk.

    Why in bulk: a million rows must load in seconds; checking each hash with Python string
    operations costs more than the rest of the parse.  The joined hex is decoded once, and only
    when that fails are the rows checked one by one, to name the first bad line.
    """
    hashes: list[str] = []
    line_nos: list[int] = []
    labels: list[str] = []
    te = fmt == "threatexchange"
    for line_no, line in enumerate(lines[start:], start + 1):
        s = line.strip()
        if not s:
            continue
        if s[0] == "#":
            _directive(s, path, line_no, meta)
            continue
        if te:
            fields = s.split(",")
            if len(fields) != 4:
                raise _bad(path, line_no, f"expected HASH,ID,TIMESTAMP,TAGS (4 fields), got {len(fields)}")
            ident = fields[1].strip()
            if not ident.isdigit():
                raise _bad(path, line_no, f"indicator id {fields[1]!r} is not a number")
            h = fields[0]
            tags = fields[3].strip()
            label = f"{tags} (ThreatExchange {ident})" if tags else f"(ThreatExchange {ident})"
        else:
            h, _, label = s.partition("\t" if "\t" in s else ",")
            label = label.strip()
        hashes.append(h)
        line_nos.append(line_no)
        labels.append(label)
    what = "SHA-256" if hash_kind == "sha256" else "PDQ hash"
    joined = "".join(hashes)
    ok = set(map(len, hashes)) <= {64}
    if ok:
        try:
            ok = len(bytes.fromhex(joined)) == 32 * len(hashes)
        except ValueError:
            ok = False
    if not ok:  # name the first bad row; rows with only stray spaces are cleaned
        hashes = [_hex64(h, path, n, what) for h, n in zip(hashes, line_nos)]
    first_item = len(b.item_list)
    items = range(first_item, first_item + len(hashes))
    b.item_list.extend([list_no] * len(hashes))
    b.item_line.extend(line_nos)
    b.item_label.extend([b.labels.setdefault(x, len(b.labels)) for x in labels])
    if hash_kind == "sha256":
        b.sha.extend(hashes)
        b.sha_item.extend(items)
    else:
        b.pdq.extend(hashes)
        b.pdq_item.extend(items)
        b.pdq_time.extend([np.nan] * len(hashes))


def _directive(s: str, path: Path, line_no: int, meta: dict[str, str]) -> None:
    key, sep, value = s[1:].strip().partition(":")
    key, value = key.strip().lower(), value.strip()
    if not sep or key not in ("kind", "label", "source"):
        return  # a comment
    if key == "kind" and value not in LIST_KINDS:
        raise _bad(path, line_no, f"kind must be one of {', '.join(LIST_KINDS)}, got {value!r}")
    meta[key] = value


def _hash_csv_row(row: list[str], header: dict[str, int], path: Path, line_no: int, list_no: int,
                  b: Builder) -> None:
    def col(name: str) -> str:
        i = header.get(name)
        return row[i].strip() if i is not None and i < len(row) else ""

    file_path = col("path")
    if col("error"):
        return  # a file `synthcheck hash` could not hash: not an item
    if not file_path:
        raise _bad(path, line_no, "row has no path")
    last = b.last_path
    if last is not None and last[0] == (list_no, file_path) and col("t"):
        item = last[1]  # the next second of the same video
    else:
        item = b.item(list_no, line_no, file_path)
        b.last_path = ((list_no, file_path), item)
        if col("sha256"):
            b.sha.append(_hex64(col("sha256"), path, line_no, "SHA-256"))
            b.sha_item.append(item)
    if col("pdq"):
        quality = col("pdq_quality")
        if quality and not quality.isdigit():
            raise _bad(path, line_no, f"pdq_quality {quality!r} is not an integer")
        if not quality or int(quality) >= PDQ_MIN_QUALITY:
            b.pdq.append(_hex64(col("pdq"), path, line_no, "PDQ hash"))
            b.pdq_item.append(item)
            try:
                b.pdq_time.append(float(col("t")) if col("t") else np.nan)
            except ValueError:
                raise _bad(path, line_no, f"t {col('t')!r} is not a number") from None


def _read_json(text: str, path: Path, list_no: int, b: Builder, meta: dict[str, str]) -> str:
    try:
        doc = json.loads(text)
        records: Iterator[tuple[int, Any]] = iter(enumerate(_json_records(doc), 1))
        fmt, where = "synthcheck-hash-json", "record"
        if isinstance(doc, dict):
            for key in ("kind", "label", "source"):
                if isinstance(doc.get(key), str):
                    meta[key] = doc[key]
            if meta.get("kind") and meta["kind"] not in LIST_KINDS:
                raise _bad(path, 1, f"kind must be one of {', '.join(LIST_KINDS)}, got {meta['kind']!r}")
    except json.JSONDecodeError as first_error:  # JSON lines: one record per line
        fmt, where = "synthcheck-hash-jsonl", "line"
        records = _jsonl(text, path, first_error)
    for n, rec in records:
        _json_record(rec, path, n, where, list_no, b)
    return fmt


def _json_records(doc: Any) -> list[Any]:
    if isinstance(doc, dict) and isinstance(doc.get("files"), list):
        return doc["files"]
    if isinstance(doc, list):
        return doc
    if isinstance(doc, dict) and "path" in doc:
        return [doc]
    return [doc]


def _jsonl(text: str, path: Path, first_error: json.JSONDecodeError) -> Iterator[tuple[int, Any]]:
    for line_no, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            yield line_no, json.loads(line)
        except json.JSONDecodeError as exc:
            raise _bad(path, line_no, f"not valid JSON ({exc.msg})") from None


def _json_record(rec: Any, path: Path, n: int, where: str, list_no: int, b: Builder) -> None:
    def bad(why: str) -> ListError:
        return ListError(f"--match-list: {path} {where} {n}: {why}")

    if not isinstance(rec, dict):
        raise bad("expected an object with path, sha256 and pdq (synthcheck hash output)")
    if rec.get("error"):
        return  # a file `synthcheck hash` could not hash (a README in the folder): not an item
    label = str(rec.get("label") or rec.get("path") or "")
    item = b.item(list_no, n if where == "line" else 0, label)
    try:
        if rec.get("sha256"):
            b.sha.append(_hex64(str(rec["sha256"]), path, n, "SHA-256"))
            b.sha_item.append(item)
        hashes = [(rec.get("pdq"), rec.get("pdq_quality"), None)] if rec.get("pdq") else []
        for fr in rec.get("frames") or ():
            if not isinstance(fr, dict) or not fr.get("pdq"):
                raise bad("each of frames must be an object with t, pdq and quality")
            hashes.append((fr["pdq"], fr.get("quality"), fr.get("t")))
    except ListError as exc:
        raise bad(str(exc).rsplit(": ", 1)[-1]) from None
    if not hashes and not rec.get("sha256"):
        raise bad("has neither sha256, pdq nor frames")
    for h, quality, t in hashes:
        if quality is not None and (not isinstance(quality, int) or isinstance(quality, bool)):
            raise bad(f"quality {quality!r} is not an integer")
        if quality is not None and quality < PDQ_MIN_QUALITY:
            continue
        try:
            b.pdq.append(_hex64(str(h), path, n, "PDQ hash"))
        except ListError:
            raise bad(f"{str(h)[:80]!r} is not a PDQ hash (64 hex digits)") from None
        b.pdq_item.append(item)
        b.pdq_time.append(float(t) if isinstance(t, (int, float)) else np.nan)
