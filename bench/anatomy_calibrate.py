"""Calibrate and measure the anatomy detector on real photographs and AI images with people.

    .venv/bin/python bench/anatomy_calibrate.py [--shared ../shared/data] [--cache DIR]

Real sets: ml72 real (all 50, of which 10 'people'), BSDS500 (505), the ImageNet samples (700),
skimage's astronaut, and the JPEG photos shipped in Debian's opencv-doc package (if installed).
AI set: ml72/ai (50).  Prints, per set, how many images have a detected hand or person and how
many get a weak / moderate-or-stronger anatomy finding, per rule; then the false-positive rate
(moderate+ on real photos with a detected hand) and the hit rate on AI images with people.
Landmarks are cached (plain .npz) so re-running after changing rules.py takes seconds.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

import numpy as np

from anatomy_landmarks_cache import DEFAULT_CACHE, landmarks_for
from detectors.anatomy import rules, runner

ROOT = Path(__file__).resolve().parents[1]


def image_sets(shared: Path) -> dict[str, tuple[str, list[Path]]]:
    jp = ("*.jpg", "*.jpeg", "*.JPEG", "*.JPG", "*.png")
    sets = {
        "ml72-real-people": ("real", sorted((shared / "labelled/ml72/real").glob("people_*.jpg"))),
        "ml72-real-other": ("real", sorted(p for p in (shared / "labelled/ml72/real").glob("*.jpg")
                                           if not p.name.startswith("people_"))),
        "bsds500": ("real", sorted((shared / "real/bsds500").glob("*/*.jpg"))),
        "imagenet-samples": ("real", sorted(p for g in jp
                                            for p in (shared / "real/imagenet-samples").glob(g))),
        "opencv-doc": ("real", _unique(p for g in jp for p in Path("/usr/share/doc/opencv-doc").rglob(g))),
        "ml72-ai": ("ai", sorted((shared / "labelled/ml72/ai").glob("*.jpg"))),
    }
    return {k: v for k, v in sets.items() if v[1]}


def _unique(paths) -> list[Path]:
    """One path per distinct file content (opencv-doc repeats images across its folders)."""
    import hashlib

    seen: dict[str, Path] = {}
    for p in sorted(paths):
        seen.setdefault(hashlib.sha1(p.read_bytes()).hexdigest(), p)
    return sorted(seen.values())


def astronaut(cache: Path) -> Path | None:
    try:
        from PIL import Image
        from skimage import data
    except ImportError:
        return None
    p = cache / "astronaut.png"
    if not p.exists():
        cache.mkdir(parents=True, exist_ok=True)
        Image.fromarray(data.astronaut()).save(p)
    return p


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared/data")
    ap.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    ap.add_argument("--show", action="store_true", help="list every weak+ finding")
    args = ap.parse_args()
    sets = image_sets(args.shared)
    astro = astronaut(args.cache)
    if astro:
        sets["skimage-astronaut"] = ("real", [astro])
    landmarker = None
    totals = {"real": Counter(), "ai": Counter()}
    values: dict[str, list[float]] = {}
    for name, (label, files) in sets.items():
        c, by_rule = Counter(), Counter()
        for path in files:
            if landmarker is None:
                from detectors.anatomy.landmarks import Landmarker
                landmarker = Landmarker()
            try:
                lm = landmarks_for(path, landmarker, args.cache)
            except Exception as exc:  # noqa: BLE001 - any unreadable file in a public set: count, go on
                c["unreadable"] += 1
                print(f"  skip {path}: {exc}", file=sys.stderr)
                continue
            results = runner.check(lm)
            if label == "real" and lm.hands:
                for r in results:
                    values.setdefault(r.rule, []).append(r.value)
            found = [r for r in results if r.score >= 0.3]
            strong = [r for r in found if r.score >= 0.6]
            person = bool(lm.hands or lm.pose is not None)
            c["images"] += 1
            c["with_hand"] += bool(lm.hands)
            c["hands"] += len(lm.hands)
            c["hands_full_weight"] += sum(rules.hand_confidence(h.image) >= 1.0 for h in lm.hands)
            c["with_person"] += person
            c["weak+"] += bool(found)
            c["moderate+"] += bool(strong)
            c["hand&moderate+"] += bool(lm.hands and strong)
            c["person&weak+"] += bool(person and found)
            c["person&moderate+"] += bool(person and strong)
            for r in found:
                by_rule[(r.rule, "moderate+" if r.score >= 0.6 else "weak")] += 1
                if args.show:
                    print(f"  {label} {path.name}: {r.rule} value={r.value:.3f} score={r.score:.2f}")
        totals[label].update(c)
        print(f"{name} [{label}]: " + ", ".join(f"{k}={v}" for k, v in sorted(c.items())))
        for (rule, s), n in sorted(by_rule.items()):
            print(f"    {rule:24s} {s:9s} {n}")
    print("\nvalue percentiles on real photos with a detected hand (50/90/97/99/max):")
    for rule, v in sorted(values.items()):
        print(f"  {rule:24s} n={len(v):4d} " + " ".join(f"{x:8.3f}" for x in
                                                       np.percentile(v, [50, 90, 97, 99, 100])))
    r, a = totals["real"], totals["ai"]
    if r["with_hand"]:
        print(f"\nFALSE POSITIVES: moderate+ anatomy finding on {r['hand&moderate+']}/{r['with_hand']} "
              f"= {r['hand&moderate+'] / r['with_hand']:.1%} of real photos with a detected hand "
              f"(weak+ on {r['weak+']}/{r['images']} real photos overall)")
    if a["with_person"]:
        print(f"AI HITS: on AI images with a detected hand or person, weak+ {a['person&weak+']}/"
              f"{a['with_person']} = {a['person&weak+'] / a['with_person']:.1%}, moderate+ "
              f"{a['person&moderate+']}/{a['with_person']} = {a['person&moderate+'] / a['with_person']:.1%}"
              f" ({a['with_hand']} of {a['images']} AI images have a detected hand)")


if __name__ == "__main__":
    main()
