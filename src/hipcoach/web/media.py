"""Uploaded videos, handled in memory: type sniffing, size limits and frame decoding.

Nothing here writes the video to disk. OpenCV (>= 4.10) decodes straight from a Python
byte stream; where that is missing, the bytes go to a file in /dev/shm (RAM), which is
deleted as soon as decoding ends.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Any

from hipcoach.errors import InputFileError
from hipcoach.pose.video import VideoFrame, read_capture_frames


class UploadTooLargeError(InputFileError):
    """The upload is over the size limit (HTTP 413)."""


class NotAVideoError(InputFileError):
    """The upload's first bytes are not those of a video container (HTTP 415)."""


VIDEO_SUFFIX = {"mp4": ".mp4", "webm": ".webm", "avi": ".avi", "ogg": ".ogv", "mpeg-ts": ".ts"}


def sniff_video_kind(head: bytes) -> str | None:
    """The container named by a file's first bytes (`mp4` covers MP4/MOV/3GP), or None.

    Checked before any decoding, so a renamed text or image file never reaches FFmpeg.
    """
    if len(head) >= 12 and head[4:8] in (b"ftyp", b"moov", b"mdat", b"wide", b"free"):
        return "mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "webm"
    if head.startswith(b"RIFF") and head[8:12] == b"AVI ":
        return "avi"
    if head.startswith(b"OggS"):
        return "ogg"
    if len(head) >= 377 and head[0] == 0x47 and head[188] == 0x47 and head[376] == 0x47:
        return "mpeg-ts"
    return None


async def read_limited(chunks: AsyncIterator[bytes], limit_bytes: int) -> bytes:
    """Collect a request body in memory; UploadTooLargeError as soon as it passes the limit."""
    buffer = bytearray()
    async for chunk in chunks:
        buffer += chunk
        if len(buffer) > limit_bytes:
            mb = limit_bytes / (1024 * 1024)
            raise UploadTooLargeError(f"the video is larger than the {mb:g} MB limit")
    return bytes(buffer)


def check_video_bytes(data: bytes) -> str:
    """The container kind; NotAVideoError with a plain message otherwise."""
    if not data:
        raise NotAVideoError("the upload is empty: choose a video file")
    kind = sniff_video_kind(data[:512])
    if kind is None:
        raise NotAVideoError(
            "this file is not a video hipcoach can read (MP4, MOV, WebM, MKV, AVI or OGG)"
        )
    return kind


@contextmanager
def _open_capture(data: bytes, kind: str) -> Iterator[Any]:
    import cv2

    # OpenCV does not keep the stream alive by itself: hold it until release().
    stream = io.BytesIO(data)
    try:
        cap = cv2.VideoCapture(stream, cv2.CAP_FFMPEG, [])  # type: ignore[call-overload]
    except (TypeError, cv2.error):
        cap = None
    if cap is not None and cap.isOpened():
        try:
            yield cap
        finally:
            cap.release()
            stream.close()
        return
    ram_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
    if ram_dir is None:
        raise InputFileError("this OpenCV cannot decode video from memory")
    with tempfile.NamedTemporaryFile(dir=ram_dir, suffix=VIDEO_SUFFIX.get(kind, "")) as handle:
        handle.write(data)
        handle.flush()
        cap = cv2.VideoCapture(handle.name)
        try:
            yield cap
        finally:
            cap.release()


def count_video_frames(data: bytes, kind: str) -> int:
    """The container's frame count (an estimate for progress bars; 0 when unknown)."""
    import cv2

    with _open_capture(data, kind) as cap:
        return max(int(cap.get(cv2.CAP_PROP_FRAME_COUNT)), 0)


def iter_video_bytes(data: bytes, kind: str) -> Iterator[VideoFrame]:
    """Frames of an in-memory video with timestamps in seconds (increasing, as in
    `hipcoach.pose.video.iter_video_frames`); InputFileError when nothing decodes."""
    count = 0
    with _open_capture(data, kind) as cap:
        if not cap.isOpened():
            raise InputFileError("the video could not be opened")
        for frame in read_capture_frames(cap):
            count += 1
            yield frame
    if count == 0:
        raise InputFileError("the video has no frames that can be decoded")
