"""Accuracy of the form-check engine on the synthetic suite (`hipcoach.synthetic`).

Every scenario of `standard_suite()` is generated, replayed through
`hipcoach.analysis.offline.analyze_series` with `side="auto"`, and compared with its
ground truth:

- reps are matched when a detected rep's peak falls inside a true rep's [start, end]
  (one detected rep per true rep; a second one inside the same true rep is spurious);
- rep count exact rate and side accuracy over the countable sets (not `view_incomplete`);
- per-cue precision / recall / F1 at rep level over matched reps of countable sets, and
  at set level over all sets. `wrong_hip_angle` is scored at set level only (raised in
  the set cues or on any rep), because the truth marks a whole set at the wrong angle.

`python -m bench.accuracy` prints the table and examples of every kind of miss;
`run_accuracy()` returns the table rows for `python -m bench`.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

from hipcoach.synthetic import Scenario, standard_suite

SET_CUES = ("isolation_lost", "shaking", "view_incomplete", "wrong_hip_angle")
SET_ONLY = frozenset({"wrong_hip_angle"})
Row = dict[str, object]


@dataclass(frozen=True)
class RepPair:
    """A true rep and the detected rep matched to it (None when the engine missed it)."""

    index: int
    truth: frozenset[str]
    engine: frozenset[str] | None
    measures: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class SetResult:
    """One scenario's outcome. `error` is the engine's one-line error, if it raised."""

    label: str
    exercise: str
    settle_s: float
    countable: bool
    true_count: int
    count: int
    true_side: str
    side: str | None
    pairs: list[RepPair]
    spurious: list[frozenset[str]]
    set_truth: frozenset[str]
    set_engine: frozenset[str]
    frames: int
    engine_s: float
    error: str | None = None


def describe(scenario: Scenario) -> str:
    """A short name that identifies the scenario (and lets anyone regenerate it)."""
    low, high = (
        scenario.rep_duration_s
        if isinstance(scenario.rep_duration_s, tuple)
        else (scenario.rep_duration_s,) * 2
    )
    faults = "+".join(scenario.set_faults) or "-"
    return (
        f"{scenario.exercise}/{scenario.resolved_variation or '-'}/{scenario.working_side}/"
        f"{scenario.resolved_view} seed={scenario.seed} reps={scenario.n_reps} "
        f"dur={low:g}-{high:g}s hold={scenario.hold_s:g}s settle={scenario.settle_s:g}s "
        f"faults={faults}"
    )


def evaluate(scenario: Scenario) -> SetResult:
    """Generate one scenario, run the engine on it and match its reps to the truth."""
    from hipcoach.analysis.offline import analyze_series
    from hipcoach.errors import HipcoachError
    from hipcoach.synthetic import generate

    series, truth = generate(scenario)
    start = time.perf_counter()
    try:
        report = analyze_series(series, scenario.exercise, scenario.resolved_variation)
    except HipcoachError as exc:
        return SetResult(
            describe(scenario), scenario.exercise, scenario.settle_s, truth.countable,
            len(truth.reps), 0, truth.side, None,
            [RepPair(r.index, r.cues, None) for r in truth.reps], [], truth.set_cues,
            frozenset(), len(series), time.perf_counter() - start, error=str(exc),
        )  # fmt: skip
    engine_s = time.perf_counter() - start
    matched: dict[int, RepPair] = {}
    spurious: list[frozenset[str]] = []
    for rep in report.reps:
        hit = next((r for r in truth.reps if r.start_s <= rep.peak_s <= r.end_s), None)
        cues = frozenset(rep.cues)
        if hit is None or hit.index in matched:
            spurious.append(cues)
        else:
            matched[hit.index] = RepPair(hit.index, hit.cues, cues, dict(rep.measures))
    pairs = [matched.get(r.index, RepPair(r.index, r.cues, None)) for r in truth.reps]
    raised = set(report.set_cues) | {c for r in report.reps for c in r.cues if c in SET_ONLY}
    return SetResult(
        label=describe(scenario),
        exercise=scenario.exercise,
        settle_s=scenario.settle_s,
        countable=truth.countable,
        true_count=len(truth.reps),
        count=report.rep_count,
        true_side=truth.side,
        side=report.side,
        pairs=pairs,
        spurious=spurious,
        set_truth=truth.set_cues,
        set_engine=frozenset(raised),
        frames=len(series),
        engine_s=engine_s,
    )


def evaluate_suite(scenarios: Sequence[Scenario], workers: int | None = None) -> list[SetResult]:
    """Every scenario's result, in suite order, spread over `workers` processes."""
    workers = workers or min(2, os.cpu_count() or 1)
    if workers <= 1:
        return [evaluate(s) for s in scenarios]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(evaluate, scenarios, chunksize=4))


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, truth: bool, engine: bool) -> None:
        self.tp += truth and engine
        self.fp += engine and not truth
        self.fn += truth and not engine

    def row(self, level: str, name: str, n: int, note: str = "") -> Row:
        precision = self.tp / (self.tp + self.fp) if self.tp + self.fp else None
        recall = self.tp / (self.tp + self.fn) if self.tp + self.fn else None
        f1 = (
            2 * precision * recall / (precision + recall)
            if precision is not None and recall is not None and precision + recall > 0
            else None
        )
        return _row(level, name, n, tp=self.tp, fp=self.fp, fn=self.fn, precision=precision,
                    recall=recall, f1=f1, note=note)  # fmt: skip


def _fmt(value: object) -> object:
    return f"{value:.3f}" if isinstance(value, float) else ("-" if value is None else value)


def _row(level: str, name: str, n: int, value: object = None, **rest: object) -> Row:
    row: Row = {"level": level, "name": name, "n": n, "value": _fmt(value)}
    for key in ("tp", "fp", "fn", "precision", "recall", "f1", "note"):
        row[key] = _fmt(rest.get(key, ""))
    return row


def _rate(hits: Iterable[bool]) -> tuple[int, float | None]:
    flags = list(hits)
    return len(flags), (sum(flags) / len(flags) if flags else None)


def summary_rows(results: Sequence[SetResult]) -> list[Row]:
    """Suite size, speed, rep counting and side detection, overall and per exercise."""
    countable = [r for r in results if r.countable and r.error is None]
    frames = sum(r.frames for r in results)
    engine_s = sum(r.engine_s for r in results)
    reps_true = sum(r.true_count for r in countable)
    reps_found = sum(p.engine is not None for r in countable for p in r.pairs)
    detected = reps_found + sum(len(r.spurious) for r in countable)
    speed = frames / engine_s if engine_s else None
    recall = reps_found / reps_true if reps_true else None
    precision = reps_found / detected if detected else None
    rows = [
        _row("suite", "sets", len(results), note=f"{frames} frames, {reps_true} countable reps"),
        _row("suite", "engine errors", len(results), sum(r.error is not None for r in results)),
        _row("suite", "engine frames/s (one core)", frames, speed),
        _row("reps", "rep count exact", *_rate(r.count == r.true_count for r in countable)),
        _row("reps", "true reps found (recall)", reps_true, recall),
        _row("reps", "detected reps that are real (precision)", detected, precision),
        _row("reps", "side detected", *_rate(r.side == r.true_side for r in countable)),
    ]
    for settle in sorted({r.settle_s for r in countable}):
        subset = [r for r in countable if r.settle_s == settle]
        rows.append(_row("reps", f"rep count exact, settle {settle:g} s",
                         *_rate(r.count == r.true_count for r in subset)))  # fmt: skip
    for exercise in dict.fromkeys(r.exercise for r in countable):
        subset = [r for r in countable if r.exercise == exercise]
        n, exact = _rate(r.count == r.true_count for r in subset)
        _, side = _rate(r.side == r.true_side for r in subset)
        note = f"side {side:.2f}" if side is not None else ""
        rows.append(_row("reps", f"rep count exact, {exercise}", n, exact, note=note))
    return rows


def cue_rows(results: Sequence[SetResult]) -> list[Row]:
    """Per-cue precision / recall / F1: rep level (matched reps) and set level."""
    countable = [r for r in results if r.countable and r.error is None]
    rep_cues = sorted(
        {c for r in countable for p in r.pairs for c in p.truth | (p.engine or frozenset())}
        - SET_ONLY
        - set(SET_CUES)
    )
    rows: list[Row] = []
    for cue in rep_cues:
        tally = Tally()
        missed = 0
        for result in countable:
            for pair in result.pairs:
                if pair.engine is None:
                    missed += cue in pair.truth
                else:
                    tally.add(cue in pair.truth, cue in pair.engine)
            for cues in result.spurious:
                tally.add(False, cue in cues)
        n = tally.tp + tally.fn + missed
        rows.append(tally.row("rep cue", cue, n, note=f"{missed} on reps not counted"))
    for cue in SET_CUES:
        tally = Tally()
        for result in results:
            tally.add(cue in result.set_truth, cue in result.set_engine)
        rows.append(tally.row("set cue", cue, sum(cue in r.set_truth for r in results)))
    return rows


def failure_examples(results: Sequence[SetResult], per_kind: int = 3) -> list[str]:
    """Readable examples of each kind of miss: which cue, which scenario, what the engine said."""
    found: dict[str, list[str]] = {}

    def note(kind: str, text: str) -> None:
        found.setdefault(kind, [])
        if len(found[kind]) < per_kind:
            found[kind].append(text)

    for r in results:
        if r.error:
            note("engine error", f"{r.label}: {r.error}")
        if r.countable and r.count != r.true_count:
            note("rep count", f"{r.label}: counted {r.count}, true {r.true_count}")
        if r.countable and r.side not in (None, r.true_side):
            note("side", f"{r.label}: said {r.side}, true {r.true_side}")
        for cue in SET_CUES:
            if (cue in r.set_truth) != (cue in r.set_engine):
                kind = "missed" if cue in r.set_truth else "false"
                note(f"set {cue} {kind}", f"{r.label}: engine set cues {sorted(r.set_engine)}")
        if not r.countable:
            continue
        for p in r.pairs:
            if p.engine is None:
                continue
            for cue in sorted((p.truth ^ p.engine) - SET_ONLY):
                kind = "missed" if cue in p.truth else "false"
                measures = ", ".join(f"{k} {v:.1f}" for k, v in sorted(p.measures.items()))
                note(f"rep {cue} {kind}", f"{r.label} rep {p.index}: truth {sorted(p.truth)}, "
                     f"engine {sorted(p.engine)}; measures: {measures}")  # fmt: skip
    return [f"{kind}: {text}" for kind in sorted(found) for text in found[kind]]


def run_accuracy(n_per_case: int | None = None) -> list[Row]:
    """The accuracy table (one dict per row) for the synthetic benchmark suite."""
    results = evaluate_suite(standard_suite(n_per_case))
    return summary_rows(results) + cue_rows(results)


def main() -> None:
    from rich.console import Console
    from rich.table import Table

    parser = argparse.ArgumentParser(prog="python -m bench.accuracy")
    parser.add_argument("--n-per-case", type=int, default=None)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--examples", type=int, default=3, help="failure examples per kind")
    args = parser.parse_args()
    start = time.perf_counter()
    results = evaluate_suite(standard_suite(args.n_per_case), args.workers)
    rows = summary_rows(results) + cue_rows(results)
    table = Table(title=f"accuracy on the synthetic suite ({time.perf_counter() - start:.0f} s)")
    for column in rows[0]:
        table.add_column(column)
    for row in rows:
        table.add_row(*(str(v) for v in row.values()))
    console = Console(width=200)
    console.print(table)
    for line in failure_examples(results, args.examples):
        console.print(line, soft_wrap=True, markup=False)


if __name__ == "__main__":
    main()
