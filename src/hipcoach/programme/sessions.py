"""Sessions and sets: start, save each finished set at once, finish; morning checks and
the weekly check-in (PSFS re-rating and the global rating of change).

Each call is its own transaction. A set is committed the moment `save_set` returns, so a
crash or a closed terminal loses at most the set in progress; a session left
`in_progress` by a crash is marked `interrupted` at the next start, its sets kept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hipcoach.programme.measures import GROC, GROC_VERSION, PSFS, PSFS_VERSION
from hipcoach.programme.models import (
    ProgrammeError,
    SavedSet,
    SessionInfo,
    SetInput,
    TodayPlan,
)
from hipcoach.programme.onboarding import new_measure
from hipcoach.programme.safety import RESCREEN_DAYS
from hipcoach.store.database import Database
from hipcoach.store.tables import (
    ExerciseSet,
    Measure,
    MorningCheck,
    Person,
    TrainingSession,
    utc_now,
)

STATUSES = ("in_progress", "completed", "interrupted")


def saved_set(row: ExerciseSet) -> SavedSet:
    """A stored set as the service returns it (the row's columns carry the same names)."""
    return SavedSet.model_validate(row, from_attributes=True)


def session_info(session: TrainingSession, with_sets: bool = True) -> SessionInfo:
    return SessionInfo(
        id=session.id,
        performed_on=session.performed_on,
        status=session.status,
        pre_pain=session.pre_pain,
        sets=tuple(saved_set(r) for r in session.sets) if with_sets else (),
    )


def close_stale_sessions(db: Database, person_id: int, before: dt.date | None = None) -> int:
    """Mark sessions a crash left `in_progress` as `interrupted` (sets kept). Returns how many.

    `before`: only sessions of earlier days; today's open session belongs to whichever
    interface (web or terminal) continues it."""
    with db.transaction() as s:
        query = select(TrainingSession).where(
            TrainingSession.person_id == person_id,
            TrainingSession.status == "in_progress",
        )
        if before is not None:
            query = query.where(TrainingSession.performed_on < before)
        stale = list(s.scalars(query))
        for session in stale:
            session.status = "interrupted"
            session.ended_at = utc_now()
        return len(stale)


def todays_session(db: Database, person_id: int, on: dt.date) -> SessionInfo | None:
    """The day's session (the latest, should an older database hold several), any status."""
    with db.transaction() as s:
        session = s.scalars(
            select(TrainingSession)
            .where(TrainingSession.person_id == person_id, TrainingSession.performed_on == on)
            .order_by(TrainingSession.id.desc())
            .limit(1)
        ).first()
        return session_info(session) if session is not None else None


def sets_done_by_track(session: SessionInfo) -> dict[str, int]:
    """How many sets each track has in the session."""
    done: dict[str, int] = {}
    for saved in session.sets:
        done[saved.track] = done.get(saved.track, 0) + 1
    return done


def start_session(
    db: Database, person_id: int, on: dt.date, pre_pain: int | None, plan: TodayPlan
) -> SessionInfo:
    """Open the day's session with its plan and the pain before starting (NPRS 0-10).

    One session a day, shared by the web and the terminal: when the day already has one
    (open, finished or interrupted), it is continued (reopened) with its sets, not doubled.
    """
    if pre_pain is not None and not 0 <= pre_pain <= 10:
        raise ProgrammeError("pain is rated from 0 to 10")
    close_stale_sessions(db, person_id, before=on)
    with db.transaction() as s:
        existing = s.scalars(
            select(TrainingSession)
            .where(TrainingSession.person_id == person_id, TrainingSession.performed_on == on)
            .order_by(TrainingSession.id.desc())
            .limit(1)
        ).first()
        if existing is not None:
            existing.status = "in_progress"
            existing.ended_at = None
            if existing.pre_pain is None:
                existing.pre_pain = pre_pain
            s.flush()
            return session_info(existing)
        session = TrainingSession(
            person_id=person_id,
            performed_on=on,
            status="in_progress",
            pre_pain=pre_pain,
            plan=[item.model_dump(mode="json") for item in plan.items],
        )
        s.add(session)
        s.flush()
        return session_info(session, with_sets=False)


def _open_session(s: Session, session_id: int) -> TrainingSession:
    session = s.get(TrainingSession, session_id)
    if session is None:
        raise ProgrammeError(f"there is no session {session_id}")
    if session.status != "in_progress":
        raise ProgrammeError(f"session {session_id} is already {session.status}")
    return session


def save_set(db: Database, session_id: int, item: SetInput) -> SavedSet:
    """Store one finished set and commit it at once. ProgrammeError if the session is closed."""
    with db.transaction() as s:
        _open_session(s, session_id)
        mean_range = sum(r.range_deg for r in item.reps) / len(item.reps) if item.reps else None
        row = ExerciseSet(
            session_id=session_id,
            track=item.track,
            exercise_id=item.exercise_id,
            variation=item.variation,
            set_index=item.set_index,
            side=item.side,
            source=item.source,
            target_reps=item.target_reps,
            actual_reps=item.actual_reps,
            target_hold_s=item.target_hold_s,
            hold_s=item.hold_s,
            reps=[r.model_dump(mode="json") for r in item.reps],
            set_cues=list(item.set_cues),
            flagged_reps=item.flagged_reps,
            mean_range_deg=mean_range,
            pain=item.pain,
            felt=item.felt,
            leg_symptoms=item.leg_symptoms,
            ended_early=item.ended_early,
            duration_s=item.duration_s,
            report=item.report.model_dump(mode="json") if item.report else None,
        )
        s.add(row)
        s.flush()
        return saved_set(row)


def finish_session(db: Database, session_id: int, status: str = "completed") -> SessionInfo:
    """Close the session as `completed` or `interrupted` (finished sets always kept)."""
    if status not in STATUSES[1:]:
        raise ProgrammeError(f"a session ends as completed or interrupted, not {status!r}")
    with db.transaction() as s:
        session = _open_session(s, session_id)
        session.status = status
        session.ended_at = utc_now()
        s.flush()
        return session_info(session)


def get_session(db: Database, session_id: int) -> SessionInfo:
    with db.transaction() as s:
        session = s.get(TrainingSession, session_id)
        if session is None:
            raise ProgrammeError(f"there is no session {session_id}")
        return session_info(session)


def morning_check_due(db: Database, person_id: int, on: dt.date) -> dt.date | None:
    """The most recent earlier day with sets whose morning-after pain is not recorded yet."""
    with db.transaction() as s:
        last_day = s.scalar(
            select(func.max(TrainingSession.performed_on))
            .join(ExerciseSet, ExerciseSet.session_id == TrainingSession.id)
            .where(TrainingSession.person_id == person_id, TrainingSession.performed_on < on)
        )
        if last_day is None:
            return None
        done = s.scalar(
            select(MorningCheck.id).where(
                MorningCheck.person_id == person_id, MorningCheck.about_date == last_day
            )
        )
        return None if done else last_day


def record_morning_check(
    db: Database,
    person_id: int,
    on: dt.date,
    about_date: dt.date,
    pain: int,
    leg_symptoms: bool,
) -> None:
    """Store the pain the morning after `about_date` (asked on `on`) and any new leg symptoms."""
    if not 0 <= pain <= 10:
        raise ProgrammeError("pain is rated from 0 to 10")
    with db.transaction() as s:
        existing = s.scalar(
            select(MorningCheck).where(
                MorningCheck.person_id == person_id, MorningCheck.about_date == about_date
            )
        )
        if existing is not None:
            existing.pain, existing.leg_symptoms, existing.checked_on = pain, leg_symptoms, on
            return
        s.add(
            MorningCheck(
                person_id=person_id,
                checked_on=on,
                about_date=about_date,
                pain=pain,
                leg_symptoms=leg_symptoms,
            )
        )


def checkin_due(db: Database, person_id: int, on: dt.date) -> bool:
    """True when the PSFS was last rated 7 or more days ago (weekly check-in)."""
    with db.transaction() as s:
        last = s.scalar(
            select(func.max(Measure.taken_on)).where(
                Measure.person_id == person_id, Measure.instrument == PSFS
            )
        )
        return last is not None and (on - last).days >= RESCREEN_DAYS


def record_checkin(
    db: Database, person_id: int, on: dt.date, psfs_ratings: Sequence[int], groc: int
) -> None:
    """Store the weekly PSFS re-ratings (same activities as at onboarding) and the global
    rating of change (-7..+7)."""
    if not -7 <= groc <= 7:
        raise ProgrammeError("the global rating of change goes from -7 to +7")
    with db.transaction() as s:
        person = s.get(Person, person_id)
        if person is None:
            raise ProgrammeError("that person no longer exists")
        activities = list(person.psfs_activities or [])
        if len(psfs_ratings) != len(activities) or any(not 0 <= r <= 10 for r in psfs_ratings):
            raise ProgrammeError(f"rate each of your {len(activities)} activities from 0 to 10")
        for activity, rating in zip(activities, psfs_ratings, strict=True):
            s.add(new_measure(person_id, on, PSFS, PSFS_VERSION, activity, rating, "weekly"))
        s.add(new_measure(person_id, on, GROC, GROC_VERSION, None, groc, "weekly"))
