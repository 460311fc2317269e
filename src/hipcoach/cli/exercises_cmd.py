"""`hipcoach exercises`: browse the exercise catalogue.

`hipcoach exercises` lists every exercise in a table; `hipcoach exercises show ID` prints
one entry in full. An unknown id prints one line listing the valid ids and exits non-zero.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from hipcoach.cli.errors import one_line_errors
from hipcoach.exercises.catalogue import describe_strength, get_exercise, load_catalogue
from hipcoach.exercises.schema import Catalogue, CheckSpec, Exercise, SelfReport, Unit
from hipcoach.programme.vocabulary import exercise_levels

exercises_app = typer.Typer(
    name="exercises",
    help="Browse the exercises the coach knows: set-up, cues, camera placement, dosage, checks.",
    invoke_without_command=True,
    no_args_is_help=False,
)


def register(app: typer.Typer) -> None:
    """Add the `exercises` command group to the main app."""
    app.add_typer(exercises_app, name="exercises")


@exercises_app.callback()
@one_line_errors
def list_exercises(ctx: typer.Context) -> None:
    """List every exercise (id, name, track, level, camera view, variations)."""
    if ctx.invoked_subcommand is not None:
        return
    console = Console(highlight=False)
    console.print(build_catalogue_table(load_catalogue()))
    console.print("Details of one exercise: hipcoach exercises show ID", markup=False)


@exercises_app.command("show")
@one_line_errors
def show_exercise(
    exercise_id: Annotated[
        str, typer.Argument(metavar="ID", help="An exercise id, e.g. clamshell.")
    ],
) -> None:
    """Print one exercise in full: how to do it, what the camera checks, and the evidence."""
    catalogue = load_catalogue()
    exercise = get_exercise(exercise_id, catalogue)
    print_exercise(Console(highlight=False), exercise, catalogue)


def build_catalogue_table(catalogue: Catalogue) -> Table:
    """A rich table with one row per exercise, in catalogue order."""
    table = Table(title="hipcoach exercises")
    table.add_column("id", no_wrap=True, style="bold")
    table.add_column("name", ratio=2)
    table.add_column("track", overflow="fold", ratio=1)
    table.add_column("level", justify="right")
    table.add_column("camera view", overflow="fold", ratio=1)
    table.add_column("variations", overflow="fold", ratio=1)
    for e in catalogue.exercises:
        table.add_row(
            Text(e.id),
            Text(e.name),
            Text(e.track),
            Text(exercise_levels(e.track, e.id).rsplit(", ", 1)[-1]),
            Text(e.camera.view),
            Text("\n".join(_variation_labels(e)) or "-"),
        )
    return table


def print_exercise(console: Console, exercise: Exercise, catalogue: Catalogue) -> None:
    """Print every part of one catalogue entry, section by section (plain text, no markup)."""
    e = exercise
    console.print(Text(f"{e.name} ({e.id})", style="bold underline"))
    where = exercise_levels(e.track, e.id)
    _line(console, f"{where} (track {e.track}), posture {e.posture.value.replace('_', ' ')}")
    _section(console, "Purpose", [e.purpose])
    _section(console, "Target muscles", e.target_muscles, bullet=True)
    _section(console, "What you should feel", [e.feel])
    if e.avoid_feel:
        _section(console, "What you should not feel", [e.avoid_feel])
    _section(console, "Set-up", e.setup_cues, bullet=True)
    _section(console, "Doing it", e.execution_cues, bullet=True)
    camera = [f"{e.camera.view.replace('_', ' ')} view: {e.camera.instructions}"]
    if e.camera.alternative:
        camera.append(f"or {e.camera.alternative}")
    _section(console, "Camera", camera)
    _section(console, "Dosage", _dosage_lines(e))
    _section(console, "Stop rule", [e.stop_rule])
    _section(console, "Camera checks for each rep", _check_lines(e.checks))
    _section(console, "Checks over the set (all exercises)", _check_lines(catalogue.set_checks))
    if e.self_report:
        lines = [_question_line(q) for q in e.self_report]
        _section(console, "Questions after the set", lines, bullet=True)
    if e.variations:
        _section(console, "Variations", _variation_lines(e), bullet=True)
    _section(console, "Progression", _progression_lines(e, catalogue))
    if e.evidence:
        lines = [f"{n.text} [{describe_strength(n.strength)}]" for n in e.evidence]
        _section(console, "Evidence", lines, bullet=True)


def format_threshold(check: CheckSpec) -> str:
    """A check's threshold with its unit, e.g. `10 deg`, `0.25 x thigh length`, `a ratio of 0.8`."""
    if check.unit is Unit.thigh:
        return f"{check.threshold:g} x thigh length"
    if check.unit is Unit.ratio:
        return f"a ratio of {check.threshold:g}"
    return f"{check.threshold:g} {check.unit.value}"


def _line(console: Console, text: str) -> None:
    # soft_wrap leaves line breaking to the terminal, so ids and numbers never split.
    console.print(Text(text), soft_wrap=True)


def _section(console: Console, title: str, lines: Iterable[str], bullet: bool = False) -> None:
    console.print()
    console.print(Text(title, style="bold"))
    for text in lines:
        _line(console, f"  - {text}" if bullet else f"  {text}")


def _dosage_lines(e: Exercise) -> list[str]:
    d = e.dosage
    parts = [f"{d.reps_min}-{d.reps_max} reps", f"{d.sets_min}-{d.sets_max} sets"]
    if d.hold_s:
        parts.append(f"hold {d.hold_s:g} s")
    parts.append(f"rest {d.rest_s} s")
    lines = [", ".join(parts)]
    if d.notes:
        lines.append(d.notes)
    return lines


def _check_lines(checks: Iterable[CheckSpec]) -> list[str]:
    lines = []
    for c in checks:
        lines.append(f"- {c.id}: threshold {format_threshold(c)} [{describe_strength(c.evidence)}]")
        lines.append(f'    says: "{c.message}"')
        if c.description:
            lines.append(f"    measures: {c.description}")
        lines.append(f"    source: {c.seed_cue}")
    return lines


def _question_line(q: SelfReport) -> str:
    if q.kind == "choice":
        return f"{q.question} (choose: {' / '.join(q.choices)})"
    if q.kind == "scale_0_10":
        return f"{q.question} (0-10)"
    return f"{q.question} (yes / no)"


def _variation_labels(e: Exercise) -> list[str]:
    return [f"{v.id} (default)" if v.id == e.default_variation else v.id for v in e.variations]


def _variation_lines(e: Exercise) -> list[str]:
    lines = []
    for v in e.variations:
        low, high = v.hip_flexion_deg
        default = ", default" if v.id == e.default_variation else ""
        lines.append(
            f"{v.id} ({v.name}{default}): {v.description} Hip flexion {low:g} to {high:g} deg."
        )
    return lines


def _progression_lines(e: Exercise, catalogue: Catalogue) -> list[str]:
    def describe(link: str | None) -> str:
        target = catalogue.get(link) if link else None
        return f"{target.id} ({target.name})" if target else "none"

    lines = [f"next: {describe(e.progression)}", f"easier: {describe(e.regression)}"]
    if e.progression_rule:
        lines.append(e.progression_rule)
    return lines
