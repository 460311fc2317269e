"""A set is never a silent 0, and the person doing the exercise is the one followed."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from hipcoach.analysis.offline import analyze_series
from hipcoach.pose.landmarks import PoseSeries
from hipcoach.synthetic.generator import generate
from hipcoach.synthetic.scenario import NoiseModel, Scenario

QUIET = replace(NoiseModel(), dropouts_per_min=0.0, gaps_per_min=0.0)


def _cut(series: PoseSeries, keep: np.ndarray) -> PoseSeries:
    world = None if series.world is None else series.world[keep]
    return replace(
        series,
        t=series.t[keep],
        image=series.image[keep],
        visibility=series.visibility[keep],
        world=world,
    )


def test_a_still_person_gets_zero_reps_and_a_reason() -> None:
    """The body at rest in the start posture for 6 s, with landmark jitter of a few mm."""
    series, truth = generate(Scenario("clamshell", n_reps=3, seed=4, noise=QUIET))
    rest = int(np.searchsorted(series.t, truth.reps[0].start_s))
    n = 180
    rng = np.random.default_rng(0)
    assert series.world is not None
    still = PoseSeries(
        t=np.arange(n) / 30.0,
        image=series.image[rest] + rng.normal(0.0, 0.002, (n, *series.image.shape[1:])),
        visibility=np.repeat(series.visibility[rest][None], n, axis=0),
        world=series.world[rest] + rng.normal(0.0, 0.004, (n, *series.world.shape[1:])),
        image_size=series.image_size,
    )
    report = analyze_series(still, "clamshell")
    assert report.rep_count == 0
    assert report.notes and "barely moved" in report.notes[0]


def test_nobody_settling_in_the_posture_is_explained() -> None:
    # A standing person's knee lifts analysed as a side-lying clamshell: never in posture.
    series, _ = generate(Scenario("standing_knee_lift", n_reps=3, seed=4, noise=QUIET))
    report = analyze_series(series, "clamshell")
    assert report.rep_count == 0
    assert report.notes and "lying on your side" in report.notes[0]


def test_a_pose_hopping_to_someone_standing_makes_no_reps() -> None:
    """MediaPipe follows one person; when it hops to someone standing by (a trainer, a
    partner), those frames are not the exercise's posture and count nothing."""
    clam, truth = generate(Scenario("clamshell", n_reps=6, seed=7, noise=QUIET))
    stand, _ = generate(Scenario("standing_knee_lift", n_reps=6, seed=7, noise=QUIET))
    n = min(len(clam), len(stand))
    hopped = clam.t[:n] > truth.reps[2].end_s + 0.3
    hopped &= clam.t[:n] < truth.reps[5].start_s - 0.3
    mixed = _cut(clam, np.arange(n))
    image, world, vis = mixed.image.copy(), mixed.world.copy(), mixed.visibility.copy()
    image[hopped], vis[hopped] = stand.image[:n][hopped], stand.visibility[:n][hopped]
    assert world is not None and stand.world is not None
    world[hopped] = stand.world[:n][hopped]
    report = analyze_series(replace(mixed, image=image, world=world, visibility=vis), "clamshell")
    hop_start, hop_end = clam.t[:n][hopped][[0, -1]]
    seen = [
        t for t in truth.reps if t.end_s <= clam.t[n - 1] and not hop_start <= t.peak_s <= hop_end
    ]
    assert report.rep_count == len(seen)
    assert report.side == truth.side


def test_someone_upright_in_a_lying_exercise_is_named_in_the_note() -> None:
    """Followed someone standing (a trainer, a passer-by) for a whole clamshell set: the
    note says the person seen was upright, and what to do about it."""
    series, _ = generate(Scenario("standing_knee_lift", n_reps=3, seed=2, noise=QUIET))
    report = analyze_series(series, "clamshell")
    assert report.rep_count == 0
    assert report.notes and "upright" in report.notes[0]
    lying, _ = generate(Scenario("clamshell", n_reps=3, seed=2, noise=QUIET))
    assert all("upright" not in n for n in analyze_series(lying, "clamshell").notes)


def test_image_only_landmarks_that_look_upright_say_what_the_picture_cannot_tell() -> None:
    """Someone upright in a landmark file without world coordinates, analysed as a clamshell:
    the note names the missing 3D coordinates and the camera placement, not only a second
    person. (A side-lying body seen from the feet end is told apart, see test_end_on.)"""
    scenario = Scenario("standing_knee_lift", view="front", n_reps=3, seed=2, with_world=False)
    series, _ = generate(scenario)
    report = analyze_series(series, "clamshell")
    assert report.rep_count == 0
    assert report.notes and "no world (3D) coordinates" in report.notes[0]
    with_world, _ = generate(replace(scenario, with_world=True))
    assert all("3D" not in n for n in analyze_series(with_world, "clamshell").notes)
