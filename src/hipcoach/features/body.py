"""The body's own frame and the points features are measured on.

Points come from MediaPipe's world landmarks (metres) when present, otherwise from the
normalised image landmarks rescaled to square pixels (x * width, y * height) with depth
dropped, so angles are not distorted by the image's aspect ratio. Both are right-handed (x right, y
down, z away from the camera), which makes the anatomical frame below well defined:
with L the right-to-left hip direction and U the hip-to-shoulder direction, the person's
forward direction is F = L x U (it is for a person standing upright facing the camera).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from hipcoach.features.geometry import cross, normalize, orthogonal_part
from hipcoach.pose.landmarks import LANDMARK_INDEX, PoseFrame

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


@dataclass(frozen=True)
class Limb:
    """One side's hip, knee and ankle (and shoulder) as 3-D points."""

    shoulder: FloatArray
    hip: FloatArray
    knee: FloatArray
    ankle: FloatArray

    @property
    def thigh(self) -> FloatArray:
        return self.knee - self.hip

    @property
    def leg(self) -> FloatArray:
        return self.ankle - self.hip


def extract_limb(points: FloatArray, side: Side) -> Limb:
    return Limb(
        shoulder=points[LANDMARK_INDEX[f"{side}_shoulder"]],
        hip=points[LANDMARK_INDEX[f"{side}_hip"]],
        knee=points[LANDMARK_INDEX[f"{side}_knee"]],
        ankle=points[LANDMARK_INDEX[f"{side}_ankle"]],
    )


@dataclass(frozen=True)
class BodyFrame:
    """An orthonormal anatomical frame: up (hips to shoulders), left, forward. Unit vectors."""

    up: FloatArray
    left: FloatArray
    forward: FloatArray


def compute_body_frame(points: FloatArray) -> BodyFrame:
    """Body frame from one pose's points; NaN vectors when the hips or shoulders are missing."""
    l_hip, r_hip = points[LANDMARK_INDEX["left_hip"]], points[LANDMARK_INDEX["right_hip"]]
    l_sh, r_sh = points[LANDMARK_INDEX["left_shoulder"]], points[LANDMARK_INDEX["right_shoulder"]]
    up = normalize((l_sh + r_sh) / 2.0 - (l_hip + r_hip) / 2.0)
    left = normalize(orthogonal_part(l_hip - r_hip, up))
    forward = normalize(cross(left, up))
    return BodyFrame(up=up, left=left, forward=forward)


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
