"""A new user from `hipcoach start` through several days of `hipcoach session` (a real
recording as the camera on the first day) to `level`, `history`, `progress`, `export`
and `delete-my-data`, all unattended through answers files and simulated dates."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from tests.programme.cli_support import START_ANSWERS, Home, home
from tests.realdata import real_csv

from hipcoach.programme import history, planner

__all__ = ["home"]

DAYS = ["2025-04-07", "2025-04-08", "2025-04-09", "2025-04-10", "2025-04-11"]
MORNING = {"morning": {"pain": 2, "leg_symptoms": "no"}}


def doses(home: Home) -> dict[str, str]:
    db = home.db()
    try:
        return {
            lvl.track: lvl.prescription.describe()
            for lvl in planner.track_levels(db, home.person().id)
            if lvl.active
        }
    finally:
        db.close()


def day_answers(home: Home, n: int, set_pain: int | list[int] = 1) -> Path:
    data = {**(MORNING if n else {}), "session": {"pain_now": 2}}
    data["set"] = {"pain": set_pain, "felt": "target"}
    return home.answers(f"day{n}", data)


@pytest.mark.real
def test_a_new_user_over_five_days(home: Home, real_landmarks: dict[str, Path]) -> None:
    heel = real_csv(real_landmarks, "heel_slide")
    side = real_csv(real_landmarks, "side_lying_leg_lift")
    start = home.answers(
        "start",
        {
            **START_ANSWERS,
            "goals": ["back_pain", "hip_stability"],
            "start": {"psoas": "heel_slide", "side_lying_leg_lift": "side_lying_leg_lift"},
        },
    )
    result = home.run("start", "--answers", str(start), "--date", DAYS[0])
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "Plan for 2025-04-07" in result.stdout
    assert doses(home) == {
        "psoas": "1 x 8 reps",
        "clamshell": "1 x 10 reps",
        "side_lying_leg_lift": "1 x 10 reps",
    }

    # Day 0: the two real clips stand in for the camera (1 rep each, per their README).
    result = home.run(
        "session",
        "--answers",
        str(day_answers(home, 0)),
        "--date",
        DAYS[0],
        "--video",
        f"heel_slide={heel}",
        "--video",
        f"side_lying_leg_lift={side}",
    )
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "Rep 1 of 8" in result.stdout
    db = home.db()
    try:
        [first] = history.list_sessions(db, home.person().id)
        by_exercise = {s.exercise_id: s for s in first.sets}
        assert first.status == "completed"
        assert by_exercise["heel_slide"].source == "video"
        assert by_exercise["heel_slide"].actual_reps == 1
        assert by_exercise["side_lying_leg_lift"].actual_reps == 1
        assert by_exercise["clamshell"].source == "typed"
        assert by_exercise["clamshell"].actual_reps == 10
        exported = history.export_person(db, home.person().id)
        side_set = next(
            s for s in exported["sessions"][0]["sets"] if s["exercise_id"] == "side_lying_leg_lift"
        )
        assert side_set["side"] == "left"
        assert side_set["report"]["rep_count"] == 1
    finally:
        db.close()

    # Days 1-2 typed and clean; day 3 the clamshell hurts (6/10).
    for n in (1, 2):
        result = home.run("session", "--answers", str(day_answers(home, n)), "--date", DAYS[n])
        assert result.exit_code == 0, result.stdout + result.stderr
    # Clamshell: days 0 and 1 clean -> +2 reps at day 2. Psoas and side-lying: day 0 fell
    # short (1 rep), so only days 1-2 make two clean sessions -> +2 reps at day 3.
    assert doses(home)["clamshell"] == "1 x 12 reps"
    assert doses(home)["psoas"] == "1 x 8 reps"
    result = home.run(
        "session", "--answers", str(day_answers(home, 3, [1, 6, 1])), "--date", DAYS[3]
    )
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "that's enough of this exercise today" in result.stdout
    assert doses(home)["psoas"] == "1 x 10 reps"
    assert doses(home)["side_lying_leg_lift"] == "1 x 12 reps"
    result = home.run("session", "--answers", str(day_answers(home, 4)), "--date", DAYS[4])
    assert result.exit_code == 0, result.stdout + result.stderr
    # 6/10 on day 3: the clamshell eases off by a third (12 -> 8 reps), with the reason.
    assert doses(home)["clamshell"] == "1 x 8 reps"

    result = home.run("level")
    assert result.exit_code == 0
    words = " ".join(result.stdout.split())
    assert "Clamshell · Level 1 of 3: Clamshell: Standard" in words
    assert "Easing off to 1 x 8 reps: pain reached 6/10" in words
    assert "Two clean sessions in a row" in words

    result = home.run("history")
    assert result.exit_code == 0
    assert result.stdout.count("completed") == 5

    report = home.path / "progress.html"
    result = home.run("progress", "--html", str(report))
    assert result.exit_code == 0, result.stderr
    assert "5 session(s) recorded" in result.stdout
    page = report.read_text()
    for plot_id in ("plot-pain", "plot-reps", "plot-levels", "plot-psfs"):
        assert f'id="{plot_id}"' in page

    result = home.run("export", "--format", "csv")
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 15
    assert {r["source"] for r in rows} == {"video", "typed"}
    result = home.run("export", "--format", "json", "--output", str(home.path / "all.json"))
    assert result.exit_code == 0
    assert len(json.loads((home.path / "all.json").read_text())["sessions"]) == 5

    result = home.run("delete-my-data", input="n\n")
    assert "Nothing was deleted" in result.stdout
    result = home.run("delete-my-data", input="y\n")
    assert result.exit_code == 0
    assert "Deleted everything recorded about me" in result.stdout
    result = home.run("history")
    assert result.exit_code != 0
    assert "run `hipcoach start` first" in result.stderr


def test_session_help_documents_unattended_runs(home: Home) -> None:
    result = home.run("session", "--help")
    assert result.exit_code == 0
    for option in ("--answers", "--date", "--camera", "--video", "YYYY-MM-DD"):
        assert option in result.stdout
