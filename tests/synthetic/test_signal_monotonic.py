"""The engine's primary signal rises monotonically with the true excursion, for every
exercise, variation, side up and camera view, on exact landmarks from a body set up the way
the catalogue describes (issue 8: a signal that dips before it rises hides small reps).

The signal is `hipcoach.features.measures.compute_signal` (the engine's, not the
generator's reference), read frame by frame from the landmarks the engine would read:
world landmarks, and image landmarks in square units with no depth (landmark files
without world coordinates). Each set sweeps the working joint from the set-up's rest to
close to the exercise's largest excursion and back.
"""

from __future__ import annotations

from itertools import product

import numpy as np
import pytest

from hipcoach.exercises.catalogue import load_catalogue
from hipcoach.features.body import extract_points
from hipcoach.features.measures import compute_signal
from hipcoach.pose.landmarks import PoseSeries
from hipcoach.synthetic import SPECS, GroundTruth, NoiseModel, Scenario, generate
from hipcoach.synthetic.specs import CLAMSHELL_VARIATIONS

EXACT = NoiseModel.none()
TOLERANCE_DEG = {"world": 1e-6, "image": 0.05}
"""How far the signal may fall (deg): rounding in 3-D; in the image plane, depth is lost and
the knee's near-rest swing reads through an arcsine, so a few hundredths of a degree (far
below one pixel) are let through."""
SWEEP_FRACTION = 0.9
"""Sweep the excursion up to this fraction of the generator's largest one."""


def _cases() -> list[tuple[str, str | None, str, str]]:
    out: list[tuple[str, str | None, str, str]] = []
    for spec in SPECS.values():
        variations: list[str | None] = (
            list(CLAMSHELL_VARIATIONS) if spec.id == "clamshell" else [None]
        )
        for variation, side, view in product(variations, ("left", "right"), spec.views):
            out.append((spec.id, variation, side, view))
    return out


CASES = _cases()
IMAGE_PLANE_KNOWN = {
    ("standing_knee_lift", None, "side"): (
        "image-plane hip flexion is unsigned (main d50b109): from a standing hip resting a "
        "degree or two behind the trunk line it dips to 0 before it rises"
    ),
    ("standing_knee_lift", None, "front"): (
        "the depth read from the thigh's shortening is unsigned: with the camera above the "
        "hips a hanging thigh is ~10 deg short of square to the line of sight, so the signal "
        "dips from 11 to 4 deg over the first 10 deg of lift before it rises"
    ),
}
"""Where the engine's image-plane signal (no depth) is not monotonic over the
sweep, measured against the engine on main at b73b668 (strict: a fix shows up as a pass,
and the mark must then go). The world-landmark test above has no exceptions."""


def _image_cases() -> list[object]:
    out: list[object] = []
    for case in CASES:
        reason = IMAGE_PLANE_KNOWN.get((case[0], case[1], case[3]))
        marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
        out.append(pytest.param(*case, marks=marks))
    return out


def _sweep(exercise: str, variation: str | None, side: str, view: str, **kw: object) -> tuple[
    PoseSeries, GroundTruth
]:  # fmt: skip
    spec = SPECS[exercise]
    return generate(
        Scenario(
            exercise,
            variation=variation,
            working_side=side,  # type: ignore[arg-type]
            view=view,
            n_reps=1,
            rep_duration_s=4.0,
            amplitude_deg=SWEEP_FRACTION * spec.max_amplitude,
            noise=EXACT,
            jitter_fps=False,
            **kw,  # type: ignore[arg-type]
        )
    )


def _signal(series: PoseSeries, exercise: str, side: str, space: str) -> np.ndarray:
    name = load_catalogue().get(exercise).primary_signal.name  # type: ignore[union-attr]
    return np.array(
        [compute_signal(name, extract_points(f, space), side) for f in series.frames()]  # type: ignore[arg-type]
    )


def _assert_monotonic(
    excursion: np.ndarray, signal: np.ndarray, label: str, space: str = "world"
) -> None:
    """Over the frames where the body is in view and set up, the signal sorted by the
    true excursion never falls; and it moves (a flat signal is not a measure)."""
    keep = np.isfinite(excursion)
    order = np.argsort(excursion[keep], kind="stable")
    x, y = excursion[keep][order], signal[keep][order]
    assert np.isfinite(y).all(), f"{label}: the signal is undefined on some frames"
    falls = np.diff(y) < -TOLERANCE_DEG[space]
    # equal excursions (the rest frames) may differ only by rounding
    falls &= np.diff(x) > 1e-9
    assert not falls.any(), (
        f"{label}: the signal falls from {y[:-1][falls][0]:.3f} to {y[1:][falls][0]:.3f} deg "
        f"as the true excursion rises from {x[:-1][falls][0]:.3f} to {x[1:][falls][0]:.3f} deg"
    )
    assert y[-1] - y[0] > 0.3 * (x[-1] - x[0]), f"{label}: the signal barely moves"


@pytest.mark.parametrize(("exercise", "variation", "side", "view"), CASES)
def test_the_world_signal_rises_with_the_true_excursion(
    exercise: str, variation: str | None, side: str, view: str
) -> None:
    series, truth = _sweep(exercise, variation, side, view)
    direction = SPECS[exercise].direction
    signal = direction * _signal(series, exercise, side, "world")
    _assert_monotonic(
        np.array(truth.excursion_deg), signal, f"{exercise}/{variation}/{side}/{view}"
    )


@pytest.mark.parametrize(("exercise", "variation", "side", "view"), _image_cases())
def test_the_image_plane_signal_rises_with_the_true_excursion(
    exercise: str, variation: str | None, side: str, view: str
) -> None:
    series, truth = _sweep(exercise, variation, side, view, with_world=False)
    direction = SPECS[exercise].direction
    signal = direction * _signal(series, exercise, side, "image")
    _assert_monotonic(
        np.array(truth.excursion_deg), signal, f"{exercise}/{variation}/{side}/{view}", "image"
    )


@pytest.mark.parametrize("side", ["left", "right"])
def test_reps_begun_from_the_far_end_move_the_signal_the_other_way(side: str) -> None:
    """leg_lower begun with the leg down: every rep is a raise, and the signal rises with it."""
    series, truth = _sweep("leg_lower", None, side, "side", reversed_reps=True)
    assert truth.reversed_reps
    signal = -SPECS["leg_lower"].direction * _signal(series, "leg_lower", side, "world")
    _assert_monotonic(np.array(truth.excursion_deg), signal, f"leg_lower reversed/{side}")
