"""Log in and out (only used when the owner set a password)."""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response

from hipcoach.web.deps import guard_of, render_page, require_csrf, session_of
from hipcoach.web.gate import session_cookie_header
from hipcoach.web.security import TooManyAttempts

router = APIRouter()


def _safe_next(target: str | None) -> str:
    """Only same-site paths, so the login page cannot bounce people to another site."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    parts = urlsplit(target)
    return parts.path + (f"?{parts.query}" if parts.query else "")


@router.get("/healthz")
async def health() -> PlainTextResponse:
    return PlainTextResponse("ok")


@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request, next: str = "/") -> Response:
    guard = guard_of(request)
    if not guard.login_required or session_of(request).logged_in:
        return RedirectResponse(_safe_next(next), status_code=303)
    return render_page(request, "login.html", next=_safe_next(next), error="")


@router.post("/login", dependencies=[Depends(require_csrf)])
async def login(request: Request, password: str = Form(""), next: str = Form("/")) -> Response:
    guard = guard_of(request)
    client = request.client.host if request.client else "?"
    try:
        async with guard.throttle.turn(client) as delay:
            if delay:
                await asyncio.sleep(delay)
            right = await guard.check_password_async(password)
            if right:
                guard.throttle.reset(client)
            else:
                guard.throttle.record_failure(client)
    except TooManyAttempts as exc:
        return _login_again(request, next, 429, f"{str(exc).capitalize()}.")
    if not right:
        return _login_again(request, next, 401, "That password is not right.")
    response = RedirectResponse(_safe_next(next), status_code=303)
    # A new session id on login, so a session fixed before login is worthless.
    cookie = session_cookie_header(
        guard, guard.new_session(logged_in=True), request.url.scheme == "https"
    )
    response.headers.append("set-cookie", cookie.decode("latin-1"))
    return response


def _login_again(request: Request, next: str, status: int, error: str) -> Response:
    return render_page(
        request, "login.html", status_code=status, next=_safe_next(next), error=error
    )


@router.post("/logout", dependencies=[Depends(require_csrf)])
async def logout(request: Request) -> Response:
    """Ends this session on the server too, so a copy of its cookie stops working."""
    guard = guard_of(request)
    guard.end_session(session_of(request))
    response = RedirectResponse("/login" if guard.login_required else "/", status_code=303)
    cookie = session_cookie_header(guard, guard.new_session(), request.url.scheme == "https")
    response.headers.append("set-cookie", cookie.decode("latin-1"))
    return response
