"""Where a set's reps come from in `hipcoach session`: the session's state, and a
recording, the camera or typing per exercise.

Not a command group. A bare `--video FILE` fits a session of one exercise; with more,
the person is asked which clip shows each one. A set the camera saw no reps in is typed
in or skipped, never saved as 0 reps done.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console

from hipcoach.cli.prompts_cmd import Prompter
from hipcoach.cli.sets_cmd import (
    Pacer,
    SetOutcome,
    camera_samples,
    recording_samples,
    typed_set,
    watch_set,
)
from hipcoach.errors import InputFileError
from hipcoach.exercises.schema import Exercise
from hipcoach.programme.models import PersonInfo, PlanItem
from hipcoach.programme.questions import Question
from hipcoach.store.database import Database


@dataclass
class Run:
    """Everything one session run needs."""

    db: Database
    person: PersonInfo
    on: dt.date
    prompter: Prompter
    console: Console
    pacer: Pacer
    videos: dict[str, Path] = field(default_factory=dict)
    camera: int | None = None
    session_id: int | None = None
    saved: int = 0
    exercises: int = 1
    typed: set[str] = field(default_factory=set)
    """Exercises the person chose to type in rather than show a clip for."""
    """How many exercises today's session holds (a bare `--video FILE` fits only one)."""


def parse_videos(values: list[str]) -> dict[str, Path]:
    """`--video EXERCISE=FILE` per exercise, or `--video FILE` ('*' key) for a session of
    one exercise; with more, the session asks which clip shows each exercise."""
    videos: dict[str, Path] = {}
    for value in values:
        key, sep, file = value.partition("=")
        if sep and key and not Path(value).exists():
            videos[key.strip()] = Path(file)
        else:
            videos["*"] = Path(value)
    for path in videos.values():
        if not path.is_file():
            raise InputFileError(f"{path}: no such video or landmark file")
    return videos


def video_for(run: Run, exercise: Exercise) -> Path | None:
    """The clip that shows this exercise: mapped with EXERCISE=FILE, the one bare FILE
    when the session has one exercise, else asked (Enter: type the reps in)."""
    if exercise.id in run.videos:
        return run.videos[exercise.id]
    if "*" not in run.videos or exercise.id in run.typed:
        return None
    if run.exercises == 1:
        return run.videos["*"]
    question = Question(
        id=f"video.{exercise.id}",
        text=f"Which recording shows the {exercise.name.lower()}? (a file; Enter = type "
        "the reps in)",
        kind="text",
        default="",
    )
    while True:
        answer = str(run.prompter.ask(question)).strip()
        if not answer:
            run.typed.add(exercise.id)
            return None
        path = Path(answer).expanduser()
        if path.is_file():
            run.videos[exercise.id] = path
            return path
        if run.prompter.unattended:
            raise InputFileError(f"{path}: no such video or landmark file")
        run.console.print(f"[red]{path}: no such file.[/red]")


def ask_unseen_reps(run: Run, outcome: SetOutcome) -> SetOutcome | None:
    """The camera counted nothing: the person types the reps (a typed set) or skips the
    set (None: nothing is saved), rather than a 0 being saved as a set done."""
    question = Question(
        id="set.unseen_reps",
        text="The camera saw no reps: type the reps you did, or skip",
        kind="text",
        default="skip",
    )
    while True:
        answer = str(run.prompter.ask(question)).strip().lower()
        if answer in ("skip", "s"):
            return None
        if answer.isdigit() and int(answer) <= 500:
            return SetOutcome(
                source="typed", actual_reps=int(answer), duration_s=outcome.duration_s
            )
        if run.prompter.unattended:
            raise InputFileError(f"'set.unseen_reps': {answer!r} is not a number of reps or skip")
        run.console.print("[red]Type a whole number of reps, or skip.[/red]")


def run_set(run: Run, exercise: Exercise, item: PlanItem) -> SetOutcome:
    video = video_for(run, exercise)
    if video is not None:
        outcome = watch_set(
            recording_samples(video, exercise.posture),
            exercise,
            item.prescription,
            "video",
            run.prompter,
            run.console,
            stop_on_enter=False,
        )
        if outcome.report is not None and outcome.report.frames_with_person == 0:
            run.console.print(
                "[yellow]Nobody was found in the recording: type the set in.[/yellow]"
            )
            return typed_set(item.prescription, run.prompter, run.pacer)
        return outcome
    if run.camera is not None:
        run.console.print(f"Camera {run.camera} is watching; press Enter to end the set.")
        return watch_set(
            camera_samples(run.camera, exercise.posture),
            exercise,
            item.prescription,
            "camera",
            run.prompter,
            run.console,
            stop_on_enter=True,
        )
    return typed_set(item.prescription, run.prompter, run.pacer)
