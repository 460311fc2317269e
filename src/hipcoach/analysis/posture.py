"""Is the person in the exercise's start posture, and holding still? (Settling.)

Gravity is taken as the image's downward direction (+y in both image and world
coordinates for a level camera), which is how a phone or laptop camera on the floor or a
table is normally set.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from hipcoach.exercises.schema import Posture, SignalName
from hipcoach.features.body import FloatArray, PosePoints, Side, as_pose
from hipcoach.features.measures import (
    PostureSnapshot,
    compute_signal,
    looks_end_on_side_lying,
    snapshot_posture,
)
from hipcoach.features.vec3 import Vec, angle_deg

POSTURE_ADVICE = {
    Posture.side_lying: (
        "Lie on your side with your hips stacked, facing the camera, or with the camera beyond"
        " your feet moved about 40 degrees round to your front (not straight along your body:"
        " from there your legs hide your hips)."
    ),
    Posture.supine: "Lie on your back with the camera square to your side at hip height.",
    Posture.seated: "Sit tall with the camera square to your side at hip height.",
    Posture.standing: "Stand tall with your whole body in view.",
}


LYING_POSTURES = (Posture.side_lying, Posture.supine)


def matches_posture(pose: PosePoints, posture: Posture, planar: bool = False) -> bool:
    """Coarse orientation test of the trunk and the hip line against gravity.

    `planar`: the points are image-plane only, where the hip line of a person seen from
    the side is too short to orient, so lying postures are judged by the trunk alone,
    and a person seen end-on (see `looks_end_on_side_lying`) by the hip line.
    """
    frame = pose.frame
    if planar and looks_end_on_side_lying(pose):
        return posture is Posture.side_lying
    up_y = float(frame.up[1])
    left_y = float(frame.left[1]) if not planar else 0.0
    if not (np.isfinite(up_y) and np.isfinite(left_y)):
        return False
    if planar and posture in (Posture.side_lying, Posture.supine):
        return abs(up_y) < 0.75
    if posture is Posture.side_lying:
        return abs(up_y) < 0.75 and abs(left_y) > 0.45
    if posture is Posture.supine:
        return abs(up_y) < 0.75 and abs(left_y) < 0.7
    return up_y < -0.55


def _half_turn(axes: Sequence[list[float]]) -> float:
    """How far an axis turned across a window: the angle between its mean direction in
    the first and in the second half. Averaging first keeps landmark jitter (large for an
    axis along the camera's line of sight) from passing for movement; getting into
    position turns the trunk far more than that."""
    half = len(axes) // 2
    return angle_deg(_nanmean(axes[:half]), _nanmean(axes[half:]))


def _nanmean(rows: Sequence[list[float]]) -> Vec:
    """`np.nanmean(rows, axis=0)` of 3-vectors, in plain floats: NumPy adds each column's
    numbers in order from 0.0 and divides by their count, which this repeats step for step
    (the same result to the last bit, without NumPy's overhead on a few short rows)."""
    means = []
    for column in zip(*rows, strict=True):
        total, count = 0.0, 0
        for value in column:
            if value == value:  # not NaN
                total += value
                count += 1
        means.append(total / count if count else math.nan)
    x, y, z = means
    return (x, y, z)


@dataclass
class SettleDetector:
    """Collects frames until the trunk has been still, in posture, for `hold_s` seconds,
    and the legs have not swept through more than `max_sweep_deg` meanwhile (someone
    sitting or lying down moves the legs a long way; someone starting a rep at once
    moves them only a little in that time)."""

    posture: Posture
    signal: SignalName | None = None
    max_sweep_deg: float = 20.0
    planar: bool = False
    hold_s: float = 0.7
    max_turn_deg: float = 5.0
    _frames: deque[tuple[float, FloatArray]] = field(default_factory=deque)
    _signals: deque[tuple[float, float]] = field(default_factory=deque)
    # Each frame's up and left axes as plain floats, for the window's turn (see _half_turn).
    _axes: deque[tuple[list[float], list[float]]] = field(default_factory=deque)

    def add(self, t: float, points: FloatArray | PosePoints) -> bool:
        """Add a frame; True once the last `hold_s` seconds were still and in posture."""
        pose = as_pose(points)
        if not matches_posture(pose, self.posture, self.planar):
            self.reset()
            return False
        up, left, _ = pose.axes
        self._frames.append((t, pose.points))
        self._axes.append((list(up), list(left)))
        if self.signal is not None:
            self._signals.append(
                (
                    compute_signal(self.signal, pose, "left"),
                    compute_signal(self.signal, pose, "right"),
                )
            )
        while self._frames and self._frames[0][0] < t - self.hold_s:
            self._frames.popleft()
            self._axes.popleft()
            if self._signals:
                self._signals.popleft()
        if t - self._frames[0][0] < 0.8 * self.hold_s or len(self._frames) < 4:
            return False
        if self.signal is not None and self._leg_sweep() > self.max_sweep_deg:
            return False
        # A steady turn of R degrees across the window moves the halves' means R/2 apart.
        limit = 0.5 * self.max_turn_deg
        ups, lefts = zip(*self._axes, strict=True)
        if not _half_turn(ups) < limit:
            return False
        return self.planar or _half_turn(lefts) < 1.5 * limit

    def _leg_sweep(self) -> float:
        """The larger of the two legs' primary-signal ranges over the window (degrees)."""
        sweeps = [0.0]
        for column in zip(*self._signals, strict=True):
            finite = [v for v in column if math.isfinite(v)]
            if finite:
                sweeps.append(max(finite) - min(finite))
        return max(sweeps)

    def timed_points(self) -> list[tuple[float, FloatArray]]:
        return list(self._frames)

    def points(self) -> list[FloatArray]:
        return [p for _, p in self._frames]

    def reset(self) -> None:
        self._frames.clear()
        self._signals.clear()
        self._axes.clear()


@dataclass
class SnapshotCache:
    """Posture snapshots of the frames in the still window, measured once per frame and
    side: the start posture's refresh then costs no more than any frame (not the whole
    window every refresh, a few ms). Frames are keyed by their points array."""

    _kept: dict[tuple[int, str], tuple[np.ndarray, PostureSnapshot]] = field(default_factory=dict)

    def of(self, points: Sequence[np.ndarray | PosePoints], side: Side) -> list[PostureSnapshot]:
        snapshots = []
        for p in points:
            raw = p.points if isinstance(p, PosePoints) else p
            hit = self._kept.get((id(raw), side))
            if hit is None or hit[0] is not raw:
                hit = (raw, snapshot_posture(p, side))
                self._kept[(id(raw), side)] = hit
            snapshots.append(hit[1])
        return snapshots

    def keep_only(self, points: Sequence[np.ndarray]) -> None:
        """Forget every frame but these."""
        kept = {id(p) for p in points}
        self._kept = {k: v for k, v in self._kept.items() if k[0] in kept}

    def clear(self) -> None:
        self._kept.clear()
