"""The first rep waits a moment before it counts: was it a rep or getting into position?

A rep ends back where it started. Someone still getting into position can look still for
a moment, move the leg up and down once, then carry on settling: the primary signal then
falls well below where that "rep" began (the start posture was not the final one). The
first rep is therefore held back for `FIRST_REP_REVIEW_S` after it ends; a signal that
drops below its start level by more than `drop_deg` in that time throws it away and the
analyser settles again. Later reps count at once (by then the start posture is known).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from hipcoach.analysis.events import RepReport

FIRST_REP_REVIEW_S = 0.6
"""How long after its end the first rep waits (the settling moves in the bench's sets
carried the signal below the start within 0.2-0.5 s; the first count shows this late)."""
DROP_FRACTION = 0.5
"""A fall below the start of more than this share of the rep's range (and at least the
exercise's smallest rep) means the start posture was not the final one."""


class Verdict(StrEnum):
    waiting = "waiting"
    rep = "rep"
    settling = "settling"


@dataclass(frozen=True)
class PendingRep:
    """The first rep, judged and ready, waiting for its verdict."""

    rep: RepReport
    start_level: float
    """The primary signal's rest level the rep rose from (degrees, rep direction up)."""
    drop_deg: float
    until_s: float

    @classmethod
    def after(cls, rep: RepReport, start_level: float, min_rep_deg: float) -> PendingRep:
        drop = max(min_rep_deg, DROP_FRACTION * rep.range_deg)
        return cls(rep, start_level, drop, rep.end_s + FIRST_REP_REVIEW_S)

    def review(self, level: float, t: float) -> Verdict:
        """The verdict given the primary signal's latest (smoothed) value at time t."""
        if self.start_level - level > self.drop_deg:
            return Verdict.settling
        return Verdict.rep if t >= self.until_s else Verdict.waiting
