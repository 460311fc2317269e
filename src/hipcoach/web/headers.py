"""Security headers on every HTTP response, with the Content-Security-Policy in one place.

The policy allows only the app's own files: scripts, styles, WebAssembly (BlazePose in the
browser compiles its .wasm, hence 'wasm-unsafe-eval'), workers (also from blob: URLs, as
MediaPipe's loader makes them), the camera's blob: images and video, and the live socket
on the same host. Pages may not be framed by other sites. Adjust `CSP_DIRECTIVES` if a
page needs something new; tests/web/test_csp_browser.py loads every page in Chromium and
fails on any CSP violation.
"""

from __future__ import annotations

import base64
import hashlib
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Inline handlers the templates still carry, allowed one by one by their hash.
INLINE_HANDLERS: tuple[str, ...] = ("this.form.submit()",)


def _handler_hashes() -> str:
    digests = (
        base64.b64encode(hashlib.sha256(h.encode()).digest()).decode() for h in INLINE_HANDLERS
    )
    return " ".join(f"'sha256-{d}'" for d in digests)


CSP_DIRECTIVES: dict[str, str] = {
    "default-src": "'self'",
    "script-src": f"'self' 'wasm-unsafe-eval' 'unsafe-hashes' {_handler_hashes()}",
    "worker-src": "'self' blob:",
    "connect-src": "'self'",  # the socket's ws:/wss: URL on this host is added per request
    "img-src": "'self' data: blob:",
    "media-src": "'self' blob:",
    # Plotly sets inline styles on the charts it draws.
    "style-src": "'self' 'unsafe-inline'",
    "font-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
_SAFE_HOST = re.compile(r"^[A-Za-z0-9.\-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$")
HSTS_VALUE = "max-age=31536000"


def content_security_policy(host: str | None = None) -> str:
    """The policy; `host` (the request's Host header) adds its ws:// and wss:// URLs."""
    directives = dict(CSP_DIRECTIVES)
    if host and _SAFE_HOST.match(host):
        directives["connect-src"] += f" ws://{host} wss://{host}"
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def security_headers(host: str | None, https: bool) -> list[tuple[bytes, bytes]]:
    headers = [
        (b"content-security-policy", content_security_policy(host).encode("latin-1")),
        (b"x-frame-options", b"DENY"),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"no-referrer"),
        (b"cross-origin-opener-policy", b"same-origin"),
    ]
    if https:
        headers.append((b"strict-transport-security", HSTS_VALUE.encode()))
    return headers


class SecurityHeadersMiddleware:
    """Adds `security_headers` to every HTTP response (the app's own and its errors')."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"host"), None)
        extra = security_headers(host, scope.get("scheme") == "https")
        names = {name for name, _ in extra}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() not in names]
                message["headers"] = kept + extra
            await send(message)

        await self.app(scope, receive, send_with_headers)
