"""Recorded input through the same incremental analyser as live capture (a replay)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from hipcoach.analysis.analyser import SetAnalyser
from hipcoach.analysis.events import Event, SetReport
from hipcoach.errors import NoPersonError, TooShortError
from hipcoach.exercises.schema import Exercise
from hipcoach.pose.landmarks import PoseFrame, PoseSeries
from hipcoach.pose.source import EstimatorFactory, PoseSample, estimator_for, open_recording

Progress = Callable[[int, int], None]
MIN_DURATION_S = 1.0
MIN_FRAMES = 8


def _exercise(exercise: Exercise | str) -> Exercise:
    if isinstance(exercise, Exercise):
        return exercise
    from hipcoach.exercises.catalogue import get_exercise

    return get_exercise(exercise)


def replay(
    samples: Iterator[tuple[float, PoseFrame | None]], analyser: SetAnalyser
) -> Iterator[list[Event]]:
    """Feed (time, pose) samples through an analyser, yielding each frame's events."""
    for t, pose in samples:
        yield analyser.update(pose, t)
    yield analyser.finish()


def _check_usable(analyser: SetAnalyser, source: str) -> None:
    report = analyser.view
    if report.frames < MIN_FRAMES or analyser.duration_s < MIN_DURATION_S:
        raise TooShortError(
            f"{source}: too short to contain a repetition "
            f"({report.frames} frames, {analyser.duration_s:.1f} s)"
        )
    if report.with_person == 0:
        raise NoPersonError(f"{source}: no person was found in any frame")


def analyze_series(
    series: PoseSeries,
    exercise_id: Exercise | str,
    variation: str | None = None,
    side: str = "auto",
) -> SetReport:
    """Analyse a whole landmark series; raises TooShortError / NoPersonError on unusable input."""
    analyser = SetAnalyser(_exercise(exercise_id), variation=variation, side=side)
    for _ in replay(((f.t, f if _has_person(f) else None) for f in series.frames()), analyser):
        pass
    _check_usable(analyser, series.source or "the recording")
    return analyser.report()


def _has_person(frame: PoseFrame) -> bool:
    import numpy as np

    return bool(np.isfinite(frame.image[:, 0]).any())


def analyze_samples(
    samples: Iterator[PoseSample],
    exercise: Exercise | str,
    variation: str | None = None,
    side: str = "auto",
    source: str = "the recording",
    on_events: Callable[[PoseSample, list[Event], SetAnalyser], None] | None = None,
) -> SetReport:
    """Analyse a stream of samples (video or landmark file), calling on_events per frame."""
    analyser = SetAnalyser(_exercise(exercise), variation=variation, side=side)
    for sample in samples:
        pose = sample.pose if sample.pose is not None and _has_person(sample.pose) else None
        events = analyser.update(pose, sample.t)
        if on_events is not None:
            on_events(sample, events, analyser)
    analyser.finish()
    _check_usable(analyser, source)
    return analyser.report()


def analyze_recording(
    path: str | Path,
    exercise_id: Exercise | str,
    variation: str | None = None,
    side: str = "auto",
    progress: Progress | None = None,
    estimator_factory: EstimatorFactory | None = None,
) -> SetReport:
    """Analyse a video or a landmark CSV; progress(done, total) is called per frame.
    Videos go through BlazePose set for the exercise's posture (see `estimator_for`)."""
    exercise = _exercise(exercise_id)
    factory = estimator_factory or estimator_for(exercise.posture)
    SetAnalyser(exercise, variation=variation, side=side)  # validate options before decoding
    recording = open_recording(path)
    total = recording.frame_count
    done = 0

    def counted(sample: PoseSample, events: list[Event], analyser: SetAnalyser) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total)

    return analyze_samples(
        recording.samples(factory),
        exercise,
        variation=variation,
        side=side,
        source=str(path),
        on_events=counted,
    )
