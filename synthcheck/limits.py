"""Resource limits that keep one hostile file from exhausting the machine."""

from __future__ import annotations

from dataclasses import dataclass

from .model import ErrorCode


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 2 * 1024**3  # 2 GiB per file
    max_pixels: int = 80_000_000  # per image or frame; refused before decoding
    max_frames: int = 300  # frames decoded per video
    timeout_s: float = 300.0  # per file, in the worker


class MediaError(Exception):
    """A typed failure to read or decode a file; becomes a ``FileError`` with the same code."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
