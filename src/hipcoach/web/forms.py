"""Reading the programme's HTML forms into the service layer's inputs, and back.

Answers are validated with the programme's own questions (`hipcoach.programme.questions`),
so the web and the terminal accept exactly the same answers and explain the same ranges.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from hipcoach.programme.history import list_sessions, morning_pains
from hipcoach.programme.models import PersonInfo, ProgrammeError
from hipcoach.programme.onboarding import OnboardingAnswers, PsfsItem, onboard
from hipcoach.programme.people import DEFAULT_NAME, create_person
from hipcoach.programme.planner import decision_history, track_levels
from hipcoach.programme.questions import (
    BASELINE_PAIN,
    GOAL_CHOICES,
    GOALS,
    GROC,
    PAIN_NOW,
    Question,
    psfs_activity_question,
    psfs_rating_question,
    validate_answer,
)
from hipcoach.programme.safety import RED_FLAGS, ScreenReason, ScreenResult
from hipcoach.programme.screening import record_screen
from hipcoach.programme.sessions import record_checkin
from hipcoach.programme.tracks import TRACK_TITLES, TRACKS, TrackId, list_steps
from hipcoach.programme.vocabulary import step_label
from hipcoach.store.database import Database

Form = Mapping[str, Any]
SCREEN_REASONS: tuple[ScreenReason, ...] = ("onboarding", "weekly", "leg_symptoms", "manual")
GROUP_TITLES = {
    "nerve": "Signs that need emergency care",
    "cancer": "Other warning signs",
    "infection": "Signs of infection",
    "fracture": "Falls and bones",
    "other": "Anything else",
}
PSFS_COUNT = 3


def screen_reason(text: str) -> ScreenReason:
    return next((r for r in SCREEN_REASONS if r == text), "manual")


@dataclass
class ParsedScreen:
    name: str | None
    answers: dict[str, bool] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def _answer(question: Question, raw: object, errors: dict[str, str], key: str) -> Any:
    try:
        return validate_answer(question, raw)
    except ValueError as exc:
        errors[key] = str(exc)
        return None


def screen_form(
    form: Form | None = None, errors: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Template context for the red-flag questions, grouped, with any earlier answers."""
    groups: dict[str, list[Any]] = {}
    for flag in RED_FLAGS:
        groups.setdefault(GROUP_TITLES[flag.group], []).append(flag)
    values = {f.id: str(form.get(f"flag_{f.id}", "")) for f in RED_FLAGS} if form else {}
    return {
        "flag_groups": groups,
        "values": values,
        "errors": dict(errors or {}),
        "name": str(form.get("name", "")) if form else "",
    }


def parse_screen(form: Form, ask_name: bool) -> ParsedScreen:
    """Every red flag needs an explicit yes or no."""
    name = str(form.get("name", "")).strip() or DEFAULT_NAME if ask_name else None
    parsed = ParsedScreen(name=name)
    for flag in RED_FLAGS:
        raw = form.get(f"flag_{flag.id}")
        if raw not in ("yes", "no"):
            parsed.errors[flag.id] = "Please answer yes or no."
        else:
            parsed.answers[flag.id] = raw == "yes"
    return parsed


def record_first_screen(
    db: Database, person: PersonInfo | None, parsed: ParsedScreen, on: dt.date
) -> tuple[int, ScreenResult]:
    """Create the person on first run (or when adding someone), then record their screen.
    ProgrammeError when the name is taken."""
    person_id = person.id if person else create_person(db, parsed.name or DEFAULT_NAME, on).id
    return person_id, record_screen(db, person_id, parsed.answers, on, "onboarding")


def record_screen_answers(
    db: Database, person_id: int, parsed: ParsedScreen, on: dt.date, reason: ScreenReason
) -> ScreenResult:
    return record_screen(db, person_id, parsed.answers, on, reason)


def _track_options() -> dict[TrackId, list[tuple[str, str]]]:
    options: dict[TrackId, list[tuple[str, str]]] = {}
    for track in TRACKS:
        steps = list_steps(track)
        options[track] = [
            ("auto", "as my goals suggest (from the first level)"),
            ("off", "not now"),
        ]
        options[track] += [(str(s.index), step_label(s, len(steps))) for s in steps]
    return options


def onboarding_form(
    form: Form | None = None, errors: Mapping[str, str] | None = None
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if form is not None:
        values = {k: form.get(k) for k in form}
        values["goal"] = list(form.getlist("goal")) if hasattr(form, "getlist") else []
    return {
        "goal_choices": GOAL_CHOICES,
        "goals_question": GOALS,
        "baseline_question": BASELINE_PAIN,
        "psfs_count": PSFS_COUNT,
        "psfs_activity_text": psfs_activity_question(1).text.replace("Activity 1", "An activity"),
        "track_titles": TRACK_TITLES,
        "track_options": _track_options(),
        "values": values,
        "errors": dict(errors or {}),
    }


def parse_onboarding(form: Any) -> tuple[OnboardingAnswers | None, dict[str, str]]:
    """OnboardingAnswers, or None and a message per bad field."""
    errors: dict[str, str] = {}
    goals = _answer(GOALS, list(form.getlist("goal")) or None, errors, "goal")
    baseline = _answer(BASELINE_PAIN, form.get("baseline_pain"), errors, "baseline_pain")
    psfs: list[PsfsItem] = []
    for n in range(1, PSFS_COUNT + 1):
        activity = _answer(
            psfs_activity_question(n), form.get(f"psfs_activity_{n}"), errors, f"psfs_activity_{n}"
        )
        rating = _answer(
            psfs_rating_question(n, str(activity or "")),
            form.get(f"psfs_rating_{n}"),
            errors,
            f"psfs_rating_{n}",
        )
        if activity and rating is not None:
            psfs.append(PsfsItem(activity=str(activity), rating=int(rating)))
    steps: dict[TrackId, int | None] = {}
    for track in TRACKS:
        choice = str(form.get(f"step_{track}", "auto"))
        if choice == "off":
            steps[track] = None
        elif choice.isdigit():
            steps[track] = int(choice)
    if errors:
        return None, errors
    try:
        answers = OnboardingAnswers(
            goals=tuple(goals), baseline_pain=int(baseline), psfs=tuple(psfs), start_steps=steps
        )
    except ValidationError as exc:
        return None, {"form": exc.errors()[0]["msg"]}
    return answers, {}


def store_onboarding(db: Database, person_id: int, answers: OnboardingAnswers, on: dt.date) -> None:
    onboard(db, person_id, answers, on)


def _int_answer(question: Question, raw: object) -> int:
    """A whole-number answer; ProgrammeError naming the allowed range otherwise."""
    try:
        value = validate_answer(question, raw)
    except ValueError as exc:
        raise ProgrammeError(str(exc)) from None
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise ProgrammeError(f"answer {question.allowed()}")
    return int(value)


def parse_pain(raw: object) -> int | None:
    """An optional 0-10 pain answer; ProgrammeError naming the range when invalid."""
    if raw is None or str(raw).strip() == "":
        return None
    return _int_answer(PAIN_NOW, raw)


def parse_morning(form: Form) -> tuple[int, bool, dt.date]:
    pain = parse_pain(form.get("pain"))
    if pain is None:
        raise ProgrammeError("rate your morning pain from 0 to 10")
    try:
        about = dt.date.fromisoformat(str(form.get("about", "")))
    except ValueError:
        raise ProgrammeError("the morning check is missing its date; reload the page") from None
    return pain, form.get("leg_symptoms") == "yes", about


def parse_checkin(form: Form, count: int) -> tuple[list[int], int]:
    ratings = [
        _int_answer(psfs_rating_question(n, ""), form.get(f"rating_{n}"))
        for n in range(1, count + 1)
    ]
    return ratings, _int_answer(GROC, form.get("groc"))


def record_weekly_checkin(
    db: Database, person_id: int, on: dt.date, ratings: list[int], groc: int
) -> None:
    record_checkin(db, person_id, on, ratings, groc)


def load_history(db: Database, person_id: int) -> dict[str, Any]:
    """Sessions (newest first), track levels with reasons, and every decision."""
    return {
        "sessions": list(reversed(list_sessions(db, person_id))),
        "levels": track_levels(db, person_id),
        "decisions": list(reversed(decision_history(db, person_id))),
        "mornings": morning_pains(db, person_id),
    }
