"""One cue at a time: choose which of the engine's cue events the person sees and hears.

The engine may raise several cues in one frame, or the same cue on every rep. A person
on a mat can take in one short sentence at a time, so the picker
- shows the most important waiting cue (stop > warn > info, then a fixed order that puts
  "you're losing the isolation" and camera advice before single-rep faults),
- keeps a shown cue on screen for at least `hold_s` seconds before replacing it,
- never repeats the same cue within `repeat_s` seconds (3 s by default),
- forgets waiting cues older than `stale_s`, so advice never arrives late,
- says a cue that is less certain from this camera angle (the report's
  `view.hard_to_see`) once per set, with that caveat, instead of on every rep.
Times are the capture times of the frames, in seconds.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from hipcoach.analysis.events import CueEvent
from hipcoach.programme.vocabulary import UNCERTAIN_CAVEAT

__all__ = ["UNCERTAIN_CAVEAT", "CuePicker", "cue_priority"]

SEVERITY_RANK: dict[str, int] = {"stop": 0, "warn": 1, "info": 2}
CUE_ORDER: tuple[str, ...] = (
    "isolation_lost",
    "view_incomplete",
    "pelvis_rolls_back",
    "trunk_moves",
    "hips_not_stacked",
    "hip_hikes",
    "range_too_big",
    "wrong_hip_angle",
    "leg_drifts_forward",
    "thigh_rotates",
    "bottom_leg_moves",
    "feet_apart",
    "hold_too_short",
    "shaking",
)


def cue_priority(event: CueEvent) -> tuple[int, int]:
    """Sort key: smaller is more important. Unknown cue ids come after known ones."""
    order = CUE_ORDER.index(event.cue) if event.cue in CUE_ORDER else len(CUE_ORDER)
    return SEVERITY_RANK.get(event.severity, len(SEVERITY_RANK)), order


@dataclass
class _Waiting:
    event: CueEvent
    since: float


class CuePicker:
    """Feed it each frame's cue events; it says which single cue to show, if a new one."""

    def __init__(self, repeat_s: float = 3.0, hold_s: float = 2.0, stale_s: float = 4.0) -> None:
        self.repeat_s = repeat_s
        self.hold_s = hold_s
        self.stale_s = stale_s
        self._waiting: dict[str, _Waiting] = {}
        self._last_shown: dict[str, float] = {}
        self._current: CueEvent | None = None
        self._current_since = float("-inf")
        self._said_uncertain: set[str] = set()

    @property
    def current(self) -> CueEvent | None:
        return self._current

    def offer(
        self, events: list[CueEvent], t: float, uncertain: Collection[str] = ()
    ) -> CueEvent | None:
        """Register this frame's cues; return a cue to show now, or None to keep the screen.

        `uncertain`: cue ids this camera angle sees poorly; each is shown once per set,
        its message followed by `UNCERTAIN_CAVEAT`, and dropped after that."""
        for event in events:
            if event.cue in uncertain:
                if event.cue in self._said_uncertain:
                    continue
                self._said_uncertain.add(event.cue)
                event = event.model_copy(update={"message": f"{event.message} {UNCERTAIN_CAVEAT}"})
            if event.cue not in self._waiting:
                self._waiting[event.cue] = _Waiting(event, t)
        self._waiting = {k: w for k, w in self._waiting.items() if t - w.since <= self.stale_s}
        on_screen = self._current is not None and t - self._current_since < self.hold_s
        if on_screen and not self._outranks_current():
            return None
        candidates = [
            w.event
            for cue, w in self._waiting.items()
            if t - self._last_shown.get(cue, float("-inf")) >= self.repeat_s
        ]
        if not candidates:
            return None
        chosen = min(candidates, key=cue_priority)
        del self._waiting[chosen.cue]
        self._current = chosen
        self._current_since = t
        self._last_shown[chosen.cue] = t
        return chosen

    def _outranks_current(self) -> bool:
        """A stop-level cue may interrupt a warning still on screen."""
        assert self._current is not None
        current_rank = SEVERITY_RANK.get(self._current.severity, 9)
        return any(
            SEVERITY_RANK.get(w.event.severity, 9) < current_rank for w in self._waiting.values()
        )
