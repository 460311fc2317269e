"""A new user's week in a real terminal (pexpect, a pseudo-terminal): first run, five
days of sessions with a real clip as the camera on day one, a progression with its reason,
an easing-off after a pain answer, then `level`, `history` and `progress` read back in the
same words. The transcript is kept in test-artifacts/terminal_journey.txt."""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
from pathlib import Path

import pytest
from tests.realdata import REPO, require_real

pexpect = pytest.importorskip("pexpect")

pytestmark = [pytest.mark.real]
ARTIFACTS = REPO / "test-artifacts"
DAY0 = dt.date(2025, 4, 7)
NATIVE_NOISE = ("W0000", "absl", "TensorFlow", "XNNPACK", "UserWarning", "Traceback")
RAW_IDS = ("foot_slide_elevated", "front_of_thigh", "thigh_rotates", "in_progress", "step 0")


def answers_for(set_pain: int) -> list[tuple[str, str]]:
    """(prompt pattern, what the person types), first match wins."""
    return [
        (r"\(y/n\)", "n"),  # safety questions: all no
        (r"What do you want from this programme\?", "1"),
        (r"On a usual day, how much pain", "3"),
        (r"Activity \d you find hard", "stairs"),
        (r"How well can you do", "5"),
        (r"where do you start\?", ""),
        (r"Which recording shows", ""),
        (r"How was your pain the morning after", "2"),
        (r"any new pain spreading down a leg", "n"),
        (r"Move up on the", "y"),
        (r"How much pain do you have right now", "2"),
        (r"How many reps did you do\?", ""),
        (r"The camera saw no reps", "skip"),
        (r"Pain during that set", str(set_pain)),
        (r"Where did you feel it most\?", "1"),
        (r"Did any pain shoot", "n"),
        (r"Feel like one more set\?", "n"),
        (r"Can you still isolate", "y"),
    ]


class Terminal:
    """Runs hipcoach commands in a pseudo-terminal, answering prompts like a person."""

    def __init__(self, home: Path) -> None:
        self.env = {
            **os.environ,
            "HIPCOACH_DATABASE_URL": f"sqlite:///{home / 'hipcoach.db'}",
            "HIPCOACH_DATA_DIR": str(home / "data"),
            "PYTHONPATH": str(REPO / "src"),
            "COLUMNS": "100",
            "TERM": "dumb",  # plain text: prompts are matched as a person reads them
            "NO_COLOR": "1",
        }
        self.transcript = ""

    def run(self, *args: str, set_pain: int = 1) -> str:
        child = pexpect.spawn(
            sys.executable,
            ["-m", "hipcoach.cli.main", *args],
            env=self.env,
            encoding="utf-8",
            timeout=90,
            dimensions=(50, 100),
        )
        pairs = answers_for(set_pain)
        patterns = [re.compile(p) for p, _ in pairs]
        output = ""
        while True:
            index = child.expect([*patterns, pexpect.EOF])
            output += child.before + (child.after if isinstance(child.after, str) else "")
            if index == len(pairs):
                break
            child.sendline(pairs[index][1])
        child.close()
        self.transcript += f"\n$ hipcoach {' '.join(args)}\n{output}"
        assert child.exitstatus == 0, output
        return " ".join(output.replace("\r", "").split())


def test_a_week_in_the_terminal_reads_the_same_everywhere(tmp_path: Path) -> None:
    clip = require_real("heel_slide.mp4")
    term = Terminal(tmp_path)
    days = [(DAY0 + dt.timedelta(days=n)).isoformat() for n in range(6)]
    try:
        start = term.run("start", "--date", days[0])
        assert "Level 1 of 6: Foot slide on a raised surface" in start
        # One exercise today (psoas only): the bare clip stands in for the camera.
        first = term.run("session", "--no-timers", "--date", days[0], "--video", str(clip))
        assert "Rep 1 of 8" in first  # the clip holds one rep
        assert "Why this exercise: The Psoas ladder serves your goal: a calmer lower back" in first
        assert "not the front of the thigh" in first
        for n in (1, 2):
            term.run("session", "--no-timers", "--date", days[n])
        # Days 1-2 clean: two clean sessions in a row add two reps, with the rule said.
        third = term.run("session", "--no-timers", "--date", days[3], set_pain=6)
        assert "Level 1 of 6: Foot slide on a raised surface · 1 x 10 reps" in third
        assert "that's enough of this exercise today" in third
        term.run("session", "--no-timers", "--date", days[4])
        level = term.run("level")
        history = term.run("history")
        report = tmp_path / "report.html"
        progress = term.run("progress", "--html", str(report))
    finally:
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "terminal_journey.txt").write_text(term.transcript, encoding="utf-8")
    # Pain 6/10 on day 3: eased off by a third, the answer that triggered it quoted.
    assert "Psoas ladder · Level 1 of 6: Foot slide on a raised surface · 1 x 7 reps" in level
    assert "Easing off to 1 x 7 reps: pain reached 6/10, above the 5/10 limit" in level
    assert history.count("completed │ Foot slide on") == 5
    assert "Psoas ladder · Level 1 of 6: Foot slide on a raised surface: 1 x 10 reps" in progress
    html = report.read_text(encoding="utf-8")
    assert "level (1 = the first)" in html and "reps per day" in html
    # A quiet terminal: no native library logging, no ids, each range said once.
    for noise in NATIVE_NOISE:
        assert noise not in term.transcript, noise
    words = " ".join(term.transcript.split())
    for raw in RAW_IDS:
        assert raw not in words, raw
    assert "(0-10)? (0-10)" not in words and "(0-10) (0-10)" not in words
