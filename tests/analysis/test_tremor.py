"""The tremor meter behind the `shaking` cue: the largest peak of the knee's spectrum in the
tremor band, rising above the spectrum below the band, over the set's own floor
(threshold 2.5, the catalogue's)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import lfilter, sawtooth

from hipcoach.analysis.set_checks import TremorMeter

THRESHOLD = 2.5


def _ratios(x: np.ndarray, y: np.ndarray, fps: float) -> np.ndarray:
    """The meter's ratio after every second of frames (the engine asks at rep ends)."""
    meter = TremorMeter()
    out = []
    for k, (a, b) in enumerate(zip(x, y, strict=True)):
        meter.add(k / fps, float(a), float(b))
        if (k + 1) % round(fps) == 0:
            out.append(meter.ratio())
    return np.asarray(out)


def _ratio(x: np.ndarray, y: np.ndarray, fps: float) -> float:
    return float(_ratios(x, y, fps)[-1])


def _rest_then(fps: float, tail: np.ndarray, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """12 s of a still knee with 1 px of per-frame jitter, then `tail` (pixels, along x)."""
    rng = np.random.default_rng(seed)
    n = int(12 * fps)
    x = np.concatenate([np.zeros(n), tail]) + rng.normal(0, 1.0, n + len(tail))
    y = rng.normal(0, 1.0, n + len(tail))
    return x, y


@pytest.mark.parametrize("fps", [30.0, 15.0])
@pytest.mark.parametrize("hz", [6.0, 10.0])
def test_a_shake_in_the_tremor_band_stands_out_of_the_noise(fps: float, hz: float) -> None:
    # At 15 fps a 10 Hz shake is seen at its alias, 15 - 10 = 5 Hz.
    t = np.arange(int(3 * fps)) / fps
    x, y = _rest_then(fps, 4.0 * np.sin(2 * np.pi * hz * t))
    assert _ratio(x, y, fps) >= THRESHOLD


@pytest.mark.parametrize("seed", range(5))
def test_a_shake_twice_the_white_jitter_stands_out(seed: int) -> None:
    # 8 Hz along a slant of the picture, its RMS twice the per-frame white jitter's along
    # that line. Band energy alone (the meter before) reached 2.5 on 1 of these 5 seeds:
    # white jitter puts about half its power into 5-12 Hz at 30 fps.
    fps = 30.0
    t = np.arange(int(4 * fps)) / fps
    shake = 2.0 * np.sqrt(2) * np.sin(2 * np.pi * 8.0 * t)
    x, y = _rest_then(fps, np.zeros_like(t), seed)
    x[-len(t) :] += shake * np.cos(0.6)
    y[-len(t) :] += shake * np.sin(0.6)
    assert _ratio(x, y, fps) >= THRESHOLD


@pytest.mark.parametrize("fps", [30.0, 15.0])
@pytest.mark.parametrize("seed", range(3))
def test_white_jitter_alone_is_never_a_shake(fps: float, seed: int) -> None:
    rng = np.random.default_rng(seed)
    x, y = rng.normal(0, 3.0, (2, int(60 * fps)))
    ratios = _ratios(x, y, fps)
    assert np.isfinite(ratios[-1])
    assert np.nanmax(ratios) < THRESHOLD


@pytest.mark.parametrize("fps", [30.0, 15.0])
def test_correlated_jitter_alone_is_never_a_shake(fps: float) -> None:
    # BlazePose-like wander: low-passed with a 0.2 s time constant, plus a slow drift.
    rng = np.random.default_rng(7)
    n = int(60 * fps)
    a = np.exp(-1 / (0.2 * fps))
    fast = lfilter([np.sqrt(1 - a * a)], [1.0, -a], rng.normal(0, 3.0, (2, n)), axis=1)
    drift = np.cumsum(rng.normal(0, 0.2, (2, n)), axis=1)
    ratios = _ratios(*(fast + drift), fps)
    assert np.isfinite(ratios[-1])
    assert np.nanmax(ratios) < THRESHOLD


@pytest.mark.parametrize("fps", [30.0, 15.0])
def test_fast_smooth_reps_are_not_a_shake(fps: float) -> None:
    # Reps of 1.2 s sweeping the knee 150 px and back: large accelerations, no tremor.
    t = np.arange(int(6 * fps)) / fps
    x, y = _rest_then(fps, 75.0 * (1 - np.cos(2 * np.pi * t / 1.2)))
    assert _ratio(x, y, fps) < THRESHOLD


@pytest.mark.parametrize("fps", [30.0, 15.0])
def test_reps_with_sharp_turns_are_not_a_shake(fps: float) -> None:
    # A triangle sweep of 150 px every 1.2 s: its harmonics reach into the band as narrow
    # peaks, but the spectrum falls through the band from below, as a movement's does.
    # The band-energy meter read it as a shake at both rates (median ratio about 2.8), a
    # band peak alone at 15 fps.
    t = np.arange(int(8 * fps)) / fps
    x, y = _rest_then(fps, 75.0 * (1 + sawtooth(2 * np.pi * t / 1.2, 0.5)))
    assert _ratio(x, y, fps) < THRESHOLD


def test_too_few_windows_give_nan() -> None:
    meter = TremorMeter()
    for k in range(30):
        meter.add(k / 30, 0.0, 0.0)
    assert np.isnan(meter.ratio())


def test_a_frame_rate_with_no_tremor_band_gives_nan() -> None:
    # At 10 fps nothing above 5 Hz can be told apart: the meter says it cannot tell.
    rng = np.random.default_rng(0)
    x, y = rng.normal(0, 1.0, (2, 600))
    assert np.isnan(_ratio(x, y, 10.0))


@pytest.mark.parametrize("fps", [10.0, 10.6, 11.0])
def test_a_frame_rate_at_the_edge_of_the_band_never_fails(fps: float) -> None:
    rng = np.random.default_rng(1)
    x, y = rng.normal(0, 1.0, (2, int(30 * fps)))
    ratio = _ratio(x, y, fps)
    assert np.isnan(ratio) or ratio < THRESHOLD
