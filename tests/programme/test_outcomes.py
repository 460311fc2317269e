"""From stored sets to what the engine judges: volume, pain, form share, feeling."""

from __future__ import annotations

import datetime as dt

import pytest

from hipcoach.programme.outcomes import SetFacts, summarise_sets
from hipcoach.programme.progression import SessionOutcome

DAY = dt.date(2025, 2, 3)


def fact(**changes: object) -> SetFacts:
    values: dict[str, object] = {"target_reps": 10, "actual_reps": 10, "pain": 1, "felt": "target"}
    values.update(changes)
    return SetFacts.model_validate(values)


def summary(sets: list[SetFacts], planned: int = 1, morning: int | None = 2) -> SessionOutcome:
    return summarise_sets(7, DAY, sets, planned, morning)


def test_volume_needs_every_planned_set_at_its_target() -> None:
    assert summary([fact(), fact()], planned=2).volume_done
    assert not summary([fact(), fact(actual_reps=9)], planned=2).volume_done
    assert not summary([fact()], planned=2).volume_done
    assert summary([fact(actual_reps=14)], planned=1).volume_done  # more is fine


def test_holds_count_at_eighty_percent_of_target() -> None:
    assert summary([fact(target_hold_s=5.0, hold_s=4.0)]).volume_done
    assert not summary([fact(target_hold_s=5.0, hold_s=3.9)]).volume_done
    assert summary([fact(target_hold_s=5.0, hold_s=None)]).volume_done  # not measured


def test_flagged_share_is_over_watched_reps_only() -> None:
    result = summary(
        [fact(flagged_reps=2), fact(flagged_reps=None), fact(flagged_reps=1)], planned=3
    )
    assert result.flagged_fraction == pytest.approx(3 / 20)
    assert summary([fact()]).flagged_fraction is None
    assert summary([fact(actual_reps=0, flagged_reps=0)]).flagged_fraction is None


def test_peak_pain_and_morning() -> None:
    result = summary([fact(pain=2), fact(pain=5), fact(pain=0)], morning=None)
    assert result.peak_pain == 5
    assert result.morning_pain is None
    assert result.session_id == 7


def test_target_feeling_needs_at_least_half_the_sets() -> None:
    assert summary([fact(), fact(felt="front_of_thigh")]).felt_target
    assert not summary([fact(), fact(felt="outer_hip"), fact(felt="lower_back")]).felt_target


def test_outer_hip_pain_from_four() -> None:
    assert summary([fact(felt="outer_hip", pain=4)]).outer_hip_pain
    assert not summary([fact(felt="outer_hip", pain=3)]).outer_hip_pain
    assert not summary([fact(felt="lower_back", pain=7)]).outer_hip_pain


def test_no_sets_is_an_error() -> None:
    with pytest.raises(ValueError, match="at least one set"):
        summary([])
