"""Reference measures computed straight from landmark arrays (time, landmark, 3): the
generator uses them to hit its targets exactly and the tests use them to check it. These
are the definitions the ground truth is checked against, not the engine's implementation
(the knee opening and leg abduction follow the engine's signed definitions of issue 8).
Angles in degrees; any coordinate frame works as long as it is not distorted (world
metres or the generator's body frame)."""

from __future__ import annotations

import numpy as np

from hipcoach.pose.landmarks import LANDMARK_NAMES, landmark_index
from hipcoach.synthetic.body import Array, Points
from hipcoach.synthetic.specs import SignalKind


def stack_points(points: Points) -> Array:
    """Landmark dict -> (time, 33, 3) in MediaPipe order."""
    return np.stack([points[name] for name in LANDMARK_NAMES], axis=1)


def point(arr: Array, name: str) -> Array:
    return arr[:, landmark_index(name), :]


def angle_between(a: Array, b: Array) -> Array:
    """Angle (deg) between (time, 3) vectors."""
    cos = np.sum(a * b, axis=-1) / (np.linalg.norm(a, axis=-1) * np.linalg.norm(b, axis=-1))
    return np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))


def _other(side: str) -> str:
    return "right" if side == "left" else "left"


def body_axes(arr: Array, side: str) -> tuple[Array, Array]:
    """(forward, outward) unit vectors (time, 3) of the body: outward from the other hip
    towards the working one (perpendicular to the trunk line), forward completing a
    right-handed frame with the head direction."""
    head = trunk_line(arr)
    head = head / np.linalg.norm(head, axis=-1, keepdims=True)
    out = point(arr, f"{side}_hip") - point(arr, f"{_other(side)}_hip")
    out = out - np.sum(out * head, axis=-1, keepdims=True) * head
    out = out / np.linalg.norm(out, axis=-1, keepdims=True)
    left = out if side == "left" else -out
    return np.cross(left, head), out


def _perp(v: Array, axis: Array) -> Array:
    return v - np.sum(v * axis, axis=-1, keepdims=True) * axis


def knee_opening(arr: Array, side: str) -> Array:
    """Signed angle (deg) of the working knee about the working hip-ankle line, from the
    body's forward direction towards the working side's outward direction (the hip line
    made perpendicular to the axis): slightly negative with the knees stacked at rest,
    rising with the hip's outward rotation."""
    hip = point(arr, f"{side}_hip")
    axis = point(arr, f"{side}_ankle") - hip
    axis = axis / np.linalg.norm(axis, axis=-1, keepdims=True)
    forward, _ = body_axes(arr, side)
    e2 = _perp(point(arr, f"{side}_hip") - point(arr, f"{_other(side)}_hip"), axis)
    e2 = e2 / np.linalg.norm(e2, axis=-1, keepdims=True)
    e1 = np.cross(e2, axis)
    e1 = e1 * np.where(np.sum(e1 * forward, axis=-1, keepdims=True) < 0, -1.0, 1.0)
    knee = point(arr, f"{side}_knee") - hip
    return np.degrees(np.arctan2(np.sum(knee * e2, axis=-1), np.sum(knee * e1, axis=-1)))


def leg_abduction(arr: Array, side: str) -> Array:
    """Signed elevation (deg) of the working hip -> ankle line out of the body's sagittal
    plane, towards the working side."""
    leg = point(arr, f"{side}_ankle") - point(arr, f"{side}_hip")
    leg = leg / np.linalg.norm(leg, axis=-1, keepdims=True)
    _, out = body_axes(arr, side)
    return np.degrees(np.arcsin(np.clip(np.sum(leg * out, axis=-1), -1.0, 1.0)))


def knee_flexion(arr: Array, side: str) -> Array:
    """180 minus the hip-knee-ankle angle of one leg."""
    knee = point(arr, f"{side}_knee")
    return angle_between(knee - point(arr, f"{side}_hip"), point(arr, f"{side}_ankle") - knee)


def trunk_line(arr: Array) -> Array:
    """Hip midpoint -> shoulder midpoint (time, 3)."""
    shoulders = (point(arr, "left_shoulder") + point(arr, "right_shoulder")) / 2
    return shoulders - hip_midpoint(arr)


def hip_midpoint(arr: Array) -> Array:
    return (point(arr, "left_hip") + point(arr, "right_hip")) / 2


def hip_flexion(arr: Array, side: str) -> Array:
    """Signed hip flexion (deg): the thigh's angle from the trunk line's downward direction
    towards the body's forward one, in the sagittal plane (abduction ignored); 0 standing,
    90 sitting, negative behind the trunk line."""
    down = -trunk_line(arr)
    down = down / np.linalg.norm(down, axis=-1, keepdims=True)
    forward, _ = body_axes(arr, "left")
    thigh = point(arr, f"{side}_knee") - point(arr, f"{side}_hip")
    return np.degrees(np.arctan2(np.sum(thigh * forward, axis=-1), np.sum(thigh * down, axis=-1)))


def ankle_gap(arr: Array) -> Array:
    """Distance between the ankles (same unit as the input)."""
    return np.linalg.norm(point(arr, "left_ankle") - point(arr, "right_ankle"), axis=-1)


def primary_signal(kind: SignalKind, arr: Array, side: str) -> Array:
    """The exercise's primary signal (deg) for the working side."""
    if kind == "knee_opening":
        return knee_opening(arr, side)
    if kind == "leg_abduction":
        return leg_abduction(arr, side)
    if kind == "knee_flexion":
        return knee_flexion(arr, side)
    return hip_flexion(arr, side)
