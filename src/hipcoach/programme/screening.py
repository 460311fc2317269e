"""Recording the safety screen and doctors' clearances, and reading the safety status.

Rules beyond `safety.evaluate_screen`:
- Flags that still block carry over into the next screen, so a weekly re-screen with
  clean answers cannot quietly lift a block; only a clearance does.
- After an emergency outcome, the next screen carries an `after_emergency:<id>` flag: the
  person confirms a doctor saw and cleared them before exercising again.
- A week of rising pain despite the programme easing off adds a `pain_rising:<date>` flag.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hipcoach.programme.models import SafetyStatus
from hipcoach.programme.safety import (
    EMERGENCY_MESSAGE,
    RED_FLAG_IDS,
    REFERRAL_FLAG,
    REFERRAL_MESSAGE,
    SCREEN_VERSION,
    SEE_DOCTOR_MESSAGE,
    Outcome,
    ScreenReason,
    ScreenResult,
    evaluate_screen,
    is_pain_rising_despite_easing,
    screen_reason,
)
from hipcoach.store.database import Database
from hipcoach.store.tables import Clearance, Screen

AFTER_EMERGENCY = "after_emergency"


def _cleared(s: Session, person_id: int) -> set[str]:
    flags: set[str] = set()
    for clearance in s.scalars(select(Clearance).where(Clearance.person_id == person_id)):
        flags.update(clearance.flags)
    return flags


def _latest_screen(s: Session, person_id: int) -> Screen | None:
    return s.scalar(
        select(Screen).where(Screen.person_id == person_id).order_by(Screen.id.desc()).limit(1)
    )


def _carried_flags(previous: Screen | None, cleared: set[str]) -> list[str]:
    """Flags from the previous screen that must still be cleared."""
    if previous is None:
        return []
    if previous.outcome == Outcome.emergency:
        return [f"{AFTER_EMERGENCY}:{previous.id}"]
    return [f for f in previous.flagged if f not in cleared]


AFTER_EMERGENCY_MESSAGE = (
    "Your answers today are all clear, but an earlier safety check said to get emergency "
    "care. Exercise waits until a doctor has seen you about that and cleared you."
)


def _blocking(screen: Screen, cleared: set[str]) -> tuple[str, ...]:
    if screen.outcome == Outcome.emergency:
        return tuple(screen.flagged)
    return tuple(f for f in screen.flagged if f not in cleared)


def _message(outcome: str, blocking: tuple[str, ...]) -> str:
    if outcome == Outcome.emergency:
        return EMERGENCY_MESSAGE
    if any(f.startswith(REFERRAL_FLAG) for f in blocking):
        return REFERRAL_MESSAGE
    if any(f.startswith(AFTER_EMERGENCY) for f in blocking):
        return AFTER_EMERGENCY_MESSAGE
    if blocking:
        return SEE_DOCTOR_MESSAGE
    return "Nothing in your answers stops you exercising."


def record_screen(
    db: Database,
    person_id: int,
    answers: Mapping[str, bool],
    on: dt.date,
    reason: ScreenReason,
) -> ScreenResult:
    """Store one screen (every answer, dated) and return its result, carried flags included.

    `answers` maps every id in `RED_FLAG_IDS` to yes/no; ValueError if one is missing.
    """
    with db.transaction() as s:
        cleared = _cleared(s, person_id)
        carried = _carried_flags(_latest_screen(s, person_id), cleared)
        result = evaluate_screen(answers, cleared)
        if result.outcome != Outcome.emergency and carried:
            flagged = tuple(dict.fromkeys([*result.flagged, *carried]))
            blocking = tuple(f for f in flagged if f not in cleared)
            result = ScreenResult(
                outcome=Outcome.see_doctor,
                flagged=flagged,
                blocking=blocking,
                message=_message(Outcome.see_doctor, blocking),
            )
        s.add(
            Screen(
                person_id=person_id,
                taken_on=on,
                reason=reason,
                outcome=result.outcome.value,
                answers={k: bool(answers[k]) for k in RED_FLAG_IDS},
                flagged=list(result.flagged),
                version=SCREEN_VERSION,
            )
        )
        return result


def record_referral(db: Database, person_id: int, on: dt.date) -> None:
    """Block the programme because pain kept rising despite easing off (a doctor should look)."""
    with db.transaction() as s:
        previous = _latest_screen(s, person_id)
        cleared = _cleared(s, person_id)
        flagged = [*_carried_flags(previous, cleared), f"{REFERRAL_FLAG}:{on.isoformat()}"]
        answers = dict(previous.answers) if previous else {}
        s.add(
            Screen(
                person_id=person_id,
                taken_on=on,
                reason="pain_trend",
                outcome=Outcome.see_doctor.value,
                answers=answers,
                flagged=list(dict.fromkeys(flagged)),
                version=SCREEN_VERSION,
            )
        )


def last_referral_on(db: Database, person_id: int) -> dt.date | None:
    """The day the programme last paused for rising pain (None: never)."""
    with db.transaction() as s:
        return s.scalar(
            select(func.max(Screen.taken_on)).where(
                Screen.person_id == person_id, Screen.reason == "pain_trend"
            )
        )


def check_pain_trend(db: Database, person_id: int, on: dt.date) -> bool:
    """Pause the programme (a referral) when session pain rose over the last week although
    the programme eased off. Easing-off days before an earlier referral no longer count, so
    one episode pauses once. True when a referral was recorded now."""
    from hipcoach.programme.history import list_sessions
    from hipcoach.programme.planner import regress_dates

    pains = [
        (s.performed_on, max(x.pain for x in s.sets))
        for s in list_sessions(db, person_id)
        if s.sets
    ]
    last = last_referral_on(db, person_id)
    eased = [d for d in regress_dates(db, person_id) if last is None or d > last]
    if not is_pain_rising_despite_easing(pains, eased, on):
        return False
    record_referral(db, person_id, on)
    return True


def record_clearance(db: Database, person_id: int, on: dt.date) -> tuple[str, ...]:
    """The person confirms a doctor cleared them: every flag now blocking is covered.
    Returns the flags cleared. An emergency outcome is never cleared this way: it needs a
    new screen first."""
    with db.transaction() as s:
        screen = _latest_screen(s, person_id)
        if screen is None or screen.outcome == Outcome.emergency:
            return ()
        blocking = _blocking(screen, _cleared(s, person_id))
        if blocking:
            s.add(Clearance(person_id=person_id, given_on=on, flags=list(blocking)))
        return blocking


def safety_status(
    db: Database, person_id: int, on: dt.date, new_leg_symptoms: bool = False
) -> SafetyStatus:
    """May the person exercise today, and is the screen due (first time, weekly, new leg
    symptoms)? Read-only."""
    with db.transaction() as s:
        screen = _latest_screen(s, person_id)
        if screen is None:
            return SafetyStatus(
                blocked=True,
                outcome=None,
                message="The safety questions have not been answered yet.",
                due="onboarding",
            )
        blocking = _blocking(screen, _cleared(s, person_id))
        last_on = s.scalar(
            select(func.max(Screen.taken_on)).where(
                Screen.person_id == person_id, Screen.reason != "pain_trend"
            )
        )
        return SafetyStatus(
            blocked=bool(blocking),
            outcome=Outcome(screen.outcome),
            message=_message(screen.outcome, blocking),
            blocking=blocking,
            due=screen_reason(last_on, on, new_leg_symptoms),
            last_screen_on=last_on,
        )
