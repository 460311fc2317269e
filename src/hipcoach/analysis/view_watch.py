"""Whether the camera sees the joints an exercise needs, frame by frame.

Keeps the counts behind `view_incomplete` and the report's camera advice, and emits a
`ViewEvent` when the recent view goes bad and when it comes back.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from hipcoach.analysis.events import Event, Side, ViewEvent, ViewReport
from hipcoach.analysis.posture import POSTURE_ADVICE
from hipcoach.analysis.set_checks import ViewMeter
from hipcoach.analysis.track import LegTrack
from hipcoach.analysis.view_limits import visibility_threshold
from hipcoach.exercises.schema import Exercise
from hipcoach.pose.landmarks import LANDMARK_INDEX, PoseFrame

# Before the working leg is known, both legs' joints (and the trunk's) must be seen.
BOTH_SIDES = [f"{s}_{j}" for s in ("left", "right") for j in ("shoulder", "hip", "knee", "ankle")]
# The view is told bad below the threshold, and good again only from this share up.
BACK_IN_VIEW = 0.8
# No view event in the first second (a camera still starting up).
QUIET_START_S = 1.0


@dataclass
class ViewWatch:
    exercise: Exercise
    threshold: float = 0.5
    """The share of frames with every needed joint below which the view is incomplete."""
    meter: ViewMeter = field(default_factory=ViewMeter)
    _ok: bool = True
    _rule: tuple[Side | None, list[str], np.ndarray, np.ndarray] | None = None

    def _needed(self, track: LegTrack | None) -> tuple[list[str], np.ndarray, np.ndarray]:
        """The joints that must be seen, their landmark indices and visibility thresholds
        (the working side's joints must be clearly seen, the other side's less so)."""
        key = track.side if track is not None else None
        if self._rule is None or self._rule[0] != key:
            names = track.required_names() if track is not None else BOTH_SIDES
            index = np.array([LANDMARK_INDEX[n] for n in names])
            thresholds = np.array([visibility_threshold(n, key) for n in names])
            self._rule = (key, names, index, thresholds)
        return self._rule[1], self._rule[2], self._rule[3]

    def note(
        self,
        frame: PoseFrame | None,
        t: float,
        since_start_s: float,
        track: LegTrack | None,
        events: list[Event],
    ) -> None:
        """Count one frame (None: nobody found) against `track`'s needed joints."""
        missing: list[str] = []
        edges: list[str] = []
        if frame is not None:
            names, index, thresholds = self._needed(track)
            low = frame.visibility[index] < thresholds
            image = frame.image[index]
            if low.any() or not np.isfinite(image).all():  # (usually every joint is seen)
                for k in np.flatnonzero(low | ~np.isfinite(image).all(axis=1)):
                    missing.append(names[k])
                    edges += _edges_outside(image[k])
        self.meter.add(t, frame is not None, missing, edges)
        if since_start_s < QUIET_START_S:
            return
        recent = self.meter.recent_fraction
        if self._ok and recent < self.threshold:
            self._ok = False
            advice = self.meter.advice() or POSTURE_ADVICE[self.exercise.posture]
            events.append(
                ViewEvent(t=t, ok=False, advice=advice, missing=self.meter.most_missing())
            )
        elif not self._ok and recent >= max(self.threshold, BACK_IN_VIEW):
            self._ok = True
            events.append(ViewEvent(t=t, ok=True))

    @property
    def incomplete(self) -> bool:
        """Too few frames of the set had every needed joint in view."""
        return bool(self.meter.frames) and self.meter.fraction < self.threshold

    def report(self, ok: bool, advice: str, track: LegTrack | None) -> ViewReport:
        """What the camera saw, for the set report (`track`: the working leg's)."""
        not_judged = track.not_judged() if track else []
        return ViewReport(
            ok=ok,
            advice=advice,
            missing=self.meter.most_missing(),
            visible_fraction=round(self.meter.fraction, 3),
            hard_to_see=[c for c in track.hard_to_see() if c not in not_judged] if track else [],
            not_judged=not_judged,
        )

    def camera_advice(self) -> str:
        """What went wrong with the view, then where this exercise wants the camera."""
        seen = self.meter.advice() or POSTURE_ADVICE[self.exercise.posture]
        return f"{seen} For this exercise: {self.exercise.camera.instructions}"


def _edges_outside(xyz: np.ndarray) -> list[str]:
    x, y = float(xyz[0]), float(xyz[1])
    edges = []
    if np.isfinite(x):
        edges += ["left"] if x < 0 else ["right"] if x > 1 else []
    if np.isfinite(y):
        edges += ["top"] if y < 0 else ["bottom"] if y > 1 else []
    return edges
