"""Rendered scenes beyond one person exercising alone (README in tests/fixtures/rendered).

- clamshells with a second person in the picture (a trainer kneeling behind, or standing
  fully in view): the right count and side, and the landmarks stay on the person lying down
  (the standing trainer is a known failure: BlazePose follows him);
- a crowded field (people standing and walking, nobody exercising): 0 reps, and a note;
- a still pelvic tilt (lying on the back, knees bent, the pelvis rocking 12 deg): 0 reps for
  every lying exercise in the catalogue, and a note.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from tests.realdata import OWN_RENDERED_DIR

from hipcoach.analysis.events import SetReport
from hipcoach.analysis.offline import analyze_series
from hipcoach.exercises.catalogue import load_catalogue
from hipcoach.exercises.schema import Posture
from hipcoach.pose.landmark_csv import read_landmark_csv
from hipcoach.pose.landmarks import PoseSeries

pytestmark = pytest.mark.real

KNEELING_TRAINER = "clam_trainer_kneel_front"
STANDING_TRAINER = "clam_trainer_stand_wide"
# BlazePose's single-person tracker picks the standing trainer (face, whole body upright) in
# every frame and never the woman lying down: the analyser sees a standing person and counts 0.
FOLLOWS_THE_STANDING_ONE = pytest.mark.xfail(
    strict=True,
    reason="BlazePose (one person, tracking mode) follows the standing trainer in all 150 "
    "frames (2.3 px from his joints, 106 px from hers): 0 reps for 4; the pose stage has "
    "no person selection",
)
WITH_TRAINER = [
    KNEELING_TRAINER,
    pytest.param(STANDING_TRAINER, marks=FOLLOWS_THE_STANDING_ONE),
]
CROWD = "crowd_standing_walking"
TILT = "pelvic_tilt_still"
LYING = [
    e.id for e in load_catalogue().exercises if e.posture in (Posture.side_lying, Posture.supine)
]


def _truth(stem: str) -> dict[str, Any]:
    truth: dict[str, Any] = json.loads((OWN_RENDERED_DIR / f"{stem}.truth.json").read_text())
    return truth


def _series(rendered_landmarks: dict[str, Path], stem: str) -> PoseSeries:
    return read_landmark_csv(rendered_landmarks[stem])


def _analyse(rendered_landmarks: dict[str, Path], stem: str, exercise: str) -> SetReport:
    return analyze_series(_series(rendered_landmarks, stem), exercise)


@pytest.mark.parametrize("stem", WITH_TRAINER)
def test_second_person_count_side_and_windows(
    rendered_landmarks: dict[str, Path], stem: str
) -> None:
    truth = _truth(stem)
    report = _analyse(rendered_landmarks, stem, "clamshell")
    assert report.rep_count == truth["reps"], [r.peak_s for r in report.reps]
    assert report.side == truth["top_side"]
    for start, end in truth["rep_windows_s"]:
        peaks = [r for r in report.reps if start <= r.peak_s <= end]
        assert len(peaks) == 1, (start, end, [r.peak_s for r in report.reps])
    # A clean set (no roll, standard 45 deg hips): no cue that should not fire.
    assert all("pelvis_rolls_back" not in r.cues for r in report.reps)
    assert "wrong_hip_angle" not in report.set_cues
    assert report.notes == []


@pytest.mark.parametrize("stem", WITH_TRAINER)
def test_landmarks_stay_on_the_person_lying_down(
    rendered_landmarks: dict[str, Path], stem: str
) -> None:
    """In every frame with a person, BlazePose's hip centre lies on the exerciser, never on
    the trainer (true hip centres of both kept in the truth file)."""
    truth = _truth(stem)
    series = _series(rendered_landmarks, stem)
    assert len(series) == truth["n_frames"]
    hip_centre = (series.point("left_hip") + series.point("right_hip"))[:, :2] / 2
    hips = hip_centre * np.array(truth["resolution"])
    found = np.isfinite(hips[:, 0])
    assert found.mean() >= 0.95
    own = np.hypot(*(hips - np.array(truth["hip_mid_px"]["exerciser"])).T)
    other = np.hypot(*(hips - np.array(truth["hip_mid_px"]["trainer"])).T)
    assert (own[found] < other[found]).all(), np.flatnonzero(found & (own >= other))
    # Within a sixth of the hip-to-hip distance between the two people, at worst.
    gap = np.median(
        np.hypot(
            *(
                np.array(truth["hip_mid_px"]["exerciser"])
                - np.array(truth["hip_mid_px"]["trainer"])
            ).T
        )
    )
    assert np.nanmax(own) < gap / 6, (np.nanmax(own), gap)


@pytest.mark.parametrize("exercise", ["clamshell", "side_lying_leg_lift"])
def test_crowded_field_counts_nothing_and_says_why(
    rendered_landmarks: dict[str, Path], exercise: str
) -> None:
    report = _analyse(rendered_landmarks, CROWD, exercise)
    assert _truth(CROWD)["reps"] == 0
    assert report.rep_count == 0 and report.reps == []
    assert report.notes and report.notes[0].startswith("No rep was counted")


@pytest.mark.parametrize("exercise", LYING)
def test_still_pelvic_tilt_is_not_a_rep(rendered_landmarks: dict[str, Path], exercise: str) -> None:
    truth = _truth(TILT)
    series = _series(rendered_landmarks, TILT)
    assert series.detected.mean() >= 0.95
    report = analyze_series(series, exercise)
    assert truth["reps"] == 0 and truth["tilts"] >= 4
    assert report.rep_count == 0, [(r.peak_s, r.range_deg) for r in report.reps]
    assert report.notes and report.notes[0].startswith("No rep was counted")


def test_the_lying_exercises_are_all_covered() -> None:
    """The tilt test runs every lying exercise of the catalogue (both postures present)."""
    assert {"clamshell", "side_lying_leg_lift", "heel_slide", "leg_lower"} <= set(LYING)
