"""Hip flexion from image-plane points alone (landmark files with no world coordinates)."""

from __future__ import annotations

import math

import pytest

from hipcoach.features.measures import compute_planar_hip_flexion
from hipcoach.features.vec3 import Joints, Vec, sub

THIGH = 0.45
TRUNK = 0.5


def _standing(shoulder_width: float, lift_deg: float) -> tuple[Joints, Joints, Vec]:
    """A person upright in the picture (y down). The working thigh is raised `lift_deg`
    straight towards the camera, so the picture shows only its shortening."""
    half = shoulder_width / 2.0
    hips = 0.12

    def leg(x: float, shoulder_x: float, lift: float) -> Joints:
        knee = (x, TRUNK + THIGH * math.cos(math.radians(lift)), 0.0)
        return Joints((shoulder_x, 0.0, 0.0), (x, TRUNK, 0.0), knee, (x, TRUNK + 0.9, 0.0))

    work, rest = leg(-hips, -half, lift_deg), leg(hips, half, 0.0)
    mid_hip = ((work.hip[0] + rest.hip[0]) / 2, TRUNK, 0.0)
    mid_shoulder = ((work.shoulder[0] + rest.shoulder[0]) / 2, 0.0, 0.0)
    return work, rest, sub(mid_hip, mid_shoulder)


@pytest.mark.parametrize("lift_deg", [0.0, 30.0, 60.0, 85.0])
def test_facing_the_camera_the_thighs_shortening_reads_as_flexion(lift_deg: float) -> None:
    work, rest, trunk_down = _standing(shoulder_width=0.38, lift_deg=lift_deg)
    assert compute_planar_hip_flexion(work, rest, trunk_down) == pytest.approx(lift_deg, abs=1e-6)


def test_side_on_the_shortening_is_ignored() -> None:
    # Side-on, a shorter thigh in the picture is landmark noise, not depth.
    work, rest, trunk_down = _standing(shoulder_width=0.04, lift_deg=30.0)
    assert compute_planar_hip_flexion(work, rest, trunk_down) == pytest.approx(0.0, abs=1e-6)


def test_lying_down_the_thigh_is_no_ruler() -> None:
    # A trunk lying across the picture: the other thigh need not be square to the camera.
    work, rest, trunk_down = _standing(shoulder_width=0.38, lift_deg=60.0)
    turn = lambda p: (p[1], -p[0], 0.0)  # noqa: E731
    work = Joints(*(turn(p) for p in work))
    rest = Joints(*(turn(p) for p in rest))
    assert compute_planar_hip_flexion(work, rest, turn(trunk_down)) == pytest.approx(0.0, abs=1e-6)
