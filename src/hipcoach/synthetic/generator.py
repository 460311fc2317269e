"""`generate(scenario)`: a synthetic pose series with exactly known reps and cues."""

from __future__ import annotations

from dataclasses import fields

import numpy as np

from hipcoach.pose.landmarks import PoseSeries, landmark_indices
from hipcoach.synthetic.body import Array, BodyDims, mirror_points
from hipcoach.synthetic.camera import (
    ELEVATION_DEG,
    body_to_scene,
    fit_camera,
    focal_from_fov,
    observe,
    view_direction,
)
from hipcoach.synthetic.noise import (
    add_dropouts,
    add_gaps,
    add_noise,
    hide_legs,
    occlusion_mask,
    smooth_noise,
    visibility,
)
from hipcoach.synthetic.poses import Dofs, pose_body
from hipcoach.synthetic.scenario import (
    GroundTruth,
    Scenario,
    TrueRep,
    validate_scenario,
)
from hipcoach.synthetic.signals import stack_points
from hipcoach.synthetic.solver import PeakSolution, PeakSolver, make_base_pose
from hipcoach.synthetic.specs import (
    SHAKING_AMPLITUDE,
    SHAKING_FREQ_HZ,
    SHAKING_LAST_REPS,
    ExerciseSpec,
)
from hipcoach.synthetic.timeline import (
    Schedule,
    arrive_envelope,
    early_amplitude,
    plan_schedule,
    rep_envelope,
    sample_times,
    settle_envelope,
)

SETTLE_OFFSETS = {
    "side_lying": ("pelvis_roll", 25.0),
    "supine": ("trunk_tilt", 25.0),
    "seated": ("trunk_tilt", 25.0),
    "standing": ("trunk_tilt", 10.0),
}
"""Besides the working joint (1.5x the rep range), what moves while getting into position."""
SETTLE_PRIMARY = 1.5
HIDDEN_FRACTION = (0.75, 0.85)
TREMOR_DIRECTIONS = (np.array([0.0, 1.0, 0.0]), np.array([1.0, 0.0, 0.0]))
"""The knee shakes sideways and forwards-backwards with equal amplitude, so every camera
view sees at least one full component (a side camera cannot see the sideways one)."""


def _dof_tracks(
    t: Array, schedule: Schedule, peaks: list[PeakSolution], rest: dict[str, float]
) -> dict[str, Array]:
    """Every scalar DOF over time: rest value, plus each rep's peak change times its
    progress."""
    s, which = rep_envelope(t, schedule.reps)
    names = [f.name for f in fields(Dofs) if f.name != "tremor"]
    tracks: dict[str, Array] = {}
    for name in names:
        base = rest.get(name, 0.0)
        delta = np.array([p.values.get(name, 0.0) - base for p in peaks] + [0.0])
        tracks[name] = base + delta[which] * s
    return tracks


def _tremor(
    t: Array, schedule: Schedule, dims: BodyDims, rng: np.random.Generator, on: bool
) -> Array:
    """(time, 3) knee tremor over the last reps: 6-10 Hz, 3-4 % of thigh length along
    each of two directions."""
    freq = rng.uniform(*SHAKING_FREQ_HZ)
    amplitude = rng.uniform(*SHAKING_AMPLITUDE) * dims.thigh
    phase = rng.uniform(0, 2 * np.pi, 2)
    if not on:
        return np.zeros((len(t), 3))
    start = schedule.reps[-SHAKING_LAST_REPS].start_s
    end = schedule.reps[-1].end_s
    ramp = np.clip(np.minimum(t - start, end - t) / 0.3, 0.0, 1.0)
    f = freq + 0.4 * np.sin(2 * np.pi * 0.3 * t)
    cycles = np.concatenate([[0.0], np.cumsum(np.diff(t) * (f[1:] + f[:-1]) / 2)])
    main = np.sin(2 * np.pi * cycles + phase[0])
    second = np.sin(2 * np.pi * 1.07 * cycles + phase[1])
    return (
        amplitude
        * ramp[:, None]
        * (main[:, None] * TREMOR_DIRECTIONS[0] + second[:, None] * TREMOR_DIRECTIONS[1])
    )


ARRIVE_WANDER = {
    "pelvis_roll": 35.0,
    "trunk_tilt": 30.0,
    "trunk_roll": 20.0,
    "bottom_leg": 25.0,
    "leg_forward": 20.0,
}
"""Getting into position: how far (deg, 1 sigma) the body wanders besides the working joint."""


def _body_motion(
    scenario: Scenario,
    spec: ExerciseSpec,
    t: Array,
    schedule: Schedule,
    solver: PeakSolver,
    peaks: list[PeakSolution],
    rng: np.random.Generator,
) -> Dofs:
    tracks = _dof_tracks(t, schedule, peaks, solver.rest)
    settle = settle_envelope(t, schedule.settle_move_s, schedule.arrive_end_s)
    early = early_amplitude(scenario, spec)
    tracks["primary"] = tracks["primary"] + settle * solver.sign * SETTLE_PRIMARY * early
    extra, size = SETTLE_OFFSETS[spec.posture]
    tracks[extra] = tracks[extra] + settle * size
    dt = 1.0 / scenario.fps
    for name in ("pelvis_roll", "pelvis_hike", "trunk_tilt", "trunk_roll"):
        tracks[name] = tracks[name] + scenario.noise.sway_deg * smooth_noise(
            rng, (len(t),), 1.5, dt
        )
    arrive = arrive_envelope(t, schedule.lead_in_s, schedule.arrive_end_s)
    if arrive.any():
        wander = {**ARRIVE_WANDER, "primary": SETTLE_PRIMARY * early}
        for name, sigma in wander.items():
            tracks[name] = tracks[name] + arrive * sigma * smooth_noise(rng, (len(t),), 0.8, dt)
    tremor = _tremor(t, schedule, solver.dims, rng, "shaking" in scenario.set_faults)
    return Dofs(tremor=tremor, **tracks)


def true_excursion(
    dofs: Dofs, points: Array, solver: PeakSolver, t: Array, schedule: Schedule
) -> Array:
    """The true excursion (deg, see `TrueRep.amplitude_deg`) at every frame of the exact
    canonical landmarks `points` (time, 33, 3), from the set-up's rest in the rep's
    direction; NaN before the person has settled and once nobody is in view."""
    if solver.spec.posture == "side_lying":
        out = solver.sign * (dofs.primary - solver.rest["primary"])
    else:
        out = solver.excursion(points)
    outside = (t < schedule.settle_end_s) | (t >= schedule.lead_out_start_s)
    return np.where(outside, np.nan, out)


def oversized(spec: ExerciseSpec, amplitude: float) -> frozenset[str]:
    """{"range_too_big"} when the rep's true excursion is beyond the catalogue's limit
    (an asked knee lift can get there on a small body), else nothing."""
    limit = spec.thresholds.get("range_too_big")
    return frozenset({"range_too_big"}) if limit and amplitude > limit else frozenset()


NOT_COMPENSATIONS = frozenset({"range_too_big", "hold_too_short"})
"""Rep cues that describe the movement rather than another muscle helping."""


def implied_isolation(reps: list[TrueRep]) -> bool:
    """The catalogue's `isolation_lost` rule read live, after every rep: two of the last
    three reps carry a compensation cue while the earlier reps were cleaner, or (from six
    reps on) the last three reps' median range fell under half the first three's."""
    flagged = [bool(r.cues - NOT_COMPENSATIONS) for r in reps]
    ranges = [r.amplitude_deg for r in reps]
    for k in range(4, len(reps) + 1):
        window, earlier = flagged[k - 3 : k], flagged[: k - 3]
        if sum(window) >= 2 and sum(earlier) / len(earlier) < sum(window) / 3:
            return True
        if k >= 6 and np.median(ranges[k - 3 : k]) < 0.5 * np.median(ranges[:3]):
            return True
    return False


def generate(scenario: Scenario) -> tuple[PoseSeries, GroundTruth]:
    """A MediaPipe-like pose series of the scenario's set and the exact answers for it.

    Raises ScenarioError (a HipcoachError) for a scenario that cannot be built honestly.
    Deterministic: the same scenario (seed included) gives the same output.
    """
    spec = validate_scenario(scenario)
    rng = np.random.default_rng(scenario.seed)
    dims = BodyDims.from_height(float(rng.uniform(1.55, 1.9)))
    base = make_base_pose(scenario, spec, dims, rng)
    schedule = plan_schedule(scenario, spec, rng)
    t = sample_times(scenario, schedule.duration_s, rng)
    far_end = early_amplitude(scenario, spec) if scenario.reversed_reps else 0.0
    solver = PeakSolver(spec, base, dims, far_end)
    peaks = [solver.solve(rep) for rep in schedule.reps]
    dofs = _body_motion(scenario, spec, t, schedule, solver, peaks, rng)

    points = pose_body(spec, base, dofs, dims)
    excursion = true_excursion(dofs, stack_points(points), solver, t, schedule)
    side = scenario.working_side
    if side == "right":
        points = mirror_points(points)
    rot, hip_height = body_to_scene(spec.posture, side)
    scene = stack_points(points) @ rot.T + np.array([0.0, 0.0, hip_height * dims.height])
    hips = landmark_indices(["left_hip", "right_hip"])
    hip_mid = scene[:, hips].mean(axis=1)

    view = scenario.resolved_view
    size = (720, 1280) if spec.posture == "standing" else (1280, 720)
    focal = focal_from_fov(size, float(rng.uniform(60.0, 70.0)))
    direction = view_direction(
        spec.posture,
        view,
        rot,
        side,
        scenario.camera_on_working_side,
        azimuth_jitter_deg=float(rng.uniform(-5.0, 5.0)),
        elevation_deg=ELEVATION_DEG[(spec.posture, view)] + float(rng.uniform(-3.0, 3.0)),
    )
    camera = fit_camera(scene, direction, focal, size, margin=float(rng.uniform(0.04, 0.12)))
    image, world = observe(camera, scene, hip_mid)

    dt = 1.0 / scenario.fps
    hidden = occlusion_mask(camera, scene, dims.height)
    vis = visibility(image, hidden, scenario.noise, rng, dt)
    thigh = dims.thigh * camera.focal_px / camera.to_camera(hip_mid)[:, 2]
    thigh_image = thigh[:, None] / np.array(size, dtype=float)
    image, world = add_noise(image, world, hidden, scenario.noise, rng, dt, thigh_image)
    add_dropouts(image, world, vis, scenario.noise, rng, schedule.duration_s)
    meta = {
        "generator": "hipcoach.synthetic",
        "exercise": spec.id,
        "variation": scenario.resolved_variation or "",
        "side": side,
        "view": view,
        "seed": str(scenario.seed),
        "height_m": f"{dims.height:.3f}",
        "noise": scenario.noise.kind,
    }
    countable = "view_incomplete" not in scenario.set_faults
    fraction = float(rng.uniform(*HIDDEN_FRACTION))
    start = float(rng.uniform(0.0, 1.0 - fraction)) * schedule.duration_s
    if not countable:
        window = (t >= start) & (t <= start + fraction * schedule.duration_s)
        meta["legs_hidden"] = hide_legs(image, vis, window, rng)
    add_gaps(image, world, vis, scenario.noise, rng, schedule.duration_s)
    away = (t < schedule.lead_in_s) | (t >= schedule.lead_out_start_s)
    image[away], world[away], vis[away] = np.nan, np.nan, 0.0

    reps = [
        TrueRep(
            index=plan.index,
            start_s=plan.start_s,
            peak_s=plan.peak_s,
            end_s=plan.end_s,
            amplitude_deg=peak.amplitude,
            cues=plan.cues | oversized(spec, peak.amplitude),
            hold_s=plan.hold_s,
            injected=dict(plan.sizes),
            knee_lift_cm=peak.knee_lift_cm,
        )
        for plan, peak in zip(schedule.reps, peaks, strict=True)
    ]
    set_cues = set(scenario.set_faults)
    if implied_isolation(reps):
        set_cues.add("isolation_lost")
    truth = GroundTruth(
        side=side,
        reps=reps,
        set_cues=frozenset(set_cues),
        countable=countable,
        settle_end_s=schedule.settle_end_s,
        duration_s=schedule.duration_s,
        excursion_deg=tuple(excursion.tolist()),
        reversed_reps=scenario.reversed_reps,
    )
    series = PoseSeries(
        t=t,
        image=image,
        visibility=vis,
        world=world if scenario.with_world else None,
        image_size=size,
        source=f"synthetic:{spec.id}:{side}:{view}:seed{scenario.seed}",
        meta=meta,
    )
    return series, truth
