"""Low-lag smoothing for live use: the One Euro filter (Casiez, Roussel & Vogel, CHI 2012).

Vectorised over channels and tolerant of irregular frame times, which webcams deliver.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


def _alpha(cutoff_hz: FloatArray | float, dt: float) -> FloatArray | float:
    tau = 1.0 / (2.0 * math.pi * np.asarray(cutoff_hz))
    return 1.0 / (1.0 + tau / dt)


def _scalar_alpha(cutoff_hz: float, dt: float) -> float:
    tau = 1.0 / (2.0 * math.pi * cutoff_hz)
    return 1.0 / (1.0 + tau / dt)


class OneEuroFilter:
    """Adaptive low-pass: smooth when still (min_cutoff_hz), responsive when moving (beta).

    `beta` is in 1/(unit of the signal): cutoff = min_cutoff + beta * |speed|. A NaN input
    channel resets that channel, so a tracking gap never drags old values into new ones.
    """

    def __init__(
        self,
        n_channels: int,
        min_cutoff_hz: float = 1.5,
        beta: float = 0.05,
        d_cutoff_hz: float = 1.0,
    ) -> None:
        if n_channels < 1:
            raise ValueError(f"expected at least one channel, got {n_channels}")
        self.min_cutoff_hz = min_cutoff_hz
        self.beta = beta
        self.d_cutoff_hz = d_cutoff_hz
        self._x = np.full(n_channels, np.nan)
        self._dx = np.zeros(n_channels)
        self._t: float | None = None
        self._all_set = False  # no channel of the state is NaN (see update)

    def reset(self) -> None:
        self._x[:] = np.nan
        self._dx[:] = 0.0
        self._t = None
        self._all_set = False

    def shift(self, step: float) -> None:
        """The input's zero moved: move the filtered value by `step` (its rate stays)."""
        self._x += step

    def update_scalar(self, x: float, t: float) -> float:
        """`update` for a one-channel filter on a plain float: the same arithmetic without
        NumPy's per-call overhead (the rep signal is smoothed this way every frame)."""
        if self._x.shape != (1,):
            raise ValueError(f"update_scalar needs a one-channel filter, not {self._x.shape[0]}")
        self._all_set = False  # (the array path checks the state again)
        if self._t is None or t <= self._t:
            value = x if math.isfinite(x) else math.nan
            self._x[0], self._dx[0], self._t = value, 0.0, t
            return value
        dt = t - self._t
        self._t = t
        last = float(self._x[0])
        prev = x if math.isnan(last) and math.isfinite(x) else last
        a_d = _scalar_alpha(self.d_cutoff_hz, dt)
        dx_hat = a_d * ((x - prev) / dt) + (1.0 - a_d) * float(self._dx[0])
        a = _scalar_alpha(self.min_cutoff_hz + self.beta * abs(dx_hat), dt)
        x_hat = a * x + (1.0 - a) * prev
        ok = math.isfinite(x_hat)
        self._x[0] = x_hat if ok else math.nan
        self._dx[0] = dx_hat if ok else 0.0
        return float(self._x[0])

    def update(self, x: FloatArray, t: float) -> FloatArray:
        """Filter one sample taken at time t (seconds); returns the smoothed channels."""
        x = np.asarray(x, dtype=float)
        if x.shape != self._x.shape:
            raise ValueError(f"expected {self._x.shape[0]} channels, got shape {x.shape}")
        if self._t is None or t <= self._t:
            fresh = np.isfinite(x)
            self._x = np.where(fresh, x, np.nan)
            self._dx[:] = 0.0
            self._all_set = False
            self._t = t
            return self._x.copy()
        dt = t - self._t
        self._t = t
        # A channel with no value yet starts from this sample (a NaN sample stays NaN).
        prev = self._x if self._all_set else np.where(np.isnan(self._x), x, self._x)
        dx = (x - prev) / dt
        a_d = _scalar_alpha(self.d_cutoff_hz, dt)
        dx_hat = a_d * dx + (1.0 - a_d) * self._dx
        if self.beta == 0.0:
            # A fixed cutoff: one smoothing factor for every channel (a channel whose
            # speed is not finite would get a NaN one, and is reset below all the same).
            a = _scalar_alpha(self.min_cutoff_hz, dt)
            x_hat = a * x + (1.0 - a) * prev
            ok = np.isfinite(x_hat) & np.isfinite(dx_hat)
        else:
            cutoff = self.min_cutoff_hz + self.beta * np.abs(dx_hat)
            a_v = _alpha(cutoff, dt)
            x_hat = a_v * x + (1.0 - a_v) * prev
            ok = np.isfinite(x_hat)
        self._all_set = bool(ok.all())
        if self._all_set:  # the usual case: every channel has a value
            self._x, self._dx = x_hat, dx_hat
        else:
            self._x = np.where(ok, x_hat, np.nan)
            self._dx = np.where(ok, dx_hat, 0.0)
        return self._x.copy()
