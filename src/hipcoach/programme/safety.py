"""The red-flag safety screen (brief (c)): questions, outcomes and when to ask again.

The screen never names a condition. It sorts answers into three outcomes:

- `emergency`: a sign that nerves at the base of the spine may be pressed (new bladder or
  bowel trouble, numbness in the saddle area, pain in both legs, new sexual problems, leg
  weakness that is getting worse). Everything stops and the person is told to get
  emergency care now. This is never waived.
- `see_doctor`: another warning sign (history of cancer, unexplained weight loss, fever,
  a fall or accident, ...). The programme is blocked until the person confirms a doctor has
  seen them and cleared them to exercise; a clearance covers the flags it was given for.
- `clear`: nothing found.

Asked at `hipcoach start`, again when 7 days have passed, and whenever new leg symptoms are
logged. Single red flags predict poorly, so the app triages conservatively [E/I].
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from enum import StrEnum
from itertools import pairwise
from typing import Literal

from hipcoach.errors import SafetyStop
from hipcoach.programme.tracks import Frozen

SCREEN_VERSION = 1
RESCREEN_DAYS = 7
PAIN_TREND_DAYS = 7


class Outcome(StrEnum):
    clear = "clear"
    see_doctor = "see_doctor"
    emergency = "emergency"


Group = Literal["nerve", "cancer", "infection", "fracture", "other"]


class RedFlag(Frozen):
    id: str
    group: Group
    question: str

    @property
    def emergency(self) -> bool:
        return self.group == "nerve"


RED_FLAGS: tuple[RedFlag, ...] = (
    RedFlag(
        id="bladder",
        group="nerve",
        question=(
            "Do you have new trouble passing urine, or are you leaking urine without meaning to?"
        ),
    ),
    RedFlag(
        id="bowel",
        group="nerve",
        question="Have you newly lost control of your bowels?",
    ),
    RedFlag(
        id="saddle_numbness",
        group="nerve",
        question=(
            "Is there new numbness or pins and needles around your genitals, back passage "
            "or inner thighs (where you would sit on a saddle)?"
        ),
    ),
    RedFlag(
        id="both_legs",
        group="nerve",
        question="Do you have pain, numbness or weakness going down both legs?",
    ),
    RedFlag(
        id="sexual_function",
        group="nerve",
        question="Have you noticed a new change in sexual function, such as loss of feeling?",
    ),
    RedFlag(
        id="leg_weakness",
        group="nerve",
        question="Is a leg getting weaker, or is your walking becoming unsteady?",
    ),
    RedFlag(
        id="cancer_history",
        group="cancer",
        question="Have you ever had cancer?",
    ),
    RedFlag(
        id="weight_loss",
        group="cancer",
        question="Have you lost weight recently without trying?",
    ),
    RedFlag(
        id="new_pain_age",
        group="cancer",
        question="Did this back pain start recently, and are you over 50 or under 20?",
    ),
    RedFlag(
        id="night_pain",
        group="cancer",
        question="Is the pain constant at night, and not eased by changing position or resting?",
    ),
    RedFlag(
        id="no_improvement",
        group="cancer",
        question=(
            "Has the pain failed to improve at all over the last month or so, and has no "
            "doctor checked it yet?"
        ),
    ),
    RedFlag(
        id="fever",
        group="infection",
        question="Do you have a fever, chills or night sweats?",
    ),
    RedFlag(
        id="immune",
        group="infection",
        question=(
            "Is your immune system weakened (for example chemotherapy, long-term steroids, "
            "an organ transplant)?"
        ),
    ),
    RedFlag(
        id="injected_drugs",
        group="infection",
        question="Have you injected drugs into a vein?",
    ),
    RedFlag(
        id="recent_infection",
        group="infection",
        question="Have you recently had a bacterial infection, such as a urine infection?",
    ),
    RedFlag(
        id="trauma",
        group="fracture",
        question=(
            "Did the pain start after a fall or accident, or after a small knock while you "
            "have thin bones or take steroids?"
        ),
    ),
    RedFlag(
        id="deformity",
        group="fracture",
        question="Have you noticed a new change in the shape of your spine?",
    ),
    RedFlag(
        id="thoracic_pain",
        group="other",
        question="Is the pain mainly in your upper or middle back, at chest level?",
    ),
    RedFlag(
        id="unwell",
        group="other",
        question="Do you feel generally unwell in yourself?",
    ),
    RedFlag(
        id="pulsing_belly",
        group="other",
        question="Can you feel a pulsing lump in your belly?",
    ),
    RedFlag(
        id="widespread_numbness",
        group="other",
        question=(
            "Do you have numbness or weakness in many places, such as both arms as well as legs?"
        ),
    ),
)
RED_FLAG_IDS: tuple[str, ...] = tuple(f.id for f in RED_FLAGS)

EMERGENCY_MESSAGE = (
    "STOP. Do not exercise. Some of your answers can be signs that the nerves at the base of "
    "the spine are pressed, which needs checking urgently. Get emergency care now: call your "
    "local emergency number or go to an emergency department today. Do not wait to see if "
    "it settles."
)
SEE_DOCTOR_MESSAGE = (
    "Please see a doctor before you go on with these exercises. One or more answers are "
    "warning signs that a doctor should check; most often they turn out to be nothing "
    "serious, but exercise should wait until you have been seen and cleared."
)
REFERRAL_FLAG = "pain_rising_despite_easing"
REFERRAL_MESSAGE = (
    "Your pain has kept rising for a week even after the programme eased off. Please see a "
    "doctor or physiotherapist before you go on."
)


class ScreenResult(Frozen):
    """The outcome of one screen: what was flagged and what still blocks the programme."""

    outcome: Outcome
    flagged: tuple[str, ...]
    blocking: tuple[str, ...]
    """Flags not yet covered by a doctor's clearance (always all of them for `emergency`)."""
    message: str

    @property
    def blocked(self) -> bool:
        return bool(self.blocking)


def evaluate_screen(
    answers: Mapping[str, bool], cleared_flags: Collection[str] = ()
) -> ScreenResult:
    """Sort the answers (flag id -> yes) into an outcome. ValueError if any flag is missing."""
    missing = [f for f in RED_FLAG_IDS if f not in answers]
    if missing:
        raise ValueError(f"the screen has no answer for {', '.join(missing)}")
    flagged = tuple(f.id for f in RED_FLAGS if answers[f.id])
    nerve = tuple(f.id for f in RED_FLAGS if f.emergency and answers[f.id])
    if nerve:
        return ScreenResult(
            outcome=Outcome.emergency, flagged=flagged, blocking=nerve, message=EMERGENCY_MESSAGE
        )
    if flagged:
        blocking = tuple(f for f in flagged if f not in cleared_flags)
        message = SEE_DOCTOR_MESSAGE if blocking else "Thanks. A doctor already cleared these."
        return ScreenResult(
            outcome=Outcome.see_doctor, flagged=flagged, blocking=blocking, message=message
        )
    return ScreenResult(
        outcome=Outcome.clear,
        flagged=(),
        blocking=(),
        message="Thanks, nothing in your answers stops you exercising.",
    )


def raise_if_blocked(result: ScreenResult) -> None:
    """SafetyStop with the plain message when the screen blocks the programme."""
    if result.outcome == Outcome.emergency:
        raise SafetyStop(EMERGENCY_MESSAGE.split(". ")[0] + ": get emergency care now.")
    if result.blocked:
        raise SafetyStop(
            "the programme is paused until a doctor has cleared you; "
            "then run `hipcoach start` and confirm it."
        )


ScreenReason = Literal["onboarding", "weekly", "leg_symptoms", "manual"]


def screen_reason(
    last_screen_on: dt.date | None, today: dt.date, new_leg_symptoms: bool
) -> ScreenReason | None:
    """Why the screen is due today, or None when it is not."""
    if last_screen_on is None:
        return "onboarding"
    if new_leg_symptoms:
        return "leg_symptoms"
    if (today - last_screen_on).days >= RESCREEN_DAYS:
        return "weekly"
    return None


def is_pain_rising_despite_easing(
    peak_pains: Sequence[tuple[dt.date, int]],
    regress_dates: Sequence[dt.date],
    today: dt.date,
) -> bool:
    """True when, over the last 7 days, the programme eased off at least once and session
    pain still rose: 3+ sessions, each no lower than the one before, the last above the
    first. Brief (c): stop and refer on pain rising over a week despite regressing."""
    since = today - dt.timedelta(days=PAIN_TREND_DAYS)
    recent = sorted((d, p) for d, p in peak_pains if d >= since)
    if len(recent) < 3 or not any(d >= since for d in regress_dates):
        return False
    pains = [p for _, p in recent]
    return all(b >= a for a, b in pairwise(pains)) and pains[-1] > pains[0]
