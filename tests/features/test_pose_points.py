"""PosePoints (one frame's shared measurements) gives what the plain-array functions give."""

from __future__ import annotations

import math

import numpy as np
import pytest

from hipcoach.exercises.schema import SignalName
from hipcoach.features.body import PosePoints, compute_body_frame
from hipcoach.features.measures import (
    build_reference,
    compute_compensations,
    compute_signal,
    snapshot_posture,
)
from hipcoach.pose.landmarks import LANDMARK_INDEX
from hipcoach.synthetic import Scenario, generate


def _clamshell_points(n: int = 40) -> list[np.ndarray]:
    series = generate(Scenario("clamshell", n_reps=2, seed=3))[0]
    world = series.world
    assert world is not None
    return [world[i] for i in range(0, min(n * 3, len(world)), 3)]


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


def test_frame_axes_and_joints_equal_the_direct_computation() -> None:
    for points in _clamshell_points():
        pose = PosePoints(points)
        direct = compute_body_frame(points)
        for got, want in zip(
            (pose.frame.up, pose.frame.left, pose.frame.forward),
            (direct.up, direct.left, direct.forward),
            strict=True,
        ):
            assert got.tolist() == want.tolist()
        assert pose.axes == (
            tuple(direct.up.tolist()),
            tuple(direct.left.tolist()),
            tuple(direct.forward.tolist()),
        )
        for side in ("left", "right"):
            joints = pose.joints(side)
            for joint in ("shoulder", "hip", "knee", "ankle"):
                expected = points[LANDMARK_INDEX[f"{side}_{joint}"]].tolist()
                assert list(getattr(joints, joint)) == expected


def test_planar_means_no_depth_at_all() -> None:
    points = np.random.default_rng(0).normal(size=(33, 3))
    assert not PosePoints(points).planar
    flat = points.copy()
    flat[:, 2] = 0.0
    assert PosePoints(flat).planar
    flat[5, 2] = np.nan  # an unknown depth is not "no depth"
    assert not PosePoints(flat).planar


@pytest.mark.parametrize("name", list(SignalName))
@pytest.mark.parametrize("side", ["left", "right"])
def test_signals_on_shared_points_equal_those_on_arrays(name: SignalName, side: str) -> None:
    frames = _clamshell_points()
    reference = build_reference([snapshot_posture(p, side) for p in frames[:5]], side)
    other = build_reference([snapshot_posture(p, side) for p in frames[5:10]], side)
    for points in frames:
        pose = PosePoints(points)
        for ref in (None, reference, other, reference):  # twice: the second is remembered
            want = compute_signal(name, points.copy(), side, ref)
            assert _same(compute_signal(name, pose, side, ref), want)


def test_compensations_on_shared_points_equal_those_on_arrays() -> None:
    frames = _clamshell_points()
    reference = build_reference([snapshot_posture(p, "left") for p in frames[:5]], "left")
    for points in frames:
        shared = compute_compensations(PosePoints(points), reference)
        plain = compute_compensations(points.copy(), reference)
        for field in shared.__dataclass_fields__:
            assert _same(getattr(shared, field), getattr(plain, field))
