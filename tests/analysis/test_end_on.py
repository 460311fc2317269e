"""A person lying on the side seen end-on (camera at the feet), from the picture alone.

Landmark files from other pose tools may have no world coordinates. From the feet end the
trunk then points at the camera and looks short, so the trunk's tilt cannot say "lying";
the hip and shoulder lines, plumb and full length, can.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from tests.realdata import real_csv

from hipcoach.analysis.offline import analyze_series
from hipcoach.analysis.view_limits import DRAGGED_BY_THE_KNEE, NEEDS_TRUNK_AXIS
from hipcoach.exercises.catalogue import get_exercise
from hipcoach.features.body import PosePoints, extract_points
from hipcoach.features.measures import looks_end_on_side_lying
from hipcoach.pose.landmark_csv import read_landmark_csv
from hipcoach.pose.landmarks import PoseSeries
from hipcoach.synthetic import NoiseModel, Scenario, generate

WHITE = replace(NoiseModel(), kind="white")


def _end_on_share(series: PoseSeries) -> float:
    seen = [f for f in series.frames() if np.isfinite(f.image[:, :2]).all()]
    hits = [looks_end_on_side_lying(PosePoints(extract_points(f, "image"))) for f in seen]
    return float(np.mean(hits))


@pytest.mark.parametrize(
    ("exercise", "view", "end_on"),
    [
        ("clamshell", "foot_end", True),
        ("side_lying_leg_lift", "foot_end", True),
        ("clamshell", "front", False),
        ("clamshell", "foot_end_oblique", False),
        ("side_lying_leg_lift", "front", False),
        ("standing_knee_lift", "front", False),
        ("standing_knee_lift", "side", False),
        ("heel_slide", "side", False),
    ],
)
def test_end_on_is_told_from_the_picture(exercise: str, view: str, end_on: bool) -> None:
    series, _ = generate(Scenario(exercise, view=view, n_reps=3, seed=5))
    share = _end_on_share(series)
    assert share > 0.95 if end_on else share < 0.02


@pytest.mark.parametrize(
    "stem", ["clamshell_banded", "side_lying_leg_lift", "heel_slide", "pose_squats"]
)
def test_real_people_filmed_from_the_side_or_front_do_not_look_end_on(
    real_landmarks: dict[str, Path], stem: str
) -> None:
    """BlazePose's picture of real people lying (front), lying on the back and squatting."""
    assert _end_on_share(read_landmark_csv(real_csv(real_landmarks, stem))) < 0.02


@pytest.mark.parametrize("exercise", ["clamshell", "side_lying_leg_lift"])
@pytest.mark.parametrize("side", ["left", "right"])
def test_a_side_lying_set_seen_from_the_feet_counts_from_the_picture_alone(
    exercise: str, side: str
) -> None:
    """Once refused as "upright" (0 reps); the checks read against the trunk's direction
    are not judged in the picture alone, and are with world coordinates (but for those
    BlazePose's drag hides from any view along the body, see DRAGGED_BY_THE_KNEE)."""
    scenario = Scenario(
        exercise,
        view="foot_end",
        working_side=side,  # type: ignore[arg-type]
        n_reps=6,
        noise=WHITE,
        with_world=False,
        seed=7,
    )
    series, truth = generate(scenario)
    report = analyze_series(series, exercise, scenario.resolved_variation)
    assert report.rep_count == len(truth.reps) == 6
    assert report.side == side
    assert all(any(r.start_s <= rep.peak_s <= r.end_s for r in truth.reps) for rep in report.reps)
    trunk_checks = {c.id for c in get_exercise(exercise).checks} & NEEDS_TRUNK_AXIS
    assert trunk_checks and trunk_checks <= set(report.view.not_judged)
    with_world, _ = generate(replace(scenario, with_world=True))
    judged = analyze_series(with_world, exercise, scenario.resolved_variation).view.not_judged
    assert not (trunk_checks - DRAGGED_BY_THE_KNEE) & set(judged)
