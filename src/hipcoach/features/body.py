"""The body's own frame and the points features are measured on.

Points come from MediaPipe's world landmarks (metres) when present, otherwise from the
normalised image landmarks rescaled to square pixels (x * width, y * height) with depth
dropped, so angles are not distorted by the image's aspect ratio. Both are right-handed (x right, y
down, z away from the camera), which makes the anatomical frame below well defined:
with L the right-to-left hip direction and U the hip-to-shoulder direction, the person's
forward direction is F = L x U (it is for a person standing upright facing the camera).
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from hipcoach.features.geometry import cross, normalize, orthogonal_part
from hipcoach.features.vec3 import Joints, Vec, vec
from hipcoach.pose.landmarks import LANDMARK_INDEX, N_LANDMARKS, PoseFrame

FloatArray = NDArray[np.float64]
Side = Literal["left", "right"]
Space = Literal["world", "image"]

# Landmarks that the features read, for each side.
_JOINTS = ("shoulder", "hip", "knee", "ankle", "heel", "foot_index")


def other_side(side: Side) -> Side:
    return "right" if side == "left" else "left"


def select_space(frame: PoseFrame) -> Space:
    return "world" if frame.world is not None and np.isfinite(frame.world).all() else "image"


def extract_points(frame: PoseFrame, space: Space) -> FloatArray:
    """(33, 3) points in the chosen space; image points are scaled to square units."""
    if space == "world":
        if frame.world is None:
            raise ValueError("world coordinates requested but the frame has none")
        return frame.world
    # MediaPipe's image z is a rough relative depth on an unreliable scale; without world
    # landmarks the analysis stays in the image plane (z = 0), where it can be trusted.
    w, h = frame.image_size or (1, 1)
    return frame.image * np.array([w, h, 0.0], dtype=float)


_LIMB_INDEX = {
    side: tuple(LANDMARK_INDEX[f"{side}_{j}"] for j in ("shoulder", "hip", "knee", "ankle"))
    for side in ("left", "right")
}


@dataclass(frozen=True)
class BodyFrame:
    """An orthonormal anatomical frame: up (hips to shoulders), left, forward. Unit vectors."""

    up: FloatArray
    left: FloatArray
    forward: FloatArray


_CORE_INDEX = tuple(
    LANDMARK_INDEX[n] for n in ("left_hip", "right_hip", "left_shoulder", "right_shoulder")
)
_CORE_ROWS = np.array(_CORE_INDEX)


def _unit(x: float, y: float, z: float) -> tuple[float, float, float]:
    n = math.sqrt(x * x + y * y + z * z)
    return (x / n, y / n, z / n) if n > 1e-12 else (math.nan, math.nan, math.nan)


def compute_body_frame(points: FloatArray) -> BodyFrame:
    """Body frame from one pose's points; NaN vectors when the hips or shoulders are missing.

    For one pose (33, 3) the arithmetic runs on plain floats, in the same order as
    `_compute_body_frame_arrays` (NumPy's per-call overhead dominates on 3-vectors)."""
    if points.ndim != 2 or points.shape[1] != 3:
        return _compute_body_frame_arrays(points)
    rows = points[_CORE_ROWS].tolist()
    up, left, forward = _frame_axes(*rows)
    return BodyFrame(up=np.array(up), left=np.array(left), forward=np.array(forward))


def _frame_axes(
    l_hip: list[float], r_hip: list[float], l_sh: list[float], r_sh: list[float]
) -> tuple[Vec, Vec, Vec]:
    """The body frame's up, left and forward from the hips' and shoulders' coordinates."""
    lhx, lhy, lhz = l_hip
    rhx, rhy, rhz = r_hip
    lsx, lsy, lsz = l_sh
    rsx, rsy, rsz = r_sh
    ux, uy, uz = _unit(
        (lsx + rsx) / 2.0 - (lhx + rhx) / 2.0,
        (lsy + rsy) / 2.0 - (lhy + rhy) / 2.0,
        (lsz + rsz) / 2.0 - (lhz + rhz) / 2.0,
    )
    hx, hy, hz = lhx - rhx, lhy - rhy, lhz - rhz
    d = hx * ux + hy * uy + hz * uz
    lx, ly, lz = _unit(hx - d * ux, hy - d * uy, hz - d * uz)
    forward = _unit(ly * uz - lz * uy, lz * ux - lx * uz, lx * uy - ly * ux)
    return (ux, uy, uz), (lx, ly, lz), forward


def _compute_body_frame_arrays(points: FloatArray) -> BodyFrame:
    l_hip, r_hip = points[LANDMARK_INDEX["left_hip"]], points[LANDMARK_INDEX["right_hip"]]
    l_sh, r_sh = points[LANDMARK_INDEX["left_shoulder"]], points[LANDMARK_INDEX["right_shoulder"]]
    up = normalize((l_sh + r_sh) / 2.0 - (l_hip + r_hip) / 2.0)
    left = normalize(orthogonal_part(l_hip - r_hip, up))
    forward = normalize(cross(left, up))
    return BodyFrame(up=up, left=left, forward=forward)


def _triple(row: list[float]) -> Vec:
    return (row[0], row[1], row[2])


# The landmarks the per-frame measures read (both sides' shoulder, hip, knee and ankle), and
# where each side's joints and the frame's hips and shoulders sit among them.
_JOINT_INDEX = np.array(sorted({i for joints in _LIMB_INDEX.values() for i in joints}))
_ROW_OF = {int(landmark): row for row, landmark in enumerate(_JOINT_INDEX)}
_LIMB_ROW = {side: tuple(_ROW_OF[i] for i in joints) for side, joints in _LIMB_INDEX.items()}
_CORE_ROW = tuple(_ROW_OF[i] for i in _CORE_INDEX)


class PosePoints:
    """One pose's points with the quantities several measures read from them (the body
    frame, each side's joints, whether the points are image-plane), each worked out once.

    The engine measures the same pose for several signals and candidate legs every frame;
    `memo` holds values measured on this pose, keyed by whoever measures them. The points
    must not change while the object is in use (it lives for one frame)."""

    __slots__ = ("_axes", "_frame", "_joints", "_planar", "_rows", "memo", "points")

    def __init__(self, points: FloatArray) -> None:
        self.points = points
        self._rows: list[list[float]] | None = None
        self._frame: BodyFrame | None = None
        self._joints: dict[Side, Joints] = {}
        self._axes: tuple[Vec, Vec, Vec] | None = None
        self._planar: bool | None = None
        self.memo: dict[Hashable, Any] = {}

    @property
    def _joint_rows(self) -> list[list[float]]:
        """The joints' points (see _JOINT_INDEX) as plain floats, one [x, y, z] a joint."""
        if self._rows is None:
            self._rows = self.points.take(_JOINT_INDEX, axis=0).tolist()
        return self._rows

    @property
    def frame(self) -> BodyFrame:
        if self._frame is None:
            if self.points.shape != (N_LANDMARKS, 3):
                self._frame = compute_body_frame(self.points)
            else:
                up, left, forward = self.axes
                self._frame = BodyFrame(np.array(up), np.array(left), np.array(forward))
        return self._frame

    def joints(self, side: Side) -> Joints:
        """One side's joints as float triples (for the per-frame measures, see `vec3`)."""
        joints = self._joints.get(side)
        if joints is None:
            rows = self._joint_rows
            shoulder, hip, knee, ankle = _LIMB_ROW[side]
            joints = Joints(
                _triple(rows[shoulder]),
                _triple(rows[hip]),
                _triple(rows[knee]),
                _triple(rows[ankle]),
            )
            self._joints[side] = joints
        return joints

    @property
    def axes(self) -> tuple[Vec, Vec, Vec]:
        """The body frame's up, left and forward as float triples."""
        if self._axes is None:
            if self.points.shape != (N_LANDMARKS, 3):
                frame = self.frame
                self._axes = (vec(frame.up), vec(frame.left), vec(frame.forward))
            else:
                rows = self._joint_rows
                self._axes = _frame_axes(*(rows[i] for i in _CORE_ROW))
        return self._axes

    @property
    def core(self) -> tuple[list[float], list[float], list[float], list[float]]:
        """The left and right hip and the left and right shoulder, as [x, y, z] floats."""
        rows = self._joint_rows
        l_hip, r_hip, l_sh, r_sh = (rows[i] for i in _CORE_ROW)
        return l_hip, r_hip, l_sh, r_sh

    @property
    def planar(self) -> bool:
        """True for image-plane points (no depth: every z is 0), see `extract_points`."""
        if self._planar is None:
            self._planar = not np.count_nonzero(self.points[:, 2])  # (NaN counts, as in any)
        return self._planar


def as_pose(points: FloatArray | PosePoints) -> PosePoints:
    """`points` as a PosePoints (one made for them when they are a plain array)."""
    return points if isinstance(points, PosePoints) else PosePoints(points)


def average_body_frame(frames: list[BodyFrame]) -> BodyFrame:
    """A frame from averaged axes, re-orthogonalised (up kept, left made perpendicular)."""
    up = normalize(np.nanmean([f.up for f in frames], axis=0))
    left = normalize(orthogonal_part(np.nanmean([f.left for f in frames], axis=0), up))
    return BodyFrame(up=up, left=left, forward=normalize(cross(left, up)))


def required_landmarks(sides: tuple[Side, ...] = ("left", "right")) -> list[str]:
    names = [f"{s}_{j}" for s in sides for j in ("shoulder", "hip", "knee", "ankle")]
    return names


def joint_names(side: Side) -> list[str]:
    return [f"{side}_{j}" for j in _JOINTS]
