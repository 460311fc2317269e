"""The pose-estimator protocol every backend follows."""

from __future__ import annotations

from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from hipcoach.pose.landmarks import PoseFrame


class PoseEstimator(Protocol):
    """Turns one RGB image into a pose, or None when no person is found.

    `t` is the capture time in seconds; backends that track across frames need it to be
    increasing within one stream.
    """

    def estimate(self, rgb: NDArray[np.uint8], t: float) -> PoseFrame | None: ...

    def close(self) -> None: ...
