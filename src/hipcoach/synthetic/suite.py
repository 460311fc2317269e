"""The benchmark suite: every exercise, variation, side and view, every compensation
injected on some reps and absent on others, fast, slow and held reps, and every set fault.

Compensation sets never have two compensated reps among any three in a row, nor an
oversized rep among the first three, so none of them amounts to `isolation_lost` however
the rule is read; the first rep is always clean.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import product

import numpy as np

from hipcoach.synthetic.scenario import Scenario
from hipcoach.synthetic.specs import CLAMSHELL_VARIATIONS, SPECS, ExerciseSpec, isolation_feasible

DEFAULT_N_PER_CASE = 2
SUITE_SEED = 20240611


@dataclass(frozen=True)
class Tempo:
    name: str
    rep_duration_s: tuple[float, float]
    rest_between_s: tuple[float, float]
    n_reps: int
    hold_s: float = 0.0


TEMPOS = (
    Tempo("normal", (1.5, 3.0), (0.3, 1.0), 16),
    Tempo("fast", (0.8, 1.2), (0.2, 0.6), 16),
    Tempo("slow", (5.0, 9.0), (0.5, 1.5), 6),
    Tempo("hold", (1.5, 3.0), (0.3, 1.0), 12, hold_s=1.5),
)
SETTLES_S = (2.0, 1.0, 3.0)
"""Getting into position: a 1 s move-in then 1 s still, already still for 1 s, or a 2 s
move-in then 1 s still (see `Scenario.settle_s`)."""
HOLD_EXERCISE_REPS = 10
EXTRA_SETS = {"side_lying_leg_lift": 2}
"""Exercises with few cases (no variations) get more sets per case, so that every cue is
injected on a similar number of reps."""
FAULT_REPS = 10


def _hold(spec: ExerciseSpec, tempo: Tempo) -> float:
    return spec.target_hold_s if spec.has_hold else tempo.hold_s


def _reps(spec: ExerciseSpec, tempo: Tempo) -> int:
    """Sets with a 5 s hold on every rep are kept shorter."""
    return min(tempo.n_reps, HOLD_EXERCISE_REPS) if spec.has_hold else tempo.n_reps


SPACING = 3
"""Compensated reps are at least this far apart: no 3 consecutive reps hold two of them,
so no reading of the isolation rule (see `generator.implied_isolation`) can fire."""
CONFLICTS = frozenset(
    {
        frozenset({"pelvis_rolls_back", "hips_not_stacked"}),
        frozenset({"pelvis_rolls_back", "leg_drifts_forward"}),
        frozenset({"pelvis_rolls_back", "range_too_big"}),
    }
)
"""Cue pairs never put on the same rep. Both turn the pelvis; or the roll carries the
drifting leg backwards, so the drift differs against the pelvis and against the trunk; or
a big opening with the pelvis rolled forces the feet apart (knees tucked)."""
NOT_EARLY = "range_too_big"
"""Never on reps 1-3: a big early rep would make the later, normal ones look collapsed."""


def compensated_reps(n_reps: int, rng: np.random.Generator) -> list[int]:
    """Rep indices that carry compensations: never the first, at least `SPACING` apart."""
    reps: list[int] = []
    rep = int(rng.integers(2, 4))
    while rep <= n_reps:
        reps.append(rep)
        rep += SPACING + int(rng.random() < 0.25)
    return reps


def assign_compensations(
    spec: ExerciseSpec, n_reps: int, rng: np.random.Generator
) -> dict[str, list[int]]:
    """Spread the exercise's rep cues over the set (see `compensated_reps`): each
    compensated rep carries one cue, or two that do not conflict, cycling through the
    exercise's cues in a shuffled order."""
    # a too-short hold is the cheapest rep to record (no 5 s hold), so it gets two shares
    weighted = [*spec.rep_cues, *(c for c in spec.rep_cues if c == "hold_too_short")]
    queue: list[str] = []
    out: dict[str, list[int]] = {}
    for rep in compensated_reps(n_reps, rng):
        wanted = 1 + int(rng.random() < 0.7)
        chosen: list[str] = []
        for _ in range(3 * len(weighted)):
            if len(chosen) == wanted:
                break
            if not queue:
                queue = [str(c) for c in rng.permutation(weighted)]
            cue = queue.pop(0)
            clash = any(frozenset({cue, c}) in CONFLICTS for c in chosen)
            if cue in chosen or clash or (cue == NOT_EARLY and rep <= 3):
                queue.append(cue)  # keep it for a later rep
                continue
            chosen.append(cue)
        for cue in chosen:
            out.setdefault(cue, []).append(rep)
    return out


def _cases() -> list[tuple[str, str | None, str, str]]:
    """(exercise, variation, side, view) for every combination the suite covers."""
    out: list[tuple[str, str | None, str, str]] = []
    for spec in SPECS.values():
        variations: list[str | None] = (
            list(CLAMSHELL_VARIATIONS) if spec.id == "clamshell" else [None]
        )
        for variation, side, view in product(variations, ("left", "right"), spec.views):
            out.append((spec.id, variation, side, view))
    return out


def _compensation_sets(n: int, seed: int, rng: np.random.Generator) -> list[Scenario]:
    out: list[Scenario] = []
    for c, (exercise, variation, side, view) in enumerate(_cases()):
        spec = SPECS[exercise]
        for k in range(n * EXTRA_SETS.get(exercise, 1)):
            tempo = TEMPOS[(c + k) % len(TEMPOS)]
            n_reps = _reps(spec, tempo)
            out.append(
                Scenario(
                    exercise=exercise,
                    variation=variation,
                    working_side=side,  # type: ignore[arg-type]
                    view=view,
                    n_reps=n_reps,
                    rep_duration_s=tempo.rep_duration_s,
                    rest_between_s=tempo.rest_between_s,
                    hold_s=_hold(spec, tempo),
                    compensations=assign_compensations(spec, n_reps, rng),
                    settle_s=SETTLES_S[len(out) % len(SETTLES_S)],
                    camera_on_working_side=(k % 2 == 0),
                    seed=seed + len(out),
                )
            )
    return out


def _fault_sets(n: int, seed: int) -> list[Scenario]:
    normal = TEMPOS[0]
    out: list[Scenario] = []

    def add(exercise: str, fault: str | None, k: int, variation: str | None = None) -> None:
        spec = SPECS[exercise]
        out.append(
            Scenario(
                exercise=exercise,
                variation=variation,
                working_side="left" if k % 2 == 0 else "right",
                view=spec.views[(k // 2) % len(spec.views)],
                n_reps=FAULT_REPS,
                rep_duration_s=normal.rep_duration_s,
                rest_between_s=normal.rest_between_s,
                hold_s=_hold(spec, normal),
                set_faults=() if fault is None else (fault,),
                settle_s=SETTLES_S[len(out) % len(SETTLES_S)],
                seed=seed + len(out),
            )
        )

    for k in range(n):
        for variation in CLAMSHELL_VARIATIONS:
            add("clamshell", "wrong_hip_angle", k, variation)
        for spec in SPECS.values():
            if isolation_feasible(spec):
                add(spec.id, "isolation_lost", k)
            add(spec.id, "shaking", k)
            add(spec.id, "view_incomplete", k)
            add(spec.id, None, k)
    return out


def standard_suite(n_per_case: int | None = None) -> list[Scenario]:
    """The benchmark scenarios, deterministic for a given `n_per_case`.

    Each (exercise, variation, side, view) case gets `n_per_case` compensation sets with
    tempos cycling through normal, fast, slow and held reps and starts cycling through
    `SETTLES_S`; each set fault (and a clean set) gets about half as many sets per exercise.
    """
    n = DEFAULT_N_PER_CASE if n_per_case is None else n_per_case
    if n < 1:
        raise ValueError(f"n_per_case must be at least 1, got {n}")
    rng = np.random.default_rng(SUITE_SEED)
    comp = _compensation_sets(n, SUITE_SEED, rng)
    faults = _fault_sets(math.ceil(n / 2), SUITE_SEED + 100_000)
    return comp + faults
