"""The learned detector on the video bench's clips (video frames: the CNN alone): per-generator AUC vs real clips.

    .venv/bin/python bench/video_learned.py --sources DEST --work /work/scratch/video/learned

Why: the fused verdict of a video counts the learned detector's frame score beside the temporal
detector's.  v3 was trained on still images only, so every clip here is unseen by it; this
measures how far its frame evidence carries to video, as published (``native``) and after the
video bench's H.264 re-encode with a 0.75x downscale (``reenc``, ``bench/video_logo_data.py``).
Clips and groups are those of ``bench/video_logo_data.items`` (one group per generator and per
real source).  Scores: ``LearnedDetector.video_score`` on the detector's own frame sample (the
first 8 sampled frames, mean raw logit, calibrated).  Resumable: scored clips are kept in
``WORK/scores.jsonl``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from synthcheck.evaluate import _auc
from video_logo_data import items, reencode

ROOT = Path(__file__).resolve().parents[1]


def score_clip(det, path: str, as_stills: bool = False) -> float:
    from detectors.learned import VIDEO_FRAMES
    from synthcheck.media import Media

    frames = [f.rgb for f in Media.open(path).frames(max_frames=VIDEO_FRAMES)]
    score = det.image_score if as_stills else det.video_score
    return score(frames) if frames else float("nan")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sources", type=Path, required=True)
    ap.add_argument("--work", type=Path, required=True)
    ap.add_argument("--as-stills", action="store_true",
                    help="score the frames as the detector scores a still image (with the channel coherence): "
                         "the measurement that kept the coherence out of video")
    args = ap.parse_args()
    from detectors.learned import LearnedDetector
    from synthcheck.detector import DetectorContext

    det = LearnedDetector(DetectorContext(weights_dir=ROOT / "weights"))
    det.load()
    args.work.mkdir(parents=True, exist_ok=True)
    store = args.work / "scores.jsonl"
    done = {json.loads(line)["path"]: json.loads(line) for line in store.open()} if store.is_file() else {}
    with store.open("a") as fh:
        for path, label, group in items(args.sources):
            if path in done:
                continue
            try:
                re_path = reencode(Path(path), args.work / "reenc" / (Path(path).stem + ".mp4"))
                row = {"path": path, "label": label, "group": group,
                       "native": score_clip(det, path, args.as_stills),
                       "reenc": score_clip(det, str(re_path), args.as_stills)}
            except Exception as exc:  # noqa: BLE001 - one bad clip never stops the bench
                print(f"skipped {path}: {exc}", flush=True)
                continue
            done[path] = row
            fh.write(json.dumps(row) + "\n")
            fh.flush()
    rows = list(done.values())
    real = [r for r in rows if r["label"] == "real"]
    print(f"{len(rows) - len(real)} AI clips, {len(real)} real clips of {len({r['group'] for r in real})} sources")
    gens = sorted({r["group"] for r in rows if r["label"] == "ai"})
    table = {}
    for v in ("native", "reenc"):
        neg = np.array([r[v] for r in real])
        table[v] = {g: _auc(np.array([r[v] for r in rows if r["group"] == g]), neg) for g in gens}
    print(f"{'generator':28s} n  native reenc")
    for g in gens:
        n = sum(r["group"] == g for r in rows)
        print(f"{g:28s} {n:2d}  {table['native'][g]:.2f}   {table['reenc'][g]:.2f}")
    for v in ("native", "reenc"):
        a = np.array(list(table[v].values()))
        worst = gens[int(a.argmin())]
        likely = sum(r[v] >= 0.9 for r in real)
        print(f"{v}: mean {a.mean():.3f} worst {a.min():.3f} ({worst}) below 0.5: {int((a < 0.5).sum())}; "
              f"real clips >= 0.9: {likely} of {len(real)}, >= 0.6: {sum(r[v] >= 0.6 for r in real)}")


if __name__ == "__main__":
    main()
