"""`hipcoach session`: today's guided session in the terminal.

Order: the morning-after check for the last session, the safety screen when due (weekly,
or at once after new leg symptoms), the weekly PSFS and global rating, the engine's
decisions (a move up a level is asked, never imposed), today's plan, then each exercise:
set-up and camera advice, each set (reps from the camera, a recording or typed in), pain
and "where did you feel it?", rest. Every finished set is committed at once; Ctrl-C keeps
what is done and says so.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from hipcoach.cli.errors import one_line_errors
from hipcoach.cli.prompts_cmd import (
    ask_int,
    ask_yes,
    make_console,
    make_prompter,
    parse_day,
)
from hipcoach.cli.sets_cmd import Pacer, SetOutcome
from hipcoach.cli.sources_cmd import Run, ask_unseen_reps, parse_videos, run_set
from hipcoach.cli.start_cmd import (
    ANSWERS_HELP,
    DATE_HELP,
    PERSON_HELP,
    confirm_clearance,
    print_plan,
    run_screen,
)
from hipcoach.errors import HipcoachError, SafetyStop
from hipcoach.exercises.catalogue import get_exercise
from hipcoach.exercises.schema import Exercise
from hipcoach.programme import people, planner, screening, sessions
from hipcoach.programme.models import PlanItem, ProgrammeError, SetInput
from hipcoach.programme.questions import (
    GROC,
    LEG_SYMPTOMS,
    MORNING_LEG_SYMPTOMS,
    MORNING_PAIN,
    PAIN_NOW,
    SET_PAIN,
    Question,
    felt_question,
    psfs_rating_question,
)
from hipcoach.programme.safety import Outcome
from hipcoach.programme.tracks import TRACK_TITLES, Prescription, TrackId, parse_track
from hipcoach.programme.vocabulary import (
    camera_view,
    exercise_title,
    felt_name,
    status_name,
    target_name,
)
from hipcoach.store.database import open_database

STOP_PAIN_ABOVE = 5
EXTRA_SET = Question(
    id="set.extra",
    text="Feel like one more set? (only if you can still isolate)",
    kind="yes_no",
    default=False,
)


def check_morning(run: Run) -> bool:
    """Ask about the morning after the last session day; True on new leg symptoms."""
    day = sessions.morning_check_due(run.db, run.person.id, run.on)
    if day is None:
        return False
    run.console.print(f"About your last session on {day.isoformat()}:")
    pain = ask_int(run.prompter, MORNING_PAIN)
    legs = ask_yes(run.prompter, MORNING_LEG_SYMPTOMS)
    sessions.record_morning_check(run.db, run.person.id, run.on, day, pain, legs)
    return legs


def check_safety(run: Run, new_leg_symptoms: bool) -> None:
    """Screen again when due; stop (SafetyStop) while the programme is paused."""
    status = screening.safety_status(run.db, run.person.id, run.on, new_leg_symptoms)
    if status.outcome == Outcome.emergency and status.due is None:
        run.console.print(Panel(status.message, title="STOP", style="bold white on red"))
        raise SafetyStop(
            "your last safety check needs emergency care first; afterwards run `hipcoach start`"
        )
    if status.blocked and status.due is None:
        run.console.print(Panel(status.message, title="Programme paused", style="yellow"))
        confirm_clearance(run.db, run.person, run.on, run.prompter, run.console)
    if status.due is not None:
        run_screen(run.db, run.person, run.on, status.due, run.prompter, run.console)
    if screening.check_pain_trend(run.db, run.person.id, run.on):
        status = screening.safety_status(run.db, run.person.id, run.on)
        run.console.print(Panel(status.message, title="See someone first", style="yellow"))
        confirm_clearance(run.db, run.person, run.on, run.prompter, run.console)


def weekly_checkin(run: Run) -> None:
    if not sessions.checkin_due(run.db, run.person.id, run.on):
        return
    run.console.print("Weekly check-in: rate your three activities again.")
    ratings = [
        ask_int(run.prompter, psfs_rating_question(i, activity))
        for i, activity in enumerate(run.person.psfs_activities, start=1)
    ]
    groc = ask_int(run.prompter, GROC)
    sessions.record_checkin(run.db, run.person.id, run.on, ratings, groc)


def review(run: Run) -> None:
    """Apply the engine's decisions; a step up is the person's choice."""
    for decision in planner.review_tracks(run.db, run.person.id, run.on):
        accepted = True
        if decision.needs_confirmation:
            run.console.print(f"[green]{decision.reason}[/green]")
            accepted = ask_yes(
                run.prompter,
                Question(
                    id=f"plan.{decision.track}.move_up",
                    text=f"Move up on the {TRACK_TITLES[decision.after.track]} track today? "
                    "(You may stay as long as you like.)",
                    kind="yes_no",
                    default=True,
                ),
            )
        planner.apply_decision(run.db, run.person.id, decision, run.on, accepted=accepted)


def show_exercise(exercise: Exercise, item: PlanItem, console: Console) -> None:
    variation = exercise.variation(item.prescription.variation)
    setup = [*exercise.setup_cues, *(variation.setup_cues if variation else ())]
    lines = [
        exercise.purpose,
        "",
        "[bold]Set-up[/bold]",
        *(f"- {c}" for c in setup),
        "[bold]Doing it[/bold]",
        *(f"- {c}" for c in exercise.execution_cues),
        f"[bold]Camera[/bold] ({camera_view(exercise.camera.view)}): "
        f"{exercise.camera.instructions}",
        f"[bold]You should feel[/bold]: {exercise.feel}",
        f"[bold]Stop[/bold]: {exercise.stop_rule}",
        "",
        f"[bold]Why this exercise[/bold]: {item.why_track}",
        f"[bold]Moving on[/bold]: {item.gate}",
        f"[bold]Why this dose[/bold]: {item.why_dose} {exercise.dosage.notes}",
    ]
    if item.reason:
        lines.append(f"[bold]Last decision[/bold]: {item.reason}")
    title = f"{item.level} · {item.prescription.describe()}"
    console.print(Panel("\n".join(lines), title=title, title_align="left"))


def save_finished_set(
    run: Run, exercise: Exercise, rx: Prescription, index: int, outcome: SetOutcome
) -> SetInput:
    """Ask pain, where it was felt and (with pain) leg symptoms; commit the set at once."""
    pain = ask_int(run.prompter, SET_PAIN)
    felt = str(run.prompter.ask(felt_question(target_name(exercise.target_muscles))))
    legs = ask_yes(run.prompter, LEG_SYMPTOMS) if pain > 0 else False
    report = outcome.report
    item = SetInput(
        track=rx.track,
        exercise_id=rx.exercise_id,
        variation=rx.variation,
        set_index=index,
        source=outcome.source,
        target_reps=rx.reps,
        actual_reps=outcome.actual_reps,
        target_hold_s=rx.hold_s,
        hold_s=outcome.hold_s,
        pain=pain,
        felt=felt,
        leg_symptoms=legs,
        ended_early=outcome.ended_early,
        duration_s=outcome.duration_s,
        side=report.side if report else None,
        reps=tuple(report.reps) if report else (),
        set_cues=tuple(report.set_cues) if report else (),
        report=report,
    )
    sessions.save_set(run.db, run.session_id or 0, item)
    run.saved += 1
    run.console.print(
        f"[dim]Set {index} of {rx.sets} saved: {item.actual_reps} of {rx.reps} reps.[/dim]"
    )
    return item


def do_exercise(run: Run, item: PlanItem, done: int = 0) -> bool:
    """The sets of one plan item after the `done` ones already saved today. False when the
    session must stop (new leg symptoms)."""
    exercise = get_exercise(item.prescription.exercise_id)
    show_exercise(exercise, item, run.console)
    rx = item.prescription
    index = done
    while True:
        index += 1
        name = f"Set {index} of {rx.sets}" if index <= rx.sets else f"Extra set {index}"
        hold = f", hold {rx.hold_s:g} s" if rx.hold_s else ""
        run.console.print(f"[bold]{name}: {rx.reps} reps{hold}[/bold]")
        outcome = run_set(run, exercise, item)
        run.console.print(f"Reps: [bold]{outcome.actual_reps}[/bold] of {rx.reps}")
        if outcome.source != "typed" and outcome.actual_reps == 0:
            checked = ask_unseen_reps(run, outcome)
            if checked is None:
                run.console.print("Set skipped: nothing saved.")
                if index >= rx.sets:
                    return True
                continue
            outcome = checked
        saved = save_finished_set(run, exercise, rx, index, outcome)
        if saved.leg_symptoms:
            run.console.print(
                "[red]Pain shooting into the leg or new numbness: stop for today.[/red] "
                "The safety questions follow."
            )
            return False
        if saved.pain > STOP_PAIN_ABOVE:
            run.console.print(
                "[yellow]Pain above 5/10: that's enough of this exercise today.[/yellow]"
            )
            return True
        last = index >= rx.sets
        if last and (index >= exercise.dosage.sets_max or not ask_yes(run.prompter, EXTRA_SET)):
            return True
        run.pacer.rest(item.rest_s)


def print_summary(run: Run) -> None:
    info = sessions.get_session(run.db, run.session_id or 0)
    table = Table(title=f"Session {info.performed_on.isoformat()}: {status_name(info.status)}")
    for column in ("exercise", "set", "reps", "pain", "felt in", "reps that lost form"):
        table.add_column(column)
    for s in info.sets:
        flagged = "not watched" if s.flagged_reps is None else str(s.flagged_reps)
        table.add_row(
            exercise_title(s.exercise_id, s.variation),
            str(s.set_index),
            f"{s.actual_reps} of {s.target_reps}",
            str(s.pain),
            felt_name(s.felt),
            flagged,
        )
    run.console.print(table)


def run_session(run: Run, only: set[TrackId]) -> None:
    stale = sessions.close_stale_sessions(run.db, run.person.id, before=run.on)
    if stale:
        run.console.print("Your last session was interrupted; its finished sets are kept.")
    legs = check_morning(run)
    check_safety(run, legs)
    weekly_checkin(run)
    review(run)
    plan = planner.today_plan(run.db, run.person.id, run.on)
    items = [i for i in plan.items if not only or i.track in only]
    if not items:
        raise ProgrammeError("nothing to do: no active track matches (see `hipcoach level`)")
    print_plan(plan.model_copy(update={"items": tuple(items)}), run.console)
    run.exercises = len(items)
    today = sessions.todays_session(run.db, run.person.id, run.on)
    pre_pain = ask_int(run.prompter, PAIN_NOW) if today is None else None
    session = sessions.start_session(run.db, run.person.id, run.on, pre_pain, plan)
    run.session_id = session.id
    done = sessions.sets_done_by_track(session)
    if today is not None:
        run.console.print(
            f"Continuing today's session ({status_name(today.status)}, "
            f"{len(today.sets)} set(s) saved, in the web app or here)."
        )
    for item in items:
        if done.get(item.track, 0) >= item.prescription.sets:
            run.console.print(
                f"{item.title}: {done[item.track]} of {item.prescription.sets} set(s) "
                "already done today."
            )
            continue
        if not do_exercise(run, item, done.get(item.track, 0)):
            sessions.finish_session(run.db, run.session_id, "interrupted")
            run_screen(run.db, run.person, run.on, "leg_symptoms", run.prompter, run.console)
            return
    sessions.finish_session(run.db, run.session_id, "completed")
    print_summary(run)
    run.console.print(
        "Well done. Tomorrow morning, notice how your back and hips feel: the next "
        "session starts by asking."
    )


def close_interrupted(run: Run) -> None:
    """Mark an open session interrupted (its finished sets stay) and say what was kept."""
    if run.session_id is None:
        return
    try:
        if sessions.get_session(run.db, run.session_id).status == "in_progress":
            sessions.finish_session(run.db, run.session_id, "interrupted")
    except HipcoachError:
        pass  # the database itself failed; the next start marks the session interrupted
    run.console.print(f"Stopped. {run.saved} finished set(s) of this session are kept.")


@one_line_errors
def session(
    answers: Annotated[Path | None, typer.Option(help=ANSWERS_HELP)] = None,
    date: Annotated[str | None, typer.Option("--date", help=DATE_HELP)] = None,
    camera: Annotated[
        int | None, typer.Option(help="Watch the sets with local camera N (0 = the first).")
    ] = None,
    video: Annotated[
        list[str] | None,
        typer.Option(
            help="Use a recorded video or landmark CSV as the camera: EXERCISE=FILE for "
            "each exercise (repeatable), or FILE when today has one exercise; otherwise "
            "the session asks which clip shows each exercise."
        ),
    ] = None,
    only: Annotated[
        list[str] | None,
        typer.Option(
            help="Only this track today (psoas, clamshell, side_lying_leg_lift); repeatable."
        ),
    ] = None,
    no_timers: Annotated[
        bool, typer.Option("--no-timers", help="Don't run the set timer and rest countdown.")
    ] = False,
    name: Annotated[str | None, typer.Option("--person", help=PERSON_HELP)] = None,
) -> None:
    """Today's guided session: plan, set-up, sets with timers, pain after each set.

    Unattended runs: --answers FILE answers every question, and --date YYYY-MM-DD sets
    the day it counts as. The file is YAML or JSON; keys are question ids, nested mappings
    join with dots, a list answers a repeated question in turn, a single value every time,
    and questions with a default may be left out. Ids: morning.pain, morning.leg_symptoms,
    screen.FLAG (or screen.* for all), clearance.confirmed, psfs.rating_1..3, weekly.groc,
    plan.TRACK.move_up, session.pain_now, video.EXERCISE, set.reps, set.hold_s,
    set.unseen_reps, set.pain, set.felt, set.leg_symptoms, set.still_isolating, set.extra.
    """
    console = make_console()
    on = parse_day(date)
    prompter = make_prompter(answers, console)
    videos = parse_videos(video or [])
    tracks = {parse_track(t) for t in only or []}
    # Timers need a person at a terminal: piped input would be eaten by the Enter checks.
    timed = not prompter.unattended and not no_timers and sys.stdin.isatty()
    pacer = Pacer(console, enabled=timed)
    with open_database() as db:
        person = people.require_person(db, name)
        run = Run(db, person, on, prompter, console, pacer, videos=videos, camera=camera)
        try:
            if not run.person.onboarded:
                raise ProgrammeError("onboarding is not finished: run `hipcoach start`")
            run_session(run, tracks)
        except BaseException as exc:
            close_interrupted(run)
            if isinstance(exc, KeyboardInterrupt):
                raise typer.Exit(130) from None
            raise
