"""What the generator knows about each catalogue exercise: posture, the primary signal, the
rep cues it can inject, and how big an injected compensation is.

The engine's thresholds (from the domain brief) are copied here on purpose: the generator
sizes every injected fault at 1.5-2.5x its threshold and keeps clean reps well below it,
so the ground truth is never borderline. `tests/synthetic` checks these copies against the
catalogue when the catalogue is present.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

Posture = Literal["side_lying", "supine", "seated", "standing"]
SignalKind = Literal["knee_opening", "leg_abduction", "knee_flexion", "hip_flexion"]

SIDE_LYING_CUES = ("pelvis_rolls_back", "hips_not_stacked")
PSOAS_CUES = ("trunk_moves", "hip_hikes", "thigh_rotates")
SET_FAULTS = ("wrong_hip_angle", "isolation_lost", "shaking", "view_incomplete")

INJECTION_RANGES: dict[str, tuple[float, float]] = {
    # peak size of each injected compensation; degrees unless noted
    "pelvis_rolls_back": (18.0, 25.0),
    "hips_not_stacked": (18.0, 22.0),
    "feet_apart": (0.45, 0.55),  # ankle gap increase, fraction of thigh length
    "range_too_big": (45.0, 55.0),  # the rep's knee opening itself
    "bottom_leg_moves": (15.0, 20.0),
    "leg_drifts_forward": (25.0, 30.0),
    "trunk_moves": (18.0, 22.0),
    "hip_hikes": (14.0, 16.0),
    "thigh_rotates": (22.0, 28.0),
    "hold_too_short": (0.2, 0.35),  # the rep's hold as a fraction of the target hold
}

ISOLATION_COLLAPSE = (0.36, 0.39)
"""Range of the last four reps of an `isolation_lost` set, as a fraction of the early range."""
ISOLATION_LAST_REPS = 4
COLLAPSED_MIN_FACTOR = 1.4
"""Collapsed reps must still move at least this multiple of `min_rep_deg`, so they count."""
SHAKING_LAST_REPS = 4
SHAKING_FREQ_HZ = (6.0, 10.0)
SHAKING_AMPLITUDE = (0.03, 0.04)  # fraction of thigh length
WRONG_HIP_ANGLE_OFFSET = 30.0
"""A wrong-hip-angle set sits this many degrees outside the variation's allowed range."""

TARGET_HOLD_S = 5.0
SHORT_HOLD_FRACTION = 0.4
"""A hold under this fraction of the target is too short beyond doubt (the check fires
below 0.8); holds between this and the full target are refused as ambiguous."""

CLAMSHELL_VARIATIONS: dict[str, tuple[float, tuple[float, float]]] = {
    # id: (nominal hip flexion, allowed range) in degrees
    "standard": (45.0, (30.0, 65.0)),
    "knees_tucked": (100.0, (85.0, 125.0)),
    "hips_extended": (0.0, (-25.0, 15.0)),
}


@dataclass(frozen=True)
class ExerciseSpec:
    """One exercise as the generator models it.

    `direction` is +1 when a rep moves the primary signal up from the start posture, -1
    when down. `max_amplitude` caps the excursion at something a body can do.
    The working joint is solved so that the primary signal's excursion at the peak equals
    the rep's amplitude exactly, even when a compensation also moves it; cues listed in
    `adds_to_range` are added after that solve instead, so they enlarge the measured range.
    """

    id: str
    posture: Posture
    signal: SignalKind
    direction: int
    default_amplitude: float
    min_rep_deg: float
    max_amplitude: float
    views: tuple[str, ...]
    rep_cues: tuple[str, ...]
    fatigue_cue: str
    adds_to_range: tuple[str, ...] = ()
    has_hold: bool = False
    target_hold_s: float = 0.0
    """The catalogue's hold at the top (s); the hold check compares each rep against it."""
    thresholds: Mapping[str, float] = field(default_factory=dict)

    @property
    def default_view(self) -> str:
        return self.views[0]


_CLAM_THRESHOLDS = {
    "pelvis_rolls_back": 10.0,
    "hips_not_stacked": 10.0,
    "feet_apart": 0.25,
    "range_too_big": 40.0,
    "wrong_hip_angle": 10.0,
    "bottom_leg_moves": 8.0,
}
_PSOAS_THRESHOLDS = {"trunk_moves": 10.0, "hip_hikes": 8.0, "thigh_rotates": 12.0}
_HOLD_THRESHOLDS = {**_PSOAS_THRESHOLDS, "hold_too_short": 0.8}


def _psoas(
    exercise_id: str,
    posture: Posture,
    signal: SignalKind,
    amplitude: float,
    min_rep: float,
    max_amplitude: float,
    views: tuple[str, ...],
    direction: int = 1,
    hold: bool = False,
) -> ExerciseSpec:
    cues = (*PSOAS_CUES, "hold_too_short") if hold else PSOAS_CUES
    return ExerciseSpec(
        id=exercise_id,
        posture=posture,
        signal=signal,
        direction=direction,
        default_amplitude=amplitude,
        min_rep_deg=min_rep,
        max_amplitude=max_amplitude,
        views=views,
        rep_cues=cues,
        fatigue_cue="trunk_moves",
        has_hold=hold,
        target_hold_s=TARGET_HOLD_S if hold else 0.0,
        thresholds=_HOLD_THRESHOLDS if hold else _PSOAS_THRESHOLDS,
    )


SPECS: dict[str, ExerciseSpec] = {
    "clamshell": ExerciseSpec(
        id="clamshell",
        posture="side_lying",
        signal="knee_opening",
        direction=1,
        default_amplitude=18.0,
        min_rep_deg=6.0,
        max_amplitude=60.0,
        views=("front", "foot_end"),
        rep_cues=(*SIDE_LYING_CUES, "feet_apart", "range_too_big", "bottom_leg_moves"),
        fatigue_cue="pelvis_rolls_back",
        thresholds=_CLAM_THRESHOLDS,
    ),
    "side_lying_leg_lift": ExerciseSpec(
        id="side_lying_leg_lift",
        posture="side_lying",
        signal="leg_abduction",
        direction=1,
        default_amplitude=30.0,
        min_rep_deg=10.0,
        max_amplitude=55.0,
        views=("front", "foot_end"),
        rep_cues=(*SIDE_LYING_CUES, "leg_drifts_forward"),
        fatigue_cue="pelvis_rolls_back",
        # the drifting leg flexes on top of a full-size lift
        adds_to_range=("leg_drifts_forward",),
        thresholds={
            "pelvis_rolls_back": 10.0,
            "leg_drifts_forward": 15.0,
            "hips_not_stacked": 10.0,
        },
    ),
    "foot_slide_elevated": _psoas(
        "foot_slide_elevated", "supine", "knee_flexion", 50.0, 20.0, 80.0, ("side", "oblique")
    ),
    "heel_slide": _psoas(
        "heel_slide", "supine", "knee_flexion", 70.0, 20.0, 110.0, ("side", "oblique")
    ),
    "supine_knee_lift": _psoas(
        "supine_knee_lift",
        "supine",
        "hip_flexion",
        50.0,
        20.0,
        80.0,
        ("side", "oblique"),
        hold=True,
    ),
    "seated_knee_lift": _psoas(
        "seated_knee_lift", "seated", "hip_flexion", 12.0, 8.0, 40.0, ("side", "oblique"), hold=True
    ),
    "standing_knee_lift": _psoas(
        "standing_knee_lift",
        "standing",
        "hip_flexion",
        80.0,
        45.0,
        110.0,
        ("front", "side"),
        hold=True,
    ),
    "leg_lower": _psoas(
        "leg_lower", "supine", "hip_flexion", 50.0, 20.0, 85.0, ("side", "oblique"), direction=-1
    ),
}


def collapsed_floor(spec: ExerciseSpec) -> float:
    """Smallest excursion (deg) a collapsed `isolation_lost` rep may have and still count."""
    return COLLAPSED_MIN_FACTOR * spec.min_rep_deg


def isolation_feasible(spec: ExerciseSpec) -> bool:
    """Whether an `isolation_lost` set can collapse below 40 % and still count every rep."""
    needed = collapsed_floor(spec) / ISOLATION_COLLAPSE[0]
    return needed <= spec.max_amplitude
