"""The checks the catalogue names, registered by id.

Three kinds:
- frame checks turn one frame's baseline-relative `Compensations` into a number; over a
  rep, `CoupledMeasure` finds how far that number moved with the rep (all frames count,
  so one noisy frame never flags), which is compared with the catalogue threshold;
- rep checks look at a finished rep (its range, its hold);
- set-up checks look at the start-of-set posture.
Set-level checks (isolation, shaking, view) live in `set_checks.py`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from hipcoach.analysis.reps import RepWindow
from hipcoach.exercises.schema import Exercise, Variation
from hipcoach.features.measures import Compensations, Reference

FrameMeasure = Callable[[Compensations], float]
RepRule = Callable[[RepWindow, Exercise, float], bool]
SetupRule = Callable[[Reference, Variation | None, float], bool]

FRAME_CHECKS: dict[str, FrameMeasure] = {}
REP_CHECKS: dict[str, RepRule] = {}
SETUP_CHECKS: dict[str, SetupRule] = {}
SET_CHECK_IDS = frozenset({"isolation_lost", "shaking", "view_incomplete"})

# Frame checks that need the non-working (bottom) leg to be visible.
NEEDS_OTHER_LEG = frozenset({"feet_apart", "bottom_leg_moves"})
# Frame checks where either direction is a fault (the thigh rolling out or in).
TWO_SIDED = frozenset({"thigh_rotates"})


def register_frame_check(check_id: str) -> Callable[[FrameMeasure], FrameMeasure]:
    def add(func: FrameMeasure) -> FrameMeasure:
        FRAME_CHECKS[check_id] = func
        return func

    return add


def register_rep_check(check_id: str) -> Callable[[RepRule], RepRule]:
    def add(func: RepRule) -> RepRule:
        REP_CHECKS[check_id] = func
        return func

    return add


def register_setup_check(check_id: str) -> Callable[[SetupRule], SetupRule]:
    def add(func: SetupRule) -> SetupRule:
        SETUP_CHECKS[check_id] = func
        return func

    return add


def known_check_ids() -> frozenset[str]:
    return frozenset(FRAME_CHECKS) | frozenset(REP_CHECKS) | frozenset(SETUP_CHECKS) | SET_CHECK_IDS


@register_frame_check("pelvis_rolls_back")
def _pelvis_roll(c: Compensations) -> float:
    return c.pelvis_roll_back_deg


@register_frame_check("hips_not_stacked")
def _top_hip_hitch(c: Compensations) -> float:
    return c.hip_hike_deg


@register_frame_check("hip_hikes")
def _hip_hike(c: Compensations) -> float:
    return c.hip_hike_deg


@register_frame_check("feet_apart")
def _feet_gap(c: Compensations) -> float:
    return c.feet_gap_change


@register_frame_check("bottom_leg_moves")
def _bottom_leg(c: Compensations) -> float:
    return c.other_thigh_deg


@register_frame_check("leg_drifts_forward")
def _leg_forward(c: Compensations) -> float:
    return c.leg_forward_deg


@register_frame_check("trunk_moves")
def _trunk(c: Compensations) -> float:
    return c.trunk_deg


@register_frame_check("thigh_rotates")
def _thigh(c: Compensations) -> float:
    return c.thigh_lateral_deg


@register_rep_check("range_too_big")
def _range_too_big(rep: RepWindow, exercise: Exercise, threshold: float) -> bool:
    return rep.range_deg >= threshold


# Rep checks that need the whole rep in view. With part of a rep out of view they are
# judged on the hold it could have had at most (the seen hold plus the unseen time).
NEEDS_WHOLE_REP = frozenset({"hold_too_short"})


@register_rep_check("hold_too_short")
def _hold_too_short(rep: RepWindow, exercise: Exercise, threshold: float) -> bool:
    target = exercise.dosage.hold_s
    return bool(target) and rep.hold_s < threshold * float(target or 0.0)


@register_setup_check("wrong_hip_angle")
def _wrong_hip_angle(ref: Reference, variation: Variation | None, threshold: float) -> bool:
    if variation is None or not np.isfinite(ref.hip_flexion_deg):
        return False
    low, high = variation.hip_flexion_deg
    return not (low - threshold <= ref.hip_flexion_deg <= high + threshold)


@dataclass
class CoupledMeasure:
    """How far a compensation measure moved *with* a rep.

    "Nothing moves but the knee": a compensation rises and falls with the working leg. So
    the measure (minus its level at rest just before the rep) is fitted by least squares
    to the rep's progress p (0 at rest, 1 at the top of the rep, from the rep's own
    signal): value - rest = b * p. b is how far the measure moved by the top of the rep.
    Every frame of the rep contributes, weighted by how far into the rep it is, so
    landmark noise averages out instead of being picked up by a maximum.

    A rep found only by the pelvis-frame counter (the top hip hitched, turning the femur
    with the pelvis) barely moves the start-frame signal, or moves it down: its progress is
    then read from the pelvis-frame signal (`alt`), which rose.
    """

    two_sided: bool = False  # for measures whose sign is not a fault direction
    _values: list[float] = field(default_factory=list)
    _progress: list[float] = field(default_factory=list)
    _weights: list[float] = field(default_factory=list)
    _alt: list[float] = field(default_factory=list)

    def add(self, value: float, signal: float, weight: float = 1.0, alt: float = math.nan) -> None:
        """One frame: the measure and the rep's primary signal (degrees, up = into the rep);
        `alt` the same signal in the pelvis's own frame."""
        if math.isfinite(value) and math.isfinite(signal):
            self._values.append(value)
            self._progress.append(signal)
            self._weights.append(weight)
            self._alt.append(alt)

    def value(
        self, baseline: float = 0.0, signal_rest: float | None = None, min_span: float = 0.0
    ) -> float:
        """b (see above): the measure's change at the top of the rep from `baseline`, its
        level at rest. `signal_rest` is the primary signal at rest (default: the lowest
        value seen in the rep). When the primary signal rose less than `min_span` (degrees)
        and the pelvis-frame one did rise that far, progress is read from the latter."""
        if len(self._values) < 3:
            return float("nan")
        signal = np.asarray(self._progress)
        rest = signal.min() if signal_rest is None or not np.isfinite(signal_rest) else signal_rest
        span = float(signal.max() - rest)
        alt = np.asarray(self._alt)
        if span < min_span and np.isfinite(alt).all() and alt.max() - alt.min() >= min_span:
            signal, rest = alt, float(alt.min())
            span = float(signal.max() - rest)
        if span <= 1e-6:
            return float("nan")
        p = np.clip((signal - rest) / span, 0.0, 1.0)
        w = np.asarray(self._weights)
        weight = float((w * p) @ p)
        if weight < 1e-6:
            return float("nan")
        b = float((w * p) @ (np.asarray(self._values) - baseline)) / weight
        return abs(b) if self.two_sided else b

    def reset(self) -> None:
        self._values = []
        self._progress = []
        self._weights = []
        self._alt = []
