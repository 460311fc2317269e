"""The posture a set starts from, which every compensation is measured against.

Settling fires on the first still spell in the exercise's posture (`SettleDetector`). Until
the first rep begins, the start posture is refreshed from each later still spell (a slow
approach into position can look still for a moment), and a trunk that turns away from it
for good means the person is still getting into position: the set starts over.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from hipcoach.analysis.posture import SettleDetector, SnapshotCache
from hipcoach.analysis.reps import RepCounter, RepWindow
from hipcoach.analysis.track import LegTrack
from hipcoach.exercises.schema import Exercise
from hipcoach.features.body import PosePoints, Side, as_pose
from hipcoach.features.geometry import compute_angle_between
from hipcoach.features.measures import Reference, build_reference, snapshot_posture

REFRESH_EVERY_S = 0.25
UNSETTLE_DEG = 12.0
"""A trunk turned this far (degrees) from the start posture is getting into position..."""
UNSETTLE_HOLD_S = 0.25
"""... when held for this long (a turn of one frame is a landmark glitch, not a move)."""
UNSETTLE_HOLD_IN_REP_S = 1.5
"""During a rep a trunk that rolls with the knee is a compensation, judged when the rep
ends: only a turn held longer than such a roll restarts the set."""


def compute_trunk_turn(points: np.ndarray | PosePoints, reference: Reference) -> float:
    """How far (degrees) the trunk has turned from the start posture."""
    up = as_pose(points).frame.up
    return float(compute_angle_between(up, reference.frame.up))


def settle_on_first_rep(
    track: LegTrack, window: RepWindow, early: Iterable[tuple[float, np.ndarray, np.ndarray]]
) -> None:
    """Once the first rep is known, take the start posture from the rest just before it
    (not from whenever settling fired) and judge that rep again against it. `early`: the
    smoothed frames kept until then, as (t, points, visibility)."""
    frames = list(early)
    before = [p for t, p, _ in frames if window.start_s - 0.5 <= t <= window.start_s]
    if len(before) >= 3:
        snapshots = [snapshot_posture(p, track.side) for p in before]
        track.reference = build_reference(snapshots, track.side)
    during = [(p, v) for t, p, v in frames if window.start_s <= t <= window.end_s]
    track.rejudge(during, rest=before)
    track.judge_live = True


class StartPosture:
    """The still spells that settle a set and the start posture taken from them."""

    def __init__(self, exercise: Exercise) -> None:
        self.exercise = exercise
        self.settle = SettleDetector(
            exercise.posture,
            signal=exercise.primary_signal.name,
            max_sweep_deg=max(20.0, 2.0 * exercise.primary_signal.min_rep_deg),
        )
        self.snapshots = SnapshotCache()
        self.still_t: float | None = None
        """The latest end of a still spell in the exercise's posture."""
        self._turned_since: float | None = None
        self._refreshed_t = -1.0

    @property
    def planar(self) -> bool:
        """The landmarks are image-plane points only (no world coordinates)."""
        return self.settle.planar

    @planar.setter
    def planar(self, value: bool) -> None:
        self.settle.planar = value

    def reset(self) -> None:
        """Getting into position goes on: forget every still spell."""
        self._turned_since = None
        self.settle.reset()
        self.still_t = None
        self.snapshots.clear()

    def settled(self, t: float, points: PosePoints) -> bool:
        """Feed one frame before the set has settled; True once it has."""
        if not self.settle.add(t, points):
            return False
        self.still_t = t
        return True

    def reference(self, side: Side) -> Reference:
        """The start posture of one working side, from the latest still spell."""
        return build_reference(self.snapshots.of(self.settle.points(), side), side)

    def candidate_tracks(self, sides: list[Side] | None) -> list[LegTrack]:
        """A track per candidate working leg (both when `sides` is None) and, for an
        exercise done from either end, per end the person may start from."""
        spec = self.exercise.primary_signal
        directions = [spec.direction, -spec.direction] if spec.from_either_end else [0]
        tracks = []
        for side in sides or ("left", "right"):
            reference = self.reference(side)
            for direction in directions:
                counter = RepCounter(enter_deg=spec.min_rep_deg)
                planar = self.settle.planar
                tracks.append(
                    LegTrack(side, self.exercise, reference, counter, direction, planar=planar)
                )
        return tracks

    def refine(
        self, points: PosePoints, t: float, tracks: Sequence[LegTrack], first_rep_done: bool
    ) -> bool:
        """Until the first rep starts, keep the tracks' start posture up to date: the
        posture held just before the first rep is the one compensations are compared with.
        `first_rep_done`: the first rep has ended (it may still be under review). True when
        the trunk has turned away for good: the set must settle again."""
        moving = any(tr.moving for tr in tracks)
        if compute_trunk_turn(points, tracks[0].reference) <= UNSETTLE_DEG:
            self._turned_since = None
        elif self._turned_since is None:
            self._turned_since = t
        hold = UNSETTLE_HOLD_IN_REP_S if moving else UNSETTLE_HOLD_S
        if self._turned_since is not None and t - self._turned_since >= hold:
            return True
        if first_rep_done:
            return False  # the start posture was taken from the rest before the first rep
        settled = self.settled(t, points)
        if moving:
            return False
        still = self.settle.points()
        self.snapshots.keep_only(still)
        for track in tracks:
            # Measured as each frame arrives, so a refresh costs no more than any frame.
            self.snapshots.of([points] if still else [], track.side)
        if not settled or t - self._refreshed_t < REFRESH_EVERY_S:
            return False
        self._refreshed_t = t
        # One reference per side, shared by that side's tracks (so is what they measure).
        sides = dict.fromkeys(track.side for track in tracks)
        references = {side: self.reference(side) for side in sides}
        for track in tracks:
            track.rebase(references[track.side], points)
        return False
