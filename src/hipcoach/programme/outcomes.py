"""From the sets of one session on one track to the `SessionOutcome` the engine judges.

Pure: takes plain facts about each set, so the rules can be tested without a database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from hipcoach.programme.progression import OUTER_HIP_PAIN_MIN, SessionOutcome
from hipcoach.programme.tracks import Frozen

HOLD_DONE_RATIO = 0.8
"""A hold counts as done at 80 % of its target, the same margin as the `hold_too_short` cue."""


class SetFacts(Frozen):
    target_reps: int
    actual_reps: int
    target_hold_s: float | None = None
    hold_s: float | None = None
    flagged_reps: int | None = None
    pain: int
    felt: str


def _set_done(fact: SetFacts) -> bool:
    if fact.actual_reps < fact.target_reps:
        return False
    if fact.target_hold_s and fact.hold_s is not None:
        return fact.hold_s >= HOLD_DONE_RATIO * fact.target_hold_s
    return True


def summarise_sets(
    session_id: int,
    performed_on: dt.date,
    sets: Sequence[SetFacts],
    planned_sets: int,
    morning_pain: int | None,
) -> SessionOutcome:
    """Volume done (at least `planned_sets` sets met their reps and hold), peak pain, the
    share of flagged reps among camera-watched reps (None if none were watched), and
    whether most sets were felt in the target muscle. ValueError if `sets` is empty."""
    if not sets:
        raise ValueError("a session outcome needs at least one set")
    watched = [f for f in sets if f.flagged_reps is not None]
    watched_reps = sum(f.actual_reps for f in watched)
    flagged = sum(f.flagged_reps or 0 for f in watched)
    target_felt = sum(1 for f in sets if f.felt == "target")
    places = [f.felt for f in sets]
    felt_most = max(dict.fromkeys(places), key=places.count)
    return SessionOutcome(
        session_id=session_id,
        performed_on=performed_on,
        volume_done=sum(1 for f in sets if _set_done(f)) >= planned_sets,
        peak_pain=max(f.pain for f in sets),
        morning_pain=morning_pain,
        flagged_fraction=min(1.0, flagged / watched_reps) if watched_reps else None,
        felt_target=2 * target_felt >= len(sets),
        felt_most=felt_most,
        outer_hip_pain=any(f.felt == "outer_hip" and f.pain >= OUTER_HIP_PAIN_MIN for f in sets),
    )
