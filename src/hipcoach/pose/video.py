"""Streaming video reading with real per-frame timestamps (OpenCV, imported lazily)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from hipcoach.errors import InputFileError


@dataclass(frozen=True)
class VideoInfo:
    width: int
    height: int
    fps: float
    frame_count: int

    @property
    def duration_s(self) -> float:
        return self.frame_count / self.fps if self.fps > 0 else 0.0


@dataclass(frozen=True)
class VideoFrame:
    t: float
    index: int
    bgr: NDArray[np.uint8]


def _open(path: Path) -> Any:
    import cv2

    if not path.exists():
        raise InputFileError(f"{path}: no such file")
    if not path.is_file():
        raise InputFileError(f"{path}: not a file")
    cap = cv2.VideoCapture(str(path))
    if not cap.isOpened():
        cap.release()
        raise InputFileError(f"{path}: cannot be opened as a video")
    return cap


def probe_video(path: str | Path) -> VideoInfo:
    """Size, frame rate and frame count; InputFileError if it is not a readable video."""
    import cv2

    path = Path(path)
    cap = _open(path)
    try:
        info = VideoInfo(
            width=int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)),
            height=int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)),
            fps=float(cap.get(cv2.CAP_PROP_FPS) or 0.0),
            frame_count=max(int(cap.get(cv2.CAP_PROP_FRAME_COUNT)), 0),
        )
        ok, _ = cap.read()
    finally:
        cap.release()
    if not ok or info.width <= 0 or info.height <= 0:
        raise InputFileError(f"{path}: no decodable video frames")
    return info


def read_capture_frames(cap: Any) -> Iterator[VideoFrame]:
    """Frames of an open OpenCV capture with the container's timestamp in seconds.

    Falls back to index / fps when the container gives no usable timestamps, so times
    always increase. Never holds more than one frame; the caller releases the capture.
    """
    import cv2

    fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0) or 30.0
    last_t = -1.0
    index = 0
    while True:
        ok, bgr = cap.read()
        if not ok:
            return
        t = float(cap.get(cv2.CAP_PROP_POS_MSEC)) / 1000.0
        if not np.isfinite(t) or t <= last_t:
            t = max(index / fps, last_t + 1e-3)
        last_t = t
        yield VideoFrame(t=t, index=index, bgr=bgr)
        index += 1


def iter_video_frames(path: str | Path) -> Iterator[VideoFrame]:
    """Yield a video file's frames one at a time with real timestamps (seconds)."""
    path = Path(path)
    cap = _open(path)
    count = 0
    try:
        for frame in read_capture_frames(cap):
            count += 1
            yield frame
    finally:
        cap.release()
    if count == 0:
        raise InputFileError(f"{path}: no decodable video frames")
