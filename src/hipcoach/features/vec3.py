"""3-vectors as plain float triples, for the measures the engine takes on every frame.

NumPy's per-call overhead dominates on three numbers (an array made, an `@`, a norm: each
about a microsecond), and one frame's signals and compensation measures take a few hundred
such steps. These helpers do the same arithmetic in the same order as the single-vector
paths of `geometry` (so the same results, to the last bit), on tuples.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from hipcoach.features.geometry import FloatArray, asin_deg

Vec = tuple[float, float, float]
NAN_VEC: Vec = (math.nan, math.nan, math.nan)


def vec(a: FloatArray) -> Vec:
    """A (3,) array as a float triple."""
    x, y, z = a.tolist()
    return (x, y, z)


def array(v: Vec) -> FloatArray:
    return np.array(v)


def sub(a: Vec, b: Vec) -> Vec:
    return (a[0] - b[0], a[1] - b[1], a[2] - b[2])


def dot(a: Vec, b: Vec) -> float:
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]


def length(v: Vec) -> float:
    x, y, z = v
    return math.sqrt(x * x + y * y + z * z)


def unit(v: Vec) -> Vec:
    """`geometry.normalize`: NaN for a zero-length (or NaN) vector."""
    x, y, z = v
    n = math.sqrt(x * x + y * y + z * z)
    return (x / n, y / n, z / n) if n > 1e-12 else NAN_VEC


def orthogonal(v: Vec, axis: Vec) -> Vec:
    """`geometry.orthogonal_part`: the part of v perpendicular to the unit `axis`."""
    vx, vy, vz = v
    ax, ay, az = axis
    d = vx * ax + vy * ay + vz * az
    return (vx - d * ax, vy - d * ay, vz - d * az)


def cross(a: Vec, b: Vec) -> Vec:
    ax, ay, az = a
    bx, by, bz = b
    return (ay * bz - az * by, az * bx - ax * bz, ax * by - ay * bx)


def rotation_deg(v: Vec, reference: Vec, towards: Vec) -> float:
    """`geometry.compute_rotation_in_plane`."""
    return math.degrees(math.atan2(dot(v, towards), dot(v, reference)))


def angle_deg(a: Vec, b: Vec) -> float:
    """`geometry.compute_angle_between`."""
    cx, cy, cz = cross(a, b)
    sine = math.sqrt(cx * cx + cy * cy + cz * cz)
    return math.degrees(math.atan2(sine, dot(a, b)))


def elevation_deg(v: Vec, hint: Vec) -> float:
    """The angle (degrees) of v out of the plane normal to `hint`, towards it."""
    return asin_deg(dot(unit(v), unit(hint)))


class Joints(NamedTuple):
    """One side's shoulder, hip, knee and ankle as float triples."""

    shoulder: Vec
    hip: Vec
    knee: Vec
    ankle: Vec

    @property
    def thigh(self) -> Vec:
        return sub(self.knee, self.hip)

    @property
    def leg(self) -> Vec:
        return sub(self.ankle, self.hip)
