"""A rep's compensation: how far a measure moved with the rep."""

from __future__ import annotations

import numpy as np
import pytest

from hipcoach.analysis.checks import CoupledMeasure


def test_coupled_measure_is_the_change_that_moves_with_the_rep() -> None:
    progress = np.concatenate([np.linspace(0, 20, 10), np.linspace(20, 0, 10)])  # a rep
    measure = CoupledMeasure()
    for p in progress:
        measure.add(2.0 + 0.5 * p, p)  # rests at 2, moves 10 at the top of the rep
    assert measure.value(baseline=2.0, signal_rest=0.0) == pytest.approx(10.0)
    # Two-sided: a movement the other way reads as the same size.
    mirrored = CoupledMeasure(two_sided=True)
    for p in progress:
        mirrored.add(2.0 - 0.5 * p, p)
    assert mirrored.value(baseline=2.0, signal_rest=0.0) == pytest.approx(10.0)


def test_coupled_measure_averages_noise_instead_of_picking_its_peak() -> None:
    rng = np.random.default_rng(0)
    progress = 20 * np.sin(np.linspace(0, np.pi, 60))
    noisy = CoupledMeasure(two_sided=True)
    for p in progress:
        noisy.add(rng.normal(0.0, 4.0), p)
    # No compensation: the estimate stays far below the noise's own peaks (~10).
    assert noisy.value(baseline=0.0, signal_rest=0.0) < 3.0


def test_frames_with_little_trust_count_less() -> None:
    progress = np.linspace(0, 20, 20)
    measure = CoupledMeasure()
    for k, p in enumerate(progress):
        wild = 40.0 if k % 2 else 0.0  # every other frame: a wild reading, nearly no trust
        measure.add(0.25 * p + wild, p, 1e-4 if k % 2 else 1.0)
    assert measure.value(signal_rest=0.0) == pytest.approx(5.0, abs=0.1)
