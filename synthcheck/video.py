"""Video probing and frame sampling (PyAV for containers, Pillow for animated images).

Kept apart from ``media`` so that PyAV is imported only when a video is scanned.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .limits import MediaError
from .model import ErrorCode

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from .media import Media


@dataclass(frozen=True)
class Frame:
    index: int  # index in the decoded stream
    time: float  # seconds from the start
    rgb: "np.ndarray"  # HxWx3 uint8


def probe(media: "Media") -> None:
    """Fill width, height, frame count and duration from the container, without decoding."""
    import av

    try:
        with av.open(str(media.path), "r") as container:
            streams = container.streams.video
            if not streams:
                raise MediaError(ErrorCode.UNSUPPORTED_FORMAT, "container has no video stream")
            st = streams[0]
            media.width = st.codec_context.width or None
            media.height = st.codec_context.height or None
            media.n_frames = st.frames or None
            if st.duration is not None and st.time_base is not None:
                media.duration = float(st.duration * st.time_base)
            elif container.duration is not None:
                media.duration = container.duration / 1_000_000
    except MediaError:
        raise
    except Exception as exc:
        raise MediaError(ErrorCode.DECODE_ERROR, f"cannot open video container: {exc}") from exc
    if media.width and media.height:
        media._check_pixels(media.width, media.height)


def sample_frames(media: "Media", max_frames: int | None = None, fps: float | None = None) -> list[Frame]:
    """Decode up to ``max_frames`` frames, at most ``fps`` per second of video.

    Problems partway through are recorded on ``media.errors`` and the frames decoded so far are
    returned: a truncated stream still yields what it has.
    """
    import numpy as np

    limit = min(max_frames or media.limits.max_frames, media.limits.max_frames)
    frames: list[Frame] = []
    min_gap = 1.0 / fps if fps else 0.0
    last_t = -1e9
    if media.format in ("gif", "webp", "png"):
        im = media.pil
        t = 0.0
        try:
            for i in range(int(getattr(im, "n_frames", 1))):
                if len(frames) >= limit:
                    break
                im.seek(i)
                if t - last_t >= min_gap:
                    frames.append(Frame(i, t, np.asarray(im.convert("RGB"))))
                    last_t = t
                t += float(im.info.get("duration", 100) or 100) / 1000.0
        except Exception as exc:
            media.errors.append(MediaError(ErrorCode.TRUNCATED, f"animation stops at frame {len(frames)}: {exc}"))
        return frames
    import av

    try:
        with av.open(str(media.path), "r") as container:
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            for i, frame in enumerate(container.decode(stream)):
                if len(frames) >= limit:
                    break
                t = float(frame.time) if frame.time is not None else i / float(stream.average_rate or 25)
                if t - last_t < min_gap:
                    continue
                frames.append(Frame(i, t, frame.to_ndarray(format="rgb24")))
                last_t = t
    except Exception as exc:
        media.errors.append(MediaError(ErrorCode.TRUNCATED if frames else ErrorCode.DECODE_ERROR,
                                       f"video decoding stopped after {len(frames)} frames: {exc}"))
    return frames
