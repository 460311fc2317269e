"""End to end on real footage of real people (not made by this project)."""

from __future__ import annotations

from pathlib import Path

from tests.realdata import real_csv

from hipcoach.analysis.offline import analyze_recording


def test_side_lying_leg_lift_one_rep_left(real_landmarks: dict[str, Path]) -> None:
    report = analyze_recording(
        real_csv(real_landmarks, "side_lying_leg_lift"), "side_lying_leg_lift"
    )
    assert report.rep_count == 1
    assert report.side == "left"
    assert report.view.ok
    rep = report.reps[0]
    assert rep.range_deg > 15  # "a large lift"
    assert 0.0 < rep.start_s < rep.peak_s < rep.end_s < 5.8


def test_heel_slide_one_rep(real_landmarks: dict[str, Path]) -> None:
    report = analyze_recording(real_csv(real_landmarks, "heel_slide"), "heel_slide")
    assert report.rep_count == 1
    assert report.side in ("left", "right")
    assert report.reps[0].range_deg > 45  # the heel travels to the buttock


def test_image_only_landmarks_still_count(real_landmarks: dict[str, Path]) -> None:
    """Landmark files from other pose tools may carry no world coordinates: the analysis
    then works in the image plane and must still find the one rep in each clip."""
    from hipcoach.analysis.offline import analyze_series
    from hipcoach.pose.landmark_csv import read_landmark_csv
    from hipcoach.pose.landmarks import PoseSeries

    for stem in ("side_lying_leg_lift", "heel_slide"):
        full = read_landmark_csv(real_csv(real_landmarks, stem))
        flat = PoseSeries(
            t=full.t, image=full.image, visibility=full.visibility, image_size=(640, 352)
        )
        report = analyze_series(flat, stem)
        assert report.rep_count == 1, stem


def test_banded_clamshell_six_reps_right(real_landmarks: dict[str, Path]) -> None:
    """A woman doing big banded clamshells, knees and feet stacked at rest: the top thigh
    slopes onto the bottom one, so the angle between the thighs is not the rep signal."""
    report = analyze_recording(real_csv(real_landmarks, "clamshell_banded"), "clamshell")
    assert report.rep_count == 6
    assert report.side == "right"
    assert report.view.ok
    # Openings at about 2.4-3.0, 4.6-5.4, 7.0-8.0, 9.2-10.6, 11.8-13.2, 14.4-15.6 s.
    for rep, (start, end) in zip(
        report.reps,
        [(2.4, 3.0), (4.6, 5.4), (7.0, 8.0), (9.2, 10.6), (11.8, 13.2), (14.4, 15.6)],
        strict=True,
    ):
        assert start - 0.6 <= rep.peak_s <= end + 0.6
    assert "range_too_big" in {c for r in report.reps for c in r.cues}  # big openings
    assert "shaking" not in report.set_cues  # six reps of a fresh set
