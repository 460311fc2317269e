"""The scenario options for sets the way people really record them: title cards, getting
into position, reps begun from the far end, long holds, knee lifts asked in cm, landmark
files without world coordinates, and the views of a side-lying set."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from hipcoach.synthetic import NoiseModel, Scenario, ScenarioError, generate
from hipcoach.synthetic import signals as sig
from hipcoach.synthetic.specs import SPECS

EXACT = NoiseModel.none()


def test_title_cards_are_frames_with_nobody_in_view_and_the_reps_come_after() -> None:
    scenario = Scenario("heel_slide", n_reps=3, lead_in_s=2.5, lead_out_s=3.0, noise=EXACT)
    series, truth = generate(scenario)
    away = (series.t < 2.5) | (series.t >= truth.duration_s - 3.0)
    assert np.isnan(series.image[away]).all() and (series.visibility[away] == 0).all()
    assert np.isfinite(series.image[~away]).all()
    assert truth.reps[0].start_s >= 2.5 + scenario.settle_s
    assert truth.reps[-1].end_s <= truth.duration_s - 3.0
    assert np.isnan(np.array(truth.excursion_deg)[away]).all()


def test_getting_into_position_moves_the_body_a_lot_before_it_settles() -> None:
    _, truth = generate(Scenario("clamshell", n_reps=2, noise=EXACT, seed=3))
    moving, moving_truth = generate(Scenario("clamshell", n_reps=2, noise=EXACT, seed=3,
                                             arrive_s=4.0))  # fmt: skip
    assert moving_truth.settle_end_s == pytest.approx(truth.settle_end_s + 4.0)
    hips = sig.point(moving.world, "left_hip") - sig.point(moving.world, "right_hip")  # type: ignore[arg-type]
    arriving = moving.t < 4.0
    turned = sig.angle_between(hips[arriving], np.median(hips[~arriving], axis=0)[None])
    assert turned.max() > 20.0  # the pelvis rolls about while the person lies down
    still = (moving.t > moving_truth.settle_end_s - 0.9) & (moving.t < moving_truth.reps[0].start_s)
    assert np.ptp(hips[still], axis=0).max() < 1e-9


@pytest.mark.parametrize("side", ["left", "right"])
def test_leg_lower_begun_on_the_floor_rests_low_and_every_rep_is_a_raise(side: str) -> None:
    series, truth = generate(
        Scenario("leg_lower", n_reps=3, reversed_reps=True, working_side=side, noise=EXACT)
    )
    flexion = sig.hip_flexion(series.world, side)  # type: ignore[arg-type]
    rest = flexion[int(np.searchsorted(series.t, truth.reps[0].start_s)) - 1]
    assert truth.reversed_reps
    assert rest < 90.0 - 0.9 * SPECS["leg_lower"].default_amplitude  # the leg rests down
    for rep in truth.reps:
        peak = int(np.argmin(np.abs(series.t - rep.peak_s)))
        assert flexion[peak] - rest == pytest.approx(rep.amplitude_deg, abs=0.3)  # a raise


def test_a_long_hold_at_the_top_of_a_side_lying_lift_lasts_as_asked() -> None:
    series, truth = generate(Scenario("side_lying_leg_lift", n_reps=2, hold_s=8.0, noise=EXACT))
    excursion = np.array(truth.excursion_deg)
    for rep in truth.reps:
        inside = (series.t >= rep.start_s) & (series.t <= rep.end_s)
        top = inside & (excursion >= rep.amplitude_deg - 1e-6)
        held = series.t[top]
        assert 8.0 - 0.1 <= held.max() - held.min() <= 8.0 + 1e-9


def test_a_set_without_world_landmarks_is_image_only() -> None:
    series, _ = generate(Scenario("clamshell", n_reps=2, with_world=False, seed=1))
    assert series.world is None and np.isfinite(series.image).any()


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"exercise": "heel_slide", "knee_lift_cm": 8.0}, "clamshell only"),
        ({"exercise": "clamshell", "knee_lift_cm": 45.0}, "knee_lift_cm must lie"),
        ({"exercise": "clamshell", "reversed_reps": True}, "reversed_reps"),
        ({"exercise": "heel_slide", "lead_in_s": -1.0}, "lead_in_s must not be negative"),
        (
            {"exercise": "clamshell", "knee_lift_cm": 8.0, "set_faults": ("isolation_lost",)},
            "isolation_lost",
        ),
    ],
)
def test_options_that_cannot_be_built_are_refused(kw: dict[str, object], message: str) -> None:
    with pytest.raises(ScenarioError, match=message):
        generate(Scenario(**kw))  # type: ignore[arg-type]


def test_a_lift_this_body_cannot_reach_is_refused() -> None:
    with pytest.raises(ScenarioError, match="lifts at most"):
        for seed in range(40):  # some bodies are small enough
            generate(Scenario("clamshell", n_reps=1, knee_lift_cm=29.5, seed=seed, noise=EXACT))


def test_the_oblique_feet_end_view_looks_along_the_legs_from_the_front() -> None:
    base = Scenario("clamshell", n_reps=1, noise=EXACT, seed=2)
    images = {v: generate(replace(base, view=v))[0] for v in SPECS["clamshell"].views}

    def hip_spread(view: str) -> float:
        img = images[view].image[0] * np.array([*images[view].image_size, 1.0])  # type: ignore[misc]
        return float(np.linalg.norm(img[23, :2] - img[24, :2]))

    def body_length(view: str) -> float:
        img = images[view].image[0] * np.array([*images[view].image_size, 1.0])  # type: ignore[misc]
        return float(np.linalg.norm(img[0, :2] - img[27, :2]))

    # from the feet the body is foreshortened; swung to the front it is less so
    assert body_length("foot_end") < body_length("foot_end_oblique") < body_length("front")
    assert hip_spread("foot_end_oblique") > 0.0
