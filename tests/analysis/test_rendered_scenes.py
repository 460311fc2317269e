"""Rendered scenes beyond one person exercising alone (README in tests/fixtures/rendered).

- clamshells with a second person in the picture (a trainer kneeling behind, or standing
  fully in view): the right count and side, and the landmarks stay on the person lying down.
  Plain BlazePose follows the standing trainer; the pose stage's person selection by
  posture (`hipcoach.pose.selection`, used for every lying exercise) stays with her;
- a crowded field (people standing and walking, nobody exercising): 0 reps, and a note;
- a still pelvic tilt (lying on the back, knees bent, the pelvis rocking 12 deg): 0 reps for
  every lying exercise in the catalogue, and a note;
- straight-leg raises from the floor (the leg nearer the camera, and the far one), analysed
  as `leg_lower`: every raise counted, on the right side, with a note.
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
from hipcoach.exercises.catalogue import get_exercise, load_catalogue
from hipcoach.exercises.schema import Posture
from hipcoach.pose.landmark_csv import read_landmark_csv
from hipcoach.pose.landmarks import PoseSeries

pytestmark = pytest.mark.real

KNEELING_TRAINER = "clam_trainer_kneel_front"
STANDING_TRAINER = "clam_trainer_stand_wide"
WITH_TRAINER = [KNEELING_TRAINER, STANDING_TRAINER]
CROWD = "crowd_standing_walking"
TILT = "pelvic_tilt_still"
STRAIGHT_LEG_RAISES = ["slr_floor_near_left", "slr_floor_far_right"]
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


def _hip_centre_px(series: PoseSeries, truth: dict[str, Any]) -> np.ndarray:
    hip_centre = (series.point("left_hip") + series.point("right_hip"))[:, :2] / 2
    return np.asarray(hip_centre * np.array(truth["resolution"]))


def test_the_clamshell_is_found_as_a_side_lying_exercise() -> None:
    """The scene fixture selects by the posture `hipcoach analyze -e clamshell` uses."""
    assert get_exercise("clamshell").posture is Posture.side_lying


@pytest.mark.parametrize("stem", WITH_TRAINER)
def test_second_person_count_side_and_windows(
    side_lying_scene_landmarks: dict[str, Path], stem: str
) -> None:
    truth = _truth(stem)
    report = _analyse(side_lying_scene_landmarks, stem, "clamshell")
    assert report.rep_count == truth["reps"], [r.peak_s for r in report.reps]
    assert report.side == truth["top_side"]
    for start, end in truth["rep_windows_s"]:
        peaks = [r for r in report.reps if start <= r.peak_s <= end]
        assert len(peaks) == 1, (start, end, [r.peak_s for r in report.reps])
    # A clean set (no roll, standard 45 deg hips): no cue that should not fire.
    assert all("pelvis_rolls_back" not in r.cues for r in report.reps)
    assert "wrong_hip_angle" not in report.set_cues
    assert "shaking" not in report.set_cues  # the rendered body never shakes
    assert report.notes == []


@pytest.mark.parametrize("stem", WITH_TRAINER)
def test_landmarks_stay_on_the_person_lying_down(
    side_lying_scene_landmarks: dict[str, Path], stem: str
) -> None:
    """In every frame with a person, BlazePose's hip centre lies on the exerciser, never on
    the trainer (true hip centres of both kept in the truth file)."""
    truth = _truth(stem)
    series = _series(side_lying_scene_landmarks, stem)
    assert len(series) == truth["n_frames"]
    hips = _hip_centre_px(series, truth)
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


def test_plain_blazepose_follows_the_standing_trainer(rendered_landmarks: dict[str, Path]) -> None:
    """Without the posture (an estimator that knows no exercise) the standing trainer is
    tracked throughout: the clip still poses the problem the selection solves."""
    truth = _truth(STANDING_TRAINER)
    hips = _hip_centre_px(_series(rendered_landmarks, STANDING_TRAINER), truth)
    other = np.hypot(*(hips - np.array(truth["hip_mid_px"]["trainer"])).T)
    assert np.nanmedian(other) < 10


def test_kneeling_trainer_landmarks_are_unchanged_by_selection(
    rendered_landmarks: dict[str, Path], side_lying_scene_landmarks: dict[str, Path]
) -> None:
    """BlazePose already follows her there, so selection changes no landmark."""
    plain = _series(rendered_landmarks, KNEELING_TRAINER)
    chosen = _series(side_lying_scene_landmarks, KNEELING_TRAINER)
    assert np.array_equal(plain.image, chosen.image, equal_nan=True)


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


@pytest.mark.parametrize("stem", STRAIGHT_LEG_RAISES)
def test_straight_leg_raise_from_the_floor_counts_the_raises(
    rendered_landmarks: dict[str, Path], stem: str
) -> None:
    """A straight-leg raise begun with the leg on the floor, analysed as `leg_lower` (which
    the catalogue starts with the leg upright): every raise is a rep, on the right leg, and
    the report says it counted from the other end."""
    truth = _truth(stem)
    report = _analyse(rendered_landmarks, stem, "leg_lower")
    assert report.rep_count == truth["reps"] >= 3
    assert report.side == truth["working_side"]
    assert any(note.startswith("You started at the other end") for note in report.notes)
    for start, end in truth["rep_windows_s"]:
        assert len([r for r in report.reps if start <= r.peak_s <= end]) == 1


@pytest.mark.parametrize("stem", STRAIGHT_LEG_RAISES)
def test_straight_leg_seen_from_the_side_is_not_called_rolling(
    rendered_landmarks: dict[str, Path], stem: str
) -> None:
    """The rendered legs stay in their plane; BlazePose's depth swings them 17-26 deg out of it
    with each lift, so from the side the roll is not judged (and no rep says it rolled)."""
    report = _analyse(rendered_landmarks, stem, "leg_lower")
    assert "thigh_rotates" in report.view.not_judged
    assert not any("thigh_rotates" in r.cues for r in report.reps)
