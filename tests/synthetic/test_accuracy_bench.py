"""The accuracy benchmark's bookkeeping: rep matching, rep and set cue tallies, and the
table rows. The engine's accuracy itself is measured by `python -m bench.accuracy`, not
asserted here."""

from __future__ import annotations

import pytest
from bench.accuracy import (
    RepPair,
    SetResult,
    Tally,
    accuracy_rows,
    cue_rows,
    evaluate,
    group_by_view,
    range_rows,
    summary_rows,
)
from bench.strata import build_strata

from hipcoach.synthetic import NoiseModel, Scenario


def _result(**kw: object) -> SetResult:
    base: dict[str, object] = dict(
        label="x", exercise="clamshell", settle_s=2.0, countable=True, true_count=3, count=3,
        true_side="left", side="left", pairs=[], spurious=[], set_truth=frozenset(),
        set_engine=frozenset(), frames=100, engine_s=0.1,
    )  # fmt: skip
    base.update(kw)
    return SetResult(**base)  # type: ignore[arg-type]


def _by_name(rows: list[dict[str, object]]) -> dict[str, dict[str, object]]:
    return {f"{r['level']}:{r['name']}": r for r in rows}


def test_tally_counts_true_and_false_positives_and_misses() -> None:
    t = Tally()
    for truth, engine in ((True, True), (True, False), (False, True), (False, False)):
        t.add(truth, engine)
    assert (t.tp, t.fp, t.fn) == (1, 1, 1)
    row = t.row("rep cue", "x", 2)
    assert row["precision"] == row["recall"] == row["f1"] == "0.500"


def test_rep_cues_are_scored_on_matched_reps_and_spurious_reps_count_as_false() -> None:
    pairs = [
        RepPair(1, frozenset(), frozenset()),
        RepPair(2, frozenset({"feet_apart"}), frozenset({"feet_apart"})),
        RepPair(3, frozenset({"feet_apart"}), frozenset()),
        RepPair(4, frozenset({"feet_apart"}), None),  # the engine did not count this rep
    ]
    rows = _by_name(cue_rows([_result(pairs=pairs, spurious=[frozenset({"feet_apart"})])]))
    row = rows["rep cue:feet_apart"]
    assert (row["tp"], row["fp"], row["fn"], row["n"]) == (1, 1, 1, 3)
    assert row["note"] == "1 on reps not counted"


def test_range_too_big_also_reports_the_reps_clear_of_its_limit() -> None:
    """Reps within 3 deg of the 40 deg limit are counted apart; the errors on the others
    are told. The strict tally keeps every rep."""
    big, none = frozenset({"range_too_big"}), frozenset()
    pairs = [
        RepPair(1, none, big, true_deg=38.5),  # near the limit, called too big
        RepPair(2, big, none, true_deg=41.0),  # near the limit, missed
        RepPair(3, none, big, true_deg=35.0),  # clear of it, called too big: a real error
        RepPair(4, big, big, true_deg=50.0),
        RepPair(5, none, none, true_deg=20.0),
    ]
    row = _by_name(cue_rows([_result(pairs=pairs)]))["rep cue:range_too_big"]
    assert (row["tp"], row["fp"], row["fn"]) == (1, 2, 1)
    assert row["note"].endswith(
        "2 reps within 3 deg of the 40 deg limit; on the others 1 false, 0 missed (F1 0.667)"
    )
    other = _by_name(cue_rows([_result(pairs=[RepPair(1, big, big, true_deg=50.0)])]))
    assert other["rep cue:range_too_big"]["note"] == "0 on reps not counted"


def test_cues_the_engine_said_it_could_not_judge_also_get_an_f1_over_judged_sets() -> None:
    roll = frozenset({"pelvis_rolls_back"})
    muted = _result(pairs=[RepPair(1, roll, frozenset())], not_judged=roll)
    judged = _result(pairs=[RepPair(1, roll, roll), RepPair(2, frozenset(), frozenset())])
    hip = frozenset({"wrong_hip_angle"})
    front = _result(set_truth=hip, hard_to_see=hip)
    side = _result(set_truth=hip, set_engine=hip)
    rows = _by_name(cue_rows([muted, judged, front, side]))
    rep = rows["rep cue:pelvis_rolls_back"]
    assert (rep["tp"], rep["fn"], rep["f1"]) == (1, 1, "0.667")
    assert rep["note"].endswith(
        "1 in sets where the engine said 'not judged'; F1 1.000 in the sets it judged"
    )
    hip_row = rows["set cue:wrong_hip_angle"]
    assert (hip_row["tp"], hip_row["fn"], hip_row["f1"]) == (1, 1, "0.667")
    assert (
        hip_row["note"]
        == "1 in sets where the engine said 'hard to see'; F1 1.000 in the sets it judged"
    )


def test_set_cues_and_uncountable_sets() -> None:
    hidden = _result(countable=False, count=0, set_truth=frozenset({"view_incomplete"}),
                     set_engine=frozenset({"view_incomplete", "shaking"}),
                     pairs=[RepPair(1, frozenset({"feet_apart"}), None)])  # fmt: skip
    clean = _result(count=2)
    rows = _by_name(cue_rows([hidden, clean]) + summary_rows([hidden, clean]))
    assert (rows["set cue:view_incomplete"]["tp"], rows["set cue:shaking"]["fp"]) == (1, 1)
    assert "rep cue:feet_apart" not in rows  # uncountable sets are not scored per rep
    assert rows["reps:rep count exact"]["n"] == 1
    assert rows["reps:rep count exact"]["value"] == "0.000"
    assert rows["reps:side detected"]["value"] == "1.000"


def test_every_row_has_the_same_columns() -> None:
    rows = summary_rows([_result()]) + cue_rows([_result()])
    assert len({tuple(r) for r in rows}) == 1


@pytest.mark.parametrize("exercise", ["clamshell", "heel_slide"])
def test_a_real_engine_run_matches_every_rep_of_an_exact_set(exercise: str) -> None:
    scenario = Scenario(exercise, n_reps=4, settle_s=1.0, noise=NoiseModel.none(), seed=2)
    result = evaluate(scenario)
    assert result.error is None
    assert result.true_count == 4 and len(result.pairs) == 4
    assert result.frames > 0 and result.engine_s > 0
    assert exercise in result.label and "seed=2" in result.label


def test_range_error_is_reported_against_the_true_excursion() -> None:
    pairs = [
        RepPair(1, frozenset(), frozenset(), true_deg=20.0, engine_deg=22.0),
        RepPair(2, frozenset({"feet_apart"}), frozenset(), true_deg=20.0, engine_deg=14.0),
        RepPair(3, frozenset(), None, true_deg=20.0),  # missed: no range to compare
    ]
    rows = _by_name(range_rows([_result(pairs=pairs)]))
    assert rows["range:range error |deg|, matched reps"]["value"] == "4.000"
    assert rows["range:range error |deg|, matched reps"]["n"] == 2
    assert rows["range:range error |deg|, reps with no cue"]["value"] == "2.000"
    assert "mean signed -2.0" in str(rows["range:range error |deg|, clamshell"]["note"])


def test_results_are_grouped_by_camera_view_and_every_stratum_gets_an_overview() -> None:
    front, oblique = _result(view="front"), _result(view="foot_end_oblique", count=2)
    by_view = group_by_view({"suite": [front, oblique], "white jitter": [front]})
    assert set(by_view) == {"view front", "view foot_end_oblique"}
    assert by_view["view front"] == [front]  # strata other than the view sources stay out
    rows = accuracy_rows({"suite": [front, oblique], **by_view})
    overview = [r for r in rows if r["level"] == "overview"]
    values = {r["stratum"]: r["value"] for r in overview}
    assert values == {"suite": "0.500", "view front": "1.000", "view foot_end_oblique": "0.000"}


def test_the_strata_are_built_from_the_generator_options_they_name() -> None:
    strata = build_strata(1)
    small = strata["small clamshell 4-15 cm"]
    assert all(s.exercise == "clamshell" and 4.0 <= (s.knee_lift_cm or 0) <= 15.0 for s in small)
    assert {s.resolved_view for s in small} == {"front", "foot_end_oblique", "foot_end"}
    assert all("range_too_big" not in s.compensations for s in small)
    assert all(s.noise.kind == "white" and s.with_world for s in strata["white jitter"])
    assert all(not s.with_world for s in strata["white jitter, no world"])
    assert all(s.fps == 15.0 for s in strata["15 fps"])
    people = strata["as people do"]
    assert any(s.reversed_reps for s in people) and all(s.lead_in_s > 0 for s in people)
    assert build_strata(1)["small clamshell 4-15 cm"] == small  # deterministic
