"""The One Euro filter's fast paths agree with its general one."""

from __future__ import annotations

import math

import numpy as np
import pytest

from hipcoach.features.filters import OneEuroFilter


def _series(seed: int, n: int = 200) -> tuple[np.ndarray, np.ndarray]:
    """Irregular frame times and a noisy wave with NaN gaps (tracking lost)."""
    rng = np.random.default_rng(seed)
    t = np.cumsum(rng.uniform(0.02, 0.05, n))
    x = 30 * np.sin(t * 2.0) + rng.normal(0, 1.5, n)
    x[rng.random(n) < 0.08] = np.nan
    return t, x


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("beta", [0.0, 0.02])
def test_scalar_path_matches_vector_path(seed: int, beta: float) -> None:
    t, x = _series(seed)
    vector, scalar = OneEuroFilter(1, 0.6, beta), OneEuroFilter(1, 0.6, beta)
    for ti, xi in zip(t.tolist(), x.tolist(), strict=True):
        a = float(vector.update(np.array([xi]), ti)[0])
        b = scalar.update_scalar(xi, ti)
        assert (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("beta", [0.0, 0.05])
def test_channels_are_filtered_independently(beta: float) -> None:
    """Many channels at once (the landmark low-pass) equal each channel on its own."""
    series = [_series(seed) for seed in range(4)]
    t = series[0][0]
    stacked = OneEuroFilter(4, 1.0, beta)
    alone = [OneEuroFilter(1, 1.0, beta) for _ in range(4)]
    for k, ti in enumerate(t.tolist()):
        out = stacked.update(np.array([x[k] for _, x in series]), ti)
        for ch, f in enumerate(alone):
            expected = f.update_scalar(float(series[ch][1][k]), ti)
            got = float(out[ch])
            assert (math.isnan(got) and math.isnan(expected)) or got == pytest.approx(expected)


def test_scalar_path_needs_one_channel() -> None:
    with pytest.raises(ValueError, match="one-channel"):
        OneEuroFilter(3).update_scalar(1.0, 0.0)
