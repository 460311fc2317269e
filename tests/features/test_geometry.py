"""Geometry properties: angles do not care where the body is, how big, or how it is turned;
mirroring swaps left and right."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.spatial.transform import Rotation

from hipcoach.exercises.schema import SignalName
from hipcoach.features.geometry import compute_angle_between, compute_joint_angle
from hipcoach.features.measures import compute_signal
from hipcoach.pose.landmarks import LANDMARK_INDEX, LANDMARK_NAMES, mirror_name

rng = np.random.default_rng(11)
BODY = rng.normal(0, 0.4, (33, 3))

floats = st.floats(-5, 5, allow_nan=False)
rotations = st.tuples(floats, floats, floats).map(lambda v: Rotation.from_rotvec(v).as_matrix())


def test_known_angles() -> None:
    x, y = np.array([1.0, 0, 0]), np.array([0, 1.0, 0])
    assert compute_angle_between(x, y) == 90.0
    assert compute_angle_between(x, -x) == 180.0
    assert compute_joint_angle(np.array([0, 1.0, 0]), np.zeros(3), np.array([0, -2.0, 0])) == 180.0


@settings(max_examples=60, deadline=None)
@given(
    shift=st.tuples(floats, floats, floats),
    scale=st.floats(0.1, 10),
    rotation=rotations,
    signal=st.sampled_from(list(SignalName)),
    side=st.sampled_from(["left", "right"]),
)
def test_signals_invariant_to_translation_scale_rotation(
    shift: tuple[float, float, float],
    scale: float,
    rotation: np.ndarray,
    signal: SignalName,
    side: str,
) -> None:
    moved = (BODY @ rotation.T) * scale + np.array(shift)
    before = compute_signal(signal, BODY, side)  # type: ignore[arg-type]
    after = compute_signal(signal, moved, side)  # type: ignore[arg-type]
    assert abs(before - after) < 1e-6


@settings(max_examples=30, deadline=None)
@given(
    signal=st.sampled_from(
        [SignalName.knee_flexion, SignalName.knee_opening, SignalName.leg_abduction]
    )
)
def test_mirroring_swaps_left_and_right(signal: SignalName) -> None:
    mirrored = BODY * np.array([-1.0, 1.0, 1.0])
    swap = [LANDMARK_INDEX[mirror_name(n)] for n in LANDMARK_NAMES]
    mirrored = mirrored[swap]
    for side, other in (("left", "right"), ("right", "left")):
        a = compute_signal(signal, BODY, side)  # type: ignore[arg-type]
        b = compute_signal(signal, mirrored, other)  # type: ignore[arg-type]
        assert abs(a - b) < 1e-6
