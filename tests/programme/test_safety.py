"""Table tests for the red-flag screen, its timing and the pain-trend referral."""

from __future__ import annotations

import datetime as dt

import pytest

from hipcoach.errors import SafetyStop
from hipcoach.programme.safety import (
    RED_FLAG_IDS,
    RED_FLAGS,
    Outcome,
    evaluate_screen,
    is_pain_rising_despite_easing,
    raise_if_blocked,
    screen_reason,
)

NERVE = [f.id for f in RED_FLAGS if f.group == "nerve"]
OTHER = [f.id for f in RED_FLAGS if f.group != "nerve"]
DAY = dt.date(2025, 3, 10)


def answers(*yes: str) -> dict[str, bool]:
    return {f: f in yes for f in RED_FLAG_IDS}


def test_the_screen_covers_every_group_of_the_brief() -> None:
    assert {f.group for f in RED_FLAGS} == {"nerve", "cancer", "infection", "fracture", "other"}
    assert {"bladder", "bowel", "saddle_numbness", "both_legs", "leg_weakness"} <= set(NERVE)
    assert len(set(RED_FLAG_IDS)) == len(RED_FLAG_IDS)


def test_all_no_is_clear() -> None:
    result = evaluate_screen(answers())
    assert result.outcome == Outcome.clear
    assert not result.blocked


@pytest.mark.parametrize("flag", NERVE)
def test_each_nerve_sign_is_an_emergency(flag: str) -> None:
    result = evaluate_screen(answers(flag))
    assert result.outcome == Outcome.emergency
    assert result.blocking == (flag,)
    assert "emergency care now" in result.message
    with pytest.raises(SafetyStop) as stop:
        raise_if_blocked(result)
    assert stop.value.exit_code == 3


@pytest.mark.parametrize("flag", NERVE)
def test_an_emergency_is_never_waived_by_a_clearance(flag: str) -> None:
    result = evaluate_screen(answers(flag), cleared_flags=set(RED_FLAG_IDS))
    assert result.outcome == Outcome.emergency
    assert result.blocked


@pytest.mark.parametrize("flag", OTHER)
def test_each_other_flag_sends_to_a_doctor_and_blocks(flag: str) -> None:
    result = evaluate_screen(answers(flag))
    assert result.outcome == Outcome.see_doctor
    assert result.blocking == (flag,)
    assert "see a doctor" in result.message
    with pytest.raises(SafetyStop):
        raise_if_blocked(result)


@pytest.mark.parametrize("flag", OTHER)
def test_a_clearance_lifts_the_block_for_its_flags_only(flag: str) -> None:
    cleared = evaluate_screen(answers(flag), cleared_flags={flag})
    assert cleared.outcome == Outcome.see_doctor
    assert not cleared.blocked
    raise_if_blocked(cleared)
    other = next(f for f in OTHER if f != flag)
    assert evaluate_screen(answers(flag, other), cleared_flags={flag}).blocking == (other,)


def test_nerve_sign_outranks_other_flags() -> None:
    result = evaluate_screen(answers("fever", "bladder"))
    assert result.outcome == Outcome.emergency
    assert result.flagged == ("bladder", "fever")


def test_a_missing_answer_is_an_error() -> None:
    partial = answers()
    del partial["fever"]
    with pytest.raises(ValueError, match="fever"):
        evaluate_screen(partial)


def test_messages_never_name_a_diagnosis() -> None:
    texts = [evaluate_screen(answers(f)).message for f in RED_FLAG_IDS]
    for word in ("cauda equina", "cancer", "tumour", "fracture", "diagnos"):
        assert all(word not in t.lower() for t in texts)


# (case, last screen, today, new leg symptoms, expected reason)
TIMING = [
    ("never screened", None, DAY, False, "onboarding"),
    ("six days later", DAY - dt.timedelta(days=6), DAY, False, None),
    ("seven days later", DAY - dt.timedelta(days=7), DAY, False, "weekly"),
    ("new leg symptoms", DAY - dt.timedelta(days=1), DAY, True, "leg_symptoms"),
    ("same day", DAY, DAY, False, None),
]


@pytest.mark.parametrize(
    ("case", "last", "today", "legs", "expected"), TIMING, ids=[t[0] for t in TIMING]
)
def test_when_the_screen_is_due(
    case: str, last: dt.date | None, today: dt.date, legs: bool, expected: str | None
) -> None:
    assert screen_reason(last, today, legs) == expected


def days_ago(n: int) -> dt.date:
    return DAY - dt.timedelta(days=n)


# (case, session peak pains, regress days, expected referral)
TREND = [
    (
        "rising after easing off",
        [(days_ago(5), 3), (days_ago(3), 4), (days_ago(1), 6)],
        [days_ago(4)],
        True,
    ),
    (
        "rising without easing off",
        [(days_ago(5), 3), (days_ago(3), 4), (days_ago(1), 6)],
        [],
        False,
    ),
    ("two readings are too few", [(days_ago(3), 4), (days_ago(1), 6)], [days_ago(2)], False),
    ("flat pain", [(days_ago(5), 4), (days_ago(3), 4), (days_ago(1), 4)], [days_ago(4)], False),
    (
        "rising then falling",
        [(days_ago(5), 3), (days_ago(3), 6), (days_ago(1), 4)],
        [days_ago(4)],
        False,
    ),
    (
        "easing off more than a week ago",
        [(days_ago(5), 3), (days_ago(3), 4), (days_ago(1), 6)],
        [days_ago(9)],
        False,
    ),
    (
        "old readings are ignored",
        [(days_ago(12), 3), (days_ago(10), 4), (days_ago(1), 6)],
        [days_ago(2)],
        False,
    ),
]


@pytest.mark.parametrize(
    ("case", "pains", "regressions", "expected"), TREND, ids=[t[0] for t in TREND]
)
def test_pain_rising_despite_easing(
    case: str, pains: list[tuple[dt.date, int]], regressions: list[dt.date], expected: bool
) -> None:
    assert is_pain_rising_despite_easing(pains, regressions, DAY) is expected
