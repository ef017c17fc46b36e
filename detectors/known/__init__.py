"""Known content: match a file's perceptual hashes against hash lists of known items."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping

from synthcheck.detector import Detector
from synthcheck.model import Claim, Finding, Kind, Strength

if TYPE_CHECKING:  # pragma: no cover
    from synthcheck.hashes.lists import Catalog
    from synthcheck.media import Media

MAX_REPORTED = 5  # matched items reported per file; the count of all is in the evidence
VIDEO_STRONG_FRACTION = 0.5  # at least half of the hashed seconds match the item: the file is (mostly) that item
_TITLES = {"synthetic": "Matches a known AI-generated item", "allow": "Matches an item on an allow-list",
           "other": "Matches a known item"}
_MEANING = {"synthetic": " The list says that item is AI-generated.",
            "allow": " The list marks that item as known and allowed: context, not a verdict.",
            "other": " The list says nothing about how that item was made: context."}


class KnownDetector(Detector):
    """Known content: perceptual-hash (PDQ) and SHA-256 matches against hash lists.

    What it measures: whether the file IS an item someone already knows, by hash, the way
    platforms and hotlines match shared lists (StopNCII, ThreatExchange). Give lists with
    `--match-list [KIND=]FILE` (repeatable; config key `known.match_lists`): KIND `synthetic`
    (known AI-generated items), `allow` (known, cleared items) or `other` (known items that say
    nothing about AI). Formats: a plain `hash,label` CSV/TSV (a `sha256` header row for SHA-256
    lists), the ThreatExchange PDQ export (`hash,id,timestamp,tags`), vPDQ files, and what
    `synthcheck hash` writes (JSON, JSON lines, CSV). Lists are checked and loaded once before any
    file is read; a malformed line stops the scan with its file and line number (exit 2).

    For an image it computes PDQ (256 bits, with a quality 0-100), its eight rotations and
    mirrors, pHash and dHash; for a video, PDQ of one frame per second (vPDQ-style). Every image
    gets an informational finding with its hashes (the scan groups near-duplicates from it:
    a later file that is the same picture at another size or quality gets a "near-duplicate in
    this scan" finding naming the earlier one).

    How to read it:
    - SHA-256 equal to a list entry: DECISIVE, the file is byte-for-byte that item.
    - PDQ distance <= 31 of 256 bits (the published threshold) to an entry: STRONG, the file is
      that picture, re-encoded, resized, cropped a little or mirrored (the evidence names the
      rotation or mirror that matched). The score is 1 - distance / 64 (1.0 identical, 0.5 at
      the threshold). A file whose PDQ quality is under 50 (flat or nearly blank pictures) is not
      matched, as ThreatExchange does: such hashes match too much.
    - A video matches an item by the fraction of its hashed seconds within 31 bits of that item:
      at least half is STRONG, less is MODERATE (part of the video is that item); the matching
      time ranges are in the finding.
    - A STRONG or DECISIVE match to a `synthetic` list makes the verdict `ai-generated` with
      basis `known-content`. A match to an `allow` or `other` list is context: it changes no
      verdict and never means "authentic".
    Measured (bench/hash_robustness.py, docs/targets.md "Known content"): copies re-encoded at
    JPEG quality 50-95 or resized 0.5-2x matched their original (60/60 generated pictures for
    each change; 99-100 of 100 real photos); mirrored or rotated copies matched through the
    dihedral variants (60/60; 99/100). A crop of 5 % of the area matched 57/60 and 82/100, but
    5 % off each side length only 3/60 and 4/100: PDQ does not survive that crop. False matches:
    0 of 718,201 pairs of 1,199 distinct real photos (imagenet-samples, bsds500), with or without
    the variants; the closest pair was 88 bits apart, far above 31.

    Evidence keys: on matches `list`, `list_sha256`, `list_kind`, `list_label`, `source`,
    `list_format`, `label`, `line` (of the list file; 0 for JSON records), `hash_kind` (pdq or
    sha256), `distance`, `threshold`, `transform` (which of the eight PDQ variants matched),
    `matches` (how many items matched in all); on videos `seconds_hashed`, `seconds_matched`,
    `fraction`, `time_ranges`; on the hash finding `pdq`, `pdq_quality`, `phash`, `dhash`.

    When it fails: PDQ is a hash of the whole picture, so a heavy crop, a collage, a screenshot
    with borders, a re-drawing or an edit of the main subject escapes it; two different pictures
    of one flat design (logos, charts) can collide; a list is only as good as whoever made it,
    and a match says the file is a listed item, not who made it. Hashes made by other PDQ tools
    on full-resolution pictures differ from ours by 4 bits on average, 8 at the 90th percentile
    (we hash a reduced copy for speed), which spends part of the margin. Crops of more than a
    few percent, as measured above, are missed. A video is hashed at one frame per
    second up to the frame limit (`--max-frames`), so a listed clip shorter than a few seconds
    inside a long video may be missed.
    """

    id = "known"
    version = "1"
    title = "Known content (hash lists)"
    media = frozenset({"image", "video"})
    cost = "moderate"
    kind = Kind.MATCH
    requires_modules = ("pdqhash", "imagehash")

    catalog: "Catalog | None" = None
    record_keys = ("known.lists",)  # which lists, by SHA-256, a match could come from

    @classmethod
    def prepare_run(cls, options: Mapping[str, Any]) -> Mapping[str, Any]:
        """Parse the lists in the parent, once; workers map the saved arrays (see synthcheck.hashes.lists)."""
        specs = options.get("known.match_lists") or ()
        if not specs:
            return {}
        import atexit
        import shutil
        import tempfile

        from synthcheck.hashes.lists import load_catalog

        catalog = load_catalog(specs)  # ListError (a ValueError): one line, the scan stops with exit 2
        folder = tempfile.mkdtemp(prefix="synthcheck-known-")
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        catalog.save(folder)
        lists = [{"path": x.path, "sha256": x.sha256, "kind": x.kind, "label": x.label, "items": x.n_items}
                 for x in catalog.lists]
        return {"known.cache": folder, "known.lists": lists}

    def load(self) -> None:
        from synthcheck.hashes.lists import Catalog, load_catalog

        folder = self.context.options.get("known.cache")
        if folder:
            self.catalog = Catalog.load(folder)
        elif self.context.options.get("known.match_lists"):  # used without prepare_run (a direct caller)
            self.catalog = load_catalog(self.context.options["known.match_lists"])

    def run(self, media: "Media") -> list[Finding]:
        return self._video(media) if media.kind == "video" else self._image(media)

    # -- images -------------------------------------------------------------------------------------
    def _image(self, media: "Media") -> list[Finding]:
        from synthcheck.hashes.compute import DIHEDRAL, PDQ_MIN_QUALITY, PDQ_THRESHOLD, image_hashes
        from synthcheck.hashes.index import hex_rows

        cat = self.catalog
        h = image_hashes(media.rgb, dihedral=cat is not None and cat.n_pdq > 0)
        out: list[Finding] = []
        matched: dict[int, tuple[str, int, str]] = {}  # item -> (hash kind, distance, transform)
        if cat is not None:
            for item in cat.sha256_items(media.sha256):
                matched[item] = ("sha256", 0, "none")
            if cat.n_pdq and h.quality >= PDQ_MIN_QUALITY:
                qi, ci, di = cat.index.search(hex_rows(list(h.dihedral)))
                items = cat.a["pdq_item"][ci] if len(ci) else ci
                for q, item, d in sorted(zip(qi.tolist(), [int(i) for i in items], di.tolist()),
                                         key=lambda x: (x[2], x[0])):
                    matched.setdefault(item, ("pdq", d, DIHEDRAL[q]))
        ranked = sorted(matched.items(), key=lambda kv: (kv[1][0] != "sha256", kv[1][1]))
        for item, (hash_kind, dist, transform) in ranked[:MAX_REPORTED]:
            out.append(self._match(item, hash_kind, dist, transform, n_matches=len(matched)))
        lists_note = (f"checked against {cat.n_pdq} PDQ and {len(cat.a['sha'])} SHA-256 entries in "
                      f"{len(cat.lists)} list(s): " + (f"{len(matched)} matched" if matched else "no match")
                      if cat is not None else "no hash list given (--match-list)")
        low = (f" Quality {h.quality} is under {PDQ_MIN_QUALITY}: too little detail to match on."
               if h.quality < PDQ_MIN_QUALITY else "")
        out.append(self.finding(
            f"PDQ {h.pdq} (quality {h.quality}), pHash {h.phash}, dHash {h.dhash}; {lists_note}.{low}",
            strength=Strength.INFO, title="Perceptual hashes",
            evidence={"pdq": h.pdq, "pdq_quality": h.quality, "phash": h.phash, "dhash": h.dhash,
                      "threshold": PDQ_THRESHOLD}))
        return out

    def _match(self, item: int, hash_kind: str, dist: int, transform: str, *, n_matches: int,
               extra: Mapping[str, Any] | None = None, strength: Strength | None = None,
               time: tuple[float, float] | None = None, how: str = "") -> Finding:
        from synthcheck.hashes.compute import PDQ_THRESHOLD

        assert self.catalog is not None
        info = self.catalog.describe(item)
        kind = info["list_kind"]
        where = (f"'{info['label'] or '(no label)'}' (line {info['line']}) of list '{info['list_label']}' "
                 f"({kind}; source {info['source']})" if info["line"] else
                 f"'{info['label'] or '(no label)'}' of list '{info['list_label']}' ({kind}; source {info['source']})")
        if how:
            sentence = how.format(where=where)
        elif hash_kind == "sha256":
            sentence = f"The file's SHA-256 equals that of {where}: it is that item, byte for byte."
        else:
            turned = "" if transform == "original" else f" after {transform.replace('-', ' ')}"
            sentence = (f"The file's PDQ hash{turned} is {dist} of 256 bits from {where} (match threshold "
                        f"{PDQ_THRESHOLD}): it is that picture, possibly re-encoded or resized.")
        evidence = {**info, "hash_kind": hash_kind, "distance": dist,
                    "threshold": 0 if hash_kind == "sha256" else PDQ_THRESHOLD, "transform": transform,
                    "matches": n_matches, **(extra or {})}
        if strength is None:
            strength = Strength.DECISIVE if hash_kind == "sha256" else Strength.STRONG
        return self.finding(sentence + _MEANING[kind], strength=strength,
                            score=1.0 if hash_kind == "sha256" else 1.0 - dist / 64.0,
                            claim=Claim.AI_GENERATED if kind == "synthetic" else None,
                            title=_TITLES[kind], evidence=evidence, time=time)

    # -- video --------------------------------------------------------------------------------------
    def _video(self, media: "Media") -> list[Finding]:
        from synthcheck.hashes.compute import PDQ_MIN_QUALITY, video_hashes
        from synthcheck.hashes.index import hex_rows

        cat = self.catalog
        if cat is None:
            return []  # per-second hashing costs a decode; without a list there is nothing to match
        out: list[Finding] = []
        exact = cat.sha256_items(media.sha256)
        for item in exact[:MAX_REPORTED]:
            out.append(self._match(item, "sha256", 0, "none", n_matches=len(exact)))
        if not cat.n_pdq:
            return out
        frames = video_hashes(media)
        good = [f for f in frames if f.quality >= PDQ_MIN_QUALITY]
        if not good:
            out.append(self.finding(f"No frame of the {len(frames)} hashed (one per second) has PDQ quality "
                                    f"{PDQ_MIN_QUALITY} or more; the video was not matched.",
                                    strength=Strength.INFO, title="Video not matched",
                                    evidence={"seconds_hashed": len(frames)}))
            return out
        qi, ci, di = cat.index.search_batched(hex_rows([f.pdq for f in good]))
        per_item: dict[int, dict[int, int]] = {}  # item -> query second -> best distance
        for q, item, d in zip(qi.tolist(), cat.a["pdq_item"][ci].tolist() if len(ci) else [], di.tolist()):
            if item in exact:
                continue
            seconds = per_item.setdefault(int(item), {})
            seconds[q] = min(d, seconds.get(q, 256))
        ranked = sorted(per_item.items(), key=lambda kv: -len(kv[1]))
        for item, seconds in ranked[:MAX_REPORTED]:
            times = sorted(good[q].time for q in seconds)
            ranges = _ranges(times)
            fraction = len(seconds) / len(good)
            best = min(seconds.values())
            strength = Strength.STRONG if fraction >= VIDEO_STRONG_FRACTION else Strength.MODERATE
            span = ", ".join(f"{a:.0f}-{b:.0f} s" for a, b in ranges[:6]) + (" ..." if len(ranges) > 6 else "")
            how = (f"{len(seconds)} of the {len(good)} hashed seconds ({fraction:.0%}) are within the PDQ threshold "
                   f"of {{where}} (best distance {best}), at {span}.")
            out.append(self._match(item, "pdq", best, "original", n_matches=len(per_item), strength=strength,
                                   time=(ranges[0][0], ranges[-1][1]), how=how,
                                   extra={"seconds_hashed": len(good), "seconds_matched": len(seconds),
                                          "fraction": round(fraction, 4),
                                          "item_entries": int(cat.a["item_n"][item]),
                                          "time_ranges": [list(r) for r in ranges]}))
        return out


def _ranges(times: list[float], gap: float = 1.5, step: float = 1.0) -> list[tuple[float, float]]:
    """Merge sampled seconds into [start, end) ranges (a sample stands for the second after it)."""
    out: list[list[float]] = []
    for t in times:
        if out and t - out[-1][1] <= gap - step:
            out[-1][1] = t + step
        else:
            out.append([t, t + step])
    return [(round(a, 3), round(b, 3)) for a, b in out]
