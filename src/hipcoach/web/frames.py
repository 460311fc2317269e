"""Camera frames checked before anything decodes them.

A frame must be a JPEG or a PNG, and the width and height its header declares must be
within `MAX_FRAME_SIDE` and `MAX_FRAME_PIXELS`. Both are read from the first bytes, so a
small file that declares a huge image (an "image bomb") is refused before OpenCV allocates
anything for it. The decoder sizes its buffer from the same header, so the check bounds
the memory one frame can take (about 3 bytes per pixel).
"""

from __future__ import annotations

import struct

import numpy as np

from hipcoach.web.protocol import ProtocolError

MAX_FRAME_SIDE = 4096
MAX_FRAME_PIXELS = 3840 * 2160
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8"
# Start-of-frame markers carry the image size; C4 (DHT), C8 (JPG) and CC (DAC) do not.
_SOF_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_NO_LENGTH_MARKERS = frozenset({0x01, *range(0xD0, 0xD8)})
_START_OF_SCAN = 0xDA


class FrameError(ProtocolError):
    """A camera frame that will not be decoded; the text says why."""


def _jpeg_size(data: bytes) -> tuple[int, int]:
    """(width, height) from a JPEG's start-of-frame segment."""
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            raise FrameError("a frame's JPEG header is damaged")
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte before a marker
            pos += 1
            continue
        if marker in _NO_LENGTH_MARKERS:
            pos += 2
            continue
        (length,) = struct.unpack_from(">H", data, pos + 2)
        if length < 2:
            raise FrameError("a frame's JPEG header is damaged")
        if marker in _SOF_MARKERS:
            if pos + 9 > len(data):
                break
            height, width = struct.unpack_from(">HH", data, pos + 5)
            return width, height
        if marker == _START_OF_SCAN:
            break
        pos += 2 + length
    raise FrameError("a frame's JPEG header has no image size")


def _png_size(data: bytes) -> tuple[int, int]:
    if len(data) < 24 or data[12:16] != b"IHDR":
        raise FrameError("a frame's PNG header is damaged")
    width, height = struct.unpack_from(">II", data, 16)
    return width, height


def frame_size(data: bytes) -> tuple[int, int]:
    """(width, height) a JPEG or PNG declares; FrameError for anything else."""
    if not data:
        raise FrameError("empty frame")
    if data.startswith(JPEG_MAGIC):
        return _jpeg_size(data)
    if data.startswith(PNG_MAGIC):
        return _png_size(data)
    raise FrameError("a frame must be a JPEG (or PNG) image")


def check_frame_size(width: int, height: int) -> None:
    """FrameError when a declared size is empty or over the caps."""
    if width < 1 or height < 1:
        raise FrameError("a frame's header declares an empty image")
    if width > MAX_FRAME_SIDE or height > MAX_FRAME_SIDE or width * height > MAX_FRAME_PIXELS:
        raise FrameError(
            f"a frame of {width}x{height} pixels is over the limit "
            f"({MAX_FRAME_SIDE} px a side, {MAX_FRAME_PIXELS} pixels); send at most 1280 wide"
        )


def decode_frame_rgb(data: bytes) -> np.ndarray:
    """An RGB uint8 image from JPEG or PNG bytes, after the header passed the size caps."""
    import cv2

    width, height = frame_size(data)
    check_frame_size(width, height)
    buffer = np.frombuffer(data, dtype=np.uint8)
    rgb_flag = getattr(cv2, "IMREAD_COLOR_RGB", None)
    try:
        image = cv2.imdecode(buffer, cv2.IMREAD_COLOR if rgb_flag is None else rgb_flag)
    except cv2.error:
        image = None
    if image is None:
        raise FrameError("a frame could not be decoded as a JPEG image")
    if image.shape[1] != width or image.shape[0] != height:
        raise FrameError("a frame's pixels do not match its header")
    if rgb_flag is None:
        image = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
    return np.asarray(image)
