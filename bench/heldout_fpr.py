"""False-positive rates of the scored detectors on real photos, split into held-out and in-sample.

    .venv/bin/python bench/heldout_fpr.py --cache /tmp/heldout.jsonl [--with-real] [--workers 1]

Scans real photographs with ``synthcheck scan -f jsonl`` (the code path users run; results are
appended to --cache, so an interrupted run resumes) and prints, per detector and source group,
how many photos reach score 0.9 (``likely``) and 0.6 (``possibly``) - the watermark detector by
strength, since it reports no score - as k of n, with a one-sided 95% upper bound (3/n when k
is 0, exact binomial otherwise) so a reader sees what n supports.  Each row says whether the
detector's calibration read those photos (in-sample) or not (held-out); the sets and splits are
in bench/heldout.py.  --with-real adds those of the 1200 bsds500 + imagenet-samples photos
that are held out for a requested detector, split per detector as its calibration split them:

* frequency: sorted list, even positions fitted the constants, odd positions were used to choose
  the 99.7% quantile level: both in-sample (bench/frequency_calibrate.py prints those rates).
* watermark: ``hash_split``; the null scale is refitted on the calibration half by
  ``bench/watermark_calibrate.py --split calibration``, so the held-out half is held-out.
* learned: its own test split (detectors/learned/data.py) is held-out, train and val in-sample.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

from heldout import SHARED, SOURCES, USED_BY, group_of, hash_split, real_photos, source_of, unseen_groups

DETECTORS = ("frequency", "learned", "anatomy", "watermark")
CUTS = (0.9, 0.6)


def upper95(k: int, n: int) -> float:
    if k == 0:
        return min(1.0, 3 / n)
    from scipy.stats import beta

    return float(beta.ppf(0.95, k + 1, n - k)) if k < n else 1.0


def real_parts() -> dict[str, dict[str, str]]:
    """For each bsds500/imagenet photo: per detector, the part it belongs to and whether held out."""
    from detectors.learned.data import splits

    files = real_photos()
    learned = {str(p): s for s, ps in splits(SHARED).items() for p in ps}
    out: dict[str, dict[str, str]] = {}
    for i, p in enumerate(files):
        g = group_of(p)
        h = hash_split(p)
        ls = learned.get(str(p), "train")
        out[str(p)] = {
            "group": g,
            "frequency": f"{g} {'fit half' if i % 2 == 0 else 'level-choice half'}|in-sample",
            "watermark": f"{g} hash {h}|{'held-out' if h == 'held-out' else 'in-sample'}",
            "learned": f"{g} learned-{ls}|{'held-out' if ls == 'test' else 'in-sample'}",
            "anatomy": f"{g}|in-sample",
        }
    return out


def scan(paths: list[str], cache: Path, detectors: str, workers: int, chunk: int = 60) -> None:
    done = set()
    if cache.exists():
        done = {json.loads(line)["path"] for line in cache.open() if line.strip()}
    todo = [p for p in paths if p not in done]
    print(f"{len(paths)} files, {len(todo)} to scan", file=sys.stderr)
    exe = Path(sys.executable).with_name("synthcheck")
    env = dict(os.environ, OMP_NUM_THREADS=str(workers), OPENBLAS_NUM_THREADS=str(workers))
    for i in range(0, len(todo), chunk):
        part = todo[i:i + chunk]
        res = subprocess.run([str(exe), "scan", "-f", "jsonl", "-q", "--exit-zero", "-j", str(workers),
                              "-d", detectors, "-"], input="\n".join(part), capture_output=True,
                             text=True, env=env)
        if res.returncode not in (0, 2):
            sys.exit(f"scan failed: {res.stderr[-2000:]}")
        with cache.open("a") as fh:
            fh.write(res.stdout if res.stdout.endswith("\n") or not res.stdout else res.stdout + "\n")
        print(f"  scanned {min(i + chunk, len(todo))}/{len(todo)}", file=sys.stderr, flush=True)


def per_file(rec: dict) -> dict[str, dict]:
    """Per detector: the highest score, the strongest strength and (anatomy) hands seen."""
    order = ["info", "weak", "moderate", "strong", "decisive"]
    out: dict[str, dict] = {}
    for f in rec.get("findings", []):
        d = out.setdefault(f["detector"], {"score": None, "strength": "info", "hands": 0, "unstable": False,
                                           "not_checked": False})
        d["not_checked"] |= f.get("title", "").endswith("not checked") and "RivaGAN" not in f["title"]
        if f.get("score") is not None:
            d["score"] = max(d["score"] or 0.0, f["score"])
        if order.index(f["strength"]) > order.index(d["strength"]):
            d["strength"] = f["strength"]
        ev = f.get("evidence") or {}
        h = ev.get("hands")
        d["hands"] = max(d["hands"], len(h) if isinstance(h, list) else int(h or 0),
                         int(ev.get("hand") is not None))  # a hand rule's finding names its hand
        d["unstable"] |= bool(ev.get("unstable"))
    return out


def fmt(k: int, n: int) -> str:
    if not n:
        return "-"
    return f"{k}/{n} ({100 * k / n:.1f}%, <= {100 * upper95(k, n):.1f}%)"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache", type=Path, required=True, help="JSONL of scan results (appended)")
    ap.add_argument("--sources", type=Path, default=SOURCES, help="get-sources folder (kind real-img)")
    ap.add_argument("--with-real", action="store_true", help="also scan bsds500 + imagenet-samples")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("-d", "--detectors", default=",".join(DETECTORS))
    args = ap.parse_args()

    meta: dict[str, dict[str, str]] = {}
    for g, files in unseen_groups(sources=args.sources).items():
        for p in files:
            meta[str(p)] = {"group": g, **{d: f"{g}|{'in-sample' if source_of(g) in USED_BY[d] else 'held-out'}"
                                           for d in DETECTORS}}
    unseen = list(meta)
    if args.with_real:
        meta.update(real_parts())
    scan(unseen, args.cache, args.detectors, args.workers)
    if args.with_real:  # only where a requested detector is held out (frequency and anatomy: nowhere)
        dets = [d for d in args.detectors.split(",") if d in DETECTORS]
        held = [p for p, m in meta.items() if p not in set(unseen)
                and any(m[d].endswith("|held-out") for d in dets)]
        scan(held, args.cache, ",".join(dets), args.workers)

    recs = {}
    for line in args.cache.open():
        if line.strip():
            r = json.loads(line)
            recs[r["path"]] = r
    rows: dict[tuple[str, str], Counter] = defaultdict(Counter)
    errors = 0
    for path, m in meta.items():
        r = recs.get(path)
        if r is None:
            continue
        errors += bool(r.get("errors"))
        for det, v in per_file(r).items():
            if det not in m or det not in args.detectors.split(","):
                continue
            if path not in unseen and not m[det].endswith("|held-out"):
                continue  # scanned for another detector's held-out part: a partial set, not a row
            c = rows[(det, m[det])]
            if det == "watermark":
                if v["not_checked"]:  # under 256 px a side: no statement either way
                    c["unchecked"] += 1
                    continue
                c["n"] += 1
                c["decisive"] += v["strength"] == "decisive"
                c["moderate+"] += v["strength"] in ("moderate", "strong", "decisive")
                c["weak+"] += v["strength"] != "info"
                continue
            if v["score"] is None and det != "anatomy":  # anatomy: every checked photo counts
                c["unscored"] += 1
                continue
            c["n"] += 1
            c["hand"] += v["hands"] > 0
            s = v["score"] or 0.0
            for cut in CUTS:
                c[f">={cut}"] += s >= cut
                c[f"hand>={cut}"] += v["hands"] > 0 and s >= cut
            c["unstable>=0.6"] += v["unstable"] and s >= 0.6
    print(f"{len(recs)} scan results, {errors} with errors; cache {args.cache}\n")
    print("| detector | photos | part | n | >= 0.9 (likely) | >= 0.6 (possibly) |")
    print("|---|---|---|---|---|---|")
    pooled: dict[tuple[str, str], Counter] = defaultdict(Counter)
    worst: dict[tuple[str, str], tuple[float, str]] = {}
    by_source: dict[tuple[str, str, str], Counter] = defaultdict(Counter)
    for (det, key), c in sorted(rows.items()):
        group, part = key.split("|")
        pooled[(det, part)].update(c)
        if ":" in group:
            by_source[(det, source_of(group), part)].update(c)
        k = c["moderate+" if det == "watermark" else ">=0.6"]
        worst[(det, part)] = max(worst.get((det, part), (-1.0, "")), (k / c["n"], f"{group} {k}/{c['n']}"))
        if det == "watermark":
            print(f"| watermark | {group} | {part} | {c['n']} | decisive {fmt(c['decisive'], c['n'])} "
                  f"| moderate+ {fmt(c['moderate+'], c['n'])}; weak+ {c['weak+']} |")
        elif det == "anatomy":
            print(f"| anatomy | {group} | {part} | {c['n']} ({c['hand']} with a hand) | "
                  f"{fmt(c['>=0.9'], c['n'])} | {fmt(c['>=0.6'], c['n'])}; with a hand "
                  f"{fmt(c['hand>=0.6'], c['hand'])} |")
        else:
            print(f"| {det} | {group} | {part} | {c['n']} | {fmt(c['>=0.9'], c['n'])} | "
                  f"{fmt(c['>=0.6'], c['n'])} (unstable: {c['unstable>=0.6']}) |")
    for (det, src, part), c in sorted(by_source.items()):
        k9, k6 = ("decisive", "moderate+") if det == "watermark" else (">=0.9", ">=0.6")
        print(f"| {det} | {src} (all) | {part} | {c['n']} | {fmt(c[k9], c['n'])} | {fmt(c[k6], c['n'])} |")
    print("\npooled:")
    for (det, part), c in sorted(pooled.items()):
        if det == "watermark":
            print(f"| watermark | all | {part} | {c['n']} | decisive {fmt(c['decisive'], c['n'])} | "
                  f"moderate+ {fmt(c['moderate+'], c['n'])}; weak+ {c['weak+']} |")
        else:
            extra = f"; with a hand {fmt(c['hand>=0.6'], c['hand'])}" if det == "anatomy" else ""
            print(f"| {det} | all | {part} | {c['n']} | {fmt(c['>=0.9'], c['n'])} | "
                  f"{fmt(c['>=0.6'], c['n'])}{extra} |")
    print("\nworst group at >= 0.6 (watermark: moderate+):")
    for (det, part), (_, what) in sorted(worst.items()):
        print(f"  {det} {part}: {what}")


if __name__ == "__main__":
    main()
