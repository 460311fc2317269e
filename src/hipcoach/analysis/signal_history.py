"""What the start-frame signal did so far in a set: how far it moved (which leg is
working) and how far it rose during a window another counter found."""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

import numpy as np

from hipcoach.analysis.reps import RepWindow

MOTION_AVERAGE_S = 0.5
"""The motion score averages the signal over this long (landmark noise is fast, a rep slow)."""
FRAME_GAP_S = 0.2
"""Steps between frames longer than this are gaps in tracking, not the frame interval."""
MOVEMENT_SAMPLES = 3000
"""The movement is judged on the set's first samples (100 s at 30 fps): the working leg is
chosen by the first rep."""


@dataclass
class SignalHistory:
    """The smoothed signal (degrees) with its times."""

    _values: list[float] = field(default_factory=list)
    # The latest time added to _values, and the sum and count of the steps between
    # consecutive frames there (gaps left out): its sampling rate.
    _last_t: float | None = None
    _steps: tuple[float, int] = (0.0, 0)
    _recent: deque[tuple[float, float]] = field(default_factory=lambda: deque(maxlen=900))

    def add(self, t: float, value: float) -> None:
        self._recent.append((t, value))
        if len(self._values) >= MOVEMENT_SAMPLES:
            return
        self._values.append(value)
        step = t - self._last_t if self._last_t is not None else math.inf
        if 0 < step < FRAME_GAP_S:
            self._steps = (self._steps[0] + step, self._steps[1] + 1)
        self._last_t = t

    def movement_deg(self) -> float:
        """The robust range (degrees) the signal has covered so far: 5th to 95th percentile
        of its half-second average, so glitches and fast noise do not count."""
        total, count = self._steps
        if count == 0:
            return 0.0
        width = max(3, round(MOTION_AVERAGE_S * count / total))
        if len(self._values) < width:
            return 0.0
        calm = np.convolve(self._values, np.ones(width) / width, mode="valid")
        low, high = np.percentile(calm, [5, 95])
        return float(high - low)

    def rise_fall_deg(self, window: RepWindow) -> tuple[float, float]:
        """How far the signal rose during `window` (its highest value there above its
        lowest in the moment the rep rose from) and how far it had come back down from that
        top by the window's end (degrees; 0, 0 without samples)."""
        rise_end = min(window.peak_s, window.start_s + 0.5)
        top = [v for t, v in self._recent if window.start_s <= t <= window.end_s]
        base = [v for t, v in self._recent if window.start_s - 0.4 <= t <= rise_end]
        if not (top and base):
            return 0.0, 0.0
        return max(top) - min(base), max(top) - top[-1]
