"""Set-level checks: losing isolation, shaking, and whether the camera sees enough."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np
from scipy.signal import detrend

from hipcoach.analysis.events import RepReport

# Rep cues that mean another muscle group is helping (range_too_big and hold_too_short
# describe the movement, not a compensation).
COMPENSATION_CUES = frozenset(
    {
        "pelvis_rolls_back",
        "hips_not_stacked",
        "feet_apart",
        "bottom_leg_moves",
        "leg_drifts_forward",
        "trunk_moves",
        "hip_hikes",
        "thigh_rotates",
    }
)


def detect_isolation_lost(reps: list[RepReport], range_ratio: float) -> bool:
    """True when the last reps lost the isolation the first ones had.

    Either the last three reps' median range fell below `range_ratio` of the first three
    reps' median (six reps or more: the movement is collapsing), or one compensation
    cue appears on each of the last three reps after the first two were free of it (five
    reps or more: another muscle group has taken over).
    """
    if len(reps) >= 6:
        first = float(np.median([r.range_deg for r in reps[:3]]))
        last = float(np.median([r.range_deg for r in reps[-3:]]))
        if first > 0 and last < range_ratio * first:
            return True
    if len(reps) >= 5:
        persistent = set(COMPENSATION_CUES)
        for rep in reps[-3:]:
            persistent &= set(rep.cues)
        early = {c for rep in reps[:2] for c in rep.cues}
        return bool(persistent - early)
    return False


# Physiological tremor: hand tremor peaks between 6 and 12 Hz and its frequency is mostly
# the limb's mechanical resonance, lower for a heavier segment (Lakie et al. 2015, J Physiol
# 593:4411); a held ankle shakes at 6-9 Hz (J Appl Physiol 1982, 52:226). Slow movement
# (reps of 1-3 s) and BlazePose's own correlated wander (about 0.2 s) put their power
# below the band; per-frame white jitter (other tools' files) spreads evenly up to half
# the frame rate. Below 25 fps the band stops just under half the frame rate; a faster
# shake is still seen where it folds back (at 15 fps, 7.5-10 Hz lands on 5-7.5 Hz; 10-12 Hz
# falls below 5 Hz and is missed). Under about 11 fps there is no band and no reading.
TREMOR_BAND_HZ = (5.0, 12.0)
BELOW_BAND_HZ = 2.0
"""From here up to the band lies the spectrum's level that a tremor's peak rises above."""
TREMOR_WINDOW_S = 1.0
"""Length of each spectrum: 1 Hz bins, about the width of a tremor's peak."""


@dataclass
class TremorMeter:
    """Tremor of the working limb above the landmark noise floor.

    Works on the working knee's image position (pixels or normalised units) in windows of
    `window_s`: each window's spectrum (after removing its straight-line trend) gives its
    largest bin in `TREMOR_BAND_HZ`, as an amplitude. A tremor is a narrow peak, while
    jitter, white or correlated, spreads over the band, so a shake twice the size of
    white per-frame jitter stands out of it (the band's whole energy did not). A window
    whose peak does not rise above the spectrum's mean level just below the band (from
    `BELOW_BAND_HZ`) holds the tail of a movement or of slow wander, whose power falls
    with frequency through the band, not a tremor: it reads as the floor.
    The noise floor is a low percentile of all windows so far; `ratio()` compares the
    recent windows against it. A lost knee drops the window it falls in.
    """

    window_s: float = TREMOR_WINDOW_S
    recent: int = 4
    _pending: list[tuple[float, float, float]] = field(default_factory=list)
    _peaks: list[float] = field(default_factory=list)
    _risen: list[bool] = field(default_factory=list)
    _rate: float | None = None  # frames/s, from the first frames
    _size: int = 0  # frames a window; 0 when the frame rate leaves no band
    _taper: np.ndarray = field(default_factory=lambda: np.ones(0))
    _band: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))  # bin indices
    _below: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))

    def add(self, t: float, x: float, y: float) -> None:
        if not (np.isfinite(x) and np.isfinite(y)):
            self._pending.clear()
            return
        self._pending.append((t, x, y))
        if self._rate is None:
            self._start()
        if not self._size or len(self._pending) < self._size:
            return
        points = detrend(np.asarray(self._pending)[:, 1:], axis=0)
        self._pending.clear()
        spectrum = np.fft.rfft(points * self._taper[:, None], axis=0)
        power = np.sum(spectrum.real**2 + spectrum.imag**2, axis=1)
        peak = float(power[self._band].max())
        self._peaks.append(float(np.sqrt(peak)))
        self._risen.append(peak > float(power[self._below].mean()))

    def _start(self) -> None:
        """Frame rate and spectrum window from the first 8 frames' timestamps (the next 8
        when these have no usable spacing)."""
        if len(self._pending) < 8:
            return
        rate = 1.0 / float(np.median(np.diff(np.asarray(self._pending)[:, 0])))
        if not (np.isfinite(rate) and rate > 0):
            self._pending.clear()
            return
        self._rate = rate
        size = round(self.window_s * rate)
        freqs = np.fft.rfftfreq(size, 1.0 / rate)
        low, high = TREMOR_BAND_HZ
        self._band = np.flatnonzero((freqs >= low) & (freqs <= min(high, 0.48 * rate)))
        self._below = np.flatnonzero((freqs >= BELOW_BAND_HZ) & (freqs < low))
        if self._band.size and self._below.size:
            self._size = size
            self._taper = np.hanning(size)

    def ratio(self) -> float:
        """Recent tremor peak over the noise floor; NaN until enough windows exist."""
        if len(self._peaks) < 2 * self.recent:
            return float("nan")
        floor = float(np.percentile(self._peaks, 20))
        if floor <= 0:
            return float("nan")
        recent = [
            peak if risen else floor
            for peak, risen in zip(
                self._peaks[-self.recent :], self._risen[-self.recent :], strict=True
            )
        ]
        return float(np.median(recent)) / floor


@dataclass
class ViewMeter:
    """How often the joints an exercise needs were visible, overall and recently."""

    window_s: float = 2.0
    frames: int = 0
    complete: int = 0
    with_person: int = 0
    _recent: deque[tuple[float, bool]] = field(default_factory=deque)
    _recent_ok: int = 0
    missing_counts: dict[str, int] = field(default_factory=dict)
    off_edges: dict[str, int] = field(default_factory=dict)

    def add(self, t: float, person: bool, missing: list[str], edges: list[str]) -> None:
        self.frames += 1
        self.with_person += int(person)
        ok = person and not missing
        self.complete += int(ok)
        for name in missing:
            self.missing_counts[name] = self.missing_counts.get(name, 0) + 1
        for edge in edges:
            self.off_edges[edge] = self.off_edges.get(edge, 0) + 1
        self._recent.append((t, ok))
        self._recent_ok += int(ok)
        while self._recent and self._recent[0][0] < t - self.window_s:
            self._recent_ok -= int(self._recent.popleft()[1])

    @property
    def fraction(self) -> float:
        return self.complete / self.frames if self.frames else 0.0

    @property
    def recent_fraction(self) -> float:
        if not self._recent:
            return 0.0
        return self._recent_ok / len(self._recent)

    def most_missing(self) -> list[str]:
        ranked = sorted(self.missing_counts.items(), key=lambda kv: -kv[1])
        return [name for name, n in ranked if n >= 0.2 * max(self.frames, 1)]

    def advice(self) -> str:
        """Plain advice on moving the camera, from what went missing and where."""
        if self.frames and self.with_person < 0.5 * self.frames:
            return (
                "I can't find you in the picture: put the camera 2-3 m away at floor or hip "
                "height, with your whole body in view and good light."
            )
        missing = self.most_missing()
        if not missing:
            return ""
        parts = sorted({name.split("_", 1)[1] for name in missing})
        where = ""
        if self.off_edges:
            edge = max(self.off_edges.items(), key=lambda kv: kv[1])[0]
            where = f" They go off the {edge} edge of the picture."
        return (
            f"I can't see your {', '.join(parts)} well enough. Move the camera back or turn it "
            f"so your whole body, shoulders to feet, is in view.{where}"
        )
