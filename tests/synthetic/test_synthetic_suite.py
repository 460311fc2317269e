"""The benchmark suite covers everything, keeps its truths unambiguous, and the
generator's thresholds agree with the catalogue."""

from __future__ import annotations

import numpy as np
import pytest

from hipcoach.synthetic import generate
from hipcoach.synthetic.scenario import validate_scenario
from hipcoach.synthetic.specs import (
    CLAMSHELL_VARIATIONS,
    INJECTION_RANGES,
    SET_FAULTS,
    SPECS,
    isolation_feasible,
)
from hipcoach.synthetic.suite import CONFLICTS, assign_compensations, standard_suite


@pytest.fixture(scope="module")
def suite() -> list:
    return standard_suite(1)


def test_every_exercise_variation_side_and_view_is_covered(suite: list) -> None:
    seen = {(s.exercise, s.resolved_variation, s.working_side, s.resolved_view) for s in suite}
    for spec in SPECS.values():
        variations = list(CLAMSHELL_VARIATIONS) if spec.id == "clamshell" else [None]
        for variation in variations:
            for side in ("left", "right"):
                for view in spec.views:
                    assert (spec.id, variation, side, view) in seen


def test_every_rep_cue_is_injected_on_some_reps_and_absent_on_others(suite: list) -> None:
    for spec in SPECS.values():
        sets = [s for s in suite if s.exercise == spec.id and s.compensations]
        for cue in spec.rep_cues:
            with_cue = sum(len(s.compensations.get(cue, [])) for s in sets)
            without = sum(s.n_reps - len(s.compensations.get(cue, [])) for s in sets)
            assert with_cue >= 1, f"{spec.id}: {cue} injected on {with_cue} reps"
            assert without > with_cue


def test_the_default_suite_injects_every_cue_on_many_reps() -> None:
    counts: dict[str, int] = {}
    for scenario in standard_suite():
        for cue, reps in scenario.compensations.items():
            counts[cue] = counts.get(cue, 0) + len(reps)
    every_cue = {cue for spec in SPECS.values() for cue in spec.rep_cues}
    assert set(counts) == every_cue
    assert min(counts.values()) >= 25, counts


def test_every_set_fault_and_tempo_is_present(suite: list) -> None:
    faults = {f for s in suite for f in s.set_faults}
    assert faults == set(SET_FAULTS)
    assert any(not s.set_faults and not s.compensations for s in suite)
    durations = [s.rep_duration_s for s in suite]
    assert any(d[1] <= 1.2 for d in durations) and any(d[0] >= 5.0 for d in durations)
    assert any(s.hold_s > 0 and not SPECS[s.exercise].has_hold for s in suite)
    for spec in SPECS.values():
        isolation = [s for s in suite if s.exercise == spec.id and "isolation_lost" in s.set_faults]
        assert bool(isolation) == isolation_feasible(spec)


def test_suite_scenarios_are_valid_unique_and_deterministic(suite: list) -> None:
    for scenario in suite:
        validate_scenario(scenario)
    assert len({s.seed for s in suite}) == len(suite)
    assert standard_suite(1) == suite
    assert len(standard_suite(2)) > len(suite)


@pytest.mark.parametrize("seed", range(20))
def test_compensations_are_spread_so_isolation_is_never_implied(seed: int) -> None:
    rng = np.random.default_rng(seed)
    spec = list(SPECS.values())[seed % len(SPECS)]
    for n_reps in (6, 10, 16):
        comps = assign_compensations(spec, n_reps, rng)
        per_rep = [[c for c, reps in comps.items() if r in reps] for r in range(1, n_reps + 1)]
        assert not per_rep[0]
        for k in range(n_reps - 2):
            assert sum(bool(cues) for cues in per_rep[k : k + 3]) <= 1
        for rep, cues in enumerate(per_rep, start=1):
            assert len(cues) <= 2
            assert frozenset(cues) not in CONFLICTS
            assert "range_too_big" not in cues or rep > 3


def test_a_sample_of_suite_sets_generates_with_matching_truths(suite: list) -> None:
    for scenario in suite[::9]:
        series, truth = generate(scenario)
        assert len(truth.reps) == scenario.n_reps
        assert set(truth.set_cues) == set(scenario.set_faults)  # no accidental isolation_lost
        assert series.t[-1] <= truth.duration_s


def test_generator_thresholds_match_the_catalogue() -> None:
    catalogue = pytest.importorskip("hipcoach.exercises.catalogue").load_catalogue()
    for spec in SPECS.values():
        exercise = catalogue.get(spec.id)
        assert exercise is not None, spec.id
        assert exercise.primary_signal.min_rep_deg == spec.min_rep_deg
        assert exercise.primary_signal.direction == spec.direction
        assert exercise.primary_signal.name.value == spec.signal
        assert {c.id: c.threshold for c in exercise.checks} == dict(spec.thresholds)
        if spec.has_hold:
            assert exercise.dosage.hold_s == spec.target_hold_s
        for variation in exercise.variations:
            assert tuple(variation.hip_flexion_deg) == CLAMSHELL_VARIATIONS[variation.id][1]


def test_injected_sizes_are_well_above_their_thresholds() -> None:
    for spec in SPECS.values():
        for cue, threshold in spec.thresholds.items():
            if cue in ("wrong_hip_angle",):
                continue
            low, high = INJECTION_RANGES[cue]
            if cue == "hold_too_short":
                assert high <= 0.5 * threshold
            elif cue == "range_too_big":
                # a femur turns ~90 deg at most before the knee comes down again
                assert 1.35 * threshold <= low and high <= 1.7 * threshold
            else:
                assert 1.5 * threshold <= low and high <= 2.5 * threshold, cue
