"""`hipcoach session --video`: a clip per exercise, asked for when one bare FILE cannot
cover several exercises; a set the camera saw no reps in is typed in or skipped, never
saved as 0 done; and one session a day whichever way it is continued."""

from __future__ import annotations

from pathlib import Path

from tests.programme.cli_support import START_ANSWERS, Home, home
from tests.realdata import real_csv

from hipcoach.pose.landmark_csv import read_landmark_csv, write_landmark_csv
from hipcoach.pose.landmarks import PoseSeries
from hipcoach.programme import history

__all__ = ["home"]

DAY = "2025-07-07"
SET = {"pain": 0, "felt": "target", "extra": "no"}


def started(home: Home) -> None:
    answers = home.answers("start", START_ANSWERS)  # psoas and clamshell
    assert home.run("start", "--answers", str(answers), "--date", DAY).exit_code == 0


def sets_of(home: Home) -> list[tuple[str, list[tuple[str, str, int]]]]:
    db = home.db()
    try:
        found = history.list_sessions(db, home.person().id)
    finally:
        db.close()
    return [(s.status, [(x.exercise_id, x.source, x.actual_reps) for x in s.sets]) for s in found]


def still_person(real_landmarks: dict[str, Path], out: Path) -> Path:
    """A person lying still for 3 s: the first frame of a real clip, repeated."""
    first = read_landmark_csv(real_csv(real_landmarks, "heel_slide")).frame(0)
    times = [i / 30 for i in range(90)]
    write_landmark_csv(PoseSeries.from_frames([first] * len(times), times), out)
    return out


def test_one_bare_clip_for_two_exercises_is_not_used_for_both(
    home: Home, real_landmarks: dict[str, Path]
) -> None:
    started(home)
    clip = real_csv(real_landmarks, "heel_slide")
    answers = home.answers(
        "d",
        {
            "session": {"pain_now": 1},
            "video": {"foot_slide_elevated": str(clip), "clamshell": ""},
            "set": {**SET, "reps": 10},
        },
    )
    result = home.run("session", "--answers", str(answers), "--date", DAY, "--video", str(clip))
    assert result.exit_code == 0, result.stdout + result.stderr
    words = " ".join(result.stdout.split())
    assert "Which recording shows the foot slide on a raised surface?" in words
    assert "Which recording shows the clamshell?" in words
    # The clip went to the psoas exercise only; the clamshell was typed in.
    assert sets_of(home) == [
        ("completed", [("foot_slide_elevated", "video", 1), ("clamshell", "typed", 10)])
    ]


def test_no_reps_seen_asks_to_type_them_or_skip(
    home: Home, real_landmarks: dict[str, Path]
) -> None:
    started(home)
    still = still_person(real_landmarks, home.path / "still.csv")
    answers = home.answers(
        "d",
        {
            "session": {"pain_now": 1},
            "set": {**SET, "unseen_reps": ["skip", "7"]},
        },
    )
    result = home.run(
        "session",
        "--answers",
        str(answers),
        "--date",
        DAY,
        "--video",
        f"foot_slide_elevated={still}",
        "--video",
        f"clamshell={still}",
    )
    assert result.exit_code == 0, result.stdout + result.stderr
    assert result.stdout.count("The camera saw no reps: type the reps you did, or skip") == 2
    assert "Set skipped: nothing saved." in result.stdout
    # Skipped: no psoas set at all (not "0 of 8 done"); typed: 7 reps, no form data.
    assert sets_of(home) == [("completed", [("clamshell", "typed", 7)])]


def test_a_second_run_the_same_day_continues_the_session(home: Home) -> None:
    started(home)
    answers = home.answers("d", {"session": {"pain_now": 1}, "set": {**SET, "reps": 8}})
    first = home.run("session", "--answers", str(answers), "--date", DAY, "--only", "psoas")
    assert first.exit_code == 0, first.stdout + first.stderr
    again = home.run("session", "--answers", str(answers), "--date", DAY)
    assert again.exit_code == 0, again.stdout + again.stderr
    words = " ".join(again.stdout.split())
    assert "Continuing today's session (completed, 1 set(s) saved" in words
    assert "1 of 1 set(s) already done today" in words
    assert "How much pain do you have right now" not in words  # asked once a day
    [(status, sets)] = sets_of(home)
    assert status == "completed"
    assert [s[0] for s in sets] == ["foot_slide_elevated", "clamshell"]
