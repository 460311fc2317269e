"""The first rep is held back a moment: a move made while getting into position is not a rep."""

from __future__ import annotations

from hipcoach.analysis.events import RepReport
from hipcoach.analysis.first_rep import FIRST_REP_REVIEW_S, PendingRep, Verdict
from hipcoach.analysis.offline import analyze_series
from hipcoach.synthetic import Scenario, generate


def _pending(range_deg: float = 20.0, start_level: float = 10.0) -> PendingRep:
    rep = RepReport(index=1, start_s=1.0, peak_s=1.5, end_s=2.0, range_deg=range_deg)
    return PendingRep.after(rep, start_level, min_rep_deg=6.0)


def test_a_rep_that_came_back_counts_once_its_review_is_over() -> None:
    pending = _pending()
    assert pending.review(11.0, 2.1) is Verdict.waiting
    assert pending.review(10.5, 2.0 + FIRST_REP_REVIEW_S) is Verdict.rep


def test_a_fall_well_below_the_start_means_still_settling() -> None:
    # Half the rep's range (10 deg) below where it began: the start posture was not final.
    pending = _pending(range_deg=20.0, start_level=10.0)
    assert pending.review(0.5, 2.1) is Verdict.waiting
    assert pending.review(-0.5, 2.1) is Verdict.settling


def test_a_small_rep_tolerates_the_smallest_rep_below_its_start() -> None:
    pending = _pending(range_deg=8.0, start_level=10.0)
    assert pending.review(4.5, 2.1) is Verdict.waiting  # 5.5 deg below: within 6
    assert pending.review(3.5, 2.1) is Verdict.settling


CASES = [
    ("clamshell", "front"),
    ("clamshell", "foot_end_oblique"),
    ("side_lying_leg_lift", "front"),
    ("heel_slide", None),
    ("leg_lower", None),
    ("foot_slide_elevated", None),
]
SEEDS = range(500, 504)


def _counted_right(exercise: str, view: str | None, seed: int) -> bool:
    """Exact count, and every counted rep's peak inside a true rep."""
    scenario = Scenario(
        exercise,
        view=view,
        n_reps=6,
        lead_in_s=2.0,
        lead_out_s=2.0,
        arrive_s=3.0 + seed % 4,
        reversed_reps=exercise == "leg_lower" and seed % 2 == 1,
        seed=seed,
    )
    series, truth = generate(scenario)
    report = analyze_series(series, exercise, scenario.resolved_variation)
    inside = [any(r.start_s <= rep.peak_s <= r.end_s for r in truth.reps) for rep in report.reps]
    return report.rep_count == len(truth.reps) and all(inside)


def test_getting_into_position_in_view_is_mostly_not_counted() -> None:
    # The person is in view from the start and moves about freely for 3-6 s (trunk,
    # pelvis, both legs, the working joint 1.5 times a rep) before settling. Seeds never
    # used while building the rule. Not every such set can be told apart live: a move
    # that comes back to where it began and leaves the trunk still looks like a rep. The
    # engine before the review got 20 of these 24 right, with it 23 (120 sets on seeds
    # 600-619: 100 before, 118 with it).
    results = [_counted_right(e, v, s) for e, v in CASES for s in SEEDS]
    assert sum(results) >= 0.9 * len(results), results
