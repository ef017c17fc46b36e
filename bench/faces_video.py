"""The faces detector on whole clips: per-segment blend score and dynamics values, real vs swapped.

    OMP_NUM_THREADS=1 .venv/bin/python bench/faces_video.py [--public DIR]

Real clips: ../shared/data/video/real (and DIR/real-vid); swapped: DIR/faceswap/ghost and
DIR/faceswap/simswap animations (get-sources output).  Each clip goes through ``Media.open`` and
``FacesDetector.run`` exactly as a scan does (the temporal detector's frame sample); prints one
line per finding.  The dynamics' cut points (detectors/faces/dynamics.py CUTS) were set above
every value the real clips here show; with this few clips the rules stay capped as weak.
"""

from __future__ import annotations

import argparse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--public", type=Path, default=None)
    args = ap.parse_args()
    from detectors.faces import FacesDetector
    from synthcheck.detector import DetectorContext
    from synthcheck.media import Media

    clips = [("real", p) for p in sorted((SHARED / "video" / "real").rglob("*.*"))]
    if args.public is not None:
        clips += [("real", p) for p in sorted((args.public / "real-vid").rglob("*.webp"))]
        clips += [(k, p) for k in ("ghost", "simswap") for p in sorted((args.public / "faceswap" / k).glob("*.webp"))]
    det = FacesDetector(DetectorContext())
    for kind, p in clips:
        for f in det.run(Media.open(p)):
            ev = f.evidence
            d = ev.get("dynamics", {})
            value = (ev.get("frame_scores"), "blinks", d.get("video.blink", {}).get("blinks"),
                     "one-eyed", d.get("video.blink", {}).get("one_eye_closed_frames"),
                     "jitter", d.get("video.jitter", {}).get("ratio"),
                     "colour", d.get("video.colour_drift", {}).get("lab_std")) if d else ev.get("rule")
            t = "" if f.time is None else f"{f.time[0]:.1f}-{f.time[1]:.1f}s"
            print(f"{kind:8s} {p.name[:40]:40s} {t:10s} {ev.get('rule', f.title):20s} "
                  f"{'' if f.score is None else round(f.score, 2)!s:5s} {value}")


if __name__ == "__main__":
    main()
