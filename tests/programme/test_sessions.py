"""Sessions and sets as stored: committed at once, kept after a crash, exported, deleted."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy import func, select
from tests.programme.helpers import day, new_person, train_day, typed_set

from hipcoach.analysis.events import RepReport
from hipcoach.programme import history, people, planner, sessions
from hipcoach.programme.models import ProgrammeError, SetInput
from hipcoach.store.database import Database, open_database
from hipcoach.store.tables import Base


def started(db: Database) -> tuple[int, int]:
    person = new_person(db)
    plan = planner.today_plan(db, person.id, day(0))
    return person.id, sessions.start_session(db, person.id, day(0), 3, plan).id


def test_a_saved_set_is_visible_to_another_connection_at_once(db: Database) -> None:
    _, sid = started(db)
    sessions.save_set(db, sid, typed_set("psoas", "foot_slide_elevated", 8, 7))
    other = open_database(db.url)
    try:
        info = sessions.get_session(other, sid)
        assert [(s.actual_reps, s.target_reps) for s in info.sets] == [(7, 8)]
        assert info.status == "in_progress"
    finally:
        other.close()


def test_camera_sets_count_flagged_reps(db: Database) -> None:
    _, sid = started(db)
    reps = tuple(
        RepReport(index=i, start_s=i, peak_s=i + 0.5, end_s=i + 1, range_deg=20.0, cues=cues)
        for i, cues in enumerate(
            [[], ["trunk_moves"], ["hold_too_short"], ["hip_hikes", "trunk_moves"]], 1
        )
    )
    saved = sessions.save_set(
        db,
        sid,
        SetInput(
            track="psoas",
            exercise_id="foot_slide_elevated",
            set_index=1,
            source="video",
            target_reps=8,
            actual_reps=4,
            pain=2,
            felt="front_of_thigh",
            reps=reps,
        ),
    )
    assert saved.flagged_reps == 2  # hold_too_short is dose, not form
    exported = history.export_person(db, people.require_person(db).id)
    assert len(exported["sessions"][0]["sets"][0]["reps"]) == 4


def test_bad_set_values_are_refused() -> None:
    with pytest.raises(ValueError, match="felt must be one of"):
        typed_set("psoas", "foot_slide_elevated", 8, 8, felt="knee")
    with pytest.raises(ValueError):
        typed_set("psoas", "foot_slide_elevated", 8, 8, pain=11)


def test_a_finished_session_takes_no_more_sets(db: Database) -> None:
    _, sid = started(db)
    sessions.finish_session(db, sid)
    with pytest.raises(ProgrammeError, match="already completed"):
        sessions.save_set(db, sid, typed_set("psoas", "foot_slide_elevated", 8, 8))
    with pytest.raises(ProgrammeError, match="completed or interrupted"):
        sessions.finish_session(db, sid, "paused")


def test_a_crashed_session_is_interrupted_at_the_next_start_with_its_sets(db: Database) -> None:
    pid, sid = started(db)
    sessions.save_set(db, sid, typed_set("psoas", "foot_slide_elevated", 8, 8))
    # No finish_session: the process died here.
    plan = planner.today_plan(db, pid, day(1))
    sessions.start_session(db, pid, day(1), 2, plan)
    old = sessions.get_session(db, sid)
    assert old.status == "interrupted"
    assert len(old.sets) == 1


def test_morning_check_is_due_once_for_the_last_training_day(db: Database) -> None:
    person = new_person(db)
    assert sessions.morning_check_due(db, person.id, day(1)) is None
    train_day(db, person, 0)
    assert sessions.morning_check_due(db, person.id, day(0)) is None
    assert sessions.morning_check_due(db, person.id, day(3)) == day(0)
    sessions.record_morning_check(db, person.id, day(3), day(0), 4, True)
    assert sessions.morning_check_due(db, person.id, day(3)) is None
    assert history.morning_pains(db, person.id) == {day(0): 4}


def test_weekly_checkin(db: Database) -> None:
    person = new_person(db)
    assert not sessions.checkin_due(db, person.id, day(6))
    assert sessions.checkin_due(db, person.id, day(7))
    with pytest.raises(ProgrammeError, match="rate each of your 3 activities"):
        sessions.record_checkin(db, person.id, day(7), [5, 5], 2)
    with pytest.raises(ProgrammeError, match="-7 to \\+7"):
        sessions.record_checkin(db, person.id, day(7), [5, 5, 5], 9)
    sessions.record_checkin(db, person.id, day(7), [6, 7, 8], 3)
    assert not sessions.checkin_due(db, person.id, day(8))
    psfs = history.list_measures(db, person.id, "psfs")
    assert [v for d, _, v in psfs if d == day(7)] == [6.0, 7.0, 8.0]
    assert history.list_measures(db, person.id, "groc") == [(day(7), None, 3.0)]


def test_exports_hold_every_set(db: Database) -> None:
    person = new_person(db, goals=("back_pain", "splits"))
    train_day(db, person, 0)
    train_day(db, person, 1)
    data = json.loads(json.dumps(history.export_person(db, person.id)))
    assert data["person"]["name"] == "tester"
    assert sum(len(s["sets"]) for s in data["sessions"]) == 4
    assert len(data["screens"]) == 1
    assert {m["instrument"] for m in data["measures"]} == {"nprs", "psfs"}
    rows = list(csv.DictReader(io.StringIO(history.export_sets_csv(db, person.id))))
    assert len(rows) == 4
    assert {r["exercise"] for r in rows} == {"foot_slide_elevated", "clamshell"}
    assert rows[0]["morning_after_pain"] == "2"  # day 0's morning, recorded on day 1


def test_delete_removes_every_row_of_the_person(db: Database) -> None:
    person = new_person(db)
    train_day(db, person, 0)
    train_day(db, person, 1)
    other = people.create_person(db, "someone else", day(0))
    people.delete_person(db, person.id)
    with db.transaction() as s:
        for table in Base.metadata.sorted_tables:
            if table.name == "server_locks":
                continue  # the web server's fixed lock row (migration 0002): nobody's data
            if table.name == "people":
                assert s.scalar(select(func.count()).select_from(table)) == 1
            else:
                assert s.scalar(select(func.count()).select_from(table)) == 0, table.name
    assert people.require_person(db).id == other.id


def test_people_lookup(db: Database) -> None:
    with pytest.raises(ProgrammeError, match="hipcoach start"):
        people.require_person(db)
    people.create_person(db, "ana", day(0))
    with pytest.raises(ProgrammeError, match="already someone called"):
        people.create_person(db, "ana", day(0))
    people.create_person(db, "ben", day(0))
    with pytest.raises(ProgrammeError, match="several people"):
        people.find_person(db)
    assert people.require_person(db, "ben").name == "ben"
