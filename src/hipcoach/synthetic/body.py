"""A kinematic body: segment lengths from standing height, rotation helpers, and builders
for legs, trunk, arms and head. Everything is vectorised over time.

Body frame (metres, origin at the hip midpoint at rest): x forward (anterior), y to the
person's left, z towards the head. Angles are in degrees.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]
Points = dict[str, Array]
"""Landmark name -> (time, 3) positions."""


@dataclass(frozen=True)
class BodyDims:
    """Segment lengths in metres between BlazePose landmarks (not joint centres: the hip
    landmarks sit wider apart than the hip joints). Proportions are the medians measured on
    BlazePose world landmarks of the real clips (`python -m bench.calibration`, see
    docs/synthetic-body.md): shin ~1.0, hip width ~0.6, shoulder width ~0.8-0.97 and trunk
    ~1.25-1.47 thigh lengths."""

    height: float
    thigh: float
    shank: float
    trunk: float
    hip_width: float
    shoulder_width: float
    upper_arm: float
    forearm: float

    @classmethod
    def from_height(cls, height: float) -> BodyDims:
        if not 1.0 <= height <= 2.3:
            raise ValueError(f"expected a standing height of 1.0-2.3 m, got {height}")
        thigh = THIGH_PER_HEIGHT * height
        return cls(
            height=height,
            thigh=thigh,
            shank=PROPORTIONS["shank"] * thigh,
            trunk=PROPORTIONS["trunk"] * thigh,
            hip_width=PROPORTIONS["hip_width"] * thigh,
            shoulder_width=PROPORTIONS["shoulder_width"] * thigh,
            upper_arm=0.186 * height,
            forearm=0.146 * height,
        )


THIGH_PER_HEIGHT = 0.225
"""BlazePose's world thighs measured 0.35-0.38 m on the real clips: 0.225 of a 1.6-1.7 m body."""
PROPORTIONS = {"shank": 1.0, "hip_width": 0.62, "shoulder_width": 0.88, "trunk": 1.36}
"""Segment lengths in thigh lengths (medians over the four real clips, docs/synthetic-body.md)."""


def _rot(axis: int, deg: Array) -> Array:
    """(time, 3, 3) right-handed rotations about a body axis (0=x, 1=y, 2=z)."""
    a = np.radians(np.asarray(deg, dtype=float))
    c, s = np.cos(a), np.sin(a)
    out = np.zeros((*a.shape, 3, 3))
    i, j = [(1, 2), (2, 0), (0, 1)][axis]
    out[..., axis, axis] = 1.0
    out[..., i, i] = c
    out[..., j, j] = c
    out[..., i, j] = -s
    out[..., j, i] = s
    return out


def rot_x(deg: Array) -> Array:
    return _rot(0, deg)


def rot_y(deg: Array) -> Array:
    return _rot(1, deg)


def rot_z(deg: Array) -> Array:
    return _rot(2, deg)


def apply(rot: Array, vec: Array) -> Array:
    """Rotate (time, 3) or constant (3,) vectors by (time, 3, 3) matrices."""
    return np.einsum("tij,tj->ti", rot, np.broadcast_to(vec, (rot.shape[0], 3)))


def rotate_about(points: Array, axis: Array, deg: Array, pivot: Array) -> Array:
    """Rotate (time, 3) points by `deg` about unit (time, 3) axes through (time, 3) pivots
    (Rodrigues' formula; positive angles turn counter-clockwise looking down the axis)."""
    a = np.radians(deg)[:, None]
    v = points - pivot
    k = axis / np.linalg.norm(axis, axis=1, keepdims=True)
    cross = np.cross(k, v)
    dot = np.sum(k * v, axis=1, keepdims=True)
    return pivot + v * np.cos(a) + cross * np.sin(a) + k * dot * (1 - np.cos(a))


def rotate_group(
    points: Points, names: tuple[str, ...], axis: Array, deg: Array, pivot: Array
) -> None:
    """Rotate the named points in place about one axis and pivot."""
    for name in names:
        points[name] = rotate_about(points[name], axis, deg, pivot)


def toward_sign(axis: Array, arm: Array, wanted: Array) -> Array:
    """+1 or -1 per frame: the sign of rotation about `axis` that moves the point at `arm`
    (relative to the pivot) towards `wanted`. +1 where the point lies on the axis."""
    s = np.sum(np.cross(axis, arm) * wanted, axis=1)
    return np.where(s < 0, -1.0, 1.0)


LEG_PARTS = ("knee", "ankle", "heel", "foot_index")
ARM_PARTS = ("elbow", "wrist", "pinky", "index", "thumb")
FACE_OFFSETS: dict[str, tuple[float, float, float]] = {
    # head frame offsets from the head centre, as fractions of height (x fwd, y left, z up)
    "nose": (0.058, 0.0, -0.005),
    "left_eye_inner": (0.047, 0.009, 0.012),
    "left_eye": (0.045, 0.017, 0.012),
    "left_eye_outer": (0.041, 0.025, 0.012),
    "right_eye_inner": (0.047, -0.009, 0.012),
    "right_eye": (0.045, -0.017, 0.012),
    "right_eye_outer": (0.041, -0.025, 0.012),
    "left_ear": (0.0, 0.042, 0.005),
    "right_ear": (0.0, -0.042, 0.005),
    "mouth_left": (0.05, 0.013, -0.03),
    "mouth_right": (0.05, -0.013, -0.03),
}


def leg_points(
    hip: Array,
    flexion: Array,
    abduction: Array,
    knee_flexion: Array,
    side: str,
    dims: BodyDims,
) -> Points:
    """Knee, ankle, heel and toe of one leg hanging from `hip` (time, 3).

    Flexion swings the thigh forward, abduction away from the midline, knee flexion bends
    the shank backwards; the foot stays at a right angle to the shank.
    """
    sign = 1.0 if side == "left" else -1.0
    leg = np.einsum("tij,tjk->tik", rot_y(-flexion), rot_x(sign * abduction))
    shank_rot = np.einsum("tij,tjk->tik", leg, rot_y(knee_flexion))
    knee = hip + apply(leg, np.array([0.0, 0.0, -dims.thigh]))
    ankle = knee + apply(shank_rot, np.array([0.0, 0.0, -dims.shank]))
    down = apply(shank_rot, np.array([0.0, 0.0, -1.0]))
    forward = apply(shank_rot, np.array([1.0, 0.0, 0.0]))
    h = dims.height
    return {
        f"{side}_knee": knee,
        f"{side}_ankle": ankle,
        f"{side}_heel": ankle + 0.03 * h * down - 0.03 * h * forward,
        f"{side}_foot_index": ankle + 0.035 * h * down + 0.11 * h * forward,
    }


def arm_points(
    shoulder: Array,
    trunk_rot: Array,
    flexion: float,
    abduction: float,
    elbow_flexion: float,
    side: str,
    dims: BodyDims,
) -> Points:
    """Elbow, wrist and the three hand points of one arm, posed in the trunk's frame."""
    n = shoulder.shape[0]
    sign = 1.0 if side == "left" else -1.0
    const = np.ones(n)
    upper = np.einsum(
        "tij,tjk,tkl->til", trunk_rot, rot_y(-flexion * const), rot_x(sign * abduction * const)
    )
    fore = np.einsum("tij,tjk->tik", upper, rot_y(-elbow_flexion * const))
    elbow = shoulder + apply(upper, np.array([0.0, 0.0, -dims.upper_arm]))
    wrist = elbow + apply(fore, np.array([0.0, 0.0, -dims.forearm]))
    along = apply(fore, np.array([0.0, 0.0, -1.0]))
    front = apply(fore, np.array([1.0, 0.0, 0.0]))
    h = dims.height
    return {
        f"{side}_elbow": elbow,
        f"{side}_wrist": wrist,
        f"{side}_thumb": wrist + 0.03 * h * along + 0.02 * h * front,
        f"{side}_index": wrist + 0.07 * h * along + 0.012 * h * front,
        f"{side}_pinky": wrist + 0.06 * h * along - 0.012 * h * front,
    }


@dataclass(frozen=True)
class ArmPose:
    """Static arm posture for a body position: shoulder flexion/abduction, elbow flexion."""

    left: tuple[float, float, float]
    right: tuple[float, float, float]


def upper_body_points(hip_mid: Array, trunk_rot: Array, arms: ArmPose, dims: BodyDims) -> Points:
    """Shoulders, face and arms for a trunk whose line starts at `hip_mid` and is turned by
    `trunk_rot` (time, 3, 3) from the body's z axis."""
    half = dims.shoulder_width / 2
    h = dims.height
    out: Points = {}
    top = hip_mid + apply(trunk_rot, np.array([0.0, 0.0, dims.trunk]))
    out["left_shoulder"] = top + apply(trunk_rot, np.array([0.0, half, 0.0]))
    out["right_shoulder"] = top + apply(trunk_rot, np.array([0.0, -half, 0.0]))
    centre = top + apply(trunk_rot, np.array([0.01 * h, 0.0, 0.1 * h]))
    for name, (fx, fy, fz) in FACE_OFFSETS.items():
        out[name] = centre + apply(trunk_rot, np.array([fx * h, fy * h, fz * h]))
    for side, pose in (("left", arms.left), ("right", arms.right)):
        out.update(arm_points(out[f"{side}_shoulder"], trunk_rot, *pose, side, dims))
    return out


def mirror_points(points: Points) -> Points:
    """The mirror-image body: y negated and left/right names swapped."""
    out: Points = {}
    for name, arr in points.items():
        flipped = arr.copy()
        flipped[:, 1] *= -1
        if name.startswith("left_"):
            out["right_" + name[5:]] = flipped
        elif name.startswith("right_"):
            out["left_" + name[6:]] = flipped
        else:
            out[name] = flipped
    return out
