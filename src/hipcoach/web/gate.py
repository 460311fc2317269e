"""ASGI middleware in front of every route: host check, session cookie, login requirement.

- Host: when the app listens on loopback only, requests must name a loopback host (any
  127.x.y.z, ::1 or localhost), which stops DNS-rebinding pages from reaching it through
  the person's browser.
- Session: every visitor gets a signed session cookie (HttpOnly, SameSite=Strict, Secure
  over HTTPS); routes find it as `request.state.session`.
- Login: with an owner password, pages redirect to /login, API calls get 401 and sockets
  are refused until the session has logged in.
- Sockets: the Origin header must match the Host, so other sites cannot open a socket.
  A refused socket is accepted and closed at once with a code (1008 wrong host or origin,
  4401 log in first), so browsers can tell why; see docs/protocol.md.
"""

from __future__ import annotations

from http.cookies import SimpleCookie
from urllib.parse import quote, urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hipcoach.web.security import (
    SESSION_COOKIE,
    SESSION_MAX_AGE_S,
    Guard,
    Session,
    is_loopback_host,
)

PUBLIC_PREFIXES: tuple[str, ...] = ("/login", "/static/", "/healthz")
CLOSE_POLICY = 1008
CLOSE_LOGIN = 4401


def session_cookie_header(guard: Guard, session: Session, secure: bool) -> bytes:
    """The Set-Cookie value for a session."""
    parts = [
        f"{SESSION_COOKIE}={guard.encode_session(session)}",
        "Path=/",
        f"Max-Age={SESSION_MAX_AGE_S}",
        "HttpOnly",
        "SameSite=Strict",
    ]
    if secure:
        parts.append("Secure")
    return "; ".join(parts).encode("latin-1")


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers", [])}


def _host_name(host_header: str) -> str:
    """`127.0.0.1:8000` -> `127.0.0.1`; `[::1]:8000` -> `[::1]`."""
    if host_header.startswith("["):
        return host_header.split("]")[0] + "]"
    return host_header.rsplit(":", 1)[0] if host_header.count(":") == 1 else host_header


def _session_from(scope: Scope, guard: Guard) -> Session | None:
    cookie = SimpleCookie()
    try:
        cookie.load(_headers(scope).get("cookie", ""))
    except Exception:  # a malformed cookie header is treated as no cookie
        return None
    morsel = cookie.get(SESSION_COOKIE)
    return guard.decode_session(morsel.value if morsel else None)


class GateMiddleware:
    """Wraps the app; see the module docstring for the rules it applies."""

    def __init__(self, app: ASGIApp, guard: Guard, loopback_only: bool = True) -> None:
        self.app = app
        self.guard = guard
        self.loopback_only = loopback_only

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        host = headers.get("host", "")
        if self.loopback_only and not is_loopback_host(_host_name(host)):
            await self._refuse(
                scope, receive, send, 421, "This app only answers on its local address."
            )
            return
        if scope["type"] == "websocket" and not _origin_matches(headers.get("origin"), host):
            await self._refuse(scope, receive, send, 403, "cross-site socket refused")
            return
        session = _session_from(scope, self.guard)
        fresh = session is None
        if session is None:
            session = self.guard.new_session()
        scope.setdefault("state", {})["session"] = session
        path: str = scope.get("path", "/")
        if not self.guard.is_allowed(session) and not path.startswith(PUBLIC_PREFIXES):
            await self._deny(scope, receive, send, session if fresh else None)
            return
        if not fresh or scope["type"] == "websocket":
            await self.app(scope, receive, send)
            return
        cookie = session_cookie_header(self.guard, session, scope.get("scheme") == "https")

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                existing = [v for k, v in message.get("headers", []) if k == b"set-cookie"]
                if not any(v.startswith(SESSION_COOKIE.encode()) for v in existing):
                    message.setdefault("headers", []).append((b"set-cookie", cookie))
            await send(message)

        await self.app(scope, receive, send_with_cookie)

    async def _deny(
        self, scope: Scope, receive: Receive, send: Send, new_session: Session | None
    ) -> None:
        if scope["type"] == "websocket":
            await _close_socket(receive, send, CLOSE_LOGIN, "log in first")
            return
        headers = _headers(scope)
        extra: list[tuple[bytes, bytes]] = []
        if new_session is not None:
            secure = scope.get("scheme") == "https"
            extra.append((b"set-cookie", session_cookie_header(self.guard, new_session, secure)))
        wants_page = scope.get("method") == "GET" and "text/html" in headers.get("accept", "")
        if wants_page:
            target = scope.get("path", "/")
            if scope.get("query_string"):
                target += "?" + scope["query_string"].decode("latin-1")
            location = f"/login?next={quote(target, safe='')}".encode("latin-1")
            await _respond(send, 303, b"", [(b"location", location), *extra])
            return
        body = b'{"detail":"log in first"}'
        await _respond(send, 401, body, [(b"content-type", b"application/json"), *extra])

    async def _refuse(
        self, scope: Scope, receive: Receive, send: Send, status: int, text: str
    ) -> None:
        if scope["type"] == "websocket":
            await _close_socket(receive, send, CLOSE_POLICY, text)
            return
        await _respond(
            send, status, text.encode(), [(b"content-type", b"text/plain; charset=utf-8")]
        )


async def _close_socket(receive: Receive, send: Send, code: int, reason: str) -> None:
    """Accept, then close with `code`: a refusal before accepting reaches the client only
    as HTTP 403, and a browser page cannot tell a login problem from a wrong origin."""
    message = await receive()
    if message["type"] != "websocket.connect":
        return
    await send({"type": "websocket.accept"})
    await send({"type": "websocket.close", "code": code, "reason": reason[:100]})


def _origin_matches(origin: str | None, host: str) -> bool:
    """A socket's Origin must name the same host:port the request went to (or be absent,
    as with non-browser clients, which cannot carry a victim's cookies)."""
    if not origin:
        return True
    netloc = urlsplit(origin).netloc
    return netloc.lower() == host.lower()


async def _respond(
    send: Send, status: int, body: bytes, headers: list[tuple[bytes, bytes]]
) -> None:
    headers = [*headers, (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
