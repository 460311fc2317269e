"""The clamshell's top leg as the seed sets it up: the top knee resting on the bottom one,
the insteps stacked, and the rep the femur turning outward about the hip-ankle line with
the feet staying together. Canonical body (left side up), body frame of `body.py`."""

from __future__ import annotations

import numpy as np

from hipcoach.synthetic.body import Array, BodyDims, Points, apply, rotate_about

LEFT = np.array([0.0, 1.0, 0.0])
FORWARD = np.array([1.0, 0.0, 0.0])


def stacked_top_leg(
    top_hip: Array, bottom_hip: Array, bottom: Points, knee_gap: float, ankle_gap: float,
    dims: BodyDims,
) -> Points:  # fmt: skip
    """The top leg at rest, lying on the bottom one: each top segment takes the bottom
    segment's direction in the body's sagittal plane, tilted down towards the bottom leg
    until the top knee rests `knee_gap` (m) above the bottom knee and the top ankle
    `ankle_gap` above the bottom ankle. The top foot lies on the bottom foot."""
    knee_b, ankle_b = bottom["right_knee"], bottom["right_ankle"]
    knee = _reach(top_hip, _sagittal(knee_b - bottom_hip), knee_b[:, 1] + knee_gap, dims.thigh)
    ankle = _reach(knee, _sagittal(ankle_b - knee_b), ankle_b[:, 1] + ankle_gap, dims.shank)
    return {
        "left_knee": knee,
        "left_ankle": ankle,
        "left_heel": bottom["right_heel"] + (ankle - ankle_b),
        "left_foot_index": bottom["right_foot_index"] + (ankle - ankle_b),
    }


def _sagittal(vec: Array) -> Array:
    """Unit (time, 3) directions of `vec` projected on the body's sagittal (x-z) plane."""
    flat = vec * np.array([1.0, 0.0, 1.0])
    return np.asarray(flat / np.linalg.norm(flat, axis=1, keepdims=True), dtype=np.float64)


def _reach(start: Array, sagittal: Array, target_y: Array, length: float) -> Array:
    """The point `length` from `start` whose y is `target_y`, in the vertical plane through
    `start` along the unit sagittal direction (time, 3)."""
    dy = np.clip((target_y - start[:, 1]) / length, -1.0, 1.0)[:, None]
    return np.asarray(start + length * (np.sqrt(1.0 - dy**2) * sagittal + dy * LEFT))


def knee_basis(hip: Array, ankle: Array, pelvis: Array) -> tuple[Array, Array, Array]:
    """Unit hip-ankle axis, and the frame the femur's turn is measured in (time, 3 each):
    `outward`, the pelvis's lateral (hip-to-hip) direction made perpendicular to the axis,
    and `ahead`, perpendicular to both on the pelvis's forward side. This is how the
    engine's `compute_signal("knee_opening")` frames it, so a compensation that turns the
    pelvis (roll or hike) carries the knee with it."""
    axis = ankle - hip
    axis = axis / np.linalg.norm(axis, axis=1, keepdims=True)
    left = apply(pelvis, LEFT)
    outward = left - np.sum(left * axis, axis=1, keepdims=True) * axis
    outward = outward / np.linalg.norm(outward, axis=1, keepdims=True)
    ahead = np.cross(outward, axis)
    flip = np.sum(ahead * apply(pelvis, FORWARD), axis=1, keepdims=True) < 0
    return axis, np.where(flip, -ahead, ahead), outward


def knee_angle(hip: Array, knee: Array, ankle: Array, pelvis: Array) -> Array:
    """The knee's angle (deg) about the hip-ankle line, from `ahead` towards `outward`
    (see `knee_basis`)."""
    _, e1, e2 = knee_basis(hip, ankle, pelvis)
    k = knee - hip
    return np.degrees(np.arctan2(np.sum(k * e2, axis=1), np.sum(k * e1, axis=1)))


def place_top_leg(
    hip: Array, ankle: Array, pelvis: Array, angle: Array, turn: Array, rest_foot: Points,
    dims: BodyDims,
) -> Points:  # fmt: skip
    """The top leg with its hip at `hip` and its ankle at `ankle` (time, 3), the knee at
    `angle` (deg, see `knee_angle`) about the hip-ankle line in the frame of the pelvis
    turned by `pelvis` (time, 3, 3). The thigh and shank keep their lengths (the knee bends
    as the hip-ankle distance changes). The heel and toe keep their resting offsets from
    the ankle (`rest_foot`, (time, 3) each) turned by `turn` (deg) about the same line."""
    axis, e1, e2 = knee_basis(hip, ankle, pelvis)
    length = np.linalg.norm(ankle - hip, axis=1, keepdims=True)
    along = (dims.thigh**2 - dims.shank**2 + length**2) / (2 * length)
    radius = np.sqrt(np.clip(dims.thigh**2 - along**2, 0.0, None))
    a = np.radians(angle)[:, None]
    out: Points = {
        "left_knee": hip + along * axis + radius * (np.cos(a) * e1 + np.sin(a) * e2),
        "left_ankle": ankle,
    }
    normal = np.cross(e1, e2)
    for part in ("heel", "foot_index"):
        out[f"left_{part}"] = rotate_about(ankle + rest_foot[part], normal, turn, ankle)
    return out
