"""Pages that need only the catalogue: exercise library, live coach, analyse a video."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from hipcoach.errors import CatalogueError
from hipcoach.exercises.catalogue import STRENGTH_WORDS
from hipcoach.exercises.schema import Exercise
from hipcoach.programme.planner import today_plan
from hipcoach.programme.questions import LEG_SYMPTOMS, STILL_ISOLATING
from hipcoach.programme.screening import safety_status
from hipcoach.programme.tracks import find_step, list_steps, starting_prescription
from hipcoach.programme.vocabulary import step_label, track_title
from hipcoach.web.coaching import felt_choices
from hipcoach.web.deps import render_page, services_of, settings_of
from hipcoach.web.drawings import describe_drawing, render_exercise_svg
from hipcoach.web.protocol import skeleton_edges

router = APIRouter()


def exercise_summary(exercise: Exercise) -> dict[str, Any]:
    """The fields the pages and the live coach's script need, JSON-ready."""
    return {
        "id": exercise.id,
        "name": exercise.name,
        "track": exercise.track,
        "level": exercise.level,
        "dosage": exercise.dosage.model_dump(mode="json"),
        "variations": [{"id": v.id, "name": v.name} for v in exercise.variations],
        "default_variation": exercise.default_variation,
        "camera": exercise.camera.model_dump(mode="json"),
        "self_report": [q.model_dump(mode="json") for q in exercise.self_report],
        "stop_rule": exercise.stop_rule,
        "messages": {c.id: c.message for c in exercise.checks},
    }


@router.get("/library", response_class=HTMLResponse)
async def library(request: Request) -> Response:
    exercises = services_of(request).list_exercises()
    tracks: dict[str, list[Exercise]] = {}
    for exercise in sorted(exercises, key=lambda e: (e.track, e.level)):
        tracks.setdefault(exercise.track, []).append(exercise)
    drawings = {e.id: render_exercise_svg(e.id, e.name) for e in exercises}
    return render_page(request, "library.html", tracks=tracks, drawings=drawings)


@router.get("/library/{exercise_id}", response_class=HTMLResponse)
async def exercise_page(request: Request, exercise_id: str) -> Response:
    services = services_of(request)
    try:
        exercise = services.get_exercise(exercise_id)
    except CatalogueError as exc:
        return render_page(
            request, "message.html", status_code=404, title="Unknown exercise", message=str(exc)
        )
    return render_page(
        request,
        "exercise.html",
        exercise=exercise,
        drawing=render_exercise_svg(exercise.id, exercise.name),
        drawing_caption=describe_drawing(exercise.id),
        strength_words=STRENGTH_WORDS,
    )


@router.get("/live", response_class=HTMLResponse)
async def live_page(
    request: Request,
    exercise: str | None = None,
    variation: str | None = None,
    side: str = "auto",
    plan: str | None = None,
) -> Response:
    services = services_of(request)
    exercises = sorted(services.list_exercises(), key=lambda e: (e.track, e.level))
    chosen: Exercise | None = None
    if exercise:
        try:
            chosen = services.get_exercise(exercise)
            services.resolve_variation(chosen, variation)
        except CatalogueError as exc:
            return render_page(
                request, "message.html", status_code=404, title="Cannot start", message=str(exc)
            )
    gate = await _safety_gate(request)
    if gate is not None:
        return gate
    config = None
    if chosen is not None:
        chosen_variation = variation or chosen.default_variation
        config = exercise_summary(chosen) | {
            "variation": chosen_variation,
            "side": side if side in ("left", "right", "auto") else "auto",
            "felt": felt_choices(chosen),
            "plan": plan,
            "target": await _live_target(request, chosen, chosen_variation),
            "skeleton": skeleton_edges(),
        }
    return render_page(
        request,
        "live.html",
        exercises=exercises,
        exercise=chosen,
        config=config,
        drawing=render_exercise_svg(chosen.id, chosen.name) if chosen else None,
        isolation_question=STILL_ISOLATING.text,
        leg_question=LEG_SYMPTOMS.text,
    )


async def _live_target(
    request: Request, exercise: Exercise, variation: str | None
) -> dict[str, Any]:
    """The set's target as the plan words it: today's prescription when this exercise is
    in the person's plan, else the level's starting dose (said so)."""
    from hipcoach.web.programme_routes import call, database_of, person_of, today_of

    db = await call(database_of, request)
    person = await call(person_of, request, db)
    steps = list_steps(exercise.track)
    step = find_step(steps, exercise.id, variation) or find_step(steps, exercise.id)
    assert step is not None  # every catalogue exercise is on its track
    rx = starting_prescription(step)
    source = "The starting dose of this level: it is not in your plan today."
    if person is not None and person.onboarded:
        plan = await call(today_plan, db, person.id, today_of(request))
        for item in plan.items:
            p = item.prescription
            if p.exercise_id == exercise.id and p.variation == step.variation:
                rx, source = p, "From today's plan."
    return {
        "reps": rx.reps,
        "sets": rx.sets,
        "hold_s": rx.hold_s,
        "dose": rx.describe(),
        "level": f"{track_title(exercise.track)} · {step_label(step, len(steps))}",
        "source": source,
    }


async def _safety_gate(request: Request) -> Response | None:
    """Safety first: no live coaching before the red-flag questions are answered, nor while
    they pause the programme. None when the person may exercise."""
    from hipcoach.web.programme_routes import call, database_of, person_of, today_of

    db = await call(database_of, request)
    person = await call(person_of, request, db)
    if person is None:
        return RedirectResponse("/start", status_code=303)
    status = await call(safety_status, db, person.id, today_of(request))
    if status.due is not None:
        return RedirectResponse(f"/screen?reason={status.due}", status_code=303)
    if status.blocked:
        return render_page(request, "safety.html", status=status, person=person)
    return None


@router.get("/analyse", response_class=HTMLResponse)
async def analyse_page(request: Request) -> Response:
    exercises = sorted(services_of(request).list_exercises(), key=lambda e: (e.track, e.level))
    settings = settings_of(request)
    return render_page(
        request,
        "analyse.html",
        exercises=exercises,
        max_upload_mb=settings.max_upload_mb,
        keep_default=settings.keep_videos,
    )


@router.get("/api/exercises")
async def exercises_api(request: Request) -> JSONResponse:
    exercises = services_of(request).list_exercises()
    return JSONResponse([exercise_summary(e) for e in exercises])


@lru_cache(maxsize=1)
def _plotly_js() -> bytes:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs().encode("utf-8")


@router.get("/vendor/plotly.min.js")
async def plotly_js() -> Response:
    """Plotly's own bundle from the installed Python package: charts need no network."""
    return Response(
        _plotly_js(),
        media_type="application/javascript",
        headers={"cache-control": "public, max-age=86400"},
    )
