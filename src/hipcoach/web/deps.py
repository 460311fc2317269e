"""Helpers shared by the route modules: the session, CSRF checks and page rendering."""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from hipcoach.config import Settings
from hipcoach.web.security import CSRF_FIELD, CSRF_HEADER, Guard, Session
from hipcoach.web.services import WebServices


def session_of(request: Request) -> Session:
    """The session the gate middleware attached (a fresh anonymous one if none)."""
    session = getattr(request.state, "session", None)
    if isinstance(session, Session):
        return session
    guard: Guard = request.app.state.guard
    session = guard.new_session()
    request.state.session = session
    return session


def guard_of(request: Request) -> Guard:
    guard: Guard = request.app.state.guard
    return guard


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def services_of(request: Request) -> WebServices:
    services: WebServices = request.app.state.services
    return services


FORM_MAX_BYTES = 64 * 1024
"""The largest form body whose `csrf_token` field is looked at."""


async def require_csrf(request: Request) -> None:
    """Dependency for every state-changing route: the CSRF token must match the session.

    Scripts send it in the `X-CSRF-Token` header; forms in a `csrf_token` field. A form's
    body is read only when its declared length is at most FORM_MAX_BYTES, so the check
    never reads an unbounded body (an upload route's large limit does not apply here).
    """
    token = request.headers.get(CSRF_HEADER)
    content_type = request.headers.get("content-type", "")
    declared = request.headers.get("content-length", "")
    small = declared.isdigit() and int(declared) <= FORM_MAX_BYTES
    if token is None and small and content_type.startswith("application/x-www-form-urlencoded"):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        token = value if isinstance(value, str) else None
    if not guard_of(request).check_csrf(session_of(request), token):
        raise HTTPException(403, "This form has expired. Reload the page and try again.")


def render_page(
    request: Request, template: str, status_code: int = 200, **context: Any
) -> HTMLResponse:
    """Render a page with what every template needs (CSRF token, login state)."""
    templates: Jinja2Templates = request.app.state.templates
    guard = guard_of(request)
    session = session_of(request)
    base = {
        "csrf_token": guard.csrf_token(session),
        "login_required": guard.login_required,
        "logged_in": session.logged_in,
        "path": request.url.path,
    }
    return templates.TemplateResponse(request, template, base | context, status_code=status_code)
