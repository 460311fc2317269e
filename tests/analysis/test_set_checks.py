"""Set-level rules on the counted reps."""

from __future__ import annotations

from hipcoach.analysis.events import RepReport
from hipcoach.analysis.reps import RepWindow
from hipcoach.analysis.set_checks import detect_rep_fragment


def _reps(n: int, range_deg: float = 18.0) -> list[RepReport]:
    """Reps every 4 s, each ending 2 s after it starts."""
    return [
        RepReport(
            index=k + 1, start_s=4.0 * k, peak_s=4.0 * k + 1, end_s=4.0 * k + 2, range_deg=range_deg
        )
        for k in range(n)
    ]


def test_a_small_tail_with_no_rest_before_it_is_not_a_rep() -> None:
    reps = _reps(3)  # the last one ends at 10.0 s
    tail = RepWindow(start_s=10.05, peak_s=10.4, end_s=10.8, range_deg=7.0, hold_s=0.0)
    assert detect_rep_fragment(tail, reps)


def test_a_small_rep_after_a_rest_still_counts() -> None:
    # A shrinking range must stay visible to the isolation check.
    after_rest = RepWindow(start_s=11.0, peak_s=11.5, end_s=12.0, range_deg=7.0, hold_s=0.0)
    assert not detect_rep_fragment(after_rest, _reps(3))


def test_a_full_rep_straight_after_the_last_still_counts() -> None:
    full = RepWindow(start_s=10.05, peak_s=11.0, end_s=12.0, range_deg=17.0, hold_s=0.0)
    assert not detect_rep_fragment(full, _reps(3))


def test_no_judgement_before_the_set_has_a_typical_range() -> None:
    tail = RepWindow(start_s=2.05, peak_s=2.4, end_s=2.8, range_deg=3.0, hold_s=0.0)
    assert not detect_rep_fragment(tail, _reps(1))
