"""`hipcoach level`, `history`, `progress`, `export` and `delete-my-data`: reading and
managing what the programme recorded."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from hipcoach.cli.errors import one_line_errors
from hipcoach.cli.prompts_cmd import make_console, parse_day
from hipcoach.cli.start_cmd import DATE_HELP, PERSON_HELP
from hipcoach.errors import InputFileError
from hipcoach.programme import history, people, planner
from hipcoach.programme.models import ProgrammeError
from hipcoach.programme.tracks import find_step, list_steps, parse_track
from hipcoach.programme.vocabulary import (
    exercise_title,
    status_name,
    step_label,
)
from hipcoach.reports.html import summary_lines, write_progress_html
from hipcoach.reports.progress import collect_progress
from hipcoach.store.database import open_database


def _target_step(track_text: str, to: str) -> tuple[str, int]:
    track = parse_track(track_text)
    steps = list_steps(track)
    if to.isdigit():
        return track, int(to) - 1  # levels are counted from 1, as every page shows them
    step = find_step(steps, to) or next((s for s in steps if s.variation == to), None)
    if step is None:
        names = ", ".join(s.variation or s.exercise_id for s in steps)
        raise ProgrammeError(
            f"{to!r} is not a step of {track}; expected a number or one of {names}"
        )
    return track, step.index


@one_line_errors
def level(
    track: Annotated[
        str | None,
        typer.Argument(help="A track to change (psoas, clamshell, side_lying_leg_lift)."),
    ] = None,
    to: Annotated[
        str | None,
        typer.Option(
            "--to",
            help="Move the track to this level (its number, counted from 1, or the "
            "exercise/variation id); never more than one level up.",
        ),
    ] = None,
    off: Annotated[bool, typer.Option("--off", help="Leave the track out of your plan.")] = False,
    yes: Annotated[bool, typer.Option("--yes", help="Confirm the change without asking.")] = False,
    date: Annotated[str | None, typer.Option("--date", help=DATE_HELP)] = None,
    name: Annotated[str | None, typer.Option("--person", help=PERSON_HELP)] = None,
) -> None:
    """Each track's current level and the reason for its last change; or change one."""
    console = make_console()
    on = parse_day(date)
    with open_database() as db:
        person = people.require_person(db, name)
        if track is not None and (to is not None or off):
            if off:
                planner.set_track_active(db, person.id, parse_track(track), False, on)
            else:
                chosen, step = _target_step(track, to or "")
                steps = list_steps(parse_track(chosen))
                label = step_label(steps[step], len(steps)) if 0 <= step < len(steps) else ""
                confirmed = yes or typer.confirm(f"Move to {label}?", default=False)
                planner.set_level(db, person.id, parse_track(chosen), step, on, confirmed)
        elif track is not None:
            raise ProgrammeError("say what to change: --to STEP or --off")
        for lvl in planner.track_levels(db, person.id):
            dose = lvl.prescription.describe() if lvl.active else "[dim]off[/dim]"
            console.print(f"[bold]{lvl.title}[/bold] · {lvl.level} · {dose}", highlight=False)
            console.print(f"  since {lvl.changed_on.isoformat()}: {lvl.reason}", highlight=False)


@one_line_errors
def history_command(
    limit: Annotated[int, typer.Option(help="Show the most recent N sessions.", min=1)] = 30,
    name: Annotated[str | None, typer.Option("--person", help=PERSON_HELP)] = None,
) -> None:
    """A table of your sessions: sets, reps, pain and form."""
    console = make_console()
    with open_database() as db:
        person = people.require_person(db, name)
        mornings = history.morning_pains(db, person.id)
        table = Table(
            title=f"Sessions of {person.name}",
            caption="pain: before the session / worst during / the morning after (0-10); "
            "form: share of camera-watched reps that lost form",
        )
        for column in ("date", "status", "exercises", "sets", "reps", "pain", "lost form"):
            table.add_column(column, overflow="fold")
        for s in history.list_sessions(db, person.id)[-limit:]:
            exercises = (
                ", ".join(dict.fromkeys(exercise_title(x.exercise_id, x.variation) for x in s.sets))
                or "-"
            )
            watched = [x for x in s.sets if x.flagged_reps is not None]
            reps = sum(x.actual_reps for x in watched)
            flagged = f"{sum(x.flagged_reps or 0 for x in watched) / reps:.0%}" if reps else "-"
            pains = "/".join(
                "-" if v is None else str(v)
                for v in (
                    s.pre_pain,
                    max((x.pain for x in s.sets), default=None),
                    mornings.get(s.performed_on),
                )
            )
            done = sum(x.actual_reps for x in s.sets)
            target = sum(x.target_reps for x in s.sets)
            table.add_row(
                s.performed_on.isoformat(),
                status_name(s.status),
                exercises,
                str(len(s.sets)),
                f"{done} of {target}",
                pains,
                flagged,
            )
        console.print(table)


@one_line_errors
def progress(
    html: Annotated[
        Path | None, typer.Option("--html", help="Write an HTML report with plots to this file.")
    ] = None,
    name: Annotated[str | None, typer.Option("--person", help=PERSON_HELP)] = None,
) -> None:
    """How things are going: pain against the meaningful-change band, reps, form, levels, PSFS."""
    console = make_console()
    with open_database() as db:
        person = people.require_person(db, name)
        data = collect_progress(db, person.id)
        for line in summary_lines(data):
            console.print(line)
        for point in data.levels[-5:]:
            console.print(
                f"{point.on.isoformat()} {point.track_title} · {point.level}: {point.dose} "
                f"({point.action})",
                highlight=False,
            )
        if html is not None:
            write_progress_html(data, html)
            console.print(f"Report written to {html}")


class ExportFormat(StrEnum):
    json = "json"
    csv = "csv"


@one_line_errors
def export(
    format: Annotated[
        ExportFormat, typer.Option("--format", help="json: everything; csv: one row per set.")
    ] = ExportFormat.json,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write to this file instead of the screen."),
    ] = None,
    name: Annotated[str | None, typer.Option("--person", help=PERSON_HELP)] = None,
) -> None:
    """Export your records (JSON: everything; CSV: one row per set)."""
    with open_database() as db:
        person = people.require_person(db, name)
        if format is ExportFormat.json:
            text = (
                json.dumps(history.export_person(db, person.id), indent=2, ensure_ascii=False)
                + "\n"
            )
        else:
            text = history.export_sets_csv(db, person.id)
    if output is None:
        typer.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputFileError(f"{output}: cannot be written ({exc.strerror or exc})") from None
    typer.echo(f"Exported to {output}")


@one_line_errors
def delete_my_data(
    yes: Annotated[bool, typer.Option("--yes", help="Delete without asking.")] = False,
    name: Annotated[str | None, typer.Option("--person", help=PERSON_HELP)] = None,
) -> None:
    """Delete everything recorded about you (asks to confirm)."""
    with open_database() as db:
        person = people.require_person(db, name)
        prompt = (
            f"Delete every record of {person.name}: sessions, answers, levels? "
            "This cannot be undone."
        )
        if not (yes or typer.confirm(prompt, default=False)):
            typer.echo("Nothing was deleted.")
            return
        people.delete_person(db, person.id)
        typer.echo(f"Deleted everything recorded about {person.name}.")
