"""The web's use of the programme service layer (issue 3): today's state, starting a
session, and saving a live set. Everything here calls `hipcoach.programme` functions; no
programme rule is re-implemented. No HTTP here either, so it is testable on its own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field

from pydantic import BaseModel, Field

from hipcoach.exercises.schema import Exercise
from hipcoach.programme.history import list_sessions
from hipcoach.programme.models import (
    PersonInfo,
    PlanItem,
    ProgrammeError,
    SafetyStatus,
    SavedSet,
    SessionInfo,
    SetInput,
    TodayPlan,
)
from hipcoach.programme.planner import apply_decision, regress_dates, review_tracks, today_plan
from hipcoach.programme.progression import Decision
from hipcoach.programme.questions import FELT_VALUES, felt_question
from hipcoach.programme.safety import is_pain_rising_despite_easing
from hipcoach.programme.screening import record_referral, safety_status
from hipcoach.programme.sessions import (
    checkin_due,
    close_stale_sessions,
    finish_session,
    morning_check_due,
    save_set,
    sets_done_by_track,
    start_session,
    todays_session,
)
from hipcoach.programme.vocabulary import target_name
from hipcoach.store.database import Database
from hipcoach.web.live import FinishedSet


class SaveSetRequest(BaseModel):
    """What the live page posts after a set: the answers that only the person knows."""

    set_id: str = Field(min_length=1, max_length=64)
    pain: int = Field(ge=0, le=10)
    where_felt: str
    leg_symptoms: bool = False
    ended_early: bool = False
    plan: str | None = None
    typed_reps: int | None = Field(default=None, ge=0, le=500)
    """The reps the person typed when the camera saw none."""


@dataclass
class TodayView:
    """Everything the Today page shows, gathered from the service layer."""

    person: PersonInfo
    status: SafetyStatus
    morning_due: dt.date | None
    checkin_due: bool
    session: SessionInfo | None
    plan: TodayPlan
    decisions: list[Decision] = field(default_factory=list)
    sets_done: dict[str, int] = field(default_factory=dict)


def open_session_today(db: Database, person_id: int, on: dt.date) -> SessionInfo | None:
    """Today's session that is still in progress, if any."""
    for session in reversed(list_sessions(db, person_id)):
        if session.performed_on == on and session.status == "in_progress":
            return session
    return None


def build_today(db: Database, person: PersonInfo, on: dt.date) -> TodayView:
    """Read-only: safety, pending questions, pending level decisions and the plan. The
    day's session is shown whichever interface started it (web or terminal)."""
    session = todays_session(db, person.id, on)
    decisions = [] if session is not None else review_tracks(db, person.id, on)
    sets_done = sets_done_by_track(session) if session is not None else {}
    return TodayView(
        person=person,
        status=safety_status(db, person.id, on),
        morning_due=morning_check_due(db, person.id, on),
        checkin_due=checkin_due(db, person.id, on),
        session=session,
        plan=today_plan(db, person.id, on),
        decisions=decisions,
        sets_done=sets_done,
    )


def begin_session(
    db: Database,
    person_id: int,
    on: dt.date,
    pre_pain: int | None,
    accepted_tracks: Collection[str] = (),
) -> SessionInfo:
    """Apply the engine's pending decisions (a step up only when its track is in
    `accepted_tracks`), then open today's session with the resulting plan."""
    close_stale_sessions(db, person_id, before=on)
    if _pain_rising(db, person_id, on):
        record_referral(db, person_id, on)
    if safety_status(db, person_id, on).blocked:
        raise ProgrammeError("the safety questions pause exercise for now: see the Today page")
    for decision in review_tracks(db, person_id, on):
        accepted = not decision.needs_confirmation or decision.track in accepted_tracks
        apply_decision(db, person_id, decision, on, accepted=accepted)
    return start_session(db, person_id, on, pre_pain, today_plan(db, person_id, on))


def _pain_rising(db: Database, person_id: int, on: dt.date) -> bool:
    """Pain rising over a week even though the plan eased off (brief (c): refer)."""
    pains = [
        (s.performed_on, max(x.pain for x in s.sets))
        for s in list_sessions(db, person_id)
        if s.sets
    ]
    return is_pain_rising_despite_easing(pains, regress_dates(db, person_id), on)


def felt_choices(exercise: Exercise) -> list[tuple[str, str]]:
    """(value, label) answers to "where did you feel it?", the target named for this
    exercise (the programme's own question, so the answers match what it stores)."""
    target = target_name(exercise.target_muscles)
    return [(c.value, c.label) for c in felt_question(target).choices]


def _plan_item(plan: TodayPlan, exercise: Exercise, variation: str | None) -> PlanItem | None:
    for item in plan.items:
        p = item.prescription
        if p.exercise_id == exercise.id and (variation is None or p.variation == variation):
            return item
    return None


def build_set_input(
    finished: FinishedSet,
    exercise: Exercise,
    request: SaveSetRequest,
    plan: TodayPlan,
    set_index: int,
) -> SetInput:
    """The programme's SetInput for a live set: reps and cues from the engine's report,
    targets from today's plan (or the catalogue's starting dose when it is not planned)."""
    if request.where_felt not in FELT_VALUES:
        raise ProgrammeError(f"where you felt it must be one of {', '.join(FELT_VALUES)}")
    report = finished.report
    item = _plan_item(plan, exercise, finished.variation)
    target_reps = item.prescription.reps if item else exercise.dosage.reps_min
    target_hold = item.prescription.hold_s if item else exercise.dosage.hold_s
    if report.rep_count == 0:
        if request.typed_reps is None:
            raise ProgrammeError("the camera saw no reps: type the reps you did, or skip this set")
        # Typed: counts only, no form data (the camera saw nothing to judge).
        return SetInput(
            track=exercise.track,
            exercise_id=exercise.id,
            variation=finished.variation,
            set_index=set_index,
            source="typed",
            target_reps=target_reps,
            actual_reps=request.typed_reps,
            target_hold_s=target_hold,
            pain=request.pain,
            felt=request.where_felt,
            leg_symptoms=request.leg_symptoms,
            ended_early=request.ended_early or finished.interrupted,
            duration_s=report.duration_s,
        )
    holds = [r.hold_s for r in report.reps]
    return SetInput(
        track=exercise.track,
        exercise_id=exercise.id,
        variation=finished.variation,
        set_index=set_index,
        source="web",
        target_reps=target_reps,
        actual_reps=report.rep_count,
        target_hold_s=target_hold,
        hold_s=(sum(holds) / len(holds)) if target_hold and holds else None,
        pain=request.pain,
        felt=request.where_felt,
        leg_symptoms=request.leg_symptoms,
        ended_early=request.ended_early or finished.interrupted,
        duration_s=report.duration_s,
        side=report.side,
        reps=tuple(report.reps),
        set_cues=tuple(report.set_cues),
        report=report,
    )


def save_live_set(
    db: Database,
    person_id: int,
    on: dt.date,
    finished: FinishedSet,
    exercise: Exercise,
    request: SaveSetRequest,
) -> SavedSet:
    """Save a finished live set into today's session (opened now if needed); committed
    before this returns."""
    session = open_session_today(db, person_id, on)
    if session is None:
        session = begin_session(db, person_id, on, pre_pain=None)
    plan = today_plan(db, person_id, on)
    index = 1 + sum(1 for s in session.sets if s.track == exercise.track)
    saved = save_set(db, session.id, build_set_input(finished, exercise, request, plan, index))
    if request.leg_symptoms:
        # As in the terminal session: new leg symptoms end the session; screen comes next.
        finish_session(db, session.id, "interrupted")
    return saved


def describe_saved(saved: SavedSet, request: SaveSetRequest) -> str:
    """The plain sentence the page shows after saving, with any safety advice first."""
    if request.leg_symptoms:
        return (
            "Saved. You noted pain spreading into the leg or new numbness: stop for today; "
            "the safety questions come next."
        )
    if request.pain > 5:
        return "Saved. Pain above 5 out of 10 is too much: stop for today. The plan will ease off."
    return f"Saved: set {saved.set_index}, {saved.actual_reps} of {saved.target_reps} reps."
