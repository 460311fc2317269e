"""Where a set's reps come from: a camera that is not there, a recording with nobody in it."""

from __future__ import annotations

from tests.programme.cli_support import START_ANSWERS, Home, assert_one_line_error, home

from hipcoach.pose.landmark_csv import write_landmark_csv
from hipcoach.pose.landmarks import PoseSeries
from hipcoach.programme import history

__all__ = ["home"]

DAY = "2025-07-07"
SET_ANSWERS = {"session": {"pain_now": 1}, "set": {"pain": 0, "felt": "target"}}


def started(home: Home) -> None:
    answers = home.answers("start", START_ANSWERS)
    assert home.run("start", "--answers", str(answers), "--date", DAY).exit_code == 0


def sessions_of(home: Home) -> list[tuple[str, list[tuple[str, int]]]]:
    db = home.db()
    try:
        found = history.list_sessions(db, home.person().id)
    finally:
        db.close()
    return [(s.status, [(x.source, x.actual_reps) for x in s.sets]) for s in found]


def test_a_missing_camera_is_one_line_and_the_session_is_closed(home: Home) -> None:
    started(home)
    answers = home.answers("d", SET_ANSWERS)
    result = home.run("session", "--answers", str(answers), "--date", DAY, "--camera", "57")
    assert_one_line_error(result, "camera 57 cannot be opened")
    assert sessions_of(home) == [("interrupted", [])]


def test_a_recording_with_nobody_in_it_falls_back_to_typing(home: Home) -> None:
    started(home)
    times = [i / 30 for i in range(90)]
    empty = home.path / "empty.csv"
    write_landmark_csv(PoseSeries.from_frames([None] * len(times), times), empty)
    answers = home.answers("d", {**SET_ANSWERS, "set": {**SET_ANSWERS["set"], "reps": 6}})
    result = home.run(
        "session",
        "--answers",
        str(answers),
        "--date",
        DAY,
        "--only",
        "psoas",
        "--video",
        str(empty),
    )
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "Nobody was found in the recording" in result.stdout
    assert sessions_of(home) == [("completed", [("typed", 6)])]


def test_a_missing_recording_is_refused_before_anything_starts(home: Home) -> None:
    started(home)
    answers = home.answers("d", SET_ANSWERS)
    result = home.run(
        "session", "--answers", str(answers), "--date", DAY, "--video", "psoas=/no/such.mp4"
    )
    assert_one_line_error(result, "no such video or landmark file")
    assert sessions_of(home) == []
