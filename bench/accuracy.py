"""Accuracy of the form-check engine on the synthetic generator (`hipcoach.synthetic`),
per stratum (`bench.strata`): the standard suite, small stacked-knee clamshells, white
jitter (with and without world landmarks), 15 fps, sets as people do them, and each camera
view (the suite and the small clamshells grouped by view).

Every scenario is generated, replayed through
`hipcoach.analysis.offline.analyze_series` with `side="auto"`, and compared with its
ground truth:

- reps are matched when a detected rep's peak falls inside a true rep's [start, end]
  (one detected rep per true rep; a second one inside the same true rep is spurious);
- rep count exact rate and side accuracy over the countable sets (not `view_incomplete`);
- range error: each matched rep's reported `range_deg` minus its true excursion
  (`TrueRep.amplitude_deg`: the clamshell's femur turn about the hip-ankle line, the leg
  lift's abduction, the others' joint angle change), over all matched reps and over the
  reps with no compensation;
- per-cue precision / recall / F1 at rep level over matched reps of countable sets, and
  at set level over all sets. `wrong_hip_angle` is scored at set level only (raised in
  the set cues or on any rep), because the truth marks a whole set at the wrong angle.

`python -m bench.accuracy` prints an overview and one table per stratum, and examples of
every kind of miss; `run_accuracy()` returns the rows for `python -m bench`.
"""

from __future__ import annotations

import argparse
import math
import os
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from bench.strata import build_strata
from hipcoach.synthetic import Scenario
from hipcoach.synthetic.specs import SPECS

SET_CUES = ("isolation_lost", "shaking", "view_incomplete", "wrong_hip_angle")
SET_ONLY = frozenset({"wrong_hip_angle"})
RANGE_CUE = "range_too_big"
RANGE_LIMIT_DEG = SPECS["clamshell"].thresholds[RANGE_CUE]
RANGE_BAND_DEG = 3.0
"""range_too_big's truth is the true excursion beyond the catalogue's 40 deg; the engine reads
a clamshell's range with an error of 2.0-2.4 deg (standard deviation, suite and small
strata). A stratum whose reps crowd the limit (the small one reaches 41 deg) scores that
error, not the cue: its row also gives the F1 over reps whose true excursion lies more than
this far from the limit, and how many of them it got wrong. The main figure stays the
strict one."""
Row = dict[str, object]


@dataclass(frozen=True)
class RepPair:
    """A true rep and the detected rep matched to it (None when the engine missed it)."""

    index: int
    truth: frozenset[str]
    engine: frozenset[str] | None
    measures: dict[str, float] = field(default_factory=dict)
    true_deg: float = math.nan
    """The rep's true excursion (deg)."""
    engine_deg: float = math.nan
    """The range the engine reported for it (deg); NaN when missed."""


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
    view: str = ""
    not_judged: frozenset[str] = frozenset()
    """Cues the engine said it could not judge from this camera angle."""
    hard_to_see: frozenset[str] = frozenset()
    """Set-up checks the engine left unjudged: their movement runs along the line of sight."""


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
            view=scenario.resolved_view,
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
            matched[hit.index] = RepPair(hit.index, hit.cues, cues, dict(rep.measures),
                                         hit.amplitude_deg, rep.range_deg)  # fmt: skip
    pairs = [
        matched.get(r.index, RepPair(r.index, r.cues, None, true_deg=r.amplitude_deg))
        for r in truth.reps
    ]
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
        view=scenario.resolved_view,
        not_judged=frozenset(report.view.not_judged),
        hard_to_see=frozenset(report.view.hard_to_see),
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

    @property
    def f1(self) -> float | None:
        found, real = self.tp + self.fp, self.tp + self.fn
        if not (found and real and self.tp):
            return None if not (found and real) else 0.0
        precision, recall = self.tp / found, self.tp / real
        return 2 * precision * recall / (precision + recall)

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
        tally, judged, clear = Tally(), Tally(), Tally()
        missed = unjudged = near = 0
        for result in countable:
            for pair in result.pairs:
                if pair.engine is None:
                    missed += cue in pair.truth
                else:
                    tally.add(cue in pair.truth, cue in pair.engine)
                    if cue == RANGE_CUE and abs(pair.true_deg - RANGE_LIMIT_DEG) <= RANGE_BAND_DEG:
                        near += 1
                    elif cue == RANGE_CUE:
                        clear.add(cue in pair.truth, cue in pair.engine)
                    unjudged += cue in pair.truth and cue in result.not_judged
                    if cue not in result.not_judged:
                        judged.add(cue in pair.truth, cue in pair.engine)
            for cues in result.spurious:
                tally.add(False, cue in cues)
                if cue not in result.not_judged:
                    judged.add(False, cue in cues)
        n = tally.tp + tally.fn + missed
        note = f"{missed} on reps not counted"
        if unjudged:
            note += f"; {unjudged} in sets where the engine said 'not judged'"
            note += f"; F1 {_fmt(judged.f1)} in the sets it judged"
        if near:
            note += (
                f"; {near} reps within {RANGE_BAND_DEG:g} deg of the {RANGE_LIMIT_DEG:g} deg "
                f"limit; on the others {clear.fp} false, {clear.fn} missed "
                f"(F1 {_fmt(clear.f1)})"
            )
        rows.append(tally.row("rep cue", cue, n, note=note))
    for cue in SET_CUES:
        tally, judged = Tally(), Tally()
        for result in results:
            tally.add(cue in result.set_truth, cue in result.set_engine)
            if cue not in result.hard_to_see:
                judged.add(cue in result.set_truth, cue in result.set_engine)
        unseen = sum(cue in r.set_truth and cue in r.hard_to_see for r in results)
        note = ""
        if unseen:
            note = (
                f"{unseen} in sets where the engine said 'hard to see'; "
                f"F1 {_fmt(judged.f1)} in the sets it judged"
            )
        rows.append(tally.row("set cue", cue, sum(cue in r.set_truth for r in results), note))
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


def _percentile(values: list[float], q: float) -> float | None:
    return float(np.percentile(values, q)) if values else None


def range_rows(results: Sequence[SetResult]) -> list[Row]:
    """Reported range minus true excursion (deg) over matched reps: all reps, reps with no
    compensation, and per exercise."""
    countable = [r for r in results if r.countable and r.error is None]
    pairs = [(r.exercise, p) for r in countable for p in r.pairs if p.engine is not None]
    pairs = [(e, p) for e, p in pairs if math.isfinite(p.engine_deg - p.true_deg)]

    def row(name: str, chosen: list[RepPair]) -> Row:
        errors = [p.engine_deg - p.true_deg for p in chosen]
        absolute = [abs(e) for e in errors]
        note = (
            f"p95 {_percentile(absolute, 95):.1f}, mean signed {np.mean(errors):+.1f}"
            if errors
            else ""
        )
        value = float(np.mean(absolute)) if absolute else None
        return _row("range", name, len(chosen), value, note=note)

    rows = [
        row("range error |deg|, matched reps", [p for _, p in pairs]),
        row("range error |deg|, reps with no cue", [p for _, p in pairs if not p.truth]),
    ]
    for exercise in dict.fromkeys(e for e, _ in pairs):
        rows.append(row(f"range error |deg|, {exercise}", [p for e, p in pairs if e == exercise]))
    return rows


def stratum_rows(results: Sequence[SetResult]) -> list[Row]:
    return summary_rows(results) + range_rows(results) + cue_rows(results)


def overview_row(name: str, results: Sequence[SetResult]) -> Row:
    """One line per stratum: exact count rate, range error and the weakest cue."""
    countable = [r for r in results if r.countable and r.error is None]
    n, exact = _rate(r.count == r.true_count for r in countable)
    ranges = {str(r["name"]): r for r in range_rows(results)}
    matched = ranges["range error |deg|, matched reps"]
    f1s = [(_f1(row), str(row["name"])) for row in cue_rows(results) if _true_count(row) > 0]
    worst = min(f1s) if f1s else None
    note = f"range |err| {matched['value']} deg ({matched['note']})"
    if worst:
        note += f"; weakest cue F1 {worst[0]:.3f} ({worst[1]})"
    return _row("overview", name, n, exact, note=note)


def _true_count(row: Row) -> int:
    return int(str(row["tp"])) + int(str(row["fn"]))


def _f1(row: Row) -> float:
    """A cue row's F1, 0 when the engine never raised it on a rep that had it."""
    tp, fp, fn = (int(str(row[k])) for k in ("tp", "fp", "fn"))
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


VIEW_SOURCES = ("suite", "small clamshell 4-15 cm")
"""The strata whose sets are grouped again by camera view."""


def group_by_view(strata: dict[str, list[SetResult]]) -> dict[str, list[SetResult]]:
    pooled = [r for name in VIEW_SOURCES for r in strata.get(name, [])]
    views = sorted({r.view for r in pooled})
    return {f"view {v}": [r for r in pooled if r.view == v] for v in views}


def evaluate_strata(
    strata: dict[str, list[Scenario]], workers: int | None = None
) -> dict[str, list[SetResult]]:
    """Every stratum's results (one process pool for all of them)."""
    flat = [(name, s) for name, scenarios in strata.items() for s in scenarios]
    results = evaluate_suite([s for _, s in flat], workers)
    out: dict[str, list[SetResult]] = {name: [] for name in strata}
    for (name, _), result in zip(flat, results, strict=True):
        out[name].append(result)
    out.update(group_by_view(out))
    return out


def accuracy_rows(by_stratum: dict[str, list[SetResult]]) -> list[Row]:
    """The overview rows, then each stratum's rows, each tagged with its stratum."""
    rows = [{"stratum": name, **overview_row(name, res)} for name, res in by_stratum.items()]
    for name, res in by_stratum.items():
        rows += [{"stratum": name, **row} for row in stratum_rows(res)]
    return rows


def run_accuracy(n_per_case: int | None = None) -> list[Row]:
    """The accuracy table (one dict per row, every stratum) for `python -m bench`."""
    return accuracy_rows(evaluate_strata(build_strata(n_per_case)))


def _print_table(console: object, title: str, rows: list[Row]) -> None:
    from rich.table import Table

    table = Table(title=title)
    for column in rows[0]:
        table.add_column(column)
    for row in rows:
        table.add_row(*(str(v) for v in row.values()))
    console.print(table)  # type: ignore[attr-defined]


def main() -> None:
    from rich.console import Console

    parser = argparse.ArgumentParser(prog="python -m bench.accuracy")
    parser.add_argument("--n-per-case", type=int, default=None)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--examples", type=int, default=3, help="failure examples per kind")
    parser.add_argument("--only", nargs="*", help="strata to run (default: all)")
    args = parser.parse_args()
    start = time.perf_counter()
    strata = build_strata(args.n_per_case)
    if args.only:
        strata = {k: v for k, v in strata.items() if k in args.only}
    by_stratum = evaluate_strata(strata, args.workers)
    console = Console(width=200)
    overview = [overview_row(name, res) for name, res in by_stratum.items()]
    elapsed = time.perf_counter() - start
    _print_table(console, f"accuracy per stratum ({elapsed:.0f} s)", overview)
    for name, res in by_stratum.items():
        _print_table(console, f"stratum: {name}", stratum_rows(res))
        for line in failure_examples(res, args.examples):
            console.print(line, soft_wrap=True, markup=False)


if __name__ == "__main__":
    main()
