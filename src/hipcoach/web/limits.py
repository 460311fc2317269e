"""Request limits applied before any route runs: body sizes per route, and HEAD requests.

- Body: every request's body is limited before a byte of it is read. A declared
  `Content-Length` over the route's limit gets 413 at once; a body without one (chunked)
  is counted as it is read and stopped with 413 when it passes the limit. The video upload
  route has the owner's upload limit; every other route `SMALL_BODY_BYTES`.
- HEAD: answered like GET without the body (FastAPI routes declare GET only).

The HTTP header block itself is capped by the server (`serve` runs uvicorn's h11 parser
with `MAX_HEADER_BYTES`).
"""

from __future__ import annotations

import json
from collections.abc import Callable

from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SMALL_BODY_BYTES = 256 * 1024
MAX_HEADER_BYTES = 64 * 1024
UPLOAD_PATHS = frozenset({"/api/analyse"})


def body_limit_for(upload_limit_bytes: int) -> Callable[[str], int]:
    """The body limit of each path: the upload limit for uploads, small for the rest."""

    def limit(path: str) -> int:
        return upload_limit_bytes if path in UPLOAD_PATHS else SMALL_BODY_BYTES

    return limit


def _too_large(limit: int) -> str:
    return f"the request body is larger than the {limit / (1024 * 1024):g} MB limit"


class BodyLimitMiddleware:
    """See the module docstring; `limit_for(path)` gives each path's limit in bytes."""

    def __init__(self, app: ASGIApp, limit_for: Callable[[str], int]) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope.get("path", "/"))
        declared = next((v for k, v in scope["headers"] if k == b"content-length"), None)
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            status = 413 if declared.isdigit() else 400
            text = _too_large(limit) if status == 413 else "bad Content-Length"
            await _refuse(send, status, text)
            return
        seen = 0

        async def counted_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise HTTPException(413, _too_large(limit))
            return message

        await self.app(scope, counted_receive, send)


class HeadAsGetMiddleware:
    """Runs HEAD requests as GET and drops the body from the answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, send_headers_only)


async def _refuse(send: Send, status: int, text: str) -> None:
    body = json.dumps({"detail": text}).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
