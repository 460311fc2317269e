"""What a rep is judged against: the medians of the rest just before it."""

from __future__ import annotations

import numpy as np

from hipcoach.analysis.rest_levels import RestLevels
from hipcoach.features.body import BodyFrame
from hipcoach.features.measures import Reference

UP, LEFT, FORWARD = np.eye(3)


def _start() -> Reference:
    return Reference(
        frame=BodyFrame(up=UP, left=LEFT, forward=FORWARD), side="right", thigh_length=0.4,
        hip_line=LEFT, other_thigh=FORWARD, feet_gap=0.1, leg_forward_deg=0.0,
        knee_swing_deg=0.0, leg_out_deg=0.0, hip_flexion_deg=45.0,
    )  # fmt: skip


def test_a_rep_is_judged_against_the_recent_rest_medians() -> None:
    rest = RestLevels()
    turned = np.array([0.0, 1.0, 1.0]) / np.sqrt(2.0)
    for k, roll in enumerate([1.0, 2.0, 9.0, 3.0, np.nan]):
        rest.add(10.0 + k, turned, UP, {"pelvis_rolls_back": roll, "trunk_moves": 4.0})
    baseline = rest.baseline(_start())
    assert baseline.measures == {"pelvis_rolls_back": 2.5}  # unsigned trunk_moves left out
    assert baseline.signal == 12.0
    assert baseline.reference is not None
    np.testing.assert_allclose(baseline.reference.other_thigh, turned)
    assert baseline.reference.frame.up is UP


def test_too_little_rest_gives_no_level_and_clear_forgets_it() -> None:
    rest = RestLevels()
    for _ in range(2):
        rest.add(1.0, FORWARD, UP, {"pelvis_rolls_back": 1.0})
    baseline = rest.baseline(_start())
    assert baseline.measures == {} and baseline.signal is None and baseline.reference is None
    for _ in range(3):
        rest.add(1.0, FORWARD, UP, {"pelvis_rolls_back": 1.0})
    assert rest.baseline(_start()).signal == 1.0
    rest.clear()
    assert rest.baseline(_start()).signal is None and not rest.noise
