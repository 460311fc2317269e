"""The body at rest between reps: what each rep's compensations are measured from.

"Nothing moves but the knee" is judged against where the body was just before the rep, so
slow drift of the landmarks (or of the person) between reps is not a fault. While the
person rests, a track feeds every few frames' measures here; as a rep begins it takes
their recent levels (`RestLevels.baseline`).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from hipcoach.analysis.rest_noise import RestNoise
from hipcoach.features.body import FloatArray
from hipcoach.features.geometry import normalize
from hipcoach.features.measures import Reference

REST_LEVEL_SAMPLES = 8
"""The rest level before a rep: the median of up to 8 rest samples (about 0.8 s)..."""
REST_LEVEL_MIN = 3
"""... once 3 exist."""
UNSIGNED_MEASURES = frozenset({"bottom_leg_moves", "trunk_moves"})
"""Unsigned angles (how far the other thigh or the trunk turned) cannot be offset by a
number: a rep compares their direction with their resting direction instead."""


def median_or_none(values: Sequence[float]) -> float | None:
    """The median of the finite values; None with fewer than REST_LEVEL_MIN of them."""
    finite = [v for v in values if np.isfinite(v)]
    return float(np.median(finite)) if len(finite) >= REST_LEVEL_MIN else None


@dataclass(frozen=True)
class RepBaseline:
    """What one rep is judged against, taken as it begins."""

    measures: Mapping[str, float] = field(default_factory=dict)
    """Each signed measure's resting level."""
    reference: Reference | None = None
    """The start posture with the other thigh and the trunk as they rested."""
    signal: float | None = None
    """The primary signal's resting level on the low-passed landmarks (degrees)."""


@dataclass
class RestLevels:
    """Recent resting samples of one track's measures, and their noise (see RestNoise)."""

    noise: dict[str, RestNoise] = field(default_factory=dict)
    _recent: dict[str, deque[float]] = field(default_factory=dict)
    _axes: deque[tuple[FloatArray, FloatArray]] = field(
        default_factory=lambda: deque(maxlen=REST_LEVEL_SAMPLES)
    )
    _signal: deque[float] = field(default_factory=lambda: deque(maxlen=REST_LEVEL_SAMPLES))

    def add(
        self,
        signal: float,
        other_thigh: FloatArray,
        trunk_up: FloatArray,
        measures: Mapping[str, float],
    ) -> None:
        """One resting frame: the primary signal, the other thigh's and the trunk's
        directions (unit vectors) and the frame checks' values."""
        if np.isfinite(signal):
            self._signal.append(signal)
        self._axes.append((other_thigh, trunk_up))
        for check_id, value in measures.items():
            self.noise.setdefault(check_id, RestNoise()).add(value)
            if np.isfinite(value):
                self._recent.setdefault(check_id, deque(maxlen=REST_LEVEL_SAMPLES))
                self._recent[check_id].append(value)

    def clear(self) -> None:
        """The start posture changed: samples measured against the old one are void."""
        self.noise.clear()
        self._recent.clear()
        self._axes.clear()
        self._signal.clear()

    def baseline(self, start: Reference) -> RepBaseline:
        """What a rep beginning now is judged against, from `start` (the start posture)."""
        levels = {c: median_or_none(v) for c, v in self._recent.items()}
        measures = {
            c: level
            for c, level in levels.items()
            if level is not None and c not in UNSIGNED_MEASURES
        }
        return RepBaseline(measures, self._resting_reference(start), median_or_none(self._signal))

    def _resting_reference(self, start: Reference) -> Reference | None:
        if len(self._axes) < REST_LEVEL_MIN:
            return None
        thighs = np.array([a for a, _ in self._axes])
        ups = np.array([b for _, b in self._axes])
        other_thigh = normalize(np.nanmean(thighs, axis=0))
        trunk_up = normalize(np.nanmean(ups, axis=0))
        if not (np.isfinite(other_thigh).all() and np.isfinite(trunk_up).all()):
            return None
        return replace(start, other_thigh=other_thigh, trunk_up=trunk_up)
