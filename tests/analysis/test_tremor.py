"""The tremor meter behind the `shaking` cue: a band-pass over the knee's image position."""

from __future__ import annotations

import numpy as np
import pytest

from hipcoach.analysis.set_checks import TremorMeter


def _ratio(x: np.ndarray, y: np.ndarray, fps: float) -> float:
    meter = TremorMeter()
    for k, (a, b) in enumerate(zip(x, y, strict=True)):
        meter.add(k / fps, float(a), float(b))
    return meter.ratio()


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
    t = np.arange(int(3 * fps)) / fps
    x, y = _rest_then(fps, 4.0 * np.sin(2 * np.pi * hz * t))
    assert _ratio(x, y, fps) >= 2.5


def test_fast_smooth_reps_are_not_a_shake() -> None:
    # Reps of 1.2 s sweeping the knee 150 px and back: large accelerations, no tremor.
    fps = 30.0
    t = np.arange(int(6 * fps)) / fps
    x, y = _rest_then(fps, 75.0 * (1 - np.cos(2 * np.pi * t / 1.2)))
    assert _ratio(x, y, fps) < 2.5


def test_too_few_windows_give_nan() -> None:
    meter = TremorMeter()
    for k in range(30):
        meter.add(k / 30, 0.0, 0.0)
    assert np.isnan(meter.ratio())
