"""The inputs and the known answers of a synthetic set: `Scenario`, `NoiseModel`,
`TrueRep`, `GroundTruth`, and the checks that reject a scenario that cannot be built."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from hipcoach.errors import HipcoachError
from hipcoach.synthetic.specs import (
    CLAMSHELL_VARIATIONS,
    MAX_KNEE_LIFT_CM,
    SET_FAULTS,
    SHORT_HOLD_FRACTION,
    SPECS,
    ExerciseSpec,
    isolation_feasible,
)

Side = Literal["left", "right"]
Range = float | tuple[float, float]


class ScenarioError(HipcoachError):
    """A synthetic scenario asks for something the generator cannot build honestly."""


NoiseKind = Literal["blazepose", "white"]


@dataclass(frozen=True)
class NoiseModel:
    """How far the synthetic landmarks stray from the true body.

    `kind="blazepose"` (the default) is calibrated on real BlazePose output (see
    docs/synthetic-body.md): a fast part low-passed with time constant `smooth_s` (the
    noise is correlated over ~0.2 s, autocorrelation ~0.4 at 5 frames of 30 fps) plus a
    slow drift (`drift_s`). `kind="white"` draws the same total size independently for
    every frame, like landmark files from tools without temporal smoothing.

    Image sigmas are fractions of the person's thigh length in the image; hips and
    shoulders get `torso_factor` of it (they sit still on the real clips); image depth
    gets `depth_factor` times it. World sigmas are metres. Landmarks covered by the body
    get `occluded_factor` times the noise. Dropouts are short runs where a few landmarks
    get visibility below 0.3 and wrong positions; gaps are short runs of frames with no
    person at all. `sway_deg` is the body's own tiny wobble (pelvis and trunk), and
    `amplitude_jitter` the rep-to-rep spread of range (a fraction of the amplitude).
    """

    kind: NoiseKind = "blazepose"
    image_sigma: float = 0.015
    image_drift: float = 0.008
    torso_factor: float = 0.4
    depth_factor: float = 3.0
    occluded_factor: float = 2.5
    world_sigma_xy: float = 0.005
    world_sigma_z: float = 0.01
    smooth_s: float = 0.15
    drift_s: float = 1.5
    dropouts_per_min: float = 4.0
    dropout_frames: tuple[int, int] = (3, 8)
    gaps_per_min: float = 1.5
    gap_frames: tuple[int, int] = (2, 6)
    sway_deg: float = 0.6
    amplitude_jitter: float = 0.08
    interval_jitter: float = 0.1
    drop_frame_prob: float = 0.01

    @classmethod
    def none(cls) -> NoiseModel:
        """Exact landmarks: no noise, drift, dropouts, gaps, sway or rep-to-rep spread."""
        return cls(
            image_sigma=0.0,
            image_drift=0.0,
            world_sigma_xy=0.0,
            world_sigma_z=0.0,
            dropouts_per_min=0.0,
            gaps_per_min=0.0,
            sway_deg=0.0,
            amplitude_jitter=0.0,
        )

    @classmethod
    def white(cls) -> NoiseModel:
        """Independent per-frame jitter of the same size as the BlazePose model's."""
        return cls(kind="white")


@dataclass(frozen=True)
class Scenario:
    """One synthetic set. Durations in seconds, angles in degrees, rep indices 1-based.

    `working_side` is the top leg when lying on the side and the moving leg otherwise.
    `view` defaults to the exercise's first view (see `hipcoach.synthetic.specs.SPECS`).
    Ranges given as (low, high) are drawn per rep from the seeded generator. For exercises
    with a hold check, `hold_s` is either under 0.4 of the catalogue's target (every rep's
    hold is then too short) or at least the target.
    `camera_on_working_side` puts a side/oblique camera on the moving leg's side (True) or
    on the far side (False); front and foot-end views ignore it.

    `amplitude_deg` is the working joint's true excursion (clamshell: the top femur's
    outward turn about the hip-ankle line; leg lift: abduction from the resting angle;
    slides: knee flexion; knee lifts and leg lowering: hip flexion). For the clamshell,
    `knee_lift_cm` asks for the set's knee lift instead (the top knee's rise, cm).
    `reversed_reps`: the person rests at the far end of the movement and each rep goes the
    other way and back (leg_lower begun with the leg down: every rep is a raise).
    `lead_in_s` / `lead_out_s`: nobody in view before and after (title cards).
    `arrive_s`: the person gets into position (in view, moving freely) before settling.
    `with_world`: write world landmarks (landmark files from other tools have none).
    """

    exercise: str
    variation: str | None = None
    working_side: Side = "left"
    view: str | None = None
    n_reps: int = 10
    rep_duration_s: Range = (1.5, 3.0)
    hold_s: float = 0.0
    rest_between_s: Range = (0.3, 1.0)
    amplitude_deg: float | None = None
    settle_s: float = 2.0
    fps: float = 30.0
    jitter_fps: bool = True
    compensations: Mapping[str, Sequence[int]] = field(default_factory=dict)
    set_faults: Sequence[str] = ()
    noise: NoiseModel = field(default_factory=NoiseModel)
    camera_on_working_side: bool = True
    seed: int = 0
    knee_lift_cm: float | None = None
    reversed_reps: bool = False
    lead_in_s: float = 0.0
    lead_out_s: float = 0.0
    arrive_s: float = 0.0
    with_world: bool = True

    @property
    def spec(self) -> ExerciseSpec:
        try:
            return SPECS[self.exercise]
        except KeyError:
            raise ScenarioError(
                f"unknown exercise {self.exercise!r}; expected one of {', '.join(SPECS)}"
            ) from None

    @property
    def resolved_view(self) -> str:
        return self.view or self.spec.default_view

    @property
    def resolved_variation(self) -> str | None:
        if self.exercise == "clamshell":
            return self.variation or "standard"
        return self.variation

    @property
    def amplitude(self) -> float:
        return self.spec.default_amplitude if self.amplitude_deg is None else self.amplitude_deg


@dataclass(frozen=True)
class TrueRep:
    """One repetition as it really happened.

    `amplitude_deg`: the working joint's true excursion at the peak (positive, degrees):
    the clamshell's femur turn about the hip-ankle line from where it rested, the leg
    lift's abduction from its resting angle, the slides' knee flexion change, the knee
    lifts' and leg lowering's hip flexion change. `knee_lift_cm` (clamshell only): the top
    knee's rise above where it rested, along the resting hip line.
    `injected`: each injected compensation's peak size in its own unit (degrees; thigh
    lengths for `feet_apart`; the hold as a fraction of the catalogue's target hold for
    `hold_too_short`).
    """

    index: int
    start_s: float
    peak_s: float
    end_s: float
    amplitude_deg: float
    cues: frozenset[str]
    hold_s: float = 0.0
    injected: Mapping[str, float] = field(default_factory=dict)
    knee_lift_cm: float | None = None


@dataclass(frozen=True)
class GroundTruth:
    """The answers for one synthetic set.

    `countable` is False when the needed joints are hidden for most of the clip: no rep
    count is right then, and only `view_incomplete` should be reported.
    `settle_end_s`: when the person is in position and still (the first rep comes later).
    `excursion_deg`: the true excursion (see `TrueRep.amplitude_deg`) at every frame, 0 at
    the set-up's rest; NaN while the person is out of view or getting into position.
    `reversed_reps`: each rep started from the far end (see `Scenario.reversed_reps`).
    """

    side: Side
    reps: list[TrueRep]
    set_cues: frozenset[str]
    countable: bool = True
    settle_end_s: float = 0.0
    duration_s: float = 0.0
    excursion_deg: tuple[float, ...] = ()
    reversed_reps: bool = False


def validate_scenario(scenario: Scenario) -> ExerciseSpec:
    """The scenario's exercise spec; ScenarioError naming the first thing that is wrong."""
    spec = scenario.spec
    _check_view_and_variation(scenario, spec)
    _check_numbers(scenario)
    _check_hold(scenario, spec)
    _check_compensations(scenario, spec)
    _check_set_faults(scenario, spec)
    return spec


def _check_view_and_variation(scenario: Scenario, spec: ExerciseSpec) -> None:
    if scenario.resolved_view not in spec.views:
        raise ScenarioError(
            f"{spec.id}: unknown view {scenario.view!r}; expected one of {', '.join(spec.views)}"
        )
    variation = scenario.resolved_variation
    if spec.id == "clamshell":
        if variation not in CLAMSHELL_VARIATIONS:
            raise ScenarioError(
                f"clamshell: unknown variation {variation!r}; "
                f"expected one of {', '.join(CLAMSHELL_VARIATIONS)}"
            )
    elif variation is not None:
        raise ScenarioError(f"{spec.id} has no variations, got {variation!r}")


def _range_ok(value: Range, low: float, high: float) -> bool:
    pair = value if isinstance(value, tuple) else (value, value)
    return low <= pair[0] <= pair[1] <= high


def _check_numbers(scenario: Scenario) -> None:
    if scenario.n_reps < 1:
        raise ScenarioError(f"n_reps must be at least 1, got {scenario.n_reps}")
    if not 5.0 <= scenario.fps <= 240.0:
        raise ScenarioError(f"fps must be between 5 and 240, got {scenario.fps}")
    if not _range_ok(scenario.rep_duration_s, 0.5, 20.0):
        raise ScenarioError(f"rep_duration_s must lie in 0.5-20 s, got {scenario.rep_duration_s}")
    if not _range_ok(scenario.rest_between_s, 0.0, 60.0):
        raise ScenarioError(f"rest_between_s must lie in 0-60 s, got {scenario.rest_between_s}")
    for name in ("hold_s", "settle_s", "lead_in_s", "lead_out_s", "arrive_s"):
        if getattr(scenario, name) < 0:
            raise ScenarioError(f"{name} must not be negative, got {getattr(scenario, name)}")
    if scenario.knee_lift_cm is not None:
        if scenario.exercise != "clamshell":
            raise ScenarioError("knee_lift_cm applies to the clamshell only")
        if not 1.0 <= scenario.knee_lift_cm <= MAX_KNEE_LIFT_CM:
            raise ScenarioError(
                f"knee_lift_cm must lie in 1-{MAX_KNEE_LIFT_CM:g} cm, got {scenario.knee_lift_cm}"
            )
    if scenario.reversed_reps and scenario.spec.posture == "side_lying":
        raise ScenarioError(f"{scenario.exercise}: reversed_reps needs a lying-back, seated or "
                            "standing exercise (a side-lying rep starts from rest)")  # fmt: skip
    amplitude = scenario.amplitude
    if not 0 < amplitude <= scenario.spec.max_amplitude:
        raise ScenarioError(
            f"{scenario.exercise}: amplitude_deg must lie in (0, {scenario.spec.max_amplitude}], "
            f"got {amplitude}"
        )


def _check_hold(scenario: Scenario, spec: ExerciseSpec) -> None:
    short = SHORT_HOLD_FRACTION * spec.target_hold_s
    if spec.has_hold and short <= scenario.hold_s < spec.target_hold_s:
        raise ScenarioError(
            f"{spec.id}: hold_s {scenario.hold_s:g} s is too close to the hold check; use under "
            f"{short:g} s (every hold too short) or at least {spec.target_hold_s:g} s"
        )


def _check_compensations(scenario: Scenario, spec: ExerciseSpec) -> None:
    for cue, reps in scenario.compensations.items():
        if cue not in spec.rep_cues:
            raise ScenarioError(
                f"{spec.id}: cannot inject {cue!r}; expected one of {', '.join(spec.rep_cues)}"
            )
        bad = [r for r in reps if not 1 <= r <= scenario.n_reps]
        if bad:
            raise ScenarioError(f"{cue}: rep indices {bad} are outside 1-{scenario.n_reps}")
        if cue == "hold_too_short" and scenario.hold_s < spec.target_hold_s:
            raise ScenarioError(
                f"hold_too_short needs hold_s of at least the {spec.target_hold_s:g} s target"
            )


def _check_set_faults(scenario: Scenario, spec: ExerciseSpec) -> None:
    for fault in scenario.set_faults:
        if fault not in SET_FAULTS:
            raise ScenarioError(
                f"unknown set fault {fault!r}; expected one of {', '.join(SET_FAULTS)}"
            )
    if "wrong_hip_angle" in scenario.set_faults and spec.id != "clamshell":
        raise ScenarioError("wrong_hip_angle applies to the clamshell only")
    if "isolation_lost" in scenario.set_faults:
        if scenario.knee_lift_cm is not None:
            raise ScenarioError("isolation_lost sizes reps in degrees; leave knee_lift_cm unset")
        if scenario.n_reps < 7:
            raise ScenarioError("isolation_lost needs at least 7 reps (3 early, 4 collapsing)")
        if not isolation_feasible(spec):
            raise ScenarioError(
                f"{spec.id}: a collapsed rep would be too small to count; "
                "isolation_lost cannot be injected here"
            )
    if "shaking" in scenario.set_faults and scenario.n_reps < 4:
        raise ScenarioError("shaking needs at least 4 reps")
