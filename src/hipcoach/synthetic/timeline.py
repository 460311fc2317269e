"""When things happen in a synthetic set: settling, each rep's rise, hold and return, the
rests, and the capture times of the frames. Times in seconds."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from hipcoach.synthetic.body import Array
from hipcoach.synthetic.scenario import Range, Scenario
from hipcoach.synthetic.specs import (
    INJECTION_RANGES,
    ISOLATION_COLLAPSE,
    ISOLATION_LAST_REPS,
    SHORT_HOLD_FRACTION,
    ExerciseSpec,
    collapsed_floor,
)

STILL_BEFORE_FIRST_REP_S = 1.0
TAIL_S = 1.0


@dataclass(frozen=True)
class RepPlan:
    """One planned rep: phases in seconds, target excursion in degrees, injected cues with
    their peak sizes (see `INJECTION_RANGES` for units)."""

    index: int
    start_s: float
    rise_s: float
    hold_s: float
    fall_s: float
    amplitude: float
    cues: frozenset[str]
    sizes: Mapping[str, float] = field(default_factory=dict)
    knee_lift_cm: float | None = None
    """The clamshell's knee lift asked for (cm); the solver turns it into `amplitude`."""

    @property
    def peak_s(self) -> float:
        return self.start_s + self.rise_s + self.hold_s / 2

    @property
    def end_s(self) -> float:
        return self.start_s + self.rise_s + self.hold_s + self.fall_s


@dataclass(frozen=True)
class Schedule:
    """The set's phases: nobody in view until `lead_in_s`, getting into position until
    `arrive_end_s`, settling (a move of `settle_move_s`, then still) until `settle_end_s`,
    the reps, a still tail, and nobody in view again from `lead_out_start_s`."""

    reps: list[RepPlan]
    settle_move_s: float
    settle_end_s: float
    duration_s: float
    lead_in_s: float = 0.0
    arrive_end_s: float = 0.0
    lead_out_start_s: float = 0.0


def _draw(rng: np.random.Generator, value: Range) -> float:
    if isinstance(value, tuple):
        return float(rng.uniform(value[0], value[1]))
    return float(value)


def early_amplitude(scenario: Scenario, spec: ExerciseSpec) -> float:
    """The set's normal rep excursion; raised for `isolation_lost` so that the collapsed
    reps still move enough to count."""
    amplitude = scenario.amplitude
    if "isolation_lost" in scenario.set_faults:
        amplitude = max(amplitude, collapsed_floor(spec) / ISOLATION_COLLAPSE[0])
    return amplitude


def plan_schedule(scenario: Scenario, spec: ExerciseSpec, rng: np.random.Generator) -> Schedule:
    """Lay out the reps. Every random draw happens in a fixed order, so the same seed gives
    the same set whatever the working side."""
    early = early_amplitude(scenario, spec)
    n = scenario.n_reps
    collapsing = (
        range(n - ISOLATION_LAST_REPS + 1, n + 1)
        if "isolation_lost" in scenario.set_faults
        else range(0)
    )
    arrive_end = scenario.lead_in_s + scenario.arrive_s
    t = arrive_end + scenario.settle_s
    reps: list[RepPlan] = []
    for i in range(1, n + 1):
        duration = _draw(rng, scenario.rep_duration_s)
        rise_frac = rng.uniform(0.42, 0.58)
        jitter = rng.uniform(-1.0, 1.0) * scenario.noise.amplitude_jitter
        collapse = rng.uniform(*ISOLATION_COLLAPSE)
        size_draws = {cue: rng.uniform(*INJECTION_RANGES[cue]) for cue in INJECTION_RANGES}
        rest = _draw(rng, scenario.rest_between_s)
        cues = {cue for cue, idx in scenario.compensations.items() if i in idx}
        amplitude = early * (1.0 + jitter)
        lift = None if scenario.knee_lift_cm is None else scenario.knee_lift_cm * (1.0 + jitter)
        if i in collapsing:
            amplitude = early * collapse
            cues.add(spec.fatigue_cue)
        if "range_too_big" in cues:
            amplitude, lift = size_draws["range_too_big"], None
        hold = scenario.hold_s
        if "hold_too_short" in cues:
            hold = spec.target_hold_s * size_draws["hold_too_short"]
        elif spec.has_hold and hold < SHORT_HOLD_FRACTION * spec.target_hold_s:
            cues.add("hold_too_short")
            size_draws["hold_too_short"] = hold / spec.target_hold_s
        sizes = {cue: float(size_draws[cue]) for cue in sorted(cues)}
        reps.append(
            RepPlan(
                index=i,
                start_s=t,
                rise_s=duration * rise_frac,
                hold_s=hold,
                fall_s=duration * (1 - rise_frac),
                amplitude=float(amplitude),
                cues=frozenset(cues),
                sizes=sizes,
                knee_lift_cm=None if lift is None else float(lift),
            )
        )
        t = reps[-1].end_s + (rest if i < n else TAIL_S)
    return Schedule(
        reps=reps,
        settle_move_s=max(0.0, scenario.settle_s - STILL_BEFORE_FIRST_REP_S),
        settle_end_s=arrive_end + scenario.settle_s,
        duration_s=t + scenario.lead_out_s,
        lead_in_s=scenario.lead_in_s,
        arrive_end_s=arrive_end,
        lead_out_start_s=t,
    )


def sample_times(scenario: Scenario, duration_s: float, rng: np.random.Generator) -> Array:
    """Capture times from 0 to `duration_s`: regular at `fps`, or, with `jitter_fps`, with
    slightly irregular intervals and the occasional dropped frame, like a webcam."""
    step = 1.0 / scenario.fps
    n_max = int(duration_s / step * 1.1) + 2
    if not scenario.jitter_fps:
        regular = np.arange(n_max, dtype=np.float64) * step
        return regular[regular <= duration_s]
    noise = scenario.noise
    dt = step * np.clip(1.0 + noise.interval_jitter * rng.standard_normal(n_max), 0.5, 1.8)
    dt += step * (rng.random(n_max) < noise.drop_frame_prob)
    times = np.concatenate([[0.0], np.cumsum(dt)]).astype(np.float64)
    return times[times <= duration_s]


def rep_envelope(t: Array, reps: list[RepPlan]) -> tuple[Array, Array]:
    """Per frame: the rep's progress in [0, 1] (0 at rest, 1 at the top) and the rep's
    position in `reps` (-1 between reps). Rise and return follow a half cosine."""
    s = np.zeros_like(t)
    which = np.full(t.shape, -1, dtype=int)
    for k, rep in enumerate(reps):
        top = rep.start_s + rep.rise_s
        back = top + rep.hold_s
        rising = (t >= rep.start_s) & (t < top)
        holding = (t >= top) & (t <= back)
        falling = (t > back) & (t <= rep.end_s)
        s[rising] = 0.5 - 0.5 * np.cos(np.pi * (t[rising] - rep.start_s) / rep.rise_s)
        s[holding] = 1.0
        s[falling] = 0.5 + 0.5 * np.cos(np.pi * (t[falling] - back) / rep.fall_s)
        which[rising | holding | falling] = k
    return s, which


def settle_envelope(t: Array, move_s: float, start_s: float = 0.0) -> Array:
    """1 until `start_s`, falling smoothly to 0 over `move_s`: the person settling."""
    if move_s <= 0:
        return np.asarray(t < start_s, dtype=np.float64)
    u = np.clip((t - start_s) / move_s, 0.0, 1.0)
    return np.asarray(0.5 + 0.5 * np.cos(np.pi * u), dtype=np.float64)


def arrive_envelope(t: Array, start_s: float, end_s: float) -> Array:
    """0 outside [start_s, end_s], rising to 1 and back inside: free movement while the
    person gets into position."""
    if end_s <= start_s:
        return np.zeros_like(t)
    u = np.clip((t - start_s) / (end_s - start_s), 0.0, 1.0)
    return np.asarray(np.sin(np.pi * u), dtype=np.float64)
