"""Every injected movement, measured back from the generated world landmarks, matches the
ground truth by hand-computable geometry (exact landmarks: `NoiseModel.none()`)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from hipcoach.pose.landmarks import PoseSeries
from hipcoach.synthetic import GroundTruth, NoiseModel, Scenario, ScenarioError, generate
from hipcoach.synthetic import signals as sig
from hipcoach.synthetic.body import BodyDims
from hipcoach.synthetic.specs import CLAMSHELL_VARIATIONS, INJECTION_RANGES, SPECS, ExerciseSpec

EXACT = NoiseModel.none()
Array = np.ndarray


def _world(series: PoseSeries) -> Array:
    assert series.world is not None
    return series.world


def _frame(series: PoseSeries, t: float) -> int:
    return int(np.argmin(np.abs(series.t - t)))


def _rest(series: PoseSeries, truth: GroundTruth) -> int:
    return _frame(series, truth.reps[0].start_s - 0.3)


def _thigh(series: PoseSeries) -> float:
    return BodyDims.from_height(float(series.meta["height_m"])).thigh


def _angle_change(vectors: Array, a: int, b: int) -> float:
    return float(sig.angle_between(vectors[a : a + 1], vectors[b : b + 1])[0])


def _hip_line(w: Array) -> Array:
    return sig.point(w, "left_hip") - sig.point(w, "right_hip")


def _scenario(exercise: str, **kw: object) -> Scenario:
    return Scenario(exercise, noise=EXACT, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize("variation", list(CLAMSHELL_VARIATIONS))
@pytest.mark.parametrize("side", ["left", "right"])
def test_the_femur_turns_about_the_hip_ankle_line_by_the_true_excursion(
    variation: str, side: str
) -> None:
    """Measured in the pelvis's own frame, the knee's angle about the hip-ankle line rises
    by exactly the truth's excursion, whatever else moves (the pelvis rolling back carries
    the knee with it; the bottom leg moving carries the stacked feet with it)."""
    series, truth = generate(
        _scenario(
            "clamshell",
            variation=variation,
            working_side=side,
            n_reps=4,
            amplitude_deg=18.0,
            compensations={"pelvis_rolls_back": [2], "bottom_leg_moves": [3]},
        )
    )
    opening = sig.knee_opening(_world(series), side)
    base = opening[_rest(series, truth)]
    assert abs(base) < 30.0  # the knee rests near the forward side of the hip-ankle line
    for rep in truth.reps:
        peak = _frame(series, rep.peak_s)
        assert opening[peak] - base == pytest.approx(18.0, abs=0.3)
        assert rep.amplitude_deg == pytest.approx(18.0, abs=1e-9)
        assert truth.excursion_deg[peak] == pytest.approx(opening[peak] - base, abs=1e-6)
        assert rep.knee_lift_cm is not None and 6.0 < rep.knee_lift_cm < 10.0


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_stacked_knees_rest_on_each_other_with_the_top_thigh_converging(seed: int) -> None:
    series, truth = generate(_scenario("clamshell", n_reps=1, seed=seed))
    w = _world(series)[_rest(series, truth)][None]
    gap = {p: float(np.linalg.norm(sig.point(w, f"left_{p}") - sig.point(w, f"right_{p}")))
           for p in ("hip", "knee", "ankle")}  # fmt: skip
    assert 0.20 <= gap["hip"] <= 0.30
    assert 0.10 <= gap["knee"] <= 0.19 and gap["knee"] < gap["hip"]
    assert 0.05 <= gap["ankle"] <= 0.14
    converge = _angle_change(_bottom_thigh(w, "left"), 0, 0) + float(
        sig.angle_between(_bottom_thigh(w, "left"), _bottom_thigh(w, "right"))[0]
    )
    assert 8.0 <= converge <= 17.0


@pytest.mark.parametrize("lift", [4.0, 10.0, 15.0])
def test_a_knee_lift_asked_in_cm_is_the_knees_rise(lift: float) -> None:
    series, truth = generate(_scenario("clamshell", n_reps=2, knee_lift_cm=lift, seed=5))
    w = _world(series)
    rest = _rest(series, truth)
    up = _hip_line(w)[rest] / np.linalg.norm(_hip_line(w)[rest])
    for rep in truth.reps:
        rise = (
            sig.point(w, "left_knee")[_frame(series, rep.peak_s)] - sig.point(w, "left_knee")[rest]
        ) @ up
        assert rep.knee_lift_cm == pytest.approx(lift, abs=0.01)
        assert 100.0 * rise == pytest.approx(lift, abs=0.2)
        assert 2.0 * lift < rep.amplitude_deg < 3.0 * lift  # ~2.5 deg of hip rotation a cm


@pytest.mark.parametrize("view", ["front", "foot_end"])
def test_pelvis_roll_turns_the_hip_line_about_the_body_axis(view: str) -> None:
    series, truth = generate(
        _scenario("clamshell", view=view, n_reps=8, compensations={"pelvis_rolls_back": [3, 7]})
    )
    w = _world(series)
    rest = _rest(series, truth)
    hips = _hip_line(w)
    body_axis = sig.trunk_line(w)[rest]
    for rep in truth.reps:
        peak = _frame(series, rep.peak_s)
        turned = _angle_change(hips, rest, peak)
        if "pelvis_rolls_back" in rep.cues:
            size = rep.injected["pelvis_rolls_back"]
            assert (
                INJECTION_RANGES["pelvis_rolls_back"][0]
                <= size
                <= INJECTION_RANGES["pelvis_rolls_back"][1]
            )
            assert turned == pytest.approx(size, abs=0.05)
            axis = np.cross(hips[rest], hips[peak])
            cos = abs(axis @ body_axis) / (np.linalg.norm(axis) * np.linalg.norm(body_axis))
            assert cos > 0.999
            # backwards: the top hip moves away from the belly side the knees point to
            knees = sig.point(w, "left_knee")[rest] - sig.point(w, "left_hip")[rest]
            assert (sig.point(w, "left_hip")[peak] - sig.point(w, "left_hip")[rest]) @ knees < 0
        else:
            assert turned < 0.01


def test_hips_not_stacked_hitches_the_top_hip_towards_the_shoulders() -> None:
    series, truth = generate(
        _scenario(
            "clamshell", working_side="right", n_reps=5, compensations={"hips_not_stacked": [2, 4]}
        )
    )
    w = _world(series)
    rest = _rest(series, truth)
    hips = _hip_line(w)
    trunk = sig.trunk_line(w)[rest]
    for rep in truth.reps:
        peak = _frame(series, rep.peak_s)
        if "hips_not_stacked" in rep.cues:
            assert _angle_change(hips, rest, peak) == pytest.approx(
                rep.injected["hips_not_stacked"], abs=0.05
            )
            axis = np.cross(hips[rest], hips[peak])
            assert abs(axis @ trunk) / np.linalg.norm(axis) / np.linalg.norm(trunk) < 0.01
            top_moved = sig.point(w, "right_hip")[peak] - sig.point(w, "right_hip")[rest]
            assert top_moved @ trunk > 0
        else:
            assert _angle_change(hips, rest, peak) < 0.01


def test_feet_apart_opens_the_ankle_gap_by_half_a_thigh_and_only_then() -> None:
    series, truth = generate(
        _scenario(
            "clamshell",
            n_reps=7,
            compensations={
                "feet_apart": [2, 5],
                "pelvis_rolls_back": [3],
                "bottom_leg_moves": [4],
                "hips_not_stacked": [6],
            },
        )
    )
    gap = sig.ankle_gap(_world(series)) / _thigh(series)
    rest = _rest(series, truth)
    for rep in truth.reps:
        inside = (series.t >= rep.start_s) & (series.t <= rep.end_s)
        change = float(np.max(np.abs(gap[inside] - gap[rest])))
        if "feet_apart" in rep.cues:
            assert gap[_frame(series, rep.peak_s)] - gap[rest] == pytest.approx(
                rep.injected["feet_apart"], abs=0.005
            )
            assert 0.45 <= rep.injected["feet_apart"] <= 0.55
        else:
            assert change < 0.1, (
                f"rep {rep.index} {sorted(rep.cues)} moved the feet {change:.3f} thighs"
            )


def test_a_big_turn_with_the_pelvis_rolling_keeps_the_feet_stacked() -> None:
    comps = {"pelvis_rolls_back": [5], "range_too_big": [5]}
    series, truth = generate(
        _scenario("clamshell", variation="knees_tucked", n_reps=6, compensations=comps, seed=19)
    )
    gap = sig.ankle_gap(_world(series))
    assert np.ptp(gap[series.t >= truth.settle_end_s]) < 1e-9


def test_range_too_big_reps_turn_55_to_65_degrees_and_the_rest_stay_small() -> None:
    series, truth = generate(
        _scenario("clamshell", n_reps=6, compensations={"range_too_big": [2, 5]})
    )
    opening = sig.knee_opening(_world(series), "left")
    base = opening[_rest(series, truth)]
    for rep in truth.reps:
        top = opening[_frame(series, rep.peak_s)] - base
        assert rep.amplitude_deg == pytest.approx(top, abs=0.05)
        if "range_too_big" in rep.cues:
            assert 55.0 <= top <= 65.0
        else:
            assert top < 0.75 * SPECS["clamshell"].thresholds["range_too_big"]


def _bottom_thigh(w: Array, side: str = "right") -> Array:
    return sig.point(w, f"{side}_knee") - sig.point(w, f"{side}_hip")


def test_bottom_leg_moves_turns_the_bottom_thigh_by_the_injected_angle() -> None:
    series, truth = generate(
        _scenario("clamshell", n_reps=5, compensations={"bottom_leg_moves": [2, 4]})
    )
    w = _world(series)
    rest = _rest(series, truth)
    bottom = _bottom_thigh(w)
    for rep in truth.reps:
        turned = _angle_change(bottom, rest, _frame(series, rep.peak_s))
        expected = rep.injected.get("bottom_leg_moves", 0.0)
        assert turned == pytest.approx(expected, abs=0.05)


def _sagittal_flexion(w: Array, side: str, rest: int) -> Array:
    """Angle (deg) of a thigh forward of the body's long axis, in the body's sagittal plane."""
    other = "right" if side == "left" else "left"
    lateral = sig.point(w, f"{side}_hip")[rest] - sig.point(w, f"{other}_hip")[rest]
    long_axis = sig.trunk_line(w)[rest]
    long_axis = long_axis / np.linalg.norm(long_axis)
    forward = np.cross(lateral, long_axis) * (1 if side == "left" else -1)
    forward = forward / np.linalg.norm(forward)
    thigh = sig.point(w, f"{side}_knee") - sig.point(w, f"{side}_hip")
    return np.degrees(np.arctan2(thigh @ forward, -(thigh @ long_axis)))


@pytest.mark.parametrize("side", ["left", "right"])
def test_leg_drifts_forward_flexes_the_lifting_leg_by_the_injected_angle(side: str) -> None:
    series, truth = generate(
        _scenario(
            "side_lying_leg_lift",
            working_side=side,
            n_reps=5,
            compensations={"leg_drifts_forward": [2, 4]},
        )
    )
    w = _world(series)
    rest = _rest(series, truth)
    flexion = _sagittal_flexion(w, side, rest)
    for rep in truth.reps:
        drift = flexion[_frame(series, rep.peak_s)] - flexion[rest]
        assert drift == pytest.approx(rep.injected.get("leg_drifts_forward", 0.0), abs=0.05)


PSOAS = [s for s in SPECS.values() if s.posture != "side_lying"]


def _psoas_set(spec: ExerciseSpec, side: str) -> tuple[PoseSeries, GroundTruth]:
    comps: dict[str, list[int]] = {"trunk_moves": [2], "hip_hikes": [3], "thigh_rotates": [4]}
    if spec.has_hold:
        comps["hold_too_short"] = [5]
    return generate(
        _scenario(
            spec.id,
            working_side=side,
            n_reps=6,
            compensations=comps,
            hold_s=spec.target_hold_s,
        )
    )


@pytest.mark.parametrize("spec", PSOAS, ids=lambda s: s.id)
def test_psoas_compensations_have_their_injected_size(spec: ExerciseSpec) -> None:
    series, truth = _psoas_set(spec, "right")
    w = _world(series)
    rest = _rest(series, truth)
    primary = sig.primary_signal(spec.signal, w, "right")
    trunk, hips = sig.trunk_line(w), _hip_line(w)
    for rep in truth.reps:
        peak = _frame(series, rep.peak_s)
        assert spec.direction * (primary[peak] - primary[rest]) == pytest.approx(
            rep.amplitude_deg, abs=0.3
        )
        assert _angle_change(trunk, rest, peak) == pytest.approx(
            rep.injected.get("trunk_moves", 0.0), abs=0.05
        )
        assert _angle_change(hips, rest, peak) == pytest.approx(
            rep.injected.get("hip_hikes", 0.0), abs=0.05
        )
        if "hip_hikes" in rep.cues:
            working_up = sig.point(w, "right_hip")[peak] - sig.point(w, "right_hip")[rest]
            assert working_up @ trunk[rest] > 0


def _knee_off_line(w: Array, side: str) -> Array:
    """Distance (m) of the knee from the hip-ankle line."""
    hip, knee, ankle = (sig.point(w, f"{side}_{p}") for p in ("hip", "knee", "ankle"))
    axis = (ankle - hip) / np.linalg.norm(ankle - hip, axis=1, keepdims=True)
    rel = knee - hip
    return np.linalg.norm(rel - np.sum(rel * axis, axis=1, keepdims=True) * axis, axis=1)


@pytest.mark.parametrize("spec", [s for s in PSOAS if s.id != "leg_lower"], ids=lambda s: s.id)
def test_thigh_rotation_swings_the_knee_sideways_about_the_hip_ankle_line(
    spec: ExerciseSpec,
) -> None:
    series, truth = _psoas_set(spec, "left")
    w = _world(series)
    rest = _rest(series, truth)
    rotated = next(r for r in truth.reps if "thigh_rotates" in r.cues)
    clean = truth.reps[0]
    a, b = _frame(series, rotated.peak_s), _frame(series, clean.peak_s)
    # the knee keeps its distance from the hip-ankle line but turns about it, outwards
    assert _knee_off_line(w, "left")[a] == pytest.approx(_knee_off_line(w, "left")[b], rel=0.05)
    outward = (sig.point(w, "left_hip") - sig.point(w, "right_hip"))[rest]
    knee_a = sig.point(w, "left_knee")[a] - sig.point(w, "left_hip")[a]
    knee_b = sig.point(w, "left_knee")[b] - sig.point(w, "left_hip")[b]
    assert knee_a @ outward > knee_b @ outward
    assert 22.0 <= rotated.injected["thigh_rotates"] <= 28.0


@pytest.mark.parametrize("spec", [s for s in PSOAS if s.has_hold], ids=lambda s: s.id)
def test_holds_last_as_long_as_the_truth_says(spec: ExerciseSpec) -> None:
    series, truth = _psoas_set(spec, "left")
    primary = sig.primary_signal(spec.signal, _world(series), "left")
    for rep in truth.reps:
        inside = (series.t >= rep.start_s) & (series.t <= rep.end_s)
        top = primary[inside].max()
        held = series.t[inside][np.abs(primary[inside] - top) < 1e-6]
        frame_gap = float(np.diff(series.t).max())
        assert rep.hold_s - 2 * frame_gap <= held.max() - held.min() <= rep.hold_s + 1e-9
        if "hold_too_short" in rep.cues:
            assert rep.hold_s < 0.4 * spec.target_hold_s
            assert rep.injected["hold_too_short"] == pytest.approx(rep.hold_s / spec.target_hold_s)
        else:
            assert rep.hold_s == spec.target_hold_s == 5.0


@pytest.mark.parametrize(
    "exercise", ["clamshell", "side_lying_leg_lift", "heel_slide", "seated_knee_lift", "leg_lower"]
)
def test_isolation_lost_collapses_the_last_four_reps_and_they_still_count(exercise: str) -> None:
    spec = SPECS[exercise]
    _, truth = generate(
        _scenario(exercise, n_reps=9, hold_s=spec.target_hold_s, set_faults=("isolation_lost",))
    )
    assert "isolation_lost" in truth.set_cues
    early = np.mean([r.amplitude_deg for r in truth.reps[:3]])
    for rep in truth.reps[-4:]:
        assert rep.amplitude_deg < 0.4 * early
        assert rep.amplitude_deg >= 1.4 * spec.min_rep_deg
        assert spec.fatigue_cue in rep.cues
    assert all(not r.cues for r in truth.reps[:-4])
    if exercise == "clamshell":
        assert early < 40.0  # early reps stay under the range_too_big threshold


def test_isolation_lost_is_refused_where_collapsed_reps_could_not_count() -> None:
    with pytest.raises(ScenarioError, match="too small to count"):
        generate(_scenario("standing_knee_lift", n_reps=9, set_faults=("isolation_lost",)))


def test_shaking_is_a_6_to_10_hz_knee_tremor_of_3_to_4_percent_of_the_thigh() -> None:
    calm = _scenario("heel_slide", n_reps=8, jitter_fps=False, fps=60.0, seed=3)
    still, truth = generate(calm)
    shaky, shaky_truth = generate(replace(calm, set_faults=("shaking",)))
    assert "shaking" in shaky_truth.set_cues and "shaking" not in truth.set_cues
    tremor = _world(shaky)[:, :, :] - _world(still)
    knee = sig.point(tremor, "left_knee")
    start = truth.reps[-4].start_s
    assert np.abs(knee[shaky.t < start]).max() < 1e-9
    window = (shaky.t > start + 0.5) & (shaky.t < truth.reps[-1].end_s - 0.5)
    axes = np.linalg.svd(knee[window], full_matrices=False)[2]
    sizes = np.abs(knee[window] @ axes.T).max(axis=0) / _thigh(shaky)
    assert 0.03 <= sizes[1] <= sizes[0] <= 0.04 * 1.5  # two similar components
    assert sizes[2] < 1e-6  # in a plane
    main = knee[window] @ axes[0]
    spectrum = np.abs(np.fft.rfft(main * np.hanning(main.size)))
    freqs = np.fft.rfftfreq(main.size, d=1 / 60.0)
    assert 6.0 <= freqs[np.argmax(spectrum)] <= 10.0
    assert np.abs(sig.point(tremor, "left_hip")).max() < 1e-9


@pytest.mark.parametrize("variation", list(CLAMSHELL_VARIATIONS))
def test_wrong_hip_angle_sets_sit_far_outside_the_variation_range(variation: str) -> None:
    low, high = CLAMSHELL_VARIATIONS[variation][1]
    for faults, inside in (((), True), (("wrong_hip_angle",), False)):
        series, truth = generate(
            _scenario("clamshell", variation=variation, n_reps=2, set_faults=faults)
        )
        w, rest = _world(series), _rest(series, truth)
        hip = (_sagittal_flexion(w, "left", rest) + _sagittal_flexion(w, "right", rest))[rest] / 2
        if inside:
            assert low + 9.0 <= hip <= high - 9.0
            assert "wrong_hip_angle" not in truth.set_cues
        else:
            assert hip <= low - 25.0 or hip >= high + 25.0
            assert "wrong_hip_angle" in truth.set_cues


@pytest.mark.parametrize("exercise", ["clamshell", "standing_knee_lift", "leg_lower"])
def test_settling_is_a_big_movement_then_a_second_of_stillness(exercise: str) -> None:
    spec = SPECS[exercise]
    series, truth = generate(_scenario(exercise, n_reps=2, settle_s=2.5))
    primary = sig.primary_signal(spec.signal, _world(series), "left")
    first = truth.reps[0].start_s
    settling = series.t < truth.settle_end_s - 1.0
    still = (series.t >= truth.settle_end_s - 0.95) & (series.t < first)
    # bigger than a rep threshold by far, so only the settling logic keeps it uncounted
    assert np.ptp(primary[settling]) > max(0.6 * truth.reps[0].amplitude_deg, 2 * spec.min_rep_deg)
    assert np.ptp(primary[still]) < 1e-6
    assert first >= truth.settle_end_s


def test_natural_sway_stays_under_two_degrees() -> None:
    sway_only = replace(EXACT, sway_deg=NoiseModel().sway_deg)
    series, truth = generate(Scenario("clamshell", n_reps=8, noise=sway_only, seed=11))
    w = _world(series)
    after = series.t >= truth.settle_end_s
    hips, trunk = _hip_line(w)[after], sig.trunk_line(w)[after]
    assert sig.angle_between(hips, np.median(hips, axis=0)[None]).max() < 2.0
    assert sig.angle_between(trunk, np.median(trunk, axis=0)[None]).max() < 2.0
