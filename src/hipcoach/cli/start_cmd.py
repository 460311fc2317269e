"""`hipcoach start`: the safety screen, then onboarding (goals, pain, PSFS, starting steps).

Run again later, it repeats the safety screen and records a doctor's clearance when the
programme is paused. The screen flow here is also what `hipcoach session` runs weekly and
after new leg symptoms.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from hipcoach.cli.errors import one_line_errors
from hipcoach.cli.prompts_cmd import (
    Prompter,
    ask_int,
    ask_text,
    ask_yes,
    make_console,
    make_prompter,
    parse_day,
)
from hipcoach.errors import SafetyStop
from hipcoach.programme import people, planner, screening
from hipcoach.programme.models import PersonInfo, TodayPlan
from hipcoach.programme.onboarding import OnboardingAnswers, PsfsItem, onboard, suggest_tracks
from hipcoach.programme.questions import (
    BASELINE_PAIN,
    CLEARED,
    GOALS,
    Choice,
    Question,
    psfs_activity_question,
    psfs_rating_question,
    red_flag_question,
)
from hipcoach.programme.safety import RED_FLAGS, Outcome, ScreenReason
from hipcoach.programme.tracks import TRACK_TITLES, TRACKS, TrackId, list_steps
from hipcoach.programme.vocabulary import step_label
from hipcoach.store.database import Database, open_database

ANSWERS_HELP = (
    "YAML or JSON file with the answers to every question, for unattended runs "
    "(keys are question ids such as screen.bladder, baseline.pain, set.pain)."
)
DATE_HELP = "The day this counts as (YYYY-MM-DD); default today."
PERSON_HELP = "Whose programme, when several people share the database."


def run_screen(
    db: Database,
    person: PersonInfo,
    on: dt.date,
    reason: ScreenReason,
    prompter: Prompter,
    console: Console,
) -> None:
    """Ask every red-flag question, record the answers and act on the outcome.

    Emergency: SafetyStop after telling the person to get emergency care now. Other flags:
    the person may confirm a doctor's clearance; otherwise SafetyStop (programme paused).
    """
    console.print(
        Panel(
            "A few safety questions first. Answer for how you are now. The app cannot "
            "diagnose anything; these answers only decide whether exercise should wait.",
            title="Safety check",
        )
    )
    answers = {f.id: ask_yes(prompter, red_flag_question(f.id, f.question)) for f in RED_FLAGS}
    result = screening.record_screen(db, person.id, answers, on, reason)
    if result.outcome == Outcome.emergency:
        console.print(Panel(result.message, title="STOP", style="bold white on red"))
        raise SafetyStop("stop exercising and get emergency care now")
    if result.blocked:
        console.print(Panel(result.message, title="See a doctor first", style="yellow"))
        confirm_clearance(db, person, on, prompter, console)
        return
    console.print(result.message)


def confirm_clearance(
    db: Database, person: PersonInfo, on: dt.date, prompter: Prompter, console: Console
) -> None:
    """Ask whether a doctor has cleared the person; record it, or stop with SafetyStop."""
    if not ask_yes(prompter, CLEARED):
        console.print(
            "The programme is paused. When a doctor has seen you and cleared you to "
            "exercise, run `hipcoach start` again and say so."
        )
        raise SafetyStop("the programme is paused until a doctor has cleared you")
    if not screening.record_clearance(db, person.id, on):
        raise SafetyStop("answer the safety questions again first: run `hipcoach start`")
    console.print("Thanks. Noted that a doctor cleared you; the programme can go on.")


def _start_question(track: TrackId, suggested: bool) -> Question:
    steps = list_steps(track)
    choices = [Choice(value="skip", label="leave this track out for now")]
    for step in steps:
        value = step.variation or step.exercise_id
        label = step_label(step, len(steps))
        choices.insert(len(choices) - 1, Choice(value=value, label=label))
    return Question(
        id=f"start.{track}",
        text=f"{TRACK_TITLES[track]}: where do you start?",
        kind="choice",
        choices=tuple(choices),
        default=choices[0].value if suggested else "skip",
    )


def ask_onboarding(prompter: Prompter, console: Console) -> OnboardingAnswers:
    """Goals, usual pain, three PSFS activities with ratings, and a start on each track."""
    answer = prompter.ask(GOALS)
    goals = answer if isinstance(answer, tuple) else (str(answer),)
    baseline = ask_int(prompter, BASELINE_PAIN)
    console.print(
        "Name three everyday activities your back or hips make hard, and rate each "
        "(Patient-Specific Functional Scale)."
    )
    items = []
    for number in (1, 2, 3):
        activity = ask_text(prompter, psfs_activity_question(number)) or f"activity {number}"
        items.append(
            PsfsItem(
                activity=activity, rating=ask_int(prompter, psfs_rating_question(number, activity))
            )
        )
    suggested = suggest_tracks(goals)
    console.print(
        "The coach's advice: start with the first exercise and stay there until you can "
        "feel the muscle working. You may stay on any level as long as you like."
    )
    start_steps: dict[TrackId, int | None] = {}
    for track in TRACKS:
        question = _start_question(track, track in suggested)
        value = prompter.ask(question)
        values = [c.value for c in question.choices]
        start_steps[track] = None if value == "skip" else values.index(str(value))
    return OnboardingAnswers(
        goals=goals, baseline_pain=baseline, psfs=tuple(items), start_steps=start_steps
    )


def print_plan(plan: TodayPlan, console: Console) -> None:
    table = Table(title=f"Plan for {plan.on.isoformat()}")
    table.add_column("level")
    table.add_column("dose")
    table.add_column("why this exercise")
    for item in plan.items:
        table.add_row(item.level, item.prescription.describe(), item.why_track)
    console.print(table)


@one_line_errors
def start(
    answers: Annotated[Path | None, typer.Option(help=ANSWERS_HELP)] = None,
    date: Annotated[str | None, typer.Option("--date", help=DATE_HELP)] = None,
    name: Annotated[str | None, typer.Option("--person", help=PERSON_HELP)] = None,
) -> None:
    """Begin (or re-check): the safety questions, then your goals, pain and starting level."""
    console = make_console()
    on = parse_day(date)
    prompter = make_prompter(answers, console)
    with open_database() as db:
        person = people.find_person(db, name)
        if person is None:
            person = people.create_person(db, name or people.DEFAULT_NAME, on)
            console.print(f"Welcome. Your records are kept on this computer ({db.shown_url}).")
        status = screening.safety_status(db, person.id, on)
        if status.blocked and status.outcome == Outcome.see_doctor:
            console.print(Panel(status.message, title="Programme paused", style="yellow"))
            confirm_clearance(db, person, on, prompter, console)
        elif person.onboarded or status.due is not None or status.outcome == Outcome.emergency:
            reason: ScreenReason = "manual" if person.onboarded else "onboarding"
            run_screen(db, person, on, reason, prompter, console)
        if not person.onboarded:
            onboard(db, person.id, ask_onboarding(prompter, console), on)
        print_plan(planner.today_plan(db, person.id, on), console)
        console.print("Next: [bold]hipcoach session[/bold] whenever you are ready.")
