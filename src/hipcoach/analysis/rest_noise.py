"""How much a compensation measure wanders at rest: the noise floor a cue must clear."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

# A degree of joint rotation moves a point about 1/57 of the segment's length.
DEG_TO_THIGH = float(np.radians(1.0))


@dataclass
class RestNoise:
    """How much a compensation measure wanders while the person rests between reps.

    Landmark noise depends on the view: a movement along the camera's line of sight (the
    pelvis rolling back seen from the front, the hip hitching seen from the feet) is
    measured far less precisely than one across the image. A cue therefore needs its
    measure above the catalogue threshold and above `factor` times this resting spread.
    """

    factor: float = 3.5
    alpha: float = 1.0 / 30.0
    prior_sd_across: float = 2.0  # typical resting spread, degrees, movement across the image
    prior_sd_depth: float = 4.0  # the same for movement along the camera's line of sight
    prior_weight: float = 30.0  # samples' worth of trust in that prior
    n: int = 0
    mean: float = 0.0
    var: float = 0.0

    def add(self, value: float) -> None:
        if not math.isfinite(value):
            return
        self.n += 1
        a = max(self.alpha, 1.0 / self.n)
        delta = value - self.mean
        self.mean += a * delta
        self.var = (1.0 - a) * (self.var + a * delta * delta)

    def margin(self, unit_scale: float = 1.0, depth_share: float = 0.0) -> float:
        """The level rest-time noise alone rarely reaches. Until much rest has been seen
        the estimate leans on a prior spread, larger the more the movement runs along the
        camera's line of sight (`depth_share`, 0-1), times `unit_scale` for measures not
        in degrees; so the first reps are not judged against a lucky quiet spell."""
        prior_sd = self.prior_sd_across + depth_share * (self.prior_sd_depth - self.prior_sd_across)
        prior_var = (prior_sd * unit_scale) ** 2
        seen = min(self.n, 1.0 / self.alpha)
        var = (seen * self.var + self.prior_weight * prior_var) / (seen + self.prior_weight)
        return self.factor * math.sqrt(var)
