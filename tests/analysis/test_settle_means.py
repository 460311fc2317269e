"""The settle detector's window means, in plain floats, equal NumPy's nanmean bit for bit."""

from __future__ import annotations

import math
import warnings

import numpy as np

from hipcoach.analysis.posture import _nanmean


def test_float_means_equal_nanmean_to_the_last_bit() -> None:
    rng = np.random.default_rng(3)
    for trial in range(3000):
        n = int(rng.integers(1, 30))
        rows = rng.normal(size=(n, 3)) * 10 ** rng.uniform(-3, 3)
        if trial % 3 == 0:
            rows[rng.integers(0, n)] = np.nan  # a frame without the joints
        if trial % 5 == 0:
            rows[:, 1] = -0.0  # signed zeros: NumPy's sum starts from +0.0
        if trial % 7 == 0:
            rows[:, 2] = np.nan  # a column with nothing known
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            expected = np.nanmean(rows, axis=0).tolist()
        got = _nanmean(rows.tolist())
        for a, b in zip(got, expected, strict=True):
            assert (math.isnan(a) and math.isnan(b)) or (
                a == b and math.copysign(1.0, a) == math.copysign(1.0, b)
            )
