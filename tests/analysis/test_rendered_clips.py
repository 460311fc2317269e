"""Pixels in, reps and cues out: BlazePose on rendered clips whose every joint is known.

The clips (../shared/data/rendered, README there) show a CC0 body doing clamshells and
side-lying leg lifts with exact per-frame truth: 4 reps, working side right, the hip
turning 32 deg (15 deg with a 20 deg pelvis roll-back) or the leg lifting 35 deg.
"""

from __future__ import annotations

import json
from pathlib import Path
from statistics import median
from typing import Any

import numpy as np
import pytest
from tests.realdata import OWN_RENDERED_DIR, RENDERED_DIR, require_real

from hipcoach.analysis.events import SetReport
from hipcoach.analysis.offline import analyze_recording, analyze_series
from hipcoach.analysis.view_limits import BEHIND_BLIND
from hipcoach.exercises.catalogue import get_exercise
from hipcoach.pose.landmark_csv import read_landmark_csv

pytestmark = pytest.mark.real

# Camera placements the catalogue recommends (in front; beyond the feet swung 40 deg
# towards the front) and the one it warns against (straight along the body from the feet).
RECOMMENDED = [
    "clam_good_front",
    "clam_good_front_cycles",
    "clam_comp_front",
    "clam_parallel_front",
    "clam_small_front",
    "clam_roll_small_front",
    "clam_good_feet40",
    "clam_comp_feet40",
    "clam_small_feet40",
    "leglift_front",
    "leglift_feet40",
    "clam_tiny8_front",
    "clam_tiny8_feet40",
    "clam_big45_front",
    "leglift15_front",
]
# Made after the engine, as a check on amplitudes it had not seen (tests/fixtures/rendered).
# Known misses, as strict xfails (none now: the seed's "tiny" 8 deg clamshell from the feet
# end swung to the front counted 5 of 6 until the picture counter compared like with like).
NOT_YET: dict[str, str] = {}
# Filmed from behind the person's back (not a catalogue placement; people do it).
FROM_BEHIND = ["clam_back", "leglift_back"]
# Title cards with nobody in view before and after two 5 s holds at the top.
HELD = "leglift_hold_cards"
CLAMSHELLS = [stem for stem in RECOMMENDED if stem.startswith("clam")]
ON_AXIS = ["clam_good_feet", "clam_good_feetfloor"]
CLEAN_FRONT = ["clam_good_front", "clam_good_front_cycles", "clam_parallel_front"]


def _truth(stem: str) -> dict[str, Any]:
    own = OWN_RENDERED_DIR / (stem + ".truth.json")
    path = own if own.exists() else require_real(stem + ".truth.json", RENDERED_DIR)
    truth: dict[str, Any] = json.loads(path.read_text())
    return truth


def _analyse(rendered_landmarks: dict[str, Path], stem: str) -> tuple[SetReport, dict[str, Any]]:
    truth = _truth(stem)
    series = read_landmark_csv(rendered_landmarks[stem])
    exercise = "clamshell" if truth["exercise"] == "clamshell" else "side_lying_leg_lift"
    return analyze_series(series, exercise), truth


@pytest.mark.parametrize("stem", RECOMMENDED)
def test_recommended_placement_finds_the_person(
    rendered_landmarks: dict[str, Path], stem: str
) -> None:
    _truth(stem)
    series = read_landmark_csv(rendered_landmarks[stem])
    found = np.isfinite(series.image[:, :, 0]).any(axis=1)
    assert found.mean() >= 0.95


def _marked(stems: list[str]) -> list[object]:
    return [
        pytest.param(s, marks=pytest.mark.xfail(reason=NOT_YET[s], strict=True))
        if s in NOT_YET
        else s
        for s in stems
    ]


@pytest.mark.parametrize("stem", _marked([*RECOMMENDED, HELD]))
def test_count_side_and_windows(rendered_landmarks: dict[str, Path], stem: str) -> None:
    report, truth = _analyse(rendered_landmarks, stem)
    assert report.rep_count == truth["reps"]
    assert report.side == truth["top_side"]
    assert report.view.ok
    assert "shaking" not in report.set_cues  # the rendered body never shakes
    # Each true rep holds exactly one detected peak.
    for start, end in truth["rep_windows_s"]:
        peaks = [r for r in report.reps if start <= r.peak_s <= end]
        assert len(peaks) == 1, (start, end, [r.peak_s for r in report.reps])


@pytest.mark.parametrize(
    "stem",
    [
        *CLEAN_FRONT,
        "clam_comp_front",
        "leglift_front",
        "leglift_feet40",
        "leglift15_front",
        "clam_small_front",
        "clam_tiny8_front",
        pytest.param(
            "clam_tiny8_feet40",
            marks=pytest.mark.xfail(
                strict=True,
                reason="from the feet end swung to the front the two reps only the picture "
                "saw read 14.8 deg for 8 (the picture's knee radius is taken from the thigh "
                "a right-angled knee has, which this view foreshortens)",
            ),
        ),
    ],
)
def test_range_follows_the_true_rotation(rendered_landmarks: dict[str, Path], stem: str) -> None:
    """The reported range is the hip's own rotation (or the lift), not the angle between the
    thighs (9 deg for a 32 deg turn with stacked knees, before this engine). Small turns
    from the front, which the world landmarks shrink (2.5-5.9 deg for 8-10 deg), take the
    picture's range."""
    report, truth = _analyse(rendered_landmarks, stem)
    measured = median(r.range_deg for r in report.reps)
    assert abs(measured - truth["amp_deg"]) <= 0.35 * truth["amp_deg"], measured


@pytest.mark.parametrize("rolling_stem", ["clam_comp_front", "clam_roll_small_front"])
def test_roll_cue_on_the_rolling_clips_only(
    rendered_landmarks: dict[str, Path], rolling_stem: str
) -> None:
    rolling, _ = _analyse(rendered_landmarks, rolling_stem)
    flagged = [r for r in rolling.reps if "pelvis_rolls_back" in r.cues]
    assert len(flagged) >= 3, [r.measures for r in rolling.reps]
    for stem in CLEAN_FRONT:
        clean, _ = _analyse(rendered_landmarks, stem)
        assert all("pelvis_rolls_back" not in r.cues for r in clean.reps), stem


@pytest.mark.xfail(
    strict=True,
    reason="BlazePose turns the hips with a 45 deg knee turn: the roll measure reads a "
    "still pelvis as rolling, and the range 31 deg, so range_too_big stays silent",
)
def test_a_big_clean_opening_is_called_too_big_not_a_roll(
    rendered_landmarks: dict[str, Path],
) -> None:
    report, _ = _analyse(rendered_landmarks, "clam_big45_front")
    assert all("pelvis_rolls_back" not in r.cues for r in report.reps)
    assert any("range_too_big" in r.cues for r in report.reps)


@pytest.mark.parametrize("stem", ["clam_good_feet40", "clam_comp_feet40", "leglift_feet40"])
def test_feet_end_oblique_does_not_guess_the_roll(
    rendered_landmarks: dict[str, Path], stem: str
) -> None:
    """From the feet end BlazePose drags the hips with the knee as far as a real roll:
    the report says the roll is not judged rather than flag every clean rep."""
    report, _ = _analyse(rendered_landmarks, stem)
    assert "pelvis_rolls_back" in report.view.not_judged
    assert all("pelvis_rolls_back" not in r.cues for r in report.reps)


@pytest.mark.parametrize("stem", CLAMSHELLS)
def test_standard_hip_angle_is_not_flagged(rendered_landmarks: dict[str, Path], stem: str) -> None:
    report, truth = _analyse(rendered_landmarks, stem)
    assert truth["exercise"] == "clamshell"
    assert "wrong_hip_angle" not in report.set_cues


@pytest.mark.parametrize("stem", ON_AXIS)
def test_on_axis_feet_view_says_it_cannot_work(
    rendered_landmarks: dict[str, Path], stem: str
) -> None:
    report, _ = _analyse(rendered_landmarks, stem)
    assert report.rep_count == 0
    assert not report.view.ok
    assert report.notes and "No rep was counted" in report.notes[0]
    assert "in front of you" in report.view.advice  # the catalogue's placement


def test_long_holds_are_one_rep_each(rendered_landmarks: dict[str, Path]) -> None:
    report, truth = _analyse(rendered_landmarks, HELD)
    assert report.rep_count == 2
    assert all(rep.hold_s >= 0.8 * truth["hold_s"] for rep in report.reps)
    assert report.notes == []


def test_the_video_and_its_landmark_file_read_alike(rendered_landmarks: dict[str, Path]) -> None:
    """The landmark file once left out the picture's size, so read back a 16:9 body was
    stretched 1.78 times in height: this tiny front clamshell counted 6 of 6 from the file
    and 1 of 6 from the video itself."""
    from_file, _ = _analyse(rendered_landmarks, "clam_tiny8_front")
    from_video = analyze_recording(OWN_RENDERED_DIR / "clam_tiny8_front.mp4", "clamshell")
    assert from_video.rep_count == from_file.rep_count == 6
    for seen, read in zip(from_video.reps, from_file.reps, strict=True):
        assert seen.range_deg == pytest.approx(read.range_deg, abs=0.3)


@pytest.mark.parametrize("stem", FROM_BEHIND)
def test_from_behind_counts_and_leaves_the_failing_checks_unjudged(
    rendered_landmarks: dict[str, Path], stem: str
) -> None:
    """Filmed from behind the person's back: the reps count, but BlazePose's depth fails
    there (clean renders raised a pelvis roll on every rep, and a 20 deg clamshell read
    38-48 deg): those checks are listed as not judged, never raised, and a note says to
    put the camera in front."""
    report, truth = _analyse(rendered_landmarks, stem)
    assert report.rep_count == truth["reps"]
    assert report.side == truth["top_side"]
    blind = set(BEHIND_BLIND) & {c.id for c in get_exercise(report.exercise).checks}
    assert blind and blind <= set(report.view.not_judged)
    assert not any(set(r.cues) & blind for r in report.reps)
    assert not set(report.set_cues) & blind  # the clamshell's 45 deg set-up read as wrong
    assert any(note.startswith("The camera was behind your back") for note in report.notes)


@pytest.mark.parametrize("stem", RECOMMENDED)
def test_recommended_placements_are_not_taken_for_behind(
    rendered_landmarks: dict[str, Path], stem: str
) -> None:
    report, _ = _analyse(rendered_landmarks, stem)
    assert not any(note.startswith("The camera was behind") for note in report.notes)
    # Of the checks only the view from behind leaves unjudged (the feet-end drag takes the
    # roll and the bottom leg), none is unjudged here.
    only_behind = {"range_too_big", "hips_not_stacked", "wrong_hip_angle"}
    assert only_behind <= set(BEHIND_BLIND)
    assert not only_behind & set(report.view.not_judged)
