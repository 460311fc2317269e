"""Programme pages (Today, onboarding, history, progress) and saving sets.

Placeholder until the programme's service layer lands (issue 3)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from hipcoach.web.deps import render_page

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
async def today(request: Request) -> Response:
    return render_page(request, "message.html", title="Today", message="The plan comes soon.")
