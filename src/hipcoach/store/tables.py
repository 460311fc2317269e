"""The database tables (SQLAlchemy 2 declarative models).

One person owns everything else; deleting a person cascades to all of their rows. Answers
that come from questionnaires are stored raw (item by item, with the instrument's name and
version) so that scores can be recomputed later. Landmark series are never stored here, one
row per frame would be wasteful; a set keeps its per-rep summary and the engine's report.

Times are naive UTC `DateTime`s; `date` columns are the day a thing counts for (the person's
calendar day, which tests and scripts may set with `--date`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utc_now() -> dt.datetime:
    """The current time as naive UTC (what every DateTime column holds)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


def _person_fk() -> Mapped[int]:
    return mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)


class Person(Base):
    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now)
    started_on: Mapped[dt.date] = mapped_column(Date)
    goals: Mapped[list[Any]] = mapped_column(default=list)
    baseline_pain: Mapped[int | None] = mapped_column(Integer)
    psfs_activities: Mapped[list[Any]] = mapped_column(default=list)
    onboarded: Mapped[bool] = mapped_column(Boolean, default=False)

    screens: Mapped[list[Screen]] = relationship(cascade="all, delete-orphan", passive_deletes=True)
    sessions: Mapped[list[TrainingSession]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )


class Screen(Base):
    """One run of the red-flag screen: every answer, the outcome and why it was asked."""

    __tablename__ = "screens"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = _person_fk()
    taken_on: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now)
    reason: Mapped[str] = mapped_column(String(32))
    outcome: Mapped[str] = mapped_column(String(16))
    answers: Mapped[dict[str, Any]] = mapped_column()
    flagged: Mapped[list[Any]] = mapped_column(default=list)
    version: Mapped[int] = mapped_column(Integer, default=1)


class Clearance(Base):
    """The person's confirmation that a doctor saw them about these flags and cleared them."""

    __tablename__ = "clearances"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = _person_fk()
    given_on: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now)
    flags: Mapped[list[Any]] = mapped_column()


class Measure(Base):
    """One raw answer to an outcome measure (NPRS, PSFS item, global rating of change)."""

    __tablename__ = "measures"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = _person_fk()
    taken_on: Mapped[dt.date] = mapped_column(Date, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now)
    instrument: Mapped[str] = mapped_column(String(16))
    version: Mapped[str] = mapped_column(String(16))
    context: Mapped[str] = mapped_column(String(24))
    item: Mapped[str | None] = mapped_column(String(200))
    value: Mapped[float] = mapped_column(Float)
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), index=True
    )


class TrackState(Base):
    """Where a person is on one track now: the exercise and its current prescription."""

    __tablename__ = "track_states"
    __table_args__ = (UniqueConstraint("person_id", "track"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = _person_fk()
    track: Mapped[str] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    step: Mapped[int] = mapped_column(Integer)
    exercise_id: Mapped[str] = mapped_column(String(64))
    variation: Mapped[str | None] = mapped_column(String(64))
    reps: Mapped[int] = mapped_column(Integer)
    sets: Mapped[int] = mapped_column(Integer)
    hold_s: Mapped[float | None] = mapped_column(Float)
    updated_on: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(1000), default="")
    since_session_id: Mapped[int] = mapped_column(Integer, default=0)
    """Sessions with a larger id were done on this prescription (it counts them)."""


class Decision(Base):
    """Every progression decision with its plain-words reason, changed or not."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = _person_fk()
    track: Mapped[str] = mapped_column(String(32))
    decided_on: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now)
    action: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(16))
    changed: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(String(1000))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any]] = mapped_column()
    basis_session_id: Mapped[int | None] = mapped_column(
        ForeignKey("sessions.id", ondelete="SET NULL")
    )
    basis_complete: Mapped[bool] = mapped_column(Boolean, default=True)
    """False when the judged session's next-morning answer was still missing: the session
    is judged again once the answer arrives."""


class TrainingSession(Base):
    """One guided session on one day. `status`: in_progress, completed or interrupted."""

    __tablename__ = "sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = _person_fk()
    performed_on: Mapped[dt.date] = mapped_column(Date, index=True)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now)
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(16), default="in_progress")
    pre_pain: Mapped[int | None] = mapped_column(Integer)
    plan: Mapped[list[Any]] = mapped_column(default=list)

    sets: Mapped[list[ExerciseSet]] = relationship(
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="ExerciseSet.id",
    )


class ExerciseSet(Base):
    """One finished set, committed the moment it ends."""

    __tablename__ = "sets"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), index=True
    )
    track: Mapped[str] = mapped_column(String(32))
    exercise_id: Mapped[str] = mapped_column(String(64))
    variation: Mapped[str | None] = mapped_column(String(64))
    set_index: Mapped[int] = mapped_column(Integer)
    side: Mapped[str | None] = mapped_column(String(8))
    source: Mapped[str] = mapped_column(String(16))
    target_reps: Mapped[int] = mapped_column(Integer)
    actual_reps: Mapped[int] = mapped_column(Integer)
    target_hold_s: Mapped[float | None] = mapped_column(Float)
    hold_s: Mapped[float | None] = mapped_column(Float)
    reps: Mapped[list[Any]] = mapped_column(default=list)
    set_cues: Mapped[list[Any]] = mapped_column(default=list)
    flagged_reps: Mapped[int | None] = mapped_column(Integer)
    mean_range_deg: Mapped[float | None] = mapped_column(Float)
    pain: Mapped[int] = mapped_column(Integer)
    felt: Mapped[str] = mapped_column(String(24))
    leg_symptoms: Mapped[bool] = mapped_column(Boolean, default=False)
    ended_early: Mapped[bool] = mapped_column(Boolean, default=False)
    duration_s: Mapped[float | None] = mapped_column(Float)
    report: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now)


class MorningCheck(Base):
    """Pain the morning after a session day (asked at the next start)."""

    __tablename__ = "morning_checks"
    __table_args__ = (UniqueConstraint("person_id", "about_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = _person_fk()
    checked_on: Mapped[dt.date] = mapped_column(Date)
    about_date: Mapped[dt.date] = mapped_column(Date)
    pain: Mapped[int] = mapped_column(Integer)
    leg_symptoms: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now)


# What every worker process of one `hipcoach serve` must see (hipcoach/web/server_state.py).
# Times here are `time.time()` seconds, compared across processes on one machine.


class ServerWorker(Base):
    """A running server worker process; a heartbeat older than a few seconds means gone."""

    __tablename__ = "server_workers"

    token: Mapped[str] = mapped_column(String(32), primary_key=True)
    pid: Mapped[int] = mapped_column(Integer)
    beat_at: Mapped[float] = mapped_column(Float)


class ServerLock(Base):
    """A row whose update serialises a check-then-insert across processes."""

    __tablename__ = "server_locks"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)


class LiveSocketClaim(Base):
    """An open live socket, counted against the caps while its worker is alive."""

    __tablename__ = "live_socket_claims"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    worker: Mapped[str] = mapped_column(String(32), index=True)
    camera: Mapped[bool] = mapped_column(Boolean)


class PendingLiveSet(Base):
    """A live set whose socket has ended, kept until `POST /api/sets` saves it."""

    __tablename__ = "pending_live_sets"

    set_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    exercise: Mapped[str] = mapped_column(String(64))
    variation: Mapped[str | None] = mapped_column(String(64))
    report: Mapped[dict[str, Any]] = mapped_column(JSON)
    interrupted: Mapped[bool] = mapped_column(Boolean)
    ended_at: Mapped[float] = mapped_column(Float, index=True)


class AnalysisJobRow(Base):
    """An uploaded video's analysis: status and progress, then the result."""

    __tablename__ = "analysis_jobs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    worker: Mapped[str] = mapped_column(String(32))
    exercise: Mapped[str] = mapped_column(String(64))
    variation: Mapped[str | None] = mapped_column(String(64))
    side: Mapped[str] = mapped_column(String(8))
    keep_video: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(8))
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str] = mapped_column(String(500), default="")
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[float] = mapped_column(Float, index=True)


class LoginFailure(Base):
    """One wrong password from one client address (the login throttle counts these)."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    client: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[float] = mapped_column(Float)


class ServerLogin(Base):
    """A logged-in session id; its cookie counts only while this row exists."""

    __tablename__ = "server_logins"

    session_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    started_at: Mapped[float] = mapped_column(Float)
