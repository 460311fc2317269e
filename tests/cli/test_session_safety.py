"""The CLI's safety paths, questions asked again after bad answers, and bad input."""

from __future__ import annotations

from tests.programme.cli_support import START_ANSWERS, Home, assert_one_line_error, home

from hipcoach.programme import history, planner

__all__ = ["home"]


def started(home: Home, date: str = "2025-05-05") -> None:
    result = home.run(
        "start", "--answers", str(home.answers("start", START_ANSWERS)), "--date", date
    )
    assert result.exit_code == 0, result.stdout + result.stderr


def test_a_nerve_sign_stops_everything_and_says_emergency(home: Home) -> None:
    answers = home.answers("start", {**START_ANSWERS, "screen": {"*": "no", "bowel": "yes"}})
    result = home.run("start", "--answers", str(answers))
    assert result.exit_code == 3
    assert "emergency" in result.stdout.lower()
    assert "get emergency care now" in result.stderr
    assert not home.person().onboarded
    result = home.run("session")
    assert result.exit_code != 0
    assert "hipcoach start" in result.stderr


def test_another_flag_pauses_until_a_doctor_clears(home: Home) -> None:
    flagged = {**START_ANSWERS, "screen": {"*": "no", "fever": "yes"}}
    result = home.run("start", "--answers", str(home.answers("flag", flagged)))
    assert result.exit_code == 3
    assert "see a doctor" in result.stdout.lower()
    assert "paused" in result.stderr
    cleared = {**START_ANSWERS, "clearance": {"confirmed": "yes"}}
    result = home.run("start", "--answers", str(home.answers("cleared", cleared)))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert home.person().onboarded
    assert "doctor cleared you" in result.stdout


def test_new_leg_symptoms_in_the_morning_bring_the_screen_at_once(home: Home) -> None:
    started(home)
    day0 = {"session": {"pain_now": 1}, "set": {"pain": 1, "felt": "target"}}
    assert (
        home.run(
            "session", "--answers", str(home.answers("d0", day0)), "--date", "2025-05-05"
        ).exit_code
        == 0
    )
    day1 = {
        "morning": {"pain": 2, "leg_symptoms": "yes"},
        "screen": {"*": "no", "both_legs": "yes"},
    }
    result = home.run("session", "--answers", str(home.answers("d1", day1)), "--date", "2025-05-06")
    assert result.exit_code == 3
    assert "A few safety questions first" in result.stdout
    assert "emergency" in result.stdout.lower()
    # The next day nothing goes on until the screen is answered again after care.
    day2 = home.answers("d2", {"session": {"pain_now": 1}})
    result = home.run("session", "--answers", str(day2), "--date", "2025-05-07")
    assert result.exit_code == 3
    assert "needs emergency care first" in result.stderr


def test_leg_symptoms_after_a_set_stop_the_session_keep_the_set_and_screen(home: Home) -> None:
    started(home)
    answers = {
        "session": {"pain_now": 1},
        "set": {"pain": 3, "felt": "lower_back", "leg_symptoms": "yes"},
        "screen.*": "no",
    }
    result = home.run(
        "session", "--answers", str(home.answers("d0", answers)), "--date", "2025-05-05"
    )
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "stop for today" in result.stdout
    assert "A few safety questions first" in result.stdout
    db = home.db()
    try:
        [session] = history.list_sessions(db, home.person().id)
    finally:
        db.close()
    assert session.status == "interrupted"
    assert [s.leg_symptoms for s in session.sets] == [True]


def test_weekly_rescreen_and_checkin(home: Home) -> None:
    started(home, "2025-05-05")
    answers = {
        "screen.*": "no",
        "psfs": {"rating_1": 6, "rating_2": 6, "rating_3": 7},
        "weekly": {"groc": 2},
        "session": {"pain_now": 1},
        "set": {"pain": 0, "felt": "target"},
    }
    result = home.run(
        "session", "--answers", str(home.answers("w", answers)), "--date", "2025-05-12"
    )
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "A few safety questions first" in result.stdout
    assert "Weekly check-in" in result.stdout
    db = home.db()
    try:
        groc = history.list_measures(db, home.person().id, "groc")
    finally:
        db.close()
    assert [v for _, _, v in groc] == [2.0]


def test_bad_answers_are_asked_again_with_the_allowed_range(home: Home) -> None:
    started(home)
    # pain now, psoas: reps, pain (11 then 2), felt (knee then 1), legs, extra; clamshell...
    typed = "\n".join(["2", "", "11", "2", "knee", "1", "n", "n", "", "0", "target", "n"]) + "\n"
    result = home.run("session", "--no-timers", "--date", "2025-05-05", input=typed)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "out of range: answer a whole number from 0 to 10" in result.stdout
    assert "'knee' is not allowed: answer one of target" in result.stdout
    assert "completed" in result.stdout


def test_an_answers_file_with_a_bad_value_is_one_line(home: Home) -> None:
    started(home)
    answers = home.answers("bad", {"session": {"pain_now": 12}})
    result = home.run("session", "--answers", str(answers), "--date", "2025-05-05")
    assert_one_line_error(result, "'session.pain_now': 12 is out of range")


def test_a_missing_answer_is_one_line(home: Home) -> None:
    started(home)
    result = home.run("session", "--answers", str(home.answers("none", {})), "--date", "2025-05-06")
    assert_one_line_error(result, "no answer for 'session.pain_now'")


def test_unreadable_answers_file(home: Home) -> None:
    broken = home.path / "broken.yaml"
    broken.write_text("screen: [unclosed")
    assert_one_line_error(home.run("start", "--answers", str(broken)), "not valid YAML/JSON")
    assert_one_line_error(
        home.run("start", "--answers", str(home.path / "nope.yaml")), "no such answers file"
    )


def test_bad_date_and_unknown_track(home: Home) -> None:
    started(home)
    assert_one_line_error(home.run("session", "--date", "tomorrow"), "--date must look like")
    assert_one_line_error(home.run("session", "--only", "knees"), "unknown track 'knees'")
    assert_one_line_error(home.run("level", "psoas", "--to", "leg_lower", "--yes"), "never skipped")


def test_a_database_that_cannot_be_opened_is_one_line_without_password(
    home: Home, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from hipcoach.config import get_settings

    monkeypatch.setenv(
        "HIPCOACH_DATABASE_URL",
        "postgresql+psycopg://coach:s3cret@127.0.0.1:1/hc?connect_timeout=2",
    )
    get_settings.cache_clear()
    line = assert_one_line_error(home.run("history"), "cannot open database")
    assert "s3cret" not in line
    assert "coach:***@127.0.0.1:1/hc" in line


def test_level_override_with_confirmation(home: Home) -> None:
    started(home)
    result = home.run("level", "psoas", "--to", "heel_slide", input="n\n")
    assert result.exit_code != 0
    assert "needs your confirmation" in result.stderr
    result = home.run("level", "psoas", "--to", "2", "--yes")  # levels count from 1
    assert result.exit_code == 0, result.stderr
    assert "Heel slide" in result.stdout
    db = home.db()
    try:
        [psoas] = [
            lvl for lvl in planner.track_levels(db, home.person().id) if lvl.track == "psoas"
        ]
    finally:
        db.close()
    assert psoas.prescription.exercise_id == "heel_slide"
    assert psoas.reason.startswith("You chose Heel slide yourself")
