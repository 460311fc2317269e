"""Table tests for the progression engine: every rule and its boundary values."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hipcoach.programme.progression import (
    SessionOutcome,
    decide,
    next_prescription,
)
from hipcoach.programme.tracks import Prescription, Step

BASELINE = 3
STEPS = (
    Step(
        track="psoas",
        index=0,
        exercise_id="a",
        title="Step A",
        reps_min=8,
        reps_max=12,
        sets_min=1,
        sets_max=3,
    ),
    Step(
        track="psoas",
        index=1,
        exercise_id="b",
        title="Step B",
        reps_min=5,
        reps_max=10,
        sets_min=1,
        sets_max=3,
        hold_s=5.0,
    ),
    Step(
        track="psoas",
        index=2,
        exercise_id="c",
        title="Step C",
        reps_min=8,
        reps_max=12,
        sets_min=1,
        sets_max=2,
    ),
)


def rx(
    step: int = 0, reps: int = 8, sets: int = 1, hold: float | None = None, track: str = "psoas"
) -> Prescription:
    return Prescription(
        track=track, step=step, exercise_id="abc"[step], reps=reps, sets=sets, hold_s=hold
    )


def clean(n: int = 1, **changes: Any) -> SessionOutcome:
    """A session that meets every progression condition, with `changes` applied."""
    values: dict[str, Any] = {
        "session_id": n,
        "performed_on": dt.date(2025, 1, n),
        "volume_done": True,
        "peak_pain": 2,
        "morning_pain": 2,
        "flagged_fraction": 0.0,
        "felt_target": True,
    }
    values.update(changes)
    return SessionOutcome(**values)


def two(**latest: Any) -> list[SessionOutcome]:
    """A clean session followed by one with `latest` changes."""
    return [clean(1), clean(2, **latest)]


# (case, current prescription, window, expected action, expected prescription after or None
#  for unchanged, words the reason must contain)
CASES = [
    ("no session yet", rx(), [], "hold", None, "No finished session"),
    ("one clean session", rx(), [clean(1)], "hold", None, "1 of 2"),
    ("two clean sessions", rx(), two(), "progress", rx(reps=10), "10 reps per set"),
    ("peak pain 3 is still clean", rx(), two(peak_pain=3), "progress", rx(reps=10), "Two clean"),
    ("peak pain 4 holds", rx(), two(peak_pain=4), "hold", None, "pain reached 4/10"),
    ("peak pain 5 holds", rx(), two(peak_pain=5), "hold", None, "pain reached 5/10"),
    (
        "peak pain 6 regresses",
        rx(reps=12),
        two(peak_pain=6),
        "regress",
        rx(reps=8),
        "above the 5/10",
    ),
    (
        "earlier pain 4 leaves one clean session",
        rx(),
        [clean(1, peak_pain=4), clean(2)],
        "hold",
        None,
        "1 of 2",
    ),
    (
        "morning at baseline is fine",
        rx(),
        two(morning_pain=BASELINE),
        "progress",
        rx(reps=10),
        "Two clean",
    ),
    (
        "morning above baseline regresses",
        rx(reps=12),
        two(morning_pain=BASELINE + 1),
        "regress",
        rx(reps=8),
        "worse than your usual",
    ),
    (
        "pain 4 settling by morning holds",
        rx(),
        two(peak_pain=4, morning_pain=BASELINE),
        "hold",
        None,
        "settled by the next morning",
    ),
    (
        "pain 4 with a worse morning regresses",
        rx(reps=12),
        two(peak_pain=4, morning_pain=BASELINE + 1),
        "regress",
        rx(reps=8),
        "worse than your usual",
    ),
    (
        "no morning answer holds",
        rx(),
        two(morning_pain=None),
        "hold",
        None,
        "no next-morning pain answer",
    ),
    (
        "10 % flagged is clean",
        rx(),
        two(flagged_fraction=0.10),
        "progress",
        rx(reps=10),
        "form held",
    ),
    ("11 % flagged holds", rx(), two(flagged_fraction=0.11), "hold", None, "11% of reps lost form"),
    (
        "no camera does not block",
        rx(),
        two(flagged_fraction=None),
        "progress",
        rx(reps=10),
        "where a camera watched",
    ),
    (
        "target not felt holds",
        rx(),
        two(felt_target=False),
        "hold",
        None,
        "did not yet feel the target",
    ),
    (
        "target feeling not asked holds",
        rx(),
        two(felt_target=None),
        "hold",
        None,
        "did not yet feel the target",
    ),
    ("volume not done holds", rx(), two(volume_done=False), "hold", None, "not all done"),
    (
        "a third flagged twice is not a regression",
        rx(step=1, reps=5, hold=5.0),
        [clean(1, flagged_fraction=1 / 3), clean(2, flagged_fraction=1 / 3)],
        "hold",
        None,
        "lost form",
    ),
    (
        "over a third flagged twice steps down",
        rx(step=1, reps=7, hold=5.0),
        [clean(1, flagged_fraction=0.34), clean(2, flagged_fraction=0.5)],
        "regress",
        rx(step=0, reps=8),
        "Back one level to Step A",
    ),
    (
        "over a third flagged once holds",
        rx(step=1, reps=7, hold=5.0),
        [clean(1), clean(2, flagged_fraction=0.5)],
        "hold",
        None,
        "lost form",
    ),
    (
        "form regression at the first step cuts volume",
        rx(reps=12),
        [clean(1, flagged_fraction=0.4), clean(2, flagged_fraction=0.4)],
        "regress",
        rx(reps=8),
        "Easing off",
    ),
]


@pytest.mark.parametrize(
    ("case", "current", "window", "action", "after", "words"), CASES, ids=[c[0] for c in CASES]
)
def test_decision_table(
    case: str,
    current: Prescription,
    window: list[SessionOutcome],
    action: str,
    after: Prescription | None,
    words: str,
) -> None:
    decision = decide(current, window, BASELINE, STEPS)
    assert decision.action == action, decision.reason
    assert decision.after == (after or current)
    assert words in decision.reason
    assert decision.before == current


# (case, current, expected next prescription or None at the top)
PROGRESS_ORDER = [
    ("reps first", rx(reps=8), rx(reps=10)),
    ("reps capped at the step maximum", rx(reps=11), rx(reps=12)),
    ("sets after reps when there is no hold", rx(reps=12), rx(reps=12, sets=2)),
    ("next step when reps and sets are maxed", rx(reps=12, sets=3), rx(step=1, reps=5, hold=5.0)),
    ("hold before sets", rx(step=1, reps=10, hold=5.0), rx(step=1, reps=10, hold=7.0)),
    ("hold capped at 10 s", rx(step=1, reps=10, hold=9.0), rx(step=1, reps=10, hold=10.0)),
    (
        "sets after the hold is maxed",
        rx(step=1, reps=10, hold=10.0),
        rx(step=1, reps=10, hold=10.0, sets=2),
    ),
    ("reps before hold", rx(step=1, reps=5, hold=5.0), rx(step=1, reps=7, hold=5.0)),
    ("top of the track", rx(step=2, reps=12, sets=2), None),
]


@pytest.mark.parametrize(
    ("case", "current", "expected"), PROGRESS_ORDER, ids=[c[0] for c in PROGRESS_ORDER]
)
def test_progression_order(case: str, current: Prescription, expected: Prescription | None) -> None:
    assert next_prescription(current, STEPS) == expected


def test_step_change_needs_confirmation_and_never_skips() -> None:
    decision = decide(rx(reps=12, sets=3), two(), BASELINE, STEPS)
    assert decision.action == "progress"
    assert decision.needs_confirmation
    assert decision.after.step == 1
    assert "move up to Step B" in decision.reason


def test_volume_change_needs_no_confirmation() -> None:
    decision = decide(rx(reps=8), two(), BASELINE, STEPS)
    assert decision.action == "progress"
    assert not decision.needs_confirmation


def test_top_of_track_holds_with_reason() -> None:
    decision = decide(rx(step=2, reps=12, sets=2), two(), BASELINE, STEPS)
    assert decision.action == "hold"
    assert "no harder step" in decision.reason


# (case, current, expected after a pain-led regression)
REGRESSIONS = [
    ("reps cut by a third", rx(reps=12, sets=2), rx(reps=8, sets=2)),
    ("reps never below 3", rx(reps=4), rx(reps=3)),
    ("sets cut when reps are at the floor", rx(reps=3, sets=2), rx(reps=3, sets=1)),
    (
        "a step down when nothing is left to cut",
        rx(step=1, reps=3, sets=1, hold=7.0),
        rx(step=0, reps=8),
    ),
]


@pytest.mark.parametrize(
    ("case", "current", "expected"), REGRESSIONS, ids=[c[0] for c in REGRESSIONS]
)
def test_pain_regressions(case: str, current: Prescription, expected: Prescription) -> None:
    decision = decide(current, two(peak_pain=7), BASELINE, STEPS)
    assert decision.action == "regress"
    assert decision.after == expected
    assert "7/10" in decision.reason


def test_gentlest_dose_holds_and_advises() -> None:
    current = rx(reps=3, sets=1)
    decision = decide(current, two(peak_pain=8), BASELINE, STEPS)
    assert decision.action == "hold"
    assert decision.after == current
    assert "doctor or physiotherapist" in decision.reason


def test_outer_hip_pain_regresses_clamshell_only() -> None:
    clam = rx(reps=12, track="clamshell")
    decision = decide(clam, two(peak_pain=4, outer_hip_pain=True), BASELINE, STEPS)
    assert decision.action == "regress"
    assert "outer hip" in decision.reason
    psoas = decide(rx(reps=12), two(peak_pain=4, outer_hip_pain=True), BASELINE, STEPS)
    assert psoas.action == "hold"


def test_decision_names_the_session_it_judged() -> None:
    assert decide(rx(), two(), BASELINE, STEPS).basis_session_id == 2


@given(reps=st.integers(min_value=4, max_value=40), sets=st.integers(min_value=1, max_value=3))
def test_pain_regression_cuts_a_quarter_to_a_half(reps: int, sets: int) -> None:
    current = rx(reps=reps, sets=sets)
    after = decide(current, two(peak_pain=6), BASELINE, STEPS).after
    cut = 1 - after.volume / current.volume
    assert 0.25 <= cut <= 0.5
    assert after.step == current.step


@given(
    step=st.integers(min_value=0, max_value=2),
    reps=st.integers(min_value=3, max_value=12),
    sets=st.integers(min_value=1, max_value=2),
    hold=st.sampled_from([5.0, 7.0, 9.0, 10.0]),
)
def test_progress_changes_one_variable(step: int, reps: int, sets: int, hold: float) -> None:
    current = rx(
        step=step,
        reps=min(reps, STEPS[step].reps_max),
        sets=sets,
        hold=hold if STEPS[step].hold_s else None,
    )
    after = next_prescription(current, STEPS)
    if after is None:
        return
    if after.step != current.step:
        assert after.step == current.step + 1
        return
    changed = [f for f in ("reps", "sets", "hold_s") if getattr(after, f) != getattr(current, f)]
    assert len(changed) == 1
