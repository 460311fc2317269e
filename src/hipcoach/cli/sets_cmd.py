"""Running one set in the terminal: typed in, watched from a recording, or from a camera.

Not a command group: the set runner `hipcoach session` uses. Recordings and the camera go
through the same engine loop (`SetAnalyser.update` per frame); only the source differs.
Timers wait for real only at an interactive terminal; unattended runs never sleep.
"""

from __future__ import annotations

import select
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.live import Live

from hipcoach.analysis.analyser import SetAnalyser
from hipcoach.analysis.events import CueEvent, Event, RepEvent, SetReport
from hipcoach.cli.prompts_cmd import Prompter, ask_float, ask_int, ask_yes
from hipcoach.errors import InputFileError
from hipcoach.exercises.schema import Exercise, Posture
from hipcoach.pose.source import PoseSample, estimator_for, open_recording
from hipcoach.programme.models import SetSource
from hipcoach.programme.questions import STILL_ISOLATING, Question
from hipcoach.programme.tracks import Prescription
from hipcoach.programme.vocabulary import UNCERTAIN_CAVEAT, cue_names

MAX_CAMERA_SET_S = 15 * 60


@dataclass(frozen=True)
class SetOutcome:
    """What happened in one set, before the pain questions."""

    source: SetSource
    actual_reps: int
    hold_s: float | None = None
    report: SetReport | None = None
    ended_early: bool = False
    duration_s: float | None = None


def _stdin_ready(timeout: float) -> bool:
    """True when a line is waiting on stdin (Enter pressed); sleeps up to `timeout`."""
    try:
        ready, _, _ = select.select([sys.stdin], [], [], timeout)
    except (OSError, ValueError, TypeError):
        time.sleep(timeout)
        return False
    if ready:
        sys.stdin.readline()
        return True
    return False


class Pacer:
    """The set timer and rest countdown. Waits only when `enabled` (a person at a terminal)."""

    def __init__(self, console: Console, enabled: bool) -> None:
        self.console = console
        self.enabled = enabled

    def time_set(self) -> float | None:
        """Show a running clock until Enter; the set's length in seconds (None: not timed)."""
        if not self.enabled:
            return None
        self.console.print("Go! Press Enter when you have finished the set.")
        start = time.monotonic()
        with Live(console=self.console, transient=True, refresh_per_second=4) as live:
            while not _stdin_ready(0.25):
                live.update(f"[bold]{_clock(time.monotonic() - start)}[/bold] (Enter when done)")
        elapsed = time.monotonic() - start
        self.console.print(f"Set time {_clock(elapsed)}")
        return elapsed

    def rest(self, seconds: int) -> None:
        """Count the rest down (Enter skips it); unattended runs only say how long."""
        if not self.enabled or seconds <= 0:
            self.console.print(f"Rest about {seconds} s.")
            return
        end = time.monotonic() + seconds
        with Live(console=self.console, transient=True, refresh_per_second=4) as live:
            while (left := end - time.monotonic()) > 0:
                live.update(f"Rest [bold]{_clock(left)}[/bold] (Enter to skip)")
                if _stdin_ready(min(0.25, left)):
                    break
        self.console.print("Rest over.")


def _clock(seconds: float) -> str:
    whole = max(0, round(seconds))
    return f"{whole // 60}:{whole % 60:02d}"


def _has_person(sample: PoseSample) -> bool:
    return sample.pose is not None and bool(np.isfinite(sample.pose.image[:, 0]).any())


def camera_samples(index: int, posture: Posture | None = None) -> Iterator[PoseSample]:
    """Live poses from local camera `index` (OpenCV + the default pose estimator), stamped
    with real capture times; `posture` is the exercise's (see `default_estimator`).
    InputFileError when the camera cannot be opened."""
    import cv2

    from hipcoach.pose.source import default_estimator

    capture = cv2.VideoCapture(index)
    if not capture.isOpened():
        capture.release()
        raise InputFileError(f"camera {index} cannot be opened (is it connected and free?)")
    estimator = default_estimator(posture)
    start = time.monotonic()
    try:
        while time.monotonic() - start < MAX_CAMERA_SET_S:
            ok, bgr = capture.read()
            if not ok:
                raise InputFileError(f"camera {index} stopped sending pictures")
            t = time.monotonic() - start
            rgb = np.ascontiguousarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), dtype=np.uint8)
            yield PoseSample(t=t, pose=estimator.estimate(rgb, t))
    finally:
        capture.release()
        estimator.close()


def _describe(event: Event, target: int) -> str | None:
    if isinstance(event, RepEvent):
        cues = cue_names(event.rep.cues)
        return f"Rep {event.rep.index} of {target}: {event.rep.range_deg:.0f} deg, {cues}"
    if isinstance(event, CueEvent):
        colour = {"info": "green", "warn": "yellow", "stop": "red"}[event.severity]
        return f"  [{colour}]{event.message}[/{colour}]"
    return None


def _once_if_uncertain(
    event: CueEvent, line: str, analyser: SetAnalyser, said: set[str]
) -> str | None:
    """A cue this camera angle sees poorly is said once per set, with the caveat."""
    if event.cue not in analyser.report().view.hard_to_see:
        return line
    if event.cue in said:
        return None
    said.add(event.cue)
    return f"{line} [dim]{UNCERTAIN_CAVEAT}[/dim]"


def watch_set(
    samples: Iterator[PoseSample],
    exercise: Exercise,
    prescription: Prescription,
    source: SetSource,
    prompter: Prompter,
    console: Console,
    stop_on_enter: bool,
) -> SetOutcome:
    """Run the engine over the samples, printing reps and cues as they happen. When the
    engine says `isolation_lost`, offer the stop rule; the set ends on "no", at the end of
    a recording, or (camera) on Enter."""
    analyser = SetAnalyser(exercise, variation=prescription.variation)
    ended_early = False
    said_uncertain: set[str] = set()
    try:
        for sample in samples:
            events = analyser.update(sample.pose if _has_person(sample) else None, sample.t)
            for event in events:
                line = _describe(event, prescription.reps)
                if line and isinstance(event, CueEvent):
                    line = _once_if_uncertain(event, line, analyser, said_uncertain)
                if line:
                    console.print(line)
            lost = any(isinstance(e, CueEvent) and e.cue == "isolation_lost" for e in events)
            if lost and not ask_yes(prompter, STILL_ISOLATING):
                ended_early = True
                break
            if stop_on_enter and _stdin_ready(0):
                break
    finally:
        close = getattr(samples, "close", None)
        if close is not None:
            close()  # a generator: releases the camera or the video file
    analyser.finish()
    report = analyser.report()
    if not report.view.ok and report.view.advice:
        console.print(f"[yellow]Camera:[/yellow] {report.view.advice}")
    holds = [r.hold_s for r in report.reps if r.hold_s > 0]
    return SetOutcome(
        source=source,
        actual_reps=report.rep_count,
        hold_s=sum(holds) / len(holds) if holds else None,
        report=report,
        ended_early=ended_early,
        duration_s=report.duration_s,
    )


def typed_set(prescription: Prescription, prompter: Prompter, pacer: Pacer) -> SetOutcome:
    """No camera: time the set (at a terminal) and ask how many reps (and how long a hold)."""
    duration = pacer.time_set()
    reps = ask_int(
        prompter,
        Question(
            id="set.reps",
            text="How many reps did you do?",
            kind="integer",
            low=0,
            high=500,
            default=prescription.reps,
        ),
    )
    hold = None
    if prescription.hold_s:
        hold = ask_float(
            prompter,
            Question(
                id="set.hold_s",
                text="About how long did you hold each rep (seconds)?",
                kind="number",
                low=0,
                high=120,
                default=prescription.hold_s,
            ),
        )
    return SetOutcome(source="typed", actual_reps=reps, hold_s=hold, duration_s=duration)


def recording_samples(path: Path, posture: Posture | None = None) -> Iterator[PoseSample]:
    """Samples of a video or landmark CSV, played as if it were the camera; `posture` is
    the exercise's (see `default_estimator`)."""
    return open_recording(path).samples(estimator_for(posture))
