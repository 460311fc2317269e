"""Vector geometry on 3-D points. Angles in degrees; inputs are (..., 3) arrays.

The engine calls these on single 3-vectors thousands of times a second, where NumPy's
per-call overhead dominates (even `a @ b` costs microseconds on three numbers): single
vectors take a short path in plain floats with the same results (to rounding).
"""

from __future__ import annotations

import math
from typing import cast

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


def _check_xyz(v: FloatArray, name: str) -> None:
    if v.shape[-1] != 3:
        raise ValueError(
            f"expected {name} with a last dimension of 3 (x, y, z), got shape {v.shape}"
        )


def cross(a: FloatArray, b: FloatArray) -> FloatArray:
    """Cross product of (..., 3) arrays; for single vectors several times faster than np.cross."""
    if a.shape == (3,) and b.shape == (3,):
        (ax, ay, az), (bx, by, bz) = a.tolist(), b.tolist()
        return np.array((ay * bz - az * by, az * bx - ax * bz, ax * by - ay * bx))
    ax, ay, az = a[..., 0], a[..., 1], a[..., 2]
    bx, by, bz = b[..., 0], b[..., 1], b[..., 2]
    return np.stack((ay * bz - az * by, az * bx - ax * bz, ax * by - ay * bx), axis=-1)


def dot(a: FloatArray, b: FloatArray) -> float:
    """Dot product of two single 3-vectors, in plain floats."""
    ax, ay, az = a.tolist()
    bx, by, bz = b.tolist()
    return float(ax * bx + ay * by + az * bz)


def vector_length(v: FloatArray) -> float:
    """Euclidean length of a single 3-vector (np.linalg.norm without its overhead)."""
    x, y, z = v.tolist()
    return math.sqrt(x * x + y * y + z * z)


def clip(value: float, low: float, high: float) -> float:
    """np.clip for one float (NaN stays NaN)."""
    return value if math.isnan(value) else min(high, max(low, value))


def asin_deg(sine: float) -> float:
    """The angle (degrees) whose sine this is, the sine clipped to [-1, 1]; NaN stays NaN."""
    return math.degrees(math.asin(clip(sine, -1.0, 1.0)))


def normalize(v: FloatArray) -> FloatArray:
    """Unit vector(s); zero-length vectors become NaN rather than dividing silently."""
    if v.shape == (3,):
        x, y, z = v.tolist()
        n = math.sqrt(x * x + y * y + z * z)  # NaN stays NaN and fails the test below
        return np.array((x / n, y / n, z / n)) if n > 1e-12 else np.full(3, np.nan)
    _check_xyz(v, "v")
    n = np.linalg.norm(v, axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 1e-12, v / n, np.nan)


def compute_angle_between(a: FloatArray, b: FloatArray) -> FloatArray:
    """Unsigned angle between vectors a and b, in degrees [0, 180]."""
    if a.shape == (3,) and b.shape == (3,):
        (ax, ay, az), (bx, by, bz) = a.tolist(), b.tolist()
        cx, cy, cz = ay * bz - az * by, az * bx - ax * bz, ax * by - ay * bx
        sine = math.sqrt(cx * cx + cy * cy + cz * cz)
        angle = math.degrees(math.atan2(sine, ax * bx + ay * by + az * bz))
        return cast(FloatArray, np.float64(angle))
    _check_xyz(a, "a")
    _check_xyz(b, "b")
    sine = np.linalg.norm(cross(a, b), axis=-1)
    dot = np.sum(a * b, axis=-1)
    return np.degrees(np.arctan2(sine, dot))


def compute_joint_angle(a: FloatArray, joint: FloatArray, c: FloatArray) -> FloatArray:
    """Angle at `joint` between the segments to a and to c, in degrees (180 = straight)."""
    return compute_angle_between(a - joint, c - joint)


def compute_rotation_in_plane(
    v: FloatArray, reference: FloatArray, towards: FloatArray
) -> FloatArray:
    """Signed angle (degrees) of v in the plane spanned by `reference` and `towards`.

    0 when v points along `reference`, +90 along `towards`. The two axes must be unit and
    orthogonal; the component of v out of that plane is ignored.
    """
    if v.shape == (3,) and towards.shape == (3,) and reference.shape == (3,):
        angle = math.degrees(math.atan2(dot(v, towards), dot(v, reference)))
        return cast(FloatArray, np.float64(angle))
    _check_xyz(v, "v")
    return np.degrees(np.arctan2(np.sum(v * towards, axis=-1), np.sum(v * reference, axis=-1)))


def orthogonal_part(v: FloatArray, axis: FloatArray) -> FloatArray:
    """The component of v perpendicular to the unit vector `axis`."""
    if v.shape == (3,) and axis.shape == (3,):
        (vx, vy, vz), (ax, ay, az) = v.tolist(), axis.tolist()
        d = vx * ax + vy * ay + vz * az
        return np.array((vx - d * ax, vy - d * ay, vz - d * az))
    return v - np.sum(v * axis, axis=-1, keepdims=True) * axis
