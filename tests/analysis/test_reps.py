"""The rep counter on signals with hand-countable answers."""

from __future__ import annotations

import numpy as np
import pytest

from hipcoach.analysis.reps import RepCounter, RepWindow


def run(signal: np.ndarray, t: np.ndarray, enter: float = 10.0) -> list[RepWindow]:
    counter = RepCounter(enter_deg=enter)
    reps = []
    for value, time in zip(signal, t, strict=True):
        rep = counter.update(float(value), float(time))
        if rep is not None:
            reps.append(rep)
    return reps


def cycles(
    durations: list[float],
    amplitude: float,
    rest: float = 0.5,
    fps: float = 30.0,
    hold: float = 0.0,
    base: float = 5.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Raised-cosine reps separated by rests; each rep rises, holds, falls."""
    parts = [np.full(int(rest * fps), base)]
    for d in durations:
        n = max(int(d * fps), 2)
        phase = np.linspace(0, np.pi, n)
        rise = base + amplitude * np.sin(phase[: n // 2]) ** 2
        fall = base + amplitude * np.sin(phase[n // 2 :]) ** 2
        parts += [
            rise,
            np.full(int(hold * fps), base + amplitude),
            fall,
            np.full(int(rest * fps), base),
        ]
    signal = np.concatenate(parts)
    return signal, np.arange(signal.size) / fps


@pytest.mark.parametrize("n", [1, 3, 12])
@pytest.mark.parametrize("duration", [1.0, 3.0, 10.0])
def test_clean_cycles_give_exactly_n_reps(n: int, duration: float) -> None:
    signal, t = cycles([duration] * n, amplitude=25.0)
    reps = run(signal, t)
    assert len(reps) == n
    assert all(r.range_deg == pytest.approx(25.0, abs=1.0) for r in reps)
    assert all(r.start_s < r.peak_s < r.end_s for r in reps)


def test_noise_at_rest_never_counts() -> None:
    rng = np.random.default_rng(0)
    t = np.arange(600) / 30.0
    reps = run(5.0 + rng.normal(0, 1.5, t.size), t)
    assert reps == []


def test_small_excursions_below_threshold_are_not_reps() -> None:
    signal, t = cycles([1.5] * 5, amplitude=8.0)
    assert run(signal, t, enter=10.0) == []


def test_spike_shorter_than_dwell_is_ignored() -> None:
    signal, t = cycles([0.15], amplitude=30.0)
    assert run(signal, t) == []


def test_holds_are_measured() -> None:
    signal, t = cycles([1.0, 1.0], amplitude=30.0, hold=4.0)
    reps = run(signal, t)
    assert len(reps) == 2
    assert all(3.8 <= r.hold_s <= 4.6 for r in reps)


def test_starting_mid_movement_and_drifting_rest() -> None:
    # The set starts partway up, rest level then drifts by 4 degrees: still 4 reps.
    signal, t = cycles([2.0] * 4, amplitude=20.0)
    signal = signal + np.linspace(0, 4, signal.size)
    signal[:10] = 15.0
    assert len(run(signal, t)) == 4


def test_downward_direction_is_handled_by_sign() -> None:
    # A leg lowered from 90 degrees and raised again: the signal falls during each rep;
    # the analyser multiplies it by the catalogue's direction (-1) before counting.
    raised, t = cycles([2.0] * 3, amplitude=30.0, base=0.0)
    hip_flexion = 90.0 - raised
    assert len(run(-1.0 * hip_flexion, t)) == 3


def test_a_slow_rep_that_starts_before_the_leg_is_fully_down_still_counts() -> None:
    # Rep 1 rises to 20 and falls slowly; the next rises from 6.5 above rest before
    # the leg was back down: the rest level must not follow it up past its low point.
    fps = 30.0
    segments = [
        np.full(30, 0.0),
        np.linspace(0, 20, 60),
        np.full(60, 20.0),
        np.linspace(20, 6.5, 90),  # slow fall, ends 6.5 deg above rest
        np.linspace(6.5, 17.5, 90),  # at once a slow rise of 11 deg (entry step 8)
        np.full(90, 17.5),
        np.linspace(17.5, 0, 60),
        np.full(40, 0.0),
    ]
    signal = np.concatenate(segments)
    t = np.arange(signal.size) / fps
    reps = run(signal, t, enter=8.0)
    assert len(reps) == 2
    # Measured from the low point it rose from, not from a rest level dragged up behind it
    # (with noise, a dragged-up rest level left too little range to count at all).
    assert reps[1].range_deg == pytest.approx(11.0, abs=0.5)


def test_a_shifted_signal_zero_moves_the_rest_level_and_counts_no_rep() -> None:
    signal, t = cycles([2.0], amplitude=20.0)
    counter = RepCounter(enter_deg=10.0)
    reps = []
    for k, (value, time) in enumerate(zip(signal, t, strict=True)):
        if k == 5:
            counter.shift(15.0)  # from here on the same pose reads 15 deg higher
        shifted = float(value) + (15.0 if k >= 5 else 0.0)
        rep = counter.update(shifted, float(time))
        if rep is not None:
            reps.append(rep)
    assert len(reps) == 1 and reps[0].range_deg == pytest.approx(20.0, abs=0.5)


def test_a_fast_rep_that_rose_while_tracking_was_lost_still_counts() -> None:
    # At rest, then 0.3 s with no pose (the rise), then 0.25 s of samples over the top and
    # back down: it was moving since before the gap, not only for the samples seen.
    fps = 30.0
    before = np.arange(0.0, 1.0, 1.0 / fps)
    after = np.arange(1.3, 2.5, 1.0 / fps)
    t = np.concatenate([before, after])
    top = np.interp(after, [1.3, 1.4, 1.55, 2.5], [25.0, 25.0, 5.0, 5.0])
    signal = np.concatenate([np.full(before.size, 5.0), top])
    reps = run(signal, t)
    assert len(reps) == 1 and reps[0].peak_s == pytest.approx(1.3, abs=0.05)
