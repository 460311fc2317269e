"""Reading back what was recorded: sessions, measures, and full exports (JSON, CSV).

The JSON export holds every row of the person, raw answers included; the CSV export is one
row per set, the table most people want in a spreadsheet.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from sqlalchemy import inspect, select

from hipcoach.programme.models import ProgrammeError, SessionInfo
from hipcoach.programme.sessions import session_info
from hipcoach.store.database import Database
from hipcoach.store.tables import (
    Base,
    Clearance,
    Decision,
    ExerciseSet,
    Measure,
    MorningCheck,
    Person,
    Screen,
    TrackState,
    TrainingSession,
)

EXPORT_VERSION = 1
CSV_COLUMNS = (
    "date",
    "session_id",
    "session_status",
    "pain_before",
    "morning_after_pain",
    "track",
    "exercise",
    "variation",
    "set",
    "source",
    "target_reps",
    "reps",
    "flagged_reps",
    "target_hold_s",
    "hold_s",
    "mean_range_deg",
    "pain",
    "felt",
    "leg_symptoms",
    "ended_early",
    "cues",
)


def list_sessions(db: Database, person_id: int) -> list[SessionInfo]:
    """Every session with its sets, oldest first."""
    with db.transaction() as s:
        rows = s.scalars(
            select(TrainingSession)
            .where(TrainingSession.person_id == person_id)
            .order_by(TrainingSession.performed_on, TrainingSession.id)
        )
        return [session_info(r) for r in rows]


def list_measures(
    db: Database, person_id: int, instrument: str
) -> list[tuple[dt.date, str | None, float]]:
    """(date, item, value) of one instrument's answers, oldest first."""
    with db.transaction() as s:
        rows = s.execute(
            select(Measure.taken_on, Measure.item, Measure.value)
            .where(Measure.person_id == person_id, Measure.instrument == instrument)
            .order_by(Measure.taken_on, Measure.id)
        ).all()
        return [(r[0], r[1], float(r[2])) for r in rows]


def morning_pains(db: Database, person_id: int) -> dict[dt.date, int]:
    """Session day -> pain the morning after."""
    with db.transaction() as s:
        rows = s.scalars(select(MorningCheck).where(MorningCheck.person_id == person_id))
        return {r.about_date: r.pain for r in rows}


def _row_dict(row: Base) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for attr in inspect(row).mapper.column_attrs:
        value = getattr(row, attr.key)
        if isinstance(value, dt.date | dt.datetime):
            value = value.isoformat()
        values[attr.key] = value
    return values


def export_person(db: Database, person_id: int) -> dict[str, Any]:
    """Everything stored about one person as plain JSON-ready data."""
    with db.transaction() as s:
        person = s.get(Person, person_id)
        if person is None:
            raise ProgrammeError("that person no longer exists")
        data: dict[str, Any] = {"export_version": EXPORT_VERSION, "person": _row_dict(person)}
        for key, table in (
            ("screens", Screen),
            ("clearances", Clearance),
            ("measures", Measure),
            ("track_states", TrackState),
            ("decisions", Decision),
            ("morning_checks", MorningCheck),
        ):
            rows = s.scalars(select(table).where(table.person_id == person_id).order_by(table.id))
            data[key] = [_row_dict(r) for r in rows]
        sessions = s.scalars(
            select(TrainingSession)
            .where(TrainingSession.person_id == person_id)
            .order_by(TrainingSession.id)
        )
        data["sessions"] = [
            {**_row_dict(session), "sets": [_row_dict(x) for x in session.sets]}
            for session in sessions
        ]
        return data


def _csv_row(session: TrainingSession, row: ExerciseSet, morning: int | None) -> list[Any]:
    cues = sorted({c for rep in row.reps for c in rep.get("cues", [])} | set(row.set_cues))
    return [
        session.performed_on.isoformat(),
        session.id,
        session.status,
        session.pre_pain,
        morning,
        row.track,
        row.exercise_id,
        row.variation or "",
        row.set_index,
        row.source,
        row.target_reps,
        row.actual_reps,
        "" if row.flagged_reps is None else row.flagged_reps,
        "" if row.target_hold_s is None else row.target_hold_s,
        "" if row.hold_s is None else round(row.hold_s, 1),
        "" if row.mean_range_deg is None else round(row.mean_range_deg, 1),
        row.pain,
        row.felt,
        row.leg_symptoms,
        row.ended_early,
        " ".join(cues),
    ]


def export_sets_csv(db: Database, person_id: int) -> str:
    """One CSV row per set, with the session's date, status and pains."""
    mornings = morning_pains(db, person_id)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    with db.transaction() as s:
        sessions = s.scalars(
            select(TrainingSession)
            .where(TrainingSession.person_id == person_id)
            .order_by(TrainingSession.performed_on, TrainingSession.id)
        )
        for session in sessions:
            for row in session.sets:
                writer.writerow(_csv_row(session, row, mornings.get(session.performed_on)))
    return out.getvalue()
