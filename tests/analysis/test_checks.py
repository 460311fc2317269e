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


def test_a_rep_the_start_frame_signal_missed_takes_its_progress_from_the_pelvis_frame() -> None:
    # The top hip hitched: the start-frame signal sinks while the pelvis-frame one rises
    # 20 deg, and the measure rises 10 with it.
    pelvis = np.concatenate([np.linspace(0, 20, 10), np.linspace(20, 0, 10)])
    start_frame = -0.2 * pelvis
    measure = CoupledMeasure()
    for p, s in zip(pelvis, start_frame, strict=True):
        measure.add(2.0 + 0.5 * p, s, 1.0, p)
    assert np.isnan(measure.value(baseline=2.0, signal_rest=0.0))  # no span to read
    assert measure.value(baseline=2.0, signal_rest=0.0, min_span=3.0) == pytest.approx(10.0)
    # A rep the start-frame signal did see keeps its own progress.
    seen = CoupledMeasure()
    for p in pelvis:
        seen.add(2.0 + 0.5 * p, p, 1.0, 0.0 * p)
    assert seen.value(baseline=2.0, signal_rest=0.0, min_span=3.0) == pytest.approx(10.0)
