"""Programme pages: first run (safety screen, onboarding), Today, saving sets, history.

Every rule lives in `hipcoach.programme`; these routes only read forms, call the service
functions (on a worker thread: they touch the database) and render the answers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from hipcoach.errors import HipcoachError
from hipcoach.programme.models import PersonInfo, ProgrammeError
from hipcoach.programme.people import list_people
from hipcoach.programme.screening import record_clearance, safety_status
from hipcoach.programme.sessions import finish_session, record_morning_check
from hipcoach.reports.html import CAVEAT, build_figures, summary_lines
from hipcoach.reports.progress import collect_progress
from hipcoach.store.database import Database
from hipcoach.web import forms
from hipcoach.web.coaching import (
    SaveSetRequest,
    begin_session,
    build_today,
    describe_saved,
    open_session_today,
    save_live_set,
)
from hipcoach.web.deps import render_page, require_csrf, services_of
from hipcoach.web.server_state import ServerState

router = APIRouter()
T = TypeVar("T")
PERSON_COOKIE = "hipcoach_person"


def database_of(request: Request) -> Database:
    """The app's database, opened (and migrated) on first use."""
    server: ServerState = request.app.state.server
    return server.db()


def today_of(request: Request) -> dt.date:
    return services_of(request).today()


async def call(func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a (blocking) service call on a worker thread."""
    return await run_in_threadpool(func, *args, **kwargs)


def person_of(request: Request, db: Database) -> PersonInfo | None:
    """The person this browser trains as: the only one, or the one it chose."""
    people = list_people(db)
    if not people:
        return None
    chosen = request.cookies.get(PERSON_COOKIE)
    for person in people:
        if chosen is not None and str(person.id) == chosen:
            return person
    if len(people) == 1:
        return people[0]
    raise ProgrammeError("several people use this hipcoach: choose who you are on /people")


async def _context(request: Request) -> tuple[Database, PersonInfo | None, dt.date]:
    db = await call(database_of, request)
    person = await call(person_of, request, db)
    return db, person, today_of(request)


@router.get("/", response_class=HTMLResponse)
async def today(request: Request) -> Response:
    db, person, on = await _context(request)
    if person is None:
        return RedirectResponse("/start", status_code=303)
    status = await call(safety_status, db, person.id, on)
    if status.due == "onboarding":
        return RedirectResponse("/screen?reason=onboarding", status_code=303)
    if status.blocked:
        return render_page(request, "safety.html", status=status, person=person)
    if not person.onboarded:
        return RedirectResponse("/onboarding", status_code=303)
    if status.due is not None:
        return RedirectResponse(f"/screen?reason={status.due}", status_code=303)
    view = await call(build_today, db, person, on)
    return render_page(request, "today.html", view=view, on=on)


@router.get("/people", response_class=HTMLResponse)
async def people_page(request: Request) -> Response:
    db = await call(database_of, request)
    try:
        current = await call(person_of, request, db)
    except ProgrammeError:
        current = None  # several people and none chosen yet: that is what this page is for
    return render_page(request, "people.html", people=await call(list_people, db), current=current)


@router.get("/people/new", response_class=HTMLResponse)
async def new_person_page(request: Request) -> Response:
    """A second (third...) person on this install: their own safety questions first."""
    return render_page(
        request,
        "screen.html",
        reason="onboarding",
        first_run=True,
        new_person=True,
        **forms.screen_form(),
    )


@router.post("/people", dependencies=[Depends(require_csrf)])
async def choose_person(request: Request) -> Response:
    form = await request.form()
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(PERSON_COOKIE, str(form.get("person_id", "")), samesite="strict")
    return response


@router.get("/start", response_class=HTMLResponse)
async def start_page(request: Request) -> Response:
    _db, person, _ = await _context(request)
    if person is not None:
        return RedirectResponse("/", status_code=303)
    return render_page(
        request, "screen.html", reason="onboarding", first_run=True, **forms.screen_form()
    )


@router.post("/start", dependencies=[Depends(require_csrf)])
async def start(request: Request) -> Response:
    form = await request.form()
    adding = form.get("new_person") == "yes"
    if adding:
        db, on = await call(database_of, request), today_of(request)
        person: PersonInfo | None = None
    else:
        db, person, on = await _context(request)
    parsed = forms.parse_screen(form, ask_name=person is None)
    if parsed.errors:
        return render_page(
            request,
            "screen.html",
            status_code=422,
            reason="onboarding",
            first_run=person is None,
            new_person=adding,
            **forms.screen_form(form, parsed.errors),
        )
    person_id, result = await call(forms.record_first_screen, db, person, parsed, on)
    response = _after_screen(request, result)
    if person is None:  # this browser now trains as the person just added
        response.set_cookie(PERSON_COOKIE, str(person_id), samesite="strict")
    return response


@router.get("/screen", response_class=HTMLResponse)
async def screen_page(request: Request, reason: str = "manual") -> Response:
    _db, person, _ = await _context(request)
    if person is None:
        return RedirectResponse("/start", status_code=303)
    return render_page(
        request,
        "screen.html",
        reason=forms.screen_reason(reason),
        first_run=False,
        **forms.screen_form(),
    )


@router.post("/screen", dependencies=[Depends(require_csrf)])
async def screen(request: Request) -> Response:
    db, person, on = await _context(request)
    if person is None:
        return RedirectResponse("/start", status_code=303)
    form = await request.form()
    reason = forms.screen_reason(str(form.get("reason", "manual")))
    parsed = forms.parse_screen(form, ask_name=False)
    if parsed.errors:
        return render_page(
            request,
            "screen.html",
            status_code=422,
            reason=reason,
            first_run=False,
            **forms.screen_form(form, parsed.errors),
        )
    result = await call(forms.record_screen_answers, db, person.id, parsed, on, reason)
    return _after_screen(request, result)


def _after_screen(request: Request, result: Any) -> Response:
    if result.blocked:
        return render_page(request, "safety.html", status=result, person=None)
    return RedirectResponse("/", status_code=303)


@router.post("/clearance", dependencies=[Depends(require_csrf)])
async def clearance(request: Request) -> Response:
    db, person, on = await _context(request)
    if person is not None:
        await call(record_clearance, db, person.id, on)
    return RedirectResponse("/", status_code=303)


@router.get("/onboarding", response_class=HTMLResponse)
async def onboarding_page(request: Request) -> Response:
    return render_page(request, "onboarding.html", **forms.onboarding_form())


@router.post("/onboarding", dependencies=[Depends(require_csrf)])
async def onboarding(request: Request) -> Response:
    db, person, on = await _context(request)
    if person is None:
        return RedirectResponse("/start", status_code=303)
    form = await request.form()
    answers, errors = forms.parse_onboarding(form)
    if answers is None:
        return render_page(
            request, "onboarding.html", status_code=422, **forms.onboarding_form(form, errors)
        )
    await call(forms.store_onboarding, db, person.id, answers, on)
    return RedirectResponse("/", status_code=303)


@router.post("/morning", dependencies=[Depends(require_csrf)])
async def morning(request: Request) -> Response:
    db, person, on = await _context(request)
    form = await request.form()
    pain, legs, about = forms.parse_morning(form)
    if person is None:
        return RedirectResponse("/start", status_code=303)
    await call(record_morning_check, db, person.id, on, about, pain, legs)
    return RedirectResponse("/screen?reason=leg_symptoms" if legs else "/", status_code=303)


@router.post("/checkin", dependencies=[Depends(require_csrf)])
async def checkin(request: Request) -> Response:
    db, person, on = await _context(request)
    if person is None:
        return RedirectResponse("/start", status_code=303)
    ratings, groc = forms.parse_checkin(await request.form(), len(person.psfs_activities))
    await call(forms.record_weekly_checkin, db, person.id, on, ratings, groc)
    return RedirectResponse("/", status_code=303)


@router.post("/session/start", dependencies=[Depends(require_csrf)])
async def session_start(request: Request) -> Response:
    db, person, on = await _context(request)
    if person is None:
        return RedirectResponse("/start", status_code=303)
    form = await request.form()
    pre_pain = forms.parse_pain(form.get("pre_pain"))
    accepted = [str(v) for v in form.getlist("accept")]
    await call(begin_session, db, person.id, on, pre_pain, accepted)
    return RedirectResponse("/", status_code=303)


@router.post("/session/finish", dependencies=[Depends(require_csrf)])
async def session_finish(request: Request) -> Response:
    db, person, on = await _context(request)
    if person is not None:
        session = await call(open_session_today, db, person.id, on)
        if session is not None:
            await call(finish_session, db, session.id, "completed")
    return RedirectResponse("/", status_code=303)


@router.post("/api/sets", dependencies=[Depends(require_csrf)])
async def save_set_api(request: Request, body: SaveSetRequest) -> JSONResponse:
    """Save a finished live set with the person's answers (pain, where it was felt)."""
    services = services_of(request)
    finished = services.finished_sets.get(body.set_id)
    if finished is None:
        raise ProgrammeError("this set is no longer on the server (was hipcoach restarted?)")
    db, person, on = await _context(request)
    if person is None:
        raise ProgrammeError("answer the first-run questions on the Today page to keep a record")
    exercise = services.get_exercise(finished.exercise)
    saved = await call(save_live_set, db, person.id, on, finished, exercise, body)
    services.finished_sets.pop(body.set_id)
    reply: dict[str, Any] = {
        "message": describe_saved(saved, body),
        "set": saved.model_dump(mode="json"),
    }
    if body.leg_symptoms:
        reply["next"] = "/screen?reason=leg_symptoms"
    return JSONResponse(reply)


@router.get("/history", response_class=HTMLResponse)
async def history(request: Request) -> Response:
    db, person, _ = await _context(request)
    if person is None:
        return RedirectResponse("/start", status_code=303)
    data = await call(forms.load_history, db, person.id)
    return render_page(request, "history.html", person=person, **data)


@router.get("/progress", response_class=HTMLResponse)
async def progress(request: Request) -> Response:
    db, person, _ = await _context(request)
    if person is None:
        return RedirectResponse("/start", status_code=303)
    data = await call(collect_progress, db, person.id)
    figures = {
        plot_id: figure.to_json().replace("<", "\\u003c")  # safe inside a <script> element
        for plot_id, figure in build_figures(data).items()
    }
    return render_page(
        request,
        "progress.html",
        person=person,
        figures=figures,
        summary=summary_lines(data),
        caveat=CAVEAT,
    )


def page_error(request: Request, exc: HipcoachError, status: int) -> Response:
    """HipcoachErrors on pages become a readable page; on the API, JSON."""
    if request.url.path.startswith("/api/") or "text/html" not in request.headers.get("accept", ""):
        return JSONResponse({"detail": str(exc)}, status_code=status)
    return render_page(
        request,
        "message.html",
        status_code=status,
        title="Not possible right now",
        message=str(exc),
    )
