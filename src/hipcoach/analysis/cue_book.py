"""A set's cues: the messages, the set-level checks (set-up, isolation, shaking, view)
and the cues raised so far, each at most once a set."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from hipcoach.analysis.checks import SETUP_CHECKS
from hipcoach.analysis.events import CueEvent, Event, RepReport
from hipcoach.analysis.set_checks import TremorMeter, detect_isolation_lost
from hipcoach.exercises.schema import CheckSpec, Exercise, Variation
from hipcoach.features.measures import Reference

SET_CUE_SEVERITY = {"isolation_lost": "stop", "shaking": "info", "view_incomplete": "warn"}
# Shaking is a state, not a moment: it must show at this many rep ends in a row.
SHAKY_REP_ENDS = 2


@dataclass
class CueBook:
    exercise: Exercise
    set_checks: dict[str, CheckSpec]
    raised: list[str] = field(default_factory=list)
    """Set-level cues raised so far, in order."""
    tremor: TremorMeter = field(default_factory=TremorMeter)
    _messages: dict[str, str] = field(default_factory=dict)
    _shaky_reps: int = 0

    @classmethod
    def of(cls, exercise: Exercise, set_checks: Sequence[CheckSpec]) -> CueBook:
        messages = {c.id: c.message for c in (*exercise.checks, *set_checks)}
        return cls(exercise, {c.id: c for c in set_checks}, _messages=messages)

    def threshold(self, check_id: str, default: float) -> float:
        check = self.set_checks.get(check_id)
        return check.threshold if check else default

    def message(self, cue: str) -> str:
        return self._messages.get(cue, cue)

    def event(self, cue: str, t: float, level: str, rep_index: int | None) -> CueEvent:
        return CueEvent(
            t=t,
            cue=cue,
            message=self._messages.get(cue, cue.replace("_", " ")),
            level=level,
            rep_index=rep_index,
            severity=SET_CUE_SEVERITY.get(cue, "warn"),
        )

    def raise_set(self, cue: str, t: float, events: list[Event]) -> None:
        if cue in self.raised:
            return
        self.raised.append(cue)
        events.append(self.event(cue, t, "set", None))

    def check_setup(
        self,
        reference: Reference,
        variation: Variation | None,
        unseen: set[str],
        t: float,
        events: list[Event],
    ) -> None:
        """The start posture's checks, except those this camera cannot see (`unseen`)."""
        for check in self.exercise.checks:
            if check.id in unseen:
                continue
            rule = SETUP_CHECKS.get(check.id)
            if rule is not None and rule(reference, variation, check.threshold):
                self.raise_set(check.id, t, events)

    def check_set_level(self, reps: list[RepReport], t: float, events: list[Event]) -> None:
        """After each rep: has isolation been lost, is the working knee shaking?"""
        iso = self.set_checks.get("isolation_lost")
        if iso is not None and detect_isolation_lost(reps, iso.threshold):
            self.raise_set("isolation_lost", t, events)
        shake = self.set_checks.get("shaking")
        shaky = shake is not None and self.tremor.ratio() >= shake.threshold
        self._shaky_reps = self._shaky_reps + 1 if shaky else 0
        if self._shaky_reps >= SHAKY_REP_ENDS:
            self.raise_set("shaking", t, events)
