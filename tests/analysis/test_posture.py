"""Settling: still in the start posture despite landmark jitter, not while moving into it."""

from __future__ import annotations

import numpy as np

from hipcoach.analysis.posture import SettleDetector
from hipcoach.exercises.schema import Posture
from hipcoach.features.body import BodyFrame
from hipcoach.features.geometry import cross, normalize
from hipcoach.pose.landmarks import LANDMARK_INDEX


def _frame(up_deg: float, left_wobble: np.ndarray) -> BodyFrame:
    """A side-lying body frame (camera axes: x right, y down, z away): up along the image
    x axis turned by `up_deg`, left pointing up in the image, plus jitter on left."""
    a = np.radians(up_deg)
    up = np.array([np.cos(a), 0.0, np.sin(a)])
    left = normalize(np.array([0.0, -1.0, 0.0]) + left_wobble)
    left = normalize(left - float(left @ up) * up)
    return BodyFrame(up=up, left=left, forward=normalize(cross(left, up)))


def _points(frame: BodyFrame) -> np.ndarray:
    """A pose whose hips and shoulders have this body frame (0.35 wide, trunk 0.5 long)."""
    points = np.zeros((33, 3))
    half = 0.175 * frame.left
    for side, sign in (("left", 1.0), ("right", -1.0)):
        points[LANDMARK_INDEX[f"{side}_hip"]] = sign * half
        points[LANDMARK_INDEX[f"{side}_shoulder"]] = 0.5 * frame.up + sign * half
    return points


def _settles(frames: list[BodyFrame]) -> bool:
    detector = SettleDetector(Posture.side_lying)
    return any(detector.add(k / 30.0, _points(f)) for k, f in enumerate(frames))


def test_still_body_with_depth_jitter_settles() -> None:
    rng = np.random.default_rng(3)
    # The hip line jitters ~10 degrees along the camera axis, frame to frame.
    frames = [_frame(0.0, np.array([0.0, 0.0, rng.normal(0, 0.18)])) for _ in range(40)]
    assert _settles(frames)


def test_trunk_turning_into_position_does_not_settle() -> None:
    # 10 degrees a second, smoothly: someone still lowering onto their side.
    frames = [_frame(10.0 * k / 30.0, np.zeros(3)) for k in range(60)]
    assert not _settles(frames)
