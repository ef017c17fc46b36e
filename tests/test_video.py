"""Frame sampling: containers and animated GIFs, limits, timestamps, rotation, broken streams."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

av = pytest.importorskip("av")

from synthcheck.limits import Limits, MediaError  # noqa: E402
from synthcheck.media import Media  # noqa: E402
from synthcheck.model import ErrorCode  # noqa: E402
from synthcheck.video import plan_windows  # noqa: E402


def _frame(i: int, w: int, h: int) -> np.ndarray:
    """A frame whose content encodes its index: a bright bar at column 4*i, left half red."""
    a = np.full((h, w, 3), 40, np.uint8)
    a[:, : w // 2, 0] = 200
    x = (4 * i) % (w - 4)
    a[:, x:x + 4] = 255
    return a


def make_mp4(path: Path, n: int = 30, fps: int = 10, w: int = 64, h: int = 48, rotation: int | None = None,
             gop: int | None = None) -> Path:
    with av.open(str(path), "w", options={"movflags": "faststart"}) as out:
        st = out.add_stream("libx264", rate=fps)
        st.width, st.height, st.pix_fmt = w, h, "yuv420p"
        st.options = {"preset": "ultrafast", **({"g": str(gop), "keyint_min": str(gop)} if gop else {})}
        if rotation is not None:
            st.set_display_rotation(rotation)
        for i in range(n):
            for p in st.encode(av.VideoFrame.from_ndarray(_frame(i, w, h), "rgb24")):
                out.mux(p)
        for p in st.encode():
            out.mux(p)
    return path


def make_gif(path: Path, n: int = 12, w: int = 40, h: int = 32, duration: int = 50) -> Path:
    from PIL import Image

    ims = [Image.fromarray(_frame(i, w, h)) for i in range(n)]
    ims[0].save(path, save_all=True, append_images=ims[1:], duration=duration, loop=0)
    return path


def test_mp4_decodes_with_timestamps(tmp_path):
    m = Media.open(make_mp4(tmp_path / "a.mp4", n=30, fps=10))
    assert m.kind == "video" and (m.width, m.height) == (64, 48)
    fr = m.frames()
    assert len(fr) == 30 and fr[0].rgb.shape == (48, 64, 3)
    assert [f.time for f in fr[:3]] == pytest.approx([0.0, 0.1, 0.2])
    assert fr[5].rgb[:, 20:24].mean() > 200  # frame 5's bar is at x=20: frames come in order
    assert m.errors == []


def test_gif_decodes_with_timestamps(tmp_path):
    m = Media.open(make_gif(tmp_path / "a.gif", n=12, duration=50))
    fr = m.frames()
    assert len(fr) == 12 and fr[0].rgb.shape == (32, 40, 3)
    assert fr[3].time == pytest.approx(0.15)


def test_max_frames_makes_evenly_spaced_windows_of_consecutive_frames(tmp_path):
    m = Media.open(make_mp4(tmp_path / "long.mp4", n=200, fps=20, gop=20))
    fr = m.frames(max_frames=24, window=8)
    assert len(fr) == 24
    wins = [f.window for f in fr]
    assert sorted(set(wins)) == [0, 1, 2]
    for w in range(3):
        times = [f.time for f in fr if f.window == w]
        assert np.diff(times) == pytest.approx([0.05] * 7)  # consecutive inside a window
    starts = [min(f.time for f in fr if f.window == w) for w in range(3)]
    assert starts[0] < 1.0 and starts[-1] > 8.0  # spread over the whole 10 s


def test_fps_limit_and_max_side(tmp_path):
    m = Media.open(make_mp4(tmp_path / "a.mp4", n=40, fps=20, w=128, h=96))
    fr = m.frames(fps=5, max_side=64)
    assert np.diff([f.time for f in fr]) == pytest.approx([0.2] * (len(fr) - 1))
    assert len(fr) == 10 and fr[0].rgb.shape == (48, 64, 3)


def test_global_frame_limit_is_honoured(tmp_path):
    m = Media.open(make_gif(tmp_path / "a.gif", n=20), Limits(max_frames=5))
    assert len(m.frames(max_frames=100)) <= 5


def test_plan_windows():
    assert plan_windows(10, 20, 8) == [0]
    assert plan_windows(100, 32, 8) == [0, 31, 61, 92]


def test_rotation_metadata_is_applied(tmp_path):
    m = Media.open(make_mp4(tmp_path / "r.mp4", n=5, w=64, h=48, rotation=90))
    fr = m.frames()
    assert fr[0].rgb.shape == (64, 48, 3)  # displayed upright: portrait
    # 90 degrees counter-clockwise: the red left half of the stored frame ends up at the bottom
    assert fr[0].rgb[-10:, :, 0].mean() > fr[0].rgb[:10, :, 0].mean() + 50


def test_truncated_mp4_yields_frames_and_a_typed_error(tmp_path):
    p = make_mp4(tmp_path / "cut.mp4", n=60, fps=10, w=96, h=64)
    data = p.read_bytes()
    p.write_bytes(data[: int(len(data) * 0.6)])
    m = Media.open(p)
    fr = m.frames()
    assert 0 < len(fr) < 60
    assert [e.code for e in m.errors] == [ErrorCode.TRUNCATED]


def test_garbage_after_header_is_a_typed_error(tmp_path):
    p = tmp_path / "bad.mp4"
    p.write_bytes(b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + bytes(range(256)) * 40)
    with pytest.raises(MediaError) as exc:
        m = Media.open(p)
        m.frames()
    assert exc.value.code in (ErrorCode.DECODE_ERROR, ErrorCode.TRUNCATED, ErrorCode.UNSUPPORTED_FORMAT)


def test_garbage_video_through_scan_is_an_error_result(tmp_path):
    from synthcheck.api import scan
    from synthcheck.model import Label

    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\x17" * 5000)
    _, results = scan([str(empty), str(bad)], detectors=["temporal"], workers=1)
    for r in results:
        assert r.verdict.label is Label.ERROR
        assert r.errors and r.errors[0].code in (ErrorCode.TRUNCATED, ErrorCode.DECODE_ERROR)


def test_time_budget_stops_decoding_with_a_typed_error(tmp_path):
    m = Media.open(make_mp4(tmp_path / "a.mp4", n=30))
    with pytest.raises(MediaError) as exc:
        m.frames(time_budget=0.0)
    assert exc.value.code is ErrorCode.LIMIT_EXCEEDED


def test_truncated_long_mp4_sampled_in_windows_reports_truncation(tmp_path):
    p = make_mp4(tmp_path / "cutlong.mp4", n=300, fps=20, w=96, h=64, gop=20)
    data = p.read_bytes()
    p.write_bytes(data[: int(len(data) * 0.5)])
    m = Media.open(p)
    fr = m.frames(max_frames=32, window=8)
    assert fr and [e.code for e in m.errors] == [ErrorCode.TRUNCATED]


def test_video_module_reads_and_returns_without_knowing_media(tmp_path):
    """video.py takes a path and returns what it read; only Media records it (no import circle)."""
    import ast
    import dataclasses

    from synthcheck import video

    tree = ast.parse(Path(video.__file__).read_text())
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert "media" not in imported, "synthcheck.video must not import synthcheck.media, even for typing"
    p = make_mp4(tmp_path / "a.mp4", n=30, fps=10)
    info = video.probe(p)
    assert (info.width, info.height, info.n_frames) == (64, 48, 30) and info.duration == pytest.approx(3.0, abs=0.15)
    with pytest.raises(dataclasses.FrozenInstanceError):
        info.width = 1  # a frozen record
    sample = video.sample_frames(p, "mp4", limits=Limits(), duration=info.duration, max_frames=8)
    assert len(sample.frames) == 8 and sample.error is None
    data = p.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: int(len(data) * 0.6)])
    cut_info = video.probe(cut)
    partial = video.sample_frames(cut, "mp4", limits=Limits(), duration=cut_info.duration)
    assert 0 < len(partial.frames) < 30 and partial.error.code is ErrorCode.TRUNCATED


def test_animated_gif_sampled_from_a_path_alone(tmp_path):
    from synthcheck import video

    p = make_gif(tmp_path / "a.gif", n=6)
    sample = video.sample_frames(p, "gif", limits=Limits(), max_frames=4)
    assert [f.index for f in sample.frames] == [1, 2, 3, 4] and sample.error is None  # one centred window
    assert [f.index for f in Media.open(p).frames(max_frames=4)] == [1, 2, 3, 4]  # as Media samples it
