"""`hipcoach analyze` (per-rep form check of a video or landmark file) and
`hipcoach landmarks` (extract a landmark CSV from a video)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from hipcoach.analysis.events import CueEvent, Event, RepEvent, SetReport
from hipcoach.cli.errors import one_line_errors
from hipcoach.errors import InputFileError
from hipcoach.programme.vocabulary import cue_name, cue_names

console = Console()


def _progress_bar(enabled: bool) -> Progress:
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} frames"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        disable=not enabled,
        transient=True,
    )


def print_report(report: SetReport) -> None:
    """The per-rep table and the set summary, as a person reads it."""
    table = Table(
        title=f"{report.exercise} ({report.variation or 'no variation'}), "
        f"working side: {report.side or 'unknown'}"
    )
    table.add_column("rep", justify="right")
    table.add_column("time (s)")
    table.add_column("range (deg)", justify="right")
    table.add_column("hold (s)", justify="right")
    table.add_column("cues")
    for rep in report.reps:
        table.add_row(
            str(rep.index),
            f"{rep.start_s:.1f}-{rep.end_s:.1f}",
            f"{rep.range_deg:.0f}",
            f"{rep.hold_s:.1f}",
            cue_names(rep.cues),
        )
    console.print(table)
    console.print(f"Reps: [bold]{report.rep_count}[/bold]")
    for cue in report.set_cues:
        console.print(f"Set: [yellow]{cue_name(cue)}[/yellow]: {report.messages.get(cue, '')}")
    flagged = {c for r in report.reps for c in r.cues}
    for cue in sorted(flagged):
        reps = [str(r.index) for r in report.reps if cue in r.cues]
        console.print(
            f"[yellow]{cue_name(cue)}[/yellow] on rep {', '.join(reps)}: "
            f"{report.messages.get(cue, '')}"
        )
    for note in report.notes:
        console.print(f"[bold]Note:[/bold] {note}")
    if report.view.not_judged:
        names = ", ".join(c.replace("_", " ") for c in report.view.not_judged)
        console.print(
            f"Not judged in this recording (from this camera angle, or with landmarks that"
            f" have no depth, they cannot be told from landmark error): {names}."
            f"{_other_view(report.exercise)}"
        )
    if not report.view.ok:
        console.print(f"[red]Camera:[/red] {report.view.advice}")
    elif report.view.hard_to_see:
        names = ", ".join(cue_name(c) for c in report.view.hard_to_see)
        console.print(
            f"[dim]Less certain from this camera angle (they move towards or away from the"
            f" camera): {names}.{_other_view(report.exercise)}[/dim]"
        )


def _other_view(exercise_id: str) -> str:
    from hipcoach.exercises.catalogue import get_exercise

    alternative = get_exercise(exercise_id).camera.alternative
    return f" Another placement: {alternative}" if alternative else ""


def _latest_cue(events: list[Event], current: str) -> str:
    for event in events:
        if isinstance(event, CueEvent):
            current = event.message
        elif isinstance(event, RepEvent) and not event.rep.cues:
            current = ""
    return current


@one_line_errors
def analyze(
    input_path: Annotated[Path, typer.Argument(help="A video file or a landmark CSV.")],
    exercise: Annotated[str, typer.Option("--exercise", "-e", help="Catalogue id.")],
    variation: Annotated[str | None, typer.Option(help="Variation id (clamshell).")] = None,
    side: Annotated[str, typer.Option(help="Working leg: left, right or auto.")] = "auto",
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the report here.")] = None,
    annotate: Annotated[
        Path | None, typer.Option(help="Write the video with skeleton, reps and cues (MP4).")
    ] = None,
) -> None:
    """Check the form of one set: count reps and say which cue fired on which rep."""
    from hipcoach.analysis.analyser import SetAnalyser
    from hipcoach.analysis.offline import analyze_samples
    from hipcoach.exercises.catalogue import get_exercise
    from hipcoach.pose.overlay import AnnotatedVideoWriter, draw_skeleton, draw_status
    from hipcoach.pose.source import PoseSample, estimator_for, open_recording

    spec = get_exercise(exercise)
    SetAnalyser(spec, variation=variation, side=side)  # reject bad options before decoding
    recording = open_recording(input_path)
    if annotate is not None and not recording.is_video:
        raise InputFileError("--annotate needs a video input, not a landmark file")
    writer = AnnotatedVideoWriter(annotate, recording.fps or 30.0) if annotate else None
    cue_text = ""

    with _progress_bar(recording.is_video) as bar:
        task = bar.add_task("Analysing", total=recording.frame_count or None)

        def on_events(sample: PoseSample, events: list[Event], analyser: SetAnalyser) -> None:
            nonlocal cue_text
            bar.advance(task)
            cue_text = _latest_cue(events, cue_text)
            if writer is not None and sample.video_frame is not None:
                frame = sample.video_frame.bgr.copy()
                if sample.pose is not None:
                    draw_skeleton(frame, sample.pose)
                draw_status(frame, analyser.rep_count, cue_text, analyser.state.value)
                writer.write(frame)

        try:
            report = analyze_samples(
                recording.samples(estimator_for(spec.posture), keep_frames=writer is not None),
                spec,
                variation=variation,
                side=side,
                source=str(input_path),
                on_events=on_events,
            )
        finally:
            if writer is not None:
                writer.close()
    print_report(report)
    if json_out is not None:
        try:
            json_out.write_text(json.dumps(report.model_dump(mode="json"), indent=2) + "\n")
        except OSError as exc:
            raise InputFileError(f"{json_out}: cannot be written ({exc.strerror})") from None
        console.print(f"Report written to {json_out}")


@one_line_errors
def landmarks(
    video: Annotated[Path, typer.Argument(help="A video file.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The landmark CSV to write.")],
) -> None:
    """Run BlazePose on a video and write the landmark interchange CSV."""
    from hipcoach.errors import NoPersonError
    from hipcoach.pose.landmark_csv import LandmarkCsvWriter
    from hipcoach.pose.source import open_recording

    recording = open_recording(video)
    if not recording.is_video:
        raise InputFileError(f"{video}: expected a video, got a landmark file")
    found = 0
    with _progress_bar(True) as bar, LandmarkCsvWriter(output, with_world=True) as writer:
        task = bar.add_task("Extracting", total=recording.frame_count or None)
        for sample in recording.samples():
            writer.write(sample.pose, sample.t)
            found += sample.pose is not None
            bar.advance(task)
    if found == 0:
        output.unlink(missing_ok=True)
        raise NoPersonError(f"{video}: no person was found in any frame")
    console.print(f"Wrote {output} ({found} frames with a person)")


def register(app: typer.Typer) -> None:
    app.command()(analyze)
    app.command()(landmarks)
