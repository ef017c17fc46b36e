"""Video probing and frame sampling (PyAV for containers, Pillow for animated images).

Kept apart from ``media`` so that PyAV is imported only when a video is scanned.  It depends on
nothing in ``media``: ``probe`` and ``sample_frames`` take a path and return what they read
(``VideoInfo``, ``Sample``), and ``Media`` decides what to record, so the two modules import in
one direction only.

Sampling is built for temporal analysis: flicker and texture drift are measured between
*consecutive* frames, so a long clip is read as a few evenly spaced windows of consecutive
frames (``window``) rather than as isolated frames spread thinly over the clip.  A short clip is
decoded sequentially; a long one seeks to the keyframe before each window, so the cost and the
memory depend on the sample, not on the clip length.  Frames can be downscaled in the decoder
(``max_side``) so a 4K clip never holds 4K frames in memory.
"""

from __future__ import annotations

import time as _time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

from .limits import Limits, MediaError
from .model import ErrorCode

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    from PIL import Image

DEFAULT_WINDOW = 16  # consecutive frames per window when a clip is too long to sample densely
SEEK_GAP_S = 2.0  # decode through gaps shorter than this instead of seeking
_ANIMATED = ("gif", "webp", "png")


@dataclass(frozen=True)
class Frame:
    index: int  # index in the decoded stream
    time: float  # seconds from the start
    rgb: "np.ndarray"  # HxWx3 uint8, display orientation
    window: int = 0  # frames with the same window number are consecutive samples


@dataclass(frozen=True)
class VideoInfo:
    """What a container header says about its first video stream; None where it does not say."""

    width: int | None
    height: int | None
    n_frames: int | None
    duration: float | None  # seconds


@dataclass(frozen=True)
class Sample:
    """Frames decoded from a clip, and the problem that stopped decoding early, if any.

    The error is returned rather than raised because what decoded before it is still evidence:
    the caller records it beside the frames (a truncated stream still yields what it has).
    """

    frames: tuple[Frame, ...]
    error: MediaError | None = None


def probe(path: str | Path) -> VideoInfo:
    """Width, height, frame count and duration from the container, without decoding.

    The caller checks the size against its pixel limit: this module knows no limits policy.
    """
    import av

    try:
        with av.open(str(path), "r") as container:
            streams = container.streams.video
            if not streams:
                raise MediaError(ErrorCode.UNSUPPORTED_FORMAT, "container has no video stream")
            st = streams[0]
            duration = None
            if st.duration is not None and st.time_base is not None:
                duration = float(st.duration * st.time_base)
            elif container.duration is not None:
                duration = container.duration / 1_000_000
            return VideoInfo(width=st.codec_context.width or None, height=st.codec_context.height or None,
                             n_frames=st.frames or None, duration=duration)
    except MediaError:
        raise
    except Exception as exc:
        raise MediaError(ErrorCode.DECODE_ERROR, f"cannot open video container: {exc}") from exc


def sample_frames(path: str | Path, fmt: str | None, *, limits: Limits, duration: float | None = None,
                  image: "Image.Image | None" = None, max_frames: int | None = None, fps: float | None = None,
                  max_side: int | None = None, window: int | None = None,
                  time_budget: float | None = None) -> Sample:
    """Decode up to ``max_frames`` frames, at most ``fps`` per second, long side <= ``max_side``.

    When the clip holds more frames than that, ``max_frames`` is split into evenly spaced windows
    of ``window`` consecutive frames (default 16).  ``duration`` is the container's declared
    length (from ``probe``): it plans the windows and tells a stream that ends early.  Animated
    GIF/WebP/APNG are read through Pillow, from ``image`` when the caller has parsed it already.
    Problems partway through come back as ``Sample.error`` with the frames decoded so far; a
    stream with no decodable frame at all raises ``MediaError``.  Decoding stops after
    ``time_budget`` seconds (default 40% of the per-file timeout).
    """
    limit = max(1, min(max_frames or limits.max_frames, limits.max_frames))
    budget = time_budget if time_budget is not None else 0.4 * limits.timeout_s
    sampler = _Sampler(Path(path), duration, limit, fps, max_side, window, _time.monotonic() + budget)
    if fmt in _ANIMATED:
        if image is not None:
            frames = sampler.animated(image)
        else:
            from PIL import Image

            with Image.open(path) as im:
                frames = sampler.animated(im)
    else:
        frames = sampler.container()
    if not frames and sampler.error is not None:
        raise sampler.error
    return Sample(tuple(frames), sampler.error)


def plan_windows(n_available: int, limit: int, window: int | None) -> list[int]:
    """Start positions (in sampled-frame units) of evenly spaced windows; [0] when all fit."""
    if n_available <= limit:
        return [0]
    w = max(2, min(window or DEFAULT_WINDOW, limit))
    n = max(1, limit // w)
    if n == 1:
        return [max(0, (n_available - w) // 2)]
    span = n_available - w
    return [round(i * span / (n - 1)) for i in range(n)]


class _Sampler:
    def __init__(self, path: Path, duration: float | None, limit: int, fps: float | None,
                 max_side: int | None, window: int | None, deadline: float) -> None:
        self.path, self.duration = path, duration
        self.limit, self.fps, self.max_side = limit, fps, max_side
        self.window, self.deadline = window, deadline
        self.error: MediaError | None = None

    def _size(self, w: int, h: int) -> tuple[int, int]:
        if not self.max_side or max(w, h) <= self.max_side:
            return w, h
        s = self.max_side / max(w, h)
        return max(2, round(w * s / 2) * 2), max(2, round(h * s / 2) * 2)

    def _over_budget(self, n: int) -> bool:
        if _time.monotonic() <= self.deadline:
            return False
        self.error = MediaError(ErrorCode.LIMIT_EXCEEDED,
                                f"frame sampling stopped at its time budget after {n} frames")
        return True

    # -- animated GIF / WebP / APNG through Pillow ------------------------------------------
    def animated(self, im: "Image.Image") -> list[Frame]:
        import numpy as np
        from PIL import Image

        n = int(getattr(im, "n_frames", 1) or 1)
        step = 1
        if self.fps:  # frame durations are usually uniform; estimate the rate from the first one
            im.seek(0)
            d = float(im.info.get("duration", 100) or 100) / 1000.0
            step = max(1, round((1.0 / self.fps) / max(d, 1e-3)))
        wanted = _wanted_indices((n + step - 1) // step, self.limit, self.window)
        frames: list[Frame] = []
        t = 0.0
        last = max(wanted, default=-1) * step
        try:
            for i in range(n):
                if len(frames) >= self.limit or self._over_budget(len(frames)):
                    break
                if i > last:
                    break
                im.seek(i)
                dur = float(im.info.get("duration", 100) or 100) / 1000.0
                if i % step == 0 and (i // step) in wanted:
                    rgb = im.convert("RGB")
                    size = self._size(*rgb.size)
                    if size != rgb.size:
                        rgb = rgb.resize(size, Image.Resampling.BOX)
                    frames.append(Frame(i, round(t, 6), np.asarray(rgb), wanted[i // step]))
                t += dur
        except Exception as exc:  # noqa: BLE001 - a broken animation still yields its good frames
            self.error = MediaError(ErrorCode.TRUNCATED if frames else ErrorCode.DECODE_ERROR,
                                    f"animation stops at frame {len(frames)}: {exc}")
        return frames

    # -- containers through PyAV ---------------------------------------------------------
    def container(self) -> list[Frame]:
        import av

        frames: list[Frame] = []
        try:
            with av.open(str(self.path), "r") as container:
                stream = container.streams.video[0]
                stream.thread_type = "AUTO"
                rate = float(stream.average_rate or stream.guessed_rate or 25)
                eff = min(rate, self.fps) if self.fps else rate
                duration = self.duration or 0.0
                n_avail = int(duration * eff) if duration else 0
                starts = plan_windows(n_avail, self.limit, self.window) if n_avail else [0]
                rotation = _stream_rotation(stream)
                if len(starts) == 1 and n_avail <= self.limit:
                    self._sequential(container, stream, frames, eff, rotation, duration)
                else:
                    per = self.limit // len(starts)
                    self._windows(container, stream, frames, eff, rotation,
                                  [s / eff for s in starts], per)
        except MediaError:
            raise
        except Exception as exc:  # noqa: BLE001 - truncated/corrupt: keep what decoded
            if self.error is None:
                self.error = MediaError(ErrorCode.TRUNCATED if frames else ErrorCode.DECODE_ERROR,
                                        f"video decoding stopped after {len(frames)} frames: {exc}")
        return frames

    def _convert(self, frame: Any, rotation: int, index: int, t: float, win: int) -> Frame:
        w, h = self._size(frame.width, frame.height)
        try:
            rgb = frame.reformat(width=w, height=h, format="rgb24", interpolation="AREA").to_ndarray()
        except Exception:  # noqa: BLE001 - older PyAV without named interpolation
            rgb = frame.reformat(width=w, height=h, format="rgb24").to_ndarray()
        rot = getattr(frame, "rotation", 0) or rotation
        if rot % 360:
            import numpy as np

            rgb = np.ascontiguousarray(np.rot90(rgb, k=int(round(rot / 90.0)) % 4))
        return Frame(index, round(t, 6), rgb, win)

    def _decode(self, container: Any, stream: Any) -> Iterator:
        for frame in container.decode(stream):
            yield frame

    def _sequential(self, container: Any, stream: Any, frames: list[Frame], eff: float, rotation: int,
                    duration: float) -> None:
        rate = float(stream.average_rate or 25)
        next_t = 0.0
        last_t = 0.0
        i = -1
        for i, frame in enumerate(self._decode(container, stream)):
            if len(frames) >= self.limit or self._over_budget(len(frames)):
                return
            t = float(frame.time) if frame.time is not None else i / rate
            last_t = t
            if t < next_t - 0.5 / rate:
                continue
            frames.append(self._convert(frame, rotation, i, t, 0))
            next_t = _advance(next_t, t, eff, rate)
        # reached the end of the stream: did it end where the container said it would?
        if duration and i >= 0 and last_t < duration - max(1.0, 5.0 / rate) and self.error is None:
            self.error = MediaError(ErrorCode.TRUNCATED, f"video stream ends at {last_t:.2f} s but the container "
                                                          f"declares {duration:.2f} s; the file looks truncated")

    def _windows(self, container: Any, stream: Any, frames: list[Frame], eff: float, rotation: int,
                 starts: list[float], per: int) -> None:
        """Seek to the keyframe before each window start unless it is near, then decode forward."""
        tb = stream.time_base
        rate = float(stream.average_rate or 25)
        it: Iterator | None = None
        pos = -1e9  # time of the last decoded frame
        index = 0
        for win, start in enumerate(starts):
            if it is None or start - pos > SEEK_GAP_S or start < pos:
                try:
                    container.seek(int(start / tb), stream=stream, backward=True, any_frame=False)
                    it = self._decode(container, stream)
                except Exception:  # noqa: BLE001 - unseekable: decode forward from where we are
                    if it is None:
                        it = self._decode(container, stream)
            got, next_t = 0, start
            for frame in it:
                if self._over_budget(len(frames)):
                    return
                t = float(frame.time) if frame.time is not None else pos + 1.0 / rate
                pos = t
                index = int(round(t * rate))
                if t < next_t - 0.5 / rate:
                    continue
                frames.append(self._convert(frame, rotation, index, t, win))
                got += 1
                next_t = _advance(next_t, t, eff, rate)
                if got >= per or len(frames) >= self.limit:
                    break
            else:  # end of stream: before the declared end means the file is cut short
                end = float(self.duration or 0.0)
                if end and pos < end - max(1.0, 5.0 / rate) and self.error is None:
                    self.error = MediaError(ErrorCode.TRUNCATED,
                                            f"video stream ends at {max(pos, 0):.2f} s but the container "
                                            f"declares {end:.2f} s; the file looks truncated")
                return


def _advance(next_t: float, t: float, eff: float, rate: float) -> float:
    """Next grid time after keeping a frame at ``t`` (grid step 1/eff, skipping missed slots)."""
    next_t += 1.0 / eff
    while next_t < t + 0.5 / rate:
        next_t += 1.0 / eff
    return next_t


def _wanted_indices(n: int, limit: int, window: int | None) -> dict[int, int]:
    """Sampled-frame positions to keep -> window number."""
    starts = plan_windows(n, limit, window)
    if len(starts) == 1 and n <= limit:
        return {i: 0 for i in range(n)}
    per = limit // len(starts)
    return {s + j: w for w, s in enumerate(starts) for j in range(per) if s + j < n}


def _stream_rotation(stream: Any) -> int:
    """Counter-clockwise display rotation from the legacy ``rotate`` tag (clockwise degrees)."""
    tag = (stream.metadata or {}).get("rotate")
    try:
        return -int(float(tag)) % 360 if tag else 0
    except ValueError:
        return 0
