"""Set-level checks: losing isolation, shaking, and whether the camera sees enough."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from scipy.signal import butter, sosfilt, sosfilt_zi

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
# (reps of 1-3 s) and BlazePose's own correlated wander (about 0.2 s) lie below the band;
# per-frame white jitter (other tools' files) spreads evenly up to half the frame rate.
# Below 25 fps the band stops at half the frame rate; a faster shake is still seen where
# it folds back (at 15 fps, 7.5-10 Hz lands on 5-7.5 Hz; 10-12 Hz falls below 5 Hz and is
# missed). Under about 11 fps there is no band and the meter says nothing.
TREMOR_BAND_HZ = (5.0, 12.0)
TREMOR_WINDOW_S = 1.0
"""Length of each spectrum: 1 Hz bins, about the width of a tremor's peak."""


@lru_cache(maxsize=16)
def _tremor_filter(rate: int) -> np.ndarray | None:
    """Second-order band-pass sections for `TREMOR_BAND_HZ` at `rate` frames/s, the top
    capped below half the frame rate; None when the frame rate leaves no band."""
    low, high = TREMOR_BAND_HZ
    high = min(high, 0.48 * rate)
    if high <= low:
        return None
    return np.asarray(butter(2, (low, high), btype="bandpass", fs=rate, output="sos"))


@dataclass
class TremorMeter:
    """Tremor of the working limb above the landmark noise floor.

    Works on the working knee's image position (pixels or normalised units), band-passed
    as it arrives (`TREMOR_BAND_HZ`, a causal filter whose state carries over) so that
    slow movement is gone. Every `window_s` the filtered window's spectrum is taken and
    its largest bin in the band kept, as an amplitude: a tremor is a narrow peak, while
    jitter, white or correlated, spreads over the band, so a shake twice the size of
    white per-frame jitter stands out of it (the band's whole energy did not). The noise
    floor is a low percentile of all windows so far; `ratio()` compares the recent
    windows against it. A lost knee restarts the filter, and the window after a restart
    (the filter settling) is not kept.
    """

    window_s: float = TREMOR_WINDOW_S
    recent: int = 4
    _pending: list[tuple[float, float, float]] = field(default_factory=list)
    _peaks: list[float] = field(default_factory=list)
    _rate: float | None = None  # frames/s, from the first frames
    _size: int = 0
    _sos: np.ndarray | None = None
    _taper: np.ndarray = field(default_factory=lambda: np.ones(0))
    _band: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))  # bin indices
    _state: np.ndarray | None = None

    def add(self, t: float, x: float, y: float) -> None:
        if not (np.isfinite(x) and np.isfinite(y)):
            self._pending.clear()
            self._state = None
            return
        self._pending.append((t, x, y))
        if self._rate is None:
            self._start()
        if self._sos is None or len(self._pending) < self._size:
            return
        points = np.asarray(self._pending)[:, 1:]
        self._pending.clear()
        settling = self._state is None
        if self._state is None:
            # Start as if the knee had been still at its first position (no step response).
            self._state = sosfilt_zi(self._sos)[:, :, None] * points[0]
        filtered, self._state = sosfilt(self._sos, points, axis=0, zi=self._state)
        if not settling:
            spectrum = np.fft.rfft(filtered * self._taper[:, None], axis=0)
            power = np.sum(spectrum.real**2 + spectrum.imag**2, axis=1)
            self._peaks.append(float(np.sqrt(power[self._band].max())))

    def _start(self) -> None:
        """Frame rate, filter and spectrum window from the first 8 frames' timestamps; no
        filter when the frame rate leaves no band."""
        if len(self._pending) < 8:
            return
        self._rate = 1.0 / float(np.median(np.diff(np.asarray(self._pending)[:, 0])))
        if not (np.isfinite(self._rate) and self._rate >= 10.0):
            return
        self._size = round(self.window_s * self._rate)
        self._taper = np.hanning(self._size)
        freqs = np.fft.rfftfreq(self._size, 1.0 / self._rate)
        self._band = np.flatnonzero((freqs >= TREMOR_BAND_HZ[0]) & (freqs <= TREMOR_BAND_HZ[1]))
        self._sos = _tremor_filter(round(self._rate)) if self._band.size else None

    def ratio(self) -> float:
        """Recent tremor peak over the noise floor; NaN until enough windows exist."""
        if len(self._peaks) < 2 * self.recent:
            return float("nan")
        floor = float(np.percentile(self._peaks, 20))
        recent = float(np.median(self._peaks[-self.recent :]))
        return recent / floor if floor > 0 else float("nan")


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
