"""Pose the body for each posture from per-frame degrees of freedom.

The canonical body always works with its LEFT leg; the generator mirrors it for a right
working side. Angles in degrees, lengths in metres, in the body frame of `body.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np

from hipcoach.synthetic.body import (
    LEG_PARTS,
    ArmPose,
    Array,
    BodyDims,
    Points,
    apply,
    leg_points,
    rot_x,
    rot_y,
    rot_z,
    rotate_group,
    toward_sign,
    upper_body_points,
)
from hipcoach.synthetic.clamshell import knee_angle, place_top_leg, stacked_top_leg
from hipcoach.synthetic.specs import ExerciseSpec

LEFT = np.array([0.0, 1.0, 0.0])
FORWARD = np.array([1.0, 0.0, 0.0])


@dataclass(frozen=True)
class Dofs:
    """Per-frame degrees of freedom, each (time,). `primary` is the exercise's working joint
    (clamshell: rotation of the top leg about its hip-ankle axis; leg lift: abduction;
    slides: knee flexion; knee lifts and leg lowering: hip flexion). `tremor` is a (time, 3)
    displacement of the working knee and shank in metres."""

    primary: Array
    pelvis_roll: Array
    pelvis_hike: Array
    trunk_tilt: Array
    trunk_roll: Array
    thigh_rotation: Array
    leg_forward: Array
    feet_lift: Array
    bottom_leg: Array
    tremor: Array

    @classmethod
    def constant(cls, n: int, **values: float) -> Dofs:
        """n frames holding the given values; every other DOF zero."""
        arrays: dict[str, Array] = {}
        for f in fields(cls):
            if f.name == "tremor":
                arrays[f.name] = np.zeros((n, 3))
            else:
                arrays[f.name] = np.full(n, float(values.pop(f.name, 0.0)))
        if values:
            raise ValueError(f"unknown degrees of freedom: {', '.join(values)}")
        return cls(**arrays)

    def with_values(self, **arrays: Array) -> Dofs:
        return replace(self, **arrays)

    def __len__(self) -> int:
        return int(self.primary.shape[0])


@dataclass(frozen=True)
class BasePose:
    """The start-of-set posture (constant through the set).

    hip/knee flexion of the working and the other leg, the working leg's resting abduction,
    and for slides the height of the surface the heel rests on (above the hip joint).
    For the clamshell, `knee_gap` and `ankle_gap` (m, between the landmarks) are where the
    top knee and ankle rest on the bottom ones: knees resting on each other and insteps
    stacked, so the top thigh converges on the bottom one. `forward_roll` (deg) is the
    set-up's slight tip of the whole body forward, towards lying on the belly.
    """

    hip_flexion: float
    knee_flexion: float
    other_hip_flexion: float
    other_knee_flexion: float
    abduction: float = 2.0
    other_abduction: float = 0.0
    surface_height: float | None = None
    knee_gap: float | None = None
    ankle_gap: float | None = None
    forward_roll: float = 0.0


ARMS: dict[str, ArmPose] = {
    "side_lying": ArmPose(left=(70.0, 0.0, 70.0), right=(170.0, 10.0, 20.0)),
    "supine": ArmPose(left=(0.0, 15.0, 10.0), right=(0.0, 15.0, 10.0)),
    "seated": ArmPose(left=(15.0, 8.0, 40.0), right=(15.0, 8.0, 40.0)),
    "standing": ArmPose(left=(5.0, 10.0, 10.0), right=(5.0, 10.0, 10.0)),
}


def pose_body(spec: ExerciseSpec, base: BasePose, dofs: Dofs, dims: BodyDims) -> Points:
    """All 33 landmarks (time, 3) of the canonical, left-working body."""
    if spec.posture == "side_lying":
        points = _side_lying(spec, base, dofs, dims)
        if base.forward_roll:
            # the whole body tips forward about its long axis (the top hip comes forward)
            tip = rot_z(np.full(len(dofs), -base.forward_roll))
            points = {name: apply(tip, arr) for name, arr in points.items()}
        return points
    return _upright_or_supine(spec, base, dofs, dims)


def _hips(dims: BodyDims, n: int) -> tuple[Array, Array]:
    half = dims.hip_width / 2
    return np.tile([0.0, half, 0.0], (n, 1)), np.tile([0.0, -half, 0.0], (n, 1))


def _translate(points: Points, side: str, offset: Array) -> None:
    for part in LEG_PARTS:
        points[f"{side}_{part}"] = points[f"{side}_{part}"] + offset


def _add_tremor(points: Points, tremor: Array) -> None:
    points["left_knee"] = points["left_knee"] + tremor
    for part in ("ankle", "heel", "foot_index"):
        points[f"left_{part}"] = points[f"left_{part}"] + 0.7 * tremor


def _side_lying(spec: ExerciseSpec, base: BasePose, d: Dofs, dims: BodyDims) -> Points:
    n = len(d)
    top_hip, bottom_hip = _hips(dims, n)
    ones = np.ones(n)
    bottom = leg_points(
        bottom_hip,
        base.other_hip_flexion + d.bottom_leg,
        base.other_abduction * ones,
        base.other_knee_flexion * ones,
        "right",
        dims,
    )
    # the pelvis rolls about the long axis and hikes about the front-back axis
    roll = rot_z(d.pelvis_roll)
    pelvis = np.einsum("tij,tjk->tik", roll, rot_x(d.pelvis_hike))
    new_top, new_bottom = apply(pelvis, top_hip), apply(pelvis, bottom_hip)
    _translate(bottom, "right", new_bottom - bottom_hip)
    if spec.id == "clamshell":
        top = _clamshell_top(base, d, dims, new_top, pelvis, bottom)
    else:
        # the straight top leg rolls with the pelvis and follows its hip
        top = leg_points(
            top_hip,
            base.hip_flexion + d.leg_forward,
            base.abduction + d.primary,
            base.knee_flexion * ones,
            "left",
            dims,
        )
        for part in LEG_PARTS:
            top[f"left_{part}"] = apply(roll, top[f"left_{part}"])
        _translate(top, "left", new_top - apply(roll, top_hip))
    pts: Points = {**top, **bottom}
    _add_tremor(pts, d.tremor)
    pts["left_hip"], pts["right_hip"] = new_top, new_bottom
    trunk = np.einsum("tij,tjk->tik", rot_z(d.trunk_roll), rot_y(d.trunk_tilt))
    pts.update(upper_body_points(np.zeros((n, 3)), trunk, ARMS["side_lying"], dims))
    return pts


def _clamshell_top(
    base: BasePose, d: Dofs, dims: BodyDims, hip: Array, pelvis: Array, bottom: Points
) -> Points:
    """The top leg: the top ankle stays on the bottom ankle (lifted off it by `feet_lift`
    thigh lengths for feet_apart) wherever the pelvis and the bottom leg go, and the knee
    sits at its resting angle about the hip-ankle line plus the femur's turn (`primary`),
    measured in the pelvis's frame; so a rolling pelvis carries the knee with it."""
    n = len(d)
    rest_top_hip, rest_bottom_hip = _hips(dims, 1)
    zero = np.zeros(1)
    rest_bottom = leg_points(
        rest_bottom_hip, zero + base.other_hip_flexion, zero + base.other_abduction,
        zero + base.other_knee_flexion, "right", dims,
    )  # fmt: skip
    rest = stacked_top_leg(
        rest_top_hip, rest_bottom_hip, rest_bottom, base.knee_gap or 0.0, base.ankle_gap or 0.0,
        dims,
    )  # fmt: skip
    offset = (rest["left_ankle"] - rest_bottom["right_ankle"])[0]
    gap = float(np.linalg.norm(offset))
    ankle = bottom["right_ankle"] + (offset / gap) * (gap + d.feet_lift[:, None] * dims.thigh)
    eye = np.eye(3)[None]
    rest_angle = knee_angle(rest_top_hip, rest["left_knee"], rest["left_ankle"], eye)[0]
    foot = {
        part: np.tile(rest[f"left_{part}"][0] - rest["left_ankle"][0], (n, 1))
        for part in ("heel", "foot_index")
    }
    return place_top_leg(hip, ankle, pelvis, rest_angle + d.primary, d.primary, foot, dims)


def apply_rows(rot: Array, points: Array) -> Array:
    """Rotate (time, 3) points by (time, 3, 3) matrices about the origin."""
    return apply(rot, points)


def slide_hip_flexion(knee_flexion: Array, surface_height: float, dims: BodyDims) -> Array:
    """Hip flexion (deg) that keeps the ankle at `surface_height` above the hip joint while
    the knee bends by `knee_flexion` (deg): the heel slides along a floor or a box."""
    k = np.radians(knee_flexion)
    a = dims.thigh + dims.shank * np.cos(k)
    b = dims.shank * np.sin(k)
    reach = np.hypot(a, b)
    return np.degrees(np.arctan2(b, a) + np.arcsin(np.clip(surface_height / reach, -1.0, 1.0)))


def _working_leg(spec: ExerciseSpec, base: BasePose, d: Dofs, hip: Array, dims: BodyDims) -> Points:
    n = len(d)
    ones = np.ones(n)
    abduction = base.abduction * ones
    if spec.signal == "knee_flexion":
        knee = d.primary
        hip_flex = slide_hip_flexion(knee, base.surface_height or 0.0, dims)
    else:
        hip_flex = d.primary
        knee = base.knee_flexion * ones
        if spec.posture == "standing":
            # the knee bends as the thigh comes up, reaching ~90 deg near 80 deg of hip flexion
            knee = base.knee_flexion + 85.0 * np.clip(
                (hip_flex - base.hip_flexion) / 80.0, 0.0, 1.2
            )
    if spec.id == "leg_lower":
        # a straight leg cannot turn its knee off the hip-ankle line: the thigh swings out
        abduction = abduction + d.thigh_rotation
    leg = leg_points(hip, hip_flex, abduction, knee, "left", dims)
    if spec.id != "leg_lower":
        axis = leg["left_ankle"] - hip
        sign = toward_sign(axis, leg["left_knee"] - hip, LEFT)
        rotate_group(
            leg, ("left_knee", "left_heel", "left_foot_index"), axis, sign * d.thigh_rotation, hip
        )
    return leg


TRUNK_TILT_SIGN = {"supine": 1.0, "seated": -1.0, "standing": -1.0}
"""Supine: the shoulders curl up off the floor; seated and standing: the trunk leans back."""


def _upright_or_supine(spec: ExerciseSpec, base: BasePose, d: Dofs, dims: BodyDims) -> Points:
    n = len(d)
    ones = np.ones(n)
    work_hip, other_hip = _hips(dims, n)
    pts: Points = dict(_working_leg(spec, base, d, work_hip, dims))
    pts.update(
        leg_points(
            other_hip,
            base.other_hip_flexion * ones,
            base.other_abduction * ones,
            base.other_knee_flexion * ones,
            "right",
            dims,
        )
    )
    # hike: lying, the pelvis tilts about its centre; sitting or standing, about the other hip
    pivot = np.zeros((n, 3)) if spec.posture == "supine" else other_hip
    pelvis = np.einsum("tij,tjk->tik", rot_z(d.pelvis_roll), rot_x(d.pelvis_hike))
    new_work = pivot + apply(pelvis, work_hip - pivot)
    new_other = pivot + apply(pelvis, other_hip - pivot)
    _translate(pts, "left", new_work - work_hip)
    _translate(pts, "right", new_other - other_hip)
    _add_tremor(pts, d.tremor)
    pts["left_hip"], pts["right_hip"] = new_work, new_other
    hip_mid = (new_work + new_other) / 2
    tilt = TRUNK_TILT_SIGN[spec.posture] * d.trunk_tilt
    trunk = np.einsum("tij,tjk->tik", rot_y(tilt), rot_z(d.trunk_roll))
    pts.update(upper_body_points(hip_mid, trunk, ARMS[spec.posture], dims))
    return pts
