"""Stage 1 of the video leave-one-generator-out bench: segment measurements of every clip, twice.

    OMP_NUM_THREADS=1 .venv/bin/python bench/video_logo_data.py --sources DEST --cache CACHE

``DEST`` is what ``../shared/bin/get-sources DEST`` extracted (``ai-vid/GENERATOR/*``,
``real-vid/SOURCE/*``).  Also read: ``../shared/data/video/animatediff`` (every 4th of 40 GIFs, one group),
opencv-doc's ``vtest.avi``, ``tree.avi``, ``Megamind.avi`` (+ ``Megamind_bugy.avi``, same
footage: one group) and the C2PA sample videos.  Every clip is measured as published
(``native``) and after an H.264 re-encode at a low bit rate (0.05 bit per pixel per frame,
at least 100 kb/s) and a 0.75x downscale (``reenc``), with the detector's default sampling and
exactly the detector's code (``analysis.segments`` + ``features.window_stats``).  One JSON line
per segment goes to ``CACHE/segments.jsonl``; a clip already there is skipped, so a run can be
resumed.  Re-encoded clips are written to ``CACHE/reenc/``.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SHARED = ROOT.parent / "shared" / "data"
OPENCV = Path("/usr/share/doc/opencv-doc/examples/data")
VIDEO_EXT = (".mp4", ".webp", ".gif", ".mkv", ".avi", ".mov", ".webm")
REENC_BPP = 0.05  # bits per pixel per frame of the stability re-encode
REENC_SCALE = 0.75


def items(sources: Path) -> list[tuple[str, str, str]]:
    """(path, label, group): label 'ai' or 'real'; group = generator or real source clip."""
    out: list[tuple[str, str, str]] = []
    for kind, label in (("ai-vid", "ai"), ("real-vid", "real")):
        for d in sorted((sources / kind).glob("*")):
            for f in sorted(d.iterdir()):
                if f.suffix.lower() not in VIDEO_EXT:
                    continue
                # the Intel sample videos are separate recordings: one group each
                group = f"intel:{f.stem}" if d.name == "intel-sample-videos" else d.name
                out.append((str(f), label, group))
    # every 4th AnimateDiff GIF (10 of 40): one group either way, and the 2-core budget is small
    out += [(str(p), "ai", "animatediff") for p in sorted((SHARED / "video" / "animatediff").glob("*.gif"))[::4]]
    for name, group in (("vtest.avi", "opencv:vtest"), ("tree.avi", "opencv:tree"),
                        ("Megamind.avi", "opencv:megamind"), ("Megamind_bugy.avi", "opencv:megamind")):
        if (OPENCV / name).exists():
            out.append((str(OPENCV / name), "real", group))
    for name, group in (("video1.mp4", "c2pa:video1"), ("C-recorded-as-mov.mov", "c2pa:screen-recording")):
        if (SHARED / "c2pa" / name).exists():
            out.append((str(SHARED / "c2pa" / name), "real", group))
    return out


def _frames(path: Path):
    """(rgb frames iterator, fps) of a whole clip: PIL for animated WebP/GIF, PyAV otherwise."""
    import numpy as np

    if path.suffix.lower() in (".webp", ".gif"):
        from PIL import Image, ImageSequence

        im = Image.open(path)
        dur = im.info.get("duration") or 40
        fps = max(1.0, min(60.0, 1000.0 / float(dur)))

        def gen():
            for fr in ImageSequence.Iterator(im):
                yield np.asarray(fr.convert("RGB"))
        return gen(), fps
    import av

    c = av.open(str(path))
    st = c.streams.video[0]
    fps = float(st.average_rate or 25) or 25.0

    def gen2():
        try:
            for fr in c.decode(st):
                yield fr.to_ndarray(format="rgb24")
        finally:
            c.close()
    return gen2(), min(max(fps, 1.0), 60.0)


def reencode(src: Path, dst: Path, bpp: float = REENC_BPP, scale: float = REENC_SCALE) -> Path:
    """H.264 (yuv420p, veryfast) at ``bpp`` bits per pixel per frame after a ``scale`` downscale."""
    import av
    import cv2

    if dst.exists():
        return dst
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_suffix(".part.mp4")
    frames, fps = _frames(src)
    rate = max(1, int(round(fps)))
    out = av.open(str(tmp), "w")
    st = None
    for f in frames:
        h, w = f.shape[:2]
        nw, nh = max(16, int(w * scale) // 2 * 2), max(16, int(h * scale) // 2 * 2)
        if st is None:
            st = out.add_stream("libx264", rate=rate)
            st.width, st.height, st.pix_fmt = nw, nh, "yuv420p"
            st.bit_rate = max(100_000, int(bpp * nw * nh * rate))
            st.options = {"preset": "veryfast"}
        small = cv2.resize(f, (nw, nh), interpolation=cv2.INTER_AREA)
        for p in st.encode(av.VideoFrame.from_ndarray(small, "rgb24")):
            out.mux(p)
    if st is not None:
        for p in st.encode():
            out.mux(p)
    out.close()
    tmp.rename(dst)
    return dst


def measure(path: str) -> list[dict]:
    from detectors.temporal import TemporalDetector
    from detectors.temporal.analysis import segments
    from detectors.temporal.features import FlowEngine, gray, window_stats
    from synthcheck.detector import DetectorContext
    from synthcheck.media import Media

    det = TemporalDetector(DetectorContext())
    frames = det.sample(Media.open(path))
    engine = FlowEngine()
    rows = []
    for j, seg in enumerate(segments(frames)):
        stats = window_stats([gray(f.rgb) for f in seg], engine)
        rows.append({"seg": j, "t0": float(seg[0].time), "t1": float(seg[-1].time), "n": len(seg),
                     **{k: (float(v) if v == v else None) for k, v in stats.items()}})
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sources", type=Path, required=True)
    ap.add_argument("--cache", type=Path, required=True)
    ap.add_argument("--only", choices=("native", "reenc"), default=None)
    a = ap.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import cv2

    cv2.setNumThreads(1)
    a.cache.mkdir(parents=True, exist_ok=True)
    out = a.cache / "segments.jsonl"
    done = set()
    if out.exists():
        for line in open(out):
            r = json.loads(line)
            done.add((r["path"], r["variant"]))
    its = items(a.sources)
    print(f"{len(its)} clips: {sum(1 for i in its if i[1] == 'ai')} ai, {sum(1 for i in its if i[1] == 'real')} real")
    with open(out, "a") as fh:
        for variant in ("native", "reenc"):
            if a.only and variant != a.only:
                continue
            for path, label, group in its:
                if (path, variant) in done:
                    continue
                t = time.time()
                src = path
                try:
                    if variant == "reenc":
                        src = str(reencode(Path(path), a.cache / "reenc" / group.replace(":", "_")
                                           / (Path(path).stem + ".mp4")))
                    rows = measure(src)
                except Exception as e:  # noqa: BLE001 - one bad clip never stops the bench
                    print("ERROR", path, variant, type(e).__name__, e, flush=True)
                    rows = []
                if not rows:
                    rows = [{"seg": -1}]  # not checked: recorded so the clip counts as unscored
                for r in rows:
                    fh.write(json.dumps({"path": path, "label": label, "group": group, "variant": variant,
                                         **r}) + "\n")
                fh.flush()
                print(f"{variant} {label} {group} {Path(path).name}: {len(rows)} seg, {time.time() - t:.1f}s",
                      flush=True)


if __name__ == "__main__":
    main()
