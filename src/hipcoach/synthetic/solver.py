"""The start-of-set posture, and each rep's peak posture solved so the measured signals
hit their targets exactly (the primary excursion, and the clamshell's foot gap)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from hipcoach.synthetic.body import Array, BodyDims
from hipcoach.synthetic.poses import BasePose, Dofs, pose_body, slide_hip_flexion
from hipcoach.synthetic.scenario import Scenario
from hipcoach.synthetic.signals import ankle_gap, primary_signal, stack_points
from hipcoach.synthetic.specs import CLAMSHELL_VARIATIONS, WRONG_HIP_ANGLE_OFFSET, ExerciseSpec
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
}
GAP_MOVERS = {"feet_apart", "pelvis_rolls_back", "bottom_leg_moves"}
"""Clamshell cues that move the top foot off the bottom one unless it is put back."""
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
    """The person's own start-of-set posture, varied a little by the seed."""
    j = rng.uniform(-1.0, 1.0, 3)
    if spec.posture == "side_lying":
        if spec.id == "clamshell":
            hip, knee = clamshell_hip_flexion(scenario, j[0]), 90.0 + 5.0 * j[1]
        else:
            hip, knee = 5.0 + 3.0 * j[0], 5.0 + 2.0 * j[1]
        return BasePose(hip, knee, hip, knee, abduction=2.0, other_abduction=0.0)
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


def rest_primary(spec: ExerciseSpec, base: BasePose) -> float:
    """The primary DOF's value at rest (see `Dofs.primary`)."""
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
    """The primary signal's excursion at the peak, degrees (positive)."""
    feet_lift: tuple[Array, Array] | None = None
    """(progress, rotation) samples over the rep: the top foot's rotation about the thigh
    (deg) that keeps the ankle gap on target all the way, not only at the peak."""


class PeakSolver:
    """Solves each rep's peak posture for one set (fixed body and start posture)."""

    def __init__(self, spec: ExerciseSpec, base: BasePose, dims: BodyDims) -> None:
        self.spec, self.base, self.dims = spec, base, dims
        self.rest = {"primary": rest_primary(spec, base)}
        rest_pose = self._pose(self.rest, 1)
        self.rest_signal = float(primary_signal(spec.signal, rest_pose, "left")[0])
        self.rest_gap = float(ankle_gap(rest_pose)[0])

    def _pose(self, values: dict[str, float], n: int, **varying: Array) -> Array:
        dofs = Dofs.constant(n, **values)
        if varying:
            dofs = dofs.with_values(**varying)
        return stack_points(pose_body(self.spec, self.base, dofs, self.dims))

    def solve(self, rep: RepPlan) -> PeakSolution:
        spec = self.spec
        values = dict(self.rest)
        for cue, size in rep.sizes.items():
            if cue in CUE_DOF and cue not in spec.adds_to_range:
                values[CUE_DOF[cue]] = size
        target = spec.direction * rep.amplitude
        guess = self.rest["primary"] + target

        def excursion(xs: Array) -> Array:
            pose = self._pose(values, len(xs), primary=xs)
            return primary_signal(spec.signal, pose, "left") - self.rest_signal

        values["primary"] = solve_scalar(excursion, target, guess, guess - 120.0, guess + 120.0)
        for cue in spec.adds_to_range:
            if cue in rep.sizes:
                values[CUE_DOF[cue]] = rep.sizes[cue]
        curve = None
        if spec.id == "clamshell" and GAP_MOVERS & set(rep.sizes):
            curve = self._feet_lift_curve(values, rep.sizes.get("feet_apart", 0.0))
            values["feet_lift"] = float(curve[1][-1])
        peak = self._pose(values, 1)
        amplitude = abs(float(primary_signal(spec.signal, peak, "left")[0]) - self.rest_signal)
        return PeakSolution(values, amplitude, curve)

    def _feet_lift_curve(self, peak: dict[str, float], lift: float) -> tuple[Array, Array]:
        """Every DOF moves in proportion to the rep's progress; at each progress sample,
        solve the foot rotation that puts the ankle gap at rest gap + progress x lift."""
        progress = np.linspace(0.0, 1.0, 11)
        rotations = np.zeros_like(progress)
        for k, p in enumerate(progress[1:], start=1):
            values = {
                name: self.rest.get(name, 0.0) + p * (v - self.rest.get(name, 0.0))
                for name, v in peak.items()
                if name != "feet_lift"
            }

            def gap(xs: Array, values: dict[str, float] = values) -> Array:
                return ankle_gap(self._pose(values, len(xs), feet_lift=xs)) - self.rest_gap

            target = p * lift * self.dims.thigh
            guess = rotations[k - 1] + (10.0 if lift else 0.0)
            rotations[k] = solve_scalar(gap, target, guess, -90.0, 90.0)
        return progress, rotations
