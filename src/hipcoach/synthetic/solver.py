"""The start-of-set posture, and each rep's peak posture solved so the measured signals
hit their targets exactly (the primary excursion, and the clamshell's foot gap)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from hipcoach.synthetic.body import Array, BodyDims
from hipcoach.synthetic.poses import BasePose, Dofs, pose_body, slide_hip_flexion
from hipcoach.synthetic.scenario import Scenario, ScenarioError
from hipcoach.synthetic.signals import point, primary_signal, stack_points
from hipcoach.synthetic.specs import (
    CLAMSHELL_ANKLE_GAP_THIGHS,
    CLAMSHELL_CONVERGENCE_DEG,
    CLAMSHELL_VARIATIONS,
    WRONG_HIP_ANGLE_OFFSET,
    ExerciseSpec,
)
from hipcoach.synthetic.timeline import RepPlan

CUE_DOF: dict[str, str] = {
    # the degree of freedom each compensation moves (sizes in degrees)
    "pelvis_rolls_back": "pelvis_roll",
    "hips_not_stacked": "pelvis_hike",
    "hip_hikes": "pelvis_hike",
    "trunk_moves": "trunk_tilt",
    "thigh_rotates": "thigh_rotation",
    "leg_drifts_forward": "leg_forward",
    "bottom_leg_moves": "bottom_leg",
    "feet_apart": "feet_lift",
}
SURFACE_HEIGHT = {"foot_slide_elevated": 0.14, "heel_slide": 0.0}
"""Height of the surface under the heel above the hip joint, as a fraction of height."""


def clamshell_hip_flexion(scenario: Scenario, jitter: float) -> float:
    """The set's hip flexion (deg): the variation's nominal angle give or take a few
    degrees, or well outside its allowed range for a `wrong_hip_angle` set."""
    nominal, (low, high) = CLAMSHELL_VARIATIONS[scenario.resolved_variation or "standard"]
    if "wrong_hip_angle" in scenario.set_faults:
        above = high + WRONG_HIP_ANGLE_OFFSET
        return above if above <= 130.0 else low - WRONG_HIP_ANGLE_OFFSET
    return nominal + 4.0 * jitter


def make_base_pose(
    scenario: Scenario, spec: ExerciseSpec, dims: BodyDims, rng: np.random.Generator
) -> BasePose:
    """The person's own start-of-set posture, as the catalogue's set-up describes it,
    varied a little by the seed."""
    j = rng.uniform(-1.0, 1.0, 3)
    if spec.posture == "side_lying":
        return _side_lying_base(scenario, spec, dims, rng, j)
    abduction = 4.0 + j[2]
    if spec.signal == "knee_flexion":
        knee = (15.0 if spec.id == "foot_slide_elevated" else 10.0) + 3.0 * j[1]
        height = SURFACE_HEIGHT[spec.id] * dims.height
        hip = float(slide_hip_flexion(np.array([knee]), height, dims)[0])
        return BasePose(hip, knee, hip, knee, abduction, 4.0, surface_height=height)
    if spec.posture == "seated":
        return BasePose(90.0 + 3.0 * j[0], 90.0, 90.0, 90.0, abduction, 4.0)
    if spec.posture == "standing":
        return BasePose(2.0 * j[0], 5.0, 0.0, 5.0, abduction, 4.0)
    if spec.id == "leg_lower":
        return BasePose(90.0 + 3.0 * j[0], 5.0, 45.0, 90.0, abduction, 4.0)
    return BasePose(45.0 + 4.0 * j[0], 90.0 + 4.0 * j[1], 45.0, 90.0, abduction, 4.0)


def _side_lying_base(
    scenario: Scenario, spec: ExerciseSpec, dims: BodyDims, rng: np.random.Generator, j: Array
) -> BasePose:
    """Hips stacked with a slight forward roll. Clamshell: both hips and knees bent alike,
    the top knee resting on the bottom one and the insteps stacked. Leg lift: the bottom
    knee bent for balance, the straight top leg in line with the body (or a touch behind),
    resting a little below level on the bottom leg."""
    roll = float(rng.uniform(*FORWARD_ROLL_DEG))
    if spec.id == "clamshell":
        hip, knee = clamshell_hip_flexion(scenario, j[0]), 90.0 + 5.0 * j[1]
        converge = np.radians(rng.uniform(*CLAMSHELL_CONVERGENCE_DEG))
        knee_gap = dims.hip_width - dims.thigh * float(np.sin(converge))
        ankle_gap = dims.thigh * float(rng.uniform(*CLAMSHELL_ANKLE_GAP_THIGHS))
        return BasePose(hip, knee, hip, knee, 0.0, 0.0, knee_gap=knee_gap,
                        ankle_gap=ankle_gap, forward_roll=roll)  # fmt: skip
    rest = float(rng.uniform(*LEG_LIFT_REST_DEG))
    hip, knee = -1.0 + 4.0 * j[0], 2.0 + 2.0 * j[1]
    return BasePose(hip, knee, 35.0 + 8.0 * j[2], 75.0, rest, 0.0, forward_roll=roll)


FORWARD_ROLL_DEG = (3.0, 8.0)
"""The set-up's slight forward roll of the pelvis, towards lying on the belly."""
LEG_LIFT_REST_DEG = (-10.0, -5.0)
"""The straight top leg's resting abduction: it lies a little below level (the rendered
leg lift rests at -5 deg)."""


def rest_primary(spec: ExerciseSpec, base: BasePose) -> float:
    """The primary DOF's value at the set-up's rest (see `Dofs.primary`)."""
    if spec.posture == "side_lying":
        return 0.0
    return base.knee_flexion if spec.signal == "knee_flexion" else base.hip_flexion


def solve_scalar(
    f: Callable[[Array], Array], target: float, guess: float, lo: float, hi: float
) -> float:
    """The x in [lo, hi] nearest `guess` where f(x) = target (to ~1e-4 for smooth f); f
    takes and returns arrays. A coarse grid finds the crossing, a fine one pins it down.
    Falls back to the x where f comes closest when f never reaches the target."""
    x = guess
    for step in (2.0, 0.05):
        xs = np.arange(lo, hi + step / 2, step)
        err = f(xs) - target
        crossings = np.flatnonzero(np.sign(err[:-1]) * np.sign(err[1:]) <= 0)
        if len(crossings) == 0:
            return float(xs[np.nanargmin(np.abs(err))])
        k = crossings[np.argmin(np.abs(xs[crossings] - guess))]
        e0, e1 = err[k], err[k + 1]
        x = xs[k] if e0 == e1 else xs[k] + step * e0 / (e0 - e1)
        lo, hi, guess = x - 2 * step, x + 2 * step, x
    return float(x)


@dataclass(frozen=True)
class PeakSolution:
    values: dict[str, float]
    """DOF name -> value at the rep's peak (no sway or tremor)."""
    amplitude: float
    """The working joint's true excursion at the peak, degrees (positive)."""
    knee_lift_cm: float | None = None
    """Clamshell: the top knee's rise at the peak from the femur's turn (cm)."""


class PeakSolver:
    """Solves each rep's peak posture for one set (fixed body and start posture).

    Lying on the side, the working joint's DOF is the true excursion itself (the femur's
    turn, the leg's abduction); the clamshell's knee lift is turned into the femur's turn.
    Otherwise the excursion is the change of the primary signal's joint angle as the
    engine defines it (hip flexion against the trunk line, knee flexion), so the working
    joint is solved to hit it exactly even when a compensation (a trunk lean) moves it.
    `far_end` (deg) moves the resting posture to the far end of the movement
    (`Scenario.reversed_reps`): each rep then goes back towards the set-up's start.
    """

    def __init__(
        self, spec: ExerciseSpec, base: BasePose, dims: BodyDims, far_end: float = 0.0
    ) -> None:
        self.spec, self.base, self.dims = spec, base, dims
        self.sign = -spec.direction if far_end else spec.direction
        self.rest = {"primary": rest_primary(spec, base) + spec.direction * far_end}
        rest_pose = self._pose(self.rest, 1)
        self.rest_signal = float(primary_signal(spec.signal, rest_pose, "left")[0])
        self._knee0 = point(rest_pose, "left_knee")[0]
        hips = point(rest_pose, "left_hip")[0] - point(rest_pose, "right_hip")[0]
        self._up = hips / np.linalg.norm(hips)

    def _pose(self, values: dict[str, float], n: int, **varying: Array) -> Array:
        dofs = Dofs.constant(n, **values)
        if varying:
            dofs = dofs.with_values(**varying)
        return stack_points(pose_body(self.spec, self.base, dofs, self.dims))

    def excursion(self, pose: Array) -> Array:
        """Per frame of canonical landmarks (time, 33, 3): the primary signal's change from
        rest in the rep's direction (the truth for upright and supine exercises)."""
        return self.sign * (primary_signal(self.spec.signal, pose, "left") - self.rest_signal)

    def _solve_primary(self, values: dict[str, float], target: float) -> float:
        guess = values["primary"]

        def change(xs: Array) -> Array:
            pose = self._pose(values, len(xs), primary=xs)
            return primary_signal(self.spec.signal, pose, "left") - self.rest_signal

        return solve_scalar(change, target, guess, guess - 120.0, guess + 120.0)

    def knee_lift_cm(self, turn_deg: Array) -> Array:
        """Clamshell: the top knee's rise (cm, along the resting hip line) for femur turns."""
        pose = self._pose(self.rest, len(turn_deg), primary=np.asarray(turn_deg, float))
        return np.asarray((point(pose, "left_knee") - self._knee0) @ self._up * 100.0)

    def turn_for_lift(self, lift_cm: float) -> float:
        """The femur turn (deg) that lifts the knee by `lift_cm`; ScenarioError when this
        body cannot lift it that far."""
        turns = np.arange(0.0, 120.5, 0.5)
        lifts = self.knee_lift_cm(turns)
        top = int(np.argmax(lifts))
        if lift_cm > lifts[top]:
            raise ScenarioError(
                f"clamshell: this body's knee lifts at most {lifts[top]:.0f} cm, asked {lift_cm:g}"
            )
        return solve_scalar(self.knee_lift_cm, lift_cm, lift_cm * 2.0, 0.0, float(turns[top]))

    def solve(self, rep: RepPlan) -> PeakSolution:
        spec = self.spec
        values = dict(self.rest)
        for cue, size in rep.sizes.items():
            if cue in CUE_DOF:
                values[CUE_DOF[cue]] = size
        amplitude = rep.amplitude
        if rep.knee_lift_cm is not None:
            amplitude = self.turn_for_lift(rep.knee_lift_cm)
        values["primary"] = self.rest["primary"] + self.sign * amplitude
        if spec.posture != "side_lying":
            values["primary"] = self._solve_primary(values, self.sign * amplitude)
        lift = None
        if spec.id == "clamshell":
            lift = float(self.knee_lift_cm(np.array([amplitude]))[0])
        return PeakSolution(values, float(amplitude), lift)
