"""The start-frame signal's history: how far it moved, and how far it rose in a window."""

from __future__ import annotations

import numpy as np
import pytest

from hipcoach.analysis.reps import RepWindow
from hipcoach.analysis.signal_history import SignalHistory


def _history(values: np.ndarray, fps: float = 30.0) -> SignalHistory:
    history = SignalHistory()
    for k, value in enumerate(values):
        history.add(k / fps, float(value))
    return history


def test_movement_is_the_robust_range_and_ignores_a_one_frame_glitch() -> None:
    t = np.arange(0.0, 12.0, 1.0 / 30.0)
    values = 20.0 * np.sin(2 * np.pi * t / 6.0) ** 2  # slow 20 deg reps
    clean = _history(values).movement_deg()
    values[180] = 60.0  # one frame far off, while the leg rests
    assert clean == pytest.approx(20.0, abs=1.5)  # a 0.5 s average trims the top
    assert _history(values).movement_deg() == pytest.approx(clean, abs=0.5)
    assert _history(np.zeros(10)).movement_deg() == 0.0


def test_rise_is_the_top_of_the_window_above_where_it_rose_from() -> None:
    t = np.arange(0.0, 4.0, 1.0 / 30.0)
    values = np.interp(t, [0.0, 1.0, 1.5, 2.0, 4.0], [2.0, 2.0, 9.0, 2.0, 2.0])
    history = _history(values)
    window = RepWindow(start_s=1.0, peak_s=1.5, end_s=2.0, range_deg=7.0, hold_s=0.0)
    rise, fall = history.rise_fall_deg(window)
    assert rise == pytest.approx(7.0, abs=0.3)
    assert fall == pytest.approx(7.0, abs=0.3)  # back at rest by the window's end
    later = RepWindow(start_s=3.0, peak_s=3.5, end_s=3.9, range_deg=7.0, hold_s=0.0)
    assert history.rise_fall_deg(later) == pytest.approx((0.0, 0.0), abs=1e-9)
    assert SignalHistory().rise_fall_deg(window) == (0.0, 0.0)


def test_a_window_ending_while_the_signal_still_climbs_has_not_come_back_down() -> None:
    t = np.arange(0.0, 6.0, 1.0 / 30.0)
    values = np.interp(t, [0.0, 1.0, 4.0, 6.0], [1.0, 1.0, 11.0, 1.0])  # a slow rise
    window = RepWindow(start_s=1.0, peak_s=2.0, end_s=2.5, range_deg=5.0, hold_s=0.0)
    rise, fall = _history(values).rise_fall_deg(window)
    assert rise == pytest.approx(5.0, abs=0.3)
    assert fall == pytest.approx(0.0, abs=1e-9)
