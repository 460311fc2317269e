"""The generated series as the engine sees it: times, framing, visibility, noise, gaps,
determinism, and the shape of the ground truth."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from hipcoach.errors import HipcoachError
from hipcoach.pose.landmarks import N_LANDMARKS, PoseSeries, landmark_index, landmark_indices
from hipcoach.synthetic import NoiseModel, Scenario, ScenarioError, generate
from hipcoach.synthetic.noise import LEG_JOINTS
from hipcoach.synthetic.specs import SPECS

EXACT = NoiseModel.none()
ALL_VIEWS = [
    (spec.id, view, side)
    for spec in SPECS.values()
    for view in spec.views
    for side in ("left", "right")
]


def test_timestamps_increase_irregularly_with_jitter_and_regularly_without() -> None:
    jittered, truth = generate(Scenario("heel_slide", n_reps=4, seed=5))
    steps = np.diff(jittered.t)
    assert np.all(steps > 0)
    assert steps.std() > 0.05 / 30.0
    assert steps.max() > 1.5 / 30.0  # at least one dropped frame in a clip this long
    assert jittered.t[0] == 0.0 and jittered.t[-1] <= truth.duration_s
    regular, _ = generate(Scenario("heel_slide", n_reps=4, seed=5, jitter_fps=False, fps=25.0))
    np.testing.assert_allclose(np.diff(regular.t), 1 / 25.0)


def test_the_same_seed_gives_the_same_series_and_another_seed_does_not() -> None:
    scenario = Scenario("clamshell", n_reps=4, compensations={"feet_apart": [2]}, seed=42)
    a, truth_a = generate(scenario)
    b, truth_b = generate(scenario)
    np.testing.assert_array_equal(a.image, b.image)
    np.testing.assert_array_equal(a.world, b.world)  # type: ignore[arg-type]
    np.testing.assert_array_equal(a.visibility, b.visibility)
    assert replace(truth_a, excursion_deg=()) == replace(truth_b, excursion_deg=())
    np.testing.assert_array_equal(truth_a.excursion_deg, truth_b.excursion_deg)
    c, _ = generate(replace(scenario, seed=43))
    assert len(c) != len(a) or not np.allclose(c.image, a.image, equal_nan=True)


@pytest.mark.parametrize(("exercise", "view", "side"), ALL_VIEWS)
def test_every_view_and_side_shows_all_33_landmarks_inside_the_image(
    exercise: str, view: str, side: str
) -> None:
    series, truth = generate(
        Scenario(exercise, view=view, working_side=side, n_reps=3, noise=EXACT, seed=2)
    )  # type: ignore[arg-type]
    assert series.image.shape[1:] == (N_LANDMARKS, 3)
    assert np.isfinite(series.image).all() and np.isfinite(series.world).all()  # type: ignore[arg-type]
    assert series.image[..., :2].min() > 0.0 and series.image[..., :2].max() < 1.0
    hands = landmark_indices(
        [f"{s}_{p}" for s in ("left", "right") for p in ("wrist", "pinky", "index", "thumb")]
    )
    body = np.delete(series.visibility, hands, axis=1)
    assert body.min() >= 0.35 and series.visibility.min() > 0.0
    assert truth.side == side and truth.countable
    width, height = series.image_size  # type: ignore[misc]
    assert (width > height) == (SPECS[exercise].posture != "standing")


def test_the_far_limbs_are_seen_with_lower_visibility_but_the_hips_are_not() -> None:
    # as BlazePose does on the real side-view heel slide in shared/data/real
    steady = replace(NoiseModel(), dropouts_per_min=0.0, gaps_per_min=0.0)
    series, _ = generate(Scenario("heel_slide", view="side", n_reps=3, seed=4, noise=steady))
    near = series.visibility[:, landmark_indices(["left_knee", "left_ankle", "left_shoulder"])]
    far_leg = series.visibility[:, landmark_indices(["right_knee", "right_ankle", "right_heel"])]
    hips = series.visibility[:, landmark_indices(["left_hip", "right_hip"])]
    assert near.min() > 0.9
    assert 0.35 <= far_leg.min() <= 0.9  # while the near leg covers it
    assert hips.min() > 0.9


def _noise_pair(noise: NoiseModel, fps: float = 30.0) -> tuple[PoseSeries, PoseSeries]:
    """A noisy set and the same set exact (same body motion, same camera)."""
    scenario = Scenario(
        "heel_slide",  # seen from the side: the far leg is covered by the near one
        view="side",
        n_reps=6,
        seed=9,
        fps=fps,
        jitter_fps=False,
        noise=replace(noise, dropouts_per_min=0, gaps_per_min=0),
    )
    noisy, _ = generate(scenario)
    steady = replace(EXACT, sway_deg=noise.sway_deg, amplitude_jitter=noise.amplitude_jitter)
    exact, _ = generate(replace(scenario, noise=steady))
    return noisy, exact


def _image_error(noisy: PoseSeries, exact: PoseSeries, names: list[str]) -> np.ndarray:
    """(time, joint, 2) image error in fractions of the exact image thigh length."""
    size = np.array(exact.image_size, dtype=float)
    px = exact.image[..., :2] * size
    thigh = np.median(
        np.linalg.norm(
            px[:, landmark_index("left_knee")] - px[:, landmark_index("left_hip")], axis=1
        )
    )
    idx = landmark_indices(names)
    return (noisy.image[:, idx, :2] - exact.image[:, idx, :2]) * size / thigh


def _lag_correlation(err: np.ndarray, lag: int) -> float:
    flat = err - err.mean(axis=0)
    return float(np.sum(flat[lag:] * flat[:-lag]) / np.sum(flat * flat))


LEG = ["left_knee", "left_ankle", "right_knee", "right_ankle"]


def test_blazepose_noise_has_the_size_and_smoothness_measured_on_real_clips() -> None:
    """docs/synthetic-body.md: visible leg joints 1-3.7 % of a thigh in the image, hips
    under 1 %, world 0.1-1.5 cm; autocorrelation ~0.5-0.9 at 1 frame, ~0.3-0.5 at 5."""
    noisy, exact = _noise_pair(NoiseModel())
    vis = noisy.visibility[:, landmark_indices(LEG)]
    err = _image_error(noisy, exact, LEG)
    seen = err[vis > 0.9]
    assert 0.01 <= np.sqrt(np.mean(seen**2)) <= 0.03
    hips = _image_error(noisy, exact, ["left_hip"])  # the near hip; the far one is covered
    assert np.sqrt(np.mean(hips**2)) < 0.01
    assert 0.75 <= _lag_correlation(err, 1) <= 0.95
    assert 0.3 <= _lag_correlation(err, 5) <= 0.6
    world = (noisy.world - exact.world)[:, landmark_indices(LEG), :2] * 100.0  # type: ignore[operator]
    assert 0.2 <= np.sqrt(np.mean(world[vis > 0.9] ** 2)) <= 0.8
    covered = err[vis <= 0.9]
    assert covered.size and np.sqrt(np.mean(covered**2)) > 2.0 * np.sqrt(np.mean(seen**2))


def test_white_noise_is_as_big_but_independent_from_frame_to_frame() -> None:
    noisy, exact = _noise_pair(NoiseModel.white())
    vis = noisy.visibility[:, landmark_indices(LEG)]
    err = _image_error(noisy, exact, LEG)
    assert 0.01 <= np.sqrt(np.mean(err[vis > 0.9] ** 2)) <= 0.03
    assert abs(_lag_correlation(err, 1)) < 0.1
    assert noisy.meta["noise"] == "white"


def test_the_noise_is_correlated_over_the_same_time_at_15_fps() -> None:
    fast, fast_exact = _noise_pair(NoiseModel(), fps=30.0)
    slow, slow_exact = _noise_pair(NoiseModel(), fps=15.0)
    at_30 = _lag_correlation(_image_error(fast, fast_exact, LEG), 4)
    at_15 = _lag_correlation(_image_error(slow, slow_exact, LEG), 2)
    assert at_15 == pytest.approx(at_30, abs=0.1)


def test_frames_without_a_person_are_nan_with_zero_visibility() -> None:
    many_gaps = replace(NoiseModel(), gaps_per_min=30.0)
    series, _ = generate(Scenario("clamshell", n_reps=6, noise=many_gaps, seed=1))
    empty = ~series.detected
    assert 0 < empty.sum() < 0.5 * len(series)
    assert np.all(series.visibility[empty] == 0.0)
    assert np.isnan(series.world[empty]).all()  # type: ignore[index]
    assert np.isfinite(series.image[~empty]).all()


def test_dropouts_make_a_few_landmarks_jump_with_low_visibility() -> None:
    noise = replace(NoiseModel(), dropouts_per_min=30.0, gaps_per_min=0.0)
    series, _ = generate(Scenario("clamshell", n_reps=6, noise=noise, seed=1))
    clean, _ = generate(
        Scenario("clamshell", n_reps=6, noise=replace(noise, dropouts_per_min=0.0), seed=1)
    )
    low = (series.visibility < 0.3) & ~(clean.visibility < 0.3)
    assert low.any()
    assert (low.sum(axis=1) <= 10).all()  # a few landmarks (two runs may overlap)
    assert low.sum(axis=1).mean() < 2
    jump = np.linalg.norm(series.image[low][:, :2] - clean.image[low][:, :2], axis=1)
    assert np.median(jump) > 0.02


@pytest.mark.parametrize("seed", range(6))
def test_an_incomplete_view_hides_the_legs_for_most_of_the_clip(seed: int) -> None:
    exercise = list(SPECS)[seed % len(SPECS)]
    series, truth = generate(
        Scenario(exercise, n_reps=6, set_faults=("view_incomplete",), seed=seed)
    )
    assert not truth.countable
    assert "view_incomplete" in truth.set_cues
    legs = series.visibility[:, landmark_indices(LEG_JOINTS)]
    hidden = (legs < 0.2).all(axis=1)
    assert hidden.mean() >= 0.7
    assert series.meta["legs_hidden"] in ("cropped", "covered")


def test_incomplete_views_are_made_both_ways_across_seeds() -> None:
    ways = {
        generate(Scenario("clamshell", n_reps=2, set_faults=("view_incomplete",), seed=s))[0].meta[
            "legs_hidden"
        ]
        for s in range(12)
    }
    assert ways == {"cropped", "covered"}


def test_truth_reps_are_ordered_and_start_after_settling() -> None:
    series, truth = generate(Scenario("supine_knee_lift", n_reps=7, hold_s=5.0, seed=3))
    assert [r.index for r in truth.reps] == list(range(1, 8))
    assert truth.reps[0].start_s >= truth.settle_end_s
    for rep in truth.reps:
        assert rep.start_s < rep.peak_s < rep.end_s <= series.t[-1] + 1e-9
    for prev, nxt in zip(truth.reps, truth.reps[1:], strict=False):
        assert nxt.start_s > prev.end_s


def test_fast_and_slow_reps_have_the_asked_durations() -> None:
    for span in ((0.8, 1.1), (7.0, 10.0)):
        _, truth = generate(Scenario("heel_slide", n_reps=4, rep_duration_s=span, seed=8))
        for rep in truth.reps:
            assert span[0] - 1e-9 <= rep.end_s - rep.start_s <= span[1] + 1e-9


def test_holds_shorter_than_the_target_beyond_doubt_are_all_too_short() -> None:
    _, truth = generate(Scenario("standing_knee_lift", n_reps=4, hold_s=1.0, seed=3))
    assert all("hold_too_short" in r.cues for r in truth.reps)
    _, truth = generate(Scenario("standing_knee_lift", n_reps=4, hold_s=6.0, seed=3))
    assert not any(r.cues for r in truth.reps)


@pytest.mark.parametrize(
    ("exercise", "comps", "implied"),
    [
        ("clamshell", {"feet_apart": [6, 8]}, True),  # two of reps 6-8 after clean reps
        ("clamshell", {"feet_apart": [2, 4]}, True),  # two of reps 2-4 after a clean rep 1
        ("clamshell", {"feet_apart": [2, 8], "bottom_leg_moves": [5]}, False),
        ("clamshell", {"range_too_big": [2, 3]}, True),  # normal reps later look collapsed
        ("clamshell", {"range_too_big": [5]}, False),
        ("standing_knee_lift", {"hold_too_short": [5, 6]}, False),  # not a compensation
    ],
)
def test_the_isolation_rule_is_read_live_after_every_rep(
    exercise: str, comps: dict[str, list[int]], implied: bool
) -> None:
    hold = SPECS[exercise].target_hold_s
    _, truth = generate(Scenario(exercise, n_reps=8, compensations=comps, hold_s=hold, seed=1))
    assert ("isolation_lost" in truth.set_cues) is implied


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"exercise": "plank"}, "unknown exercise"),
        ({"exercise": "clamshell", "view": "side"}, "unknown view"),
        ({"exercise": "clamshell", "variation": "frog"}, "unknown variation"),
        ({"exercise": "heel_slide", "variation": "standard"}, "no variations"),
        ({"exercise": "heel_slide", "compensations": {"feet_apart": [1]}}, "cannot inject"),
        ({"exercise": "clamshell", "compensations": {"feet_apart": [11]}}, "outside 1-10"),
        (
            {"exercise": "seated_knee_lift", "compensations": {"hold_too_short": [2]}},
            "at least the 5 s target",
        ),
        ({"exercise": "seated_knee_lift", "hold_s": 3.0}, "too close to the hold check"),
        ({"exercise": "heel_slide", "set_faults": ("wrong_hip_angle",)}, "clamshell only"),
        ({"exercise": "heel_slide", "set_faults": ("sneezing",)}, "unknown set fault"),
        ({"exercise": "clamshell", "amplitude_deg": 90.0}, "amplitude_deg"),
        ({"exercise": "clamshell", "n_reps": 0}, "n_reps"),
        ({"exercise": "clamshell", "rep_duration_s": (3.0, 1.0)}, "rep_duration_s"),
    ],
)
def test_impossible_scenarios_are_refused_with_one_line(
    kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(ScenarioError, match=message) as caught:
        generate(Scenario(**kwargs))  # type: ignore[arg-type]
    assert isinstance(caught.value, HipcoachError)
    assert "\n" not in str(caught.value)
