"""Settling under depth jitter, and compensations judged from the rest just before a rep."""

from __future__ import annotations

import numpy as np
import pytest

from hipcoach.analysis.checks import CoupledMeasure
from hipcoach.analysis.posture import SettleDetector
from hipcoach.exercises.catalogue import get_exercise
from hipcoach.exercises.schema import Posture
from hipcoach.features.body import BodyFrame
from hipcoach.features.geometry import normalize


def _frame(up_deg: float, left_wobble: np.ndarray) -> BodyFrame:
    """A side-lying body frame (camera axes: x right, y down, z away): up along the image
    x axis turned by `up_deg`, left pointing up in the image, plus jitter on left."""
    a = np.radians(up_deg)
    up = np.array([np.cos(a), 0.0, np.sin(a)])
    left = normalize(np.array([0.0, -1.0, 0.0]) + left_wobble)
    left = normalize(left - float(left @ up) * up)
    return BodyFrame(up=up, left=left, forward=normalize(np.cross(left, up)))


def _settles(frames: list[BodyFrame]) -> bool:
    detector = SettleDetector(Posture.side_lying)
    points = np.zeros((33, 3))
    return any(detector.add(k / 30.0, f, points) for k, f in enumerate(frames))


def test_still_body_with_depth_jitter_settles() -> None:
    rng = np.random.default_rng(3)
    # The hip line jitters ~10 degrees along the camera axis, frame to frame.
    frames = [_frame(0.0, np.array([0.0, 0.0, rng.normal(0, 0.18)])) for _ in range(40)]
    assert _settles(frames)


def test_trunk_turning_into_position_does_not_settle() -> None:
    # 10 degrees a second, smoothly: someone still lowering onto their side.
    frames = [_frame(10.0 * k / 30.0, np.zeros(3)) for k in range(60)]
    assert not _settles(frames)


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


def test_a_small_tail_with_no_rest_before_it_is_not_a_rep() -> None:
    from hipcoach.analysis.analyser import SetAnalyser
    from hipcoach.analysis.events import RepReport
    from hipcoach.analysis.reps import RepWindow

    analyser = SetAnalyser(get_exercise("clamshell"), variation="standard")
    analyser.reps = [
        RepReport(index=k + 1, start_s=4.0 * k, peak_s=4.0 * k + 1, end_s=4.0 * k + 2, range_deg=18)
        for k in range(3)
    ]
    tail = RepWindow(start_s=10.05, peak_s=10.4, end_s=10.8, range_deg=7.0, hold_s=0.0)
    after_rest = RepWindow(start_s=11.0, peak_s=11.5, end_s=12.0, range_deg=7.0, hold_s=0.0)
    full = RepWindow(start_s=10.05, peak_s=11.0, end_s=12.0, range_deg=17.0, hold_s=0.0)
    assert analyser._is_fragment(tail)
    assert not analyser._is_fragment(after_rest)  # a smaller rep after a rest still counts
    assert not analyser._is_fragment(full)
