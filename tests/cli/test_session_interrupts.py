"""Interrupting a session: a killed process and Ctrl-C lose no finished set; the stop rule
("can you still isolate?") ends a set when the engine reports `isolation_lost`."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from tests.programme.cli_support import START_ANSWERS, Home, home

from hipcoach.analysis.events import CueEvent, Event, RepEvent, RepReport, SetReport, ViewReport
from hipcoach.pose.landmark_csv import write_landmark_csv
from hipcoach.pose.landmarks import PoseFrame, PoseSeries
from hipcoach.programme import history

__all__ = ["home"]

REPO = Path(__file__).resolve().parents[2]
# Typed at the terminal: pain now; psoas set (reps = target, pain 0, felt, no extra set);
# clamshell set (reps, pain 0, felt). The process then waits at "one more set?".
TWO_SETS = "2\n\n0\ntarget\nn\n\n0\ntarget\n"


def started(home: Home) -> None:
    answers = home.answers("start", START_ANSWERS)
    result = home.run("start", "--answers", str(answers), "--date", "2025-06-02")
    assert result.exit_code == 0, result.stdout + result.stderr


def spawn_session(home: Home) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "HIPCOACH_DATABASE_URL": home.url,
        "HIPCOACH_DATA_DIR": str(home.path / "data"),
        "PYTHONUNBUFFERED": "1",
        "PYTHONPATH": str(REPO / "src"),
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "hipcoach.cli.main",
            "session",
            "--no-timers",
            "--date",
            "2025-06-02",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


class Output:
    """Collects a child's stdout in a thread, so waiting never blocks on a full pipe."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        self.proc = proc
        self.lines: queue.Queue[str] = queue.Queue()
        self.text = ""
        stdout = proc.stdout
        self.thread = threading.Thread(target=lambda: [self.lines.put(ln) for ln in stdout])
        self.thread.daemon = True
        self.thread.start()

    def _drain(self, timeout: float) -> bool:
        try:
            self.text += self.lines.get(timeout=timeout)
        except queue.Empty:
            return False
        return True

    def wait_for(self, marker: str, count: int, timeout: float = 60) -> None:
        """Read until `marker` has appeared `count` times."""
        deadline = time.monotonic() + timeout
        while self.text.count(marker) < count and time.monotonic() < deadline:
            self._drain(0.2)
        assert self.text.count(marker) >= count, self.text

    def finish(self, timeout: float = 30) -> str:
        """Wait for the child to exit; everything it printed."""
        self.proc.wait(timeout=timeout)
        self.thread.join(timeout=timeout)
        while self._drain(0):
            pass
        return self.text


def stored_sessions(home: Home) -> list[tuple[str, int]]:
    db = home.db()
    try:
        return [(s.status, len(s.sets)) for s in history.list_sessions(db, home.person().id)]
    finally:
        db.close()


def test_a_killed_session_keeps_every_finished_set(home: Home) -> None:
    started(home)
    proc = spawn_session(home)
    try:
        assert proc.stdin is not None
        output = Output(proc)
        proc.stdin.write(TWO_SETS)
        proc.stdin.flush()
        output.wait_for(" saved: ", 2)
        proc.kill()  # SIGKILL: no clean-up code runs
        output.finish()
    finally:
        if proc.poll() is None:
            proc.kill()
    assert stored_sessions(home) == [("in_progress", 2)]
    # The next start notices, keeps the sets and marks the session interrupted.
    answers = {
        "morning": {"pain": 1},
        "session": {"pain_now": 1},
        "set": {"pain": 0, "felt": "target"},
    }
    result = home.run(
        "session", "--answers", str(home.answers("next", answers)), "--date", "2025-06-03"
    )
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "last session was interrupted; its finished sets are kept" in result.stdout
    assert stored_sessions(home)[0] == ("interrupted", 2)


def test_ctrl_c_keeps_what_is_done_and_says_so(home: Home) -> None:
    started(home)
    proc = spawn_session(home)
    try:
        assert proc.stdin is not None
        output = Output(proc)
        proc.stdin.write(TWO_SETS)
        proc.stdin.flush()
        output.wait_for(" saved: ", 2)
        proc.send_signal(signal.SIGINT)
        out = output.finish()
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130
    assert "2 finished set(s) of this session are kept" in out
    assert stored_sessions(home) == [("interrupted", 2)]


class ScriptedAnalyser:
    """Stands in for the engine (the CLI flow is under test here): a rep on frames 2 and 4,
    `isolation_lost` on frame 6."""

    frames_seen = 0

    def __init__(self, exercise: object, variation: str | None = None, side: str = "auto") -> None:
        self.reps: list[RepReport] = []
        ScriptedAnalyser.frames_seen = 0

    def update(self, frame: PoseFrame | None, t: float) -> list[Event]:
        ScriptedAnalyser.frames_seen += 1
        n = ScriptedAnalyser.frames_seen
        if n in (2, 4):
            rep = RepReport(
                index=len(self.reps) + 1,
                start_s=t - 0.5,
                peak_s=t - 0.2,
                end_s=t,
                range_deg=25.0,
                cues=["trunk_moves"] if n == 4 else [],
            )
            self.reps.append(rep)
            return [RepEvent(t=t, rep=rep)]
        if n == 6:
            return [
                CueEvent(
                    t=t,
                    cue="isolation_lost",
                    message="You're losing the isolation.",
                    level="set",
                    severity="stop",
                )
            ]
        return []

    def finish(self, t: float | None = None) -> list[Event]:
        return []

    def report(self) -> SetReport:
        return SetReport(
            exercise="clamshell",
            variation="standard",
            side="left",
            rep_count=len(self.reps),
            reps=self.reps,
            set_cues=["isolation_lost"],
            view=ViewReport(ok=True),
            frames=ScriptedAnalyser.frames_seen,
            frames_with_person=ScriptedAnalyser.frames_seen,
        )


@pytest.mark.parametrize(
    ("still_isolating", "ended_early", "frames"), [("no", True, 6), ("yes", False, 20)]
)
def test_the_stop_rule_is_offered_on_isolation_lost(
    home: Home,
    monkeypatch: pytest.MonkeyPatch,
    still_isolating: str,
    ended_early: bool,
    frames: int,
) -> None:
    monkeypatch.setattr("hipcoach.cli.sets_cmd.SetAnalyser", ScriptedAnalyser)
    started(home)
    times = [i / 10 for i in range(20)]
    poses = [PoseFrame(t=t, image=np.full((33, 3), 0.5), visibility=np.ones(33)) for t in times]
    recording = home.path / "clam.csv"
    write_landmark_csv(PoseSeries.from_frames(poses, times), recording)
    answers = {
        "session": {"pain_now": 1},
        "set": {"pain": 1, "felt": "target", "still_isolating": still_isolating},
    }
    result = home.run(
        "session",
        "--answers",
        str(home.answers("d0", answers)),
        "--date",
        "2025-06-02",
        "--only",
        "clamshell",
        "--video",
        f"clamshell={recording}",
    )
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "Can you still isolate" in result.stdout
    assert ScriptedAnalyser.frames_seen == frames
    db = home.db()
    try:
        [session] = history.list_sessions(db, home.person().id)
    finally:
        db.close()
    [saved] = session.sets
    assert (saved.source, saved.actual_reps, saved.ended_early) == ("video", 2, ended_early)
    assert saved.flagged_reps == 1
