"""A second rep counter on the primary signal in each pose's own pelvis frame.

The start-frame counter (`LegTrack.counter`) measures the knee against the body as it
rested, so a knee opened by rolling the pelvis back still counts. A rep with the top hip
hitched up turns the femur with the pelvis: the knee barely moves in the start frame, while
the hip's own rotation, measured in the pelvis frame of the moment, is plain. This counter
fills such gaps, and its history gives the reported range (the hip's own movement).
`PictureCounter` runs the same on the image-plane signal (see LegTrack._update_picture).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np

from hipcoach.analysis.reps import Phase, RepCounter, RepWindow
from hipcoach.analysis.rest_levels import REST_LEVEL_SAMPLES
from hipcoach.analysis.rest_noise import RestNoise
from hipcoach.features.filters import OneEuroFilter
from hipcoach.features.measures import KNEE_SWING_MIN_OFFSET

OWN_COUNTER_MIN_BEND = 2 * KNEE_SWING_MIN_OFFSET
"""The pelvis-frame counter reads a knee's turn only with the knee well off the hip-ankle
line (twice where the clamshell signal switches to a straight leg's rise)."""
OWN_COUNTER_ENTER = 1.25
"""The pelvis-frame counter's smallest rep, in multiples of the exercise's. Swept over every
bench stratum (exact sets, suite of 134 / small clamshells of 144): 1.0 gave 133 / 142,
1.25 gave 134 / 141, 1.5 gave 134 / 138; 2.0 had missed small reps from the feet end swung
to the front."""
DESPIKE_SAMPLES = 5
"""The median of this many samples feeds each second counter's low-pass. Their signals hang
on a low-confidence ankle as well (the hip-ankle line, where BlazePose places a lying
person's ankles at visibility 0.2-0.5), whose glitches can last two frames; the counters
only fill the start-frame counter's gaps, so two frames more lag cost nothing."""
PICTURE_AGREES_DEG = 20.0
"""The image-plane counter counts only where its resting reading (the knee's rise along the
hip line) is within this of the same measure on the world landmarks. Largest gaps seen:
1.8-5.6 deg on the 13 rendered clamshells that reach the check (front, feet end swung to
the front), 22 deg on the real `clamshell_banded.mp4`, 1-33 deg on generated clamshells by
variation and view."""


@dataclass
class PelvisFrameCounter:
    counter: RepCounter
    smoother: OneEuroFilter = field(default_factory=lambda: OneEuroFilter(1, 0.6, 0.02))
    # (t, signal) of recent frames, for the reported range (see rep_range).
    history: deque[tuple[float, float]] = field(default_factory=lambda: deque(maxlen=900))
    _recent: list[float] = field(default_factory=list)
    _noise: RestNoise = field(default_factory=RestNoise)

    @property
    def moving(self) -> bool:
        return self.counter.phase is Phase.moving

    def record(self, t: float, value: float) -> None:
        self.history.append((t, value))

    def update(self, raw: float, t: float, smallest_deg: float, resting: bool) -> RepWindow | None:
        """Feed one finite sample (degrees). This signal carries the hip line's noise as
        well (large from some views) and only fills the other counter's gaps: it counts
        what rises clear of its own resting spread and `smallest_deg`, and only reps that
        come back to rest. `resting`: no rep is under way on either counter."""
        # Median of the last DESPIKE_SAMPLES samples, then the adaptive low-pass.
        self._recent = [*self._recent[-(DESPIKE_SAMPLES - 1) :], raw]
        despiked = sorted(self._recent)[len(self._recent) // 2]
        value = self.smoother.update_scalar(despiked, t)
        counter = self.counter
        if resting and counter.excursion(value) < 0.5 * counter.enter_deg:
            self._noise.add(value)
        counter.enter_deg = max(smallest_deg, self._noise.margin())
        return counter.update(value, t)

    def rep_range(self, window: RepWindow) -> float | None:
        """The signal at the top of the rep above the trough it rose from (degrees), or
        None without samples there. Percentiles, not extremes: the top of the rep and the
        trough it rose from (a rep that starts as the last one ends has no rest before it)
        without a one-frame spike."""
        if not self.history:
            return None
        times = np.array([t for t, _ in self.history])
        values = np.array([v for _, v in self.history])
        top = values[(times >= window.start_s) & (times <= window.end_s)]
        rise_end = min(window.peak_s, window.start_s + 0.5)
        before = values[(times >= window.start_s - 0.4) & (times <= rise_end)]
        top, before = top[np.isfinite(top)], before[np.isfinite(before)]
        if not (top.size and before.size):
            return None
        return float(np.percentile(top, 90) - np.percentile(before, 10))

    def abort(self) -> None:
        self.counter.abort()

    def reset_smoothing(self) -> None:
        self.smoother.reset()
        self._recent = []


@dataclass
class PictureCounter(PelvisFrameCounter):
    """The same counter on the image-plane signal, trusted only while the picture reads
    the resting pose as the world landmarks do (medians of recent resting readings within
    `agrees_deg`): from the feet end, or with the thighs pointing at the camera, the
    picture distorts the pose and its movement alike. Once they disagree it is not
    trusted again in the set (a picture that distorts some rests may distort any)."""

    agrees_deg: float = PICTURE_AGREES_DEG
    min_pairs: int = REST_LEVEL_SAMPLES
    _rest_pairs: deque[tuple[float, float]] = field(default_factory=lambda: deque(maxlen=30))
    _disagreed: bool = False
    trusted: bool = False

    @property
    def in_use(self) -> bool:
        """Not yet ruled out for this set."""
        return not self._disagreed

    def note_rest(self, picture: float, world: float) -> None:
        """One resting frame's reading here and in the world landmarks' pelvis frame."""
        if self._disagreed or not (np.isfinite(picture) and np.isfinite(world)):
            return
        self._rest_pairs.append((picture, world))
        if len(self._rest_pairs) < self.min_pairs:
            return
        pictures, worlds = zip(*self._rest_pairs, strict=True)
        self._disagreed = abs(float(np.median(pictures)) - float(np.median(worlds))) > (
            self.agrees_deg
        )
        self.trusted = not self._disagreed
