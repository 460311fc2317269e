"""A small synchronous WebSocket client for tests against a real server, with timeouts on
every receive so a hung socket fails the test instead of hanging it."""

from __future__ import annotations

import json
import struct
import zlib
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

TIMEOUT_S = 15.0


def open_socket(url: str, **kwargs: Any) -> ClientConnection:
    return connect(
        url, proxy=None, compression=None, open_timeout=TIMEOUT_S, max_size=None, **kwargs
    )


def recv_json(ws: ClientConnection, timeout: float = TIMEOUT_S) -> dict[str, Any]:
    """The next message as JSON; TimeoutError (a failed test) when none arrives."""
    data = ws.recv(timeout=timeout)
    message: dict[str, Any] = json.loads(data)
    return message


def close_code(ws: ClientConnection, timeout: float = TIMEOUT_S) -> tuple[int, list[dict]]:
    """Read until the server closes; (close code, the messages before it)."""
    seen: list[dict] = []
    try:
        while True:
            seen.append(recv_json(ws, timeout))
    except ConnectionClosed as closed:
        assert closed.rcvd is not None, "the server dropped the connection without a close frame"
        return closed.rcvd.code, seen


def start(ws: ClientConnection, mode: str = "landmarks", **extra: Any) -> dict[str, Any]:
    ws.send(json.dumps({"type": "start", "exercise": "side_lying_leg_lift", "mode": mode, **extra}))
    ready = recv_json(ws)
    assert ready["type"] == "ready", ready
    return ready


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header declares width x height (a few bytes of zero pixels follow)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    head = struct.pack(">I", len(ihdr)) + chunk + struct.pack(">I", zlib.crc32(chunk))
    pixels = zlib.compress(bytes(64 * 1024))
    idat = b"IDAT" + pixels
    body = struct.pack(">I", len(pixels)) + idat + struct.pack(">I", zlib.crc32(idat))
    return b"\x89PNG\r\n\x1a\n" + head + body


def jpeg_header_only(width: int, height: int) -> bytes:
    """A JPEG start-of-frame declaring width x height, then nothing useful."""
    sof = struct.pack(">BHHB", 8, height, width, 3) + b"\x01\x22\x00\x02\x11\x01\x03\x11\x01"
    return b"\xff\xd8" + b"\xff\xc0" + struct.pack(">H", len(sof) + 2) + sof + b"\xff\xd9"
