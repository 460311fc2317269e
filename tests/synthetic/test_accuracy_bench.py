"""The accuracy benchmark's bookkeeping: rep matching, rep and set cue tallies, and the
table rows. The engine's accuracy itself is measured by `python -m bench.accuracy`, not
asserted here."""

from __future__ import annotations

import pytest
from bench.accuracy import RepPair, SetResult, Tally, cue_rows, evaluate, summary_rows

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
