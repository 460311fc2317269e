"""Named BlazePose landmarks and the pose containers every later stage reads.

Arrays are addressed by landmark name, never by a bare index: `series.point("left_hip")`.
Coordinates are kept with the frame they are in: `image` (normalised x, y in [0, 1] of the
width and height, z in the same scale as x, as MediaPipe gives them) and optional `world`
(metres, origin between the hips, axes aligned with the camera).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

LANDMARK_NAMES: tuple[str, ...] = (
    "nose",
    "left_eye_inner",
    "left_eye",
    "left_eye_outer",
    "right_eye_inner",
    "right_eye",
    "right_eye_outer",
    "left_ear",
    "right_ear",
    "mouth_left",
    "mouth_right",
    "left_shoulder",
    "right_shoulder",
    "left_elbow",
    "right_elbow",
    "left_wrist",
    "right_wrist",
    "left_pinky",
    "right_pinky",
    "left_index",
    "right_index",
    "left_thumb",
    "right_thumb",
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
    "left_heel",
    "right_heel",
    "left_foot_index",
    "right_foot_index",
)
N_LANDMARKS = len(LANDMARK_NAMES)
LANDMARK_INDEX: dict[str, int] = {name: i for i, name in enumerate(LANDMARK_NAMES)}

FloatArray = NDArray[np.float64]


def landmark_index(name: str) -> int:
    """Index of a landmark in MediaPipe's order; raises KeyError naming the valid names."""
    try:
        return LANDMARK_INDEX[name]
    except KeyError:
        valid = ", ".join(LANDMARK_NAMES)
        raise KeyError(f"unknown landmark {name!r}; expected one of {valid}") from None


def landmark_indices(names: Iterable[str]) -> list[int]:
    return [landmark_index(n) for n in names]


def mirror_name(name: str) -> str:
    """The same landmark on the other side of the body (`left_knee` -> `right_knee`)."""
    if name.startswith("left_"):
        return "right_" + name[5:]
    if name.startswith("right_"):
        return "left_" + name[6:]
    return name


@dataclass(frozen=True)
class PoseFrame:
    """One pose at one capture time.

    t: seconds since the start of the recording (real capture time, not frame index / fps).
    image: (33, 3) normalised image coordinates. visibility: (33,) in [0, 1].
    world: (33, 3) metres or None. image_size: (width, height) in pixels when known.
    """

    t: float
    image: FloatArray
    visibility: FloatArray
    world: FloatArray | None = None
    image_size: tuple[int, int] | None = None

    def point(self, name: str, space: str = "image") -> FloatArray:
        arr = self.world if space == "world" else self.image
        if arr is None:
            raise ValueError(f"this frame has no {space} coordinates")
        return arr[landmark_index(name)]


@dataclass
class PoseSeries:
    """A pose time series: `image[time, landmark, xyz]`, `visibility[time, landmark]`.

    Frames where no person was found are kept as NaN rows with zero visibility, so times
    stay real and gaps stay visible to the analysis.
    """

    t: FloatArray
    image: FloatArray
    visibility: FloatArray
    world: FloatArray | None = None
    image_size: tuple[int, int] | None = None
    source: str = ""
    meta: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = self.t.shape[0]
        if self.t.ndim != 1:
            raise ValueError(f"expected t with a single time dimension, got shape {self.t.shape}")
        if self.image.shape != (n, N_LANDMARKS, 3):
            raise ValueError(
                f"expected image of shape (time={n}, landmark={N_LANDMARKS}, xyz=3), "
                f"got {self.image.shape}"
            )
        if self.visibility.shape != (n, N_LANDMARKS):
            raise ValueError(
                f"expected visibility of shape ({n}, {N_LANDMARKS}), got {self.visibility.shape}"
            )
        if self.world is not None and self.world.shape != (n, N_LANDMARKS, 3):
            raise ValueError(
                f"expected world of shape ({n}, {N_LANDMARKS}, 3), got {self.world.shape}"
            )

    def __len__(self) -> int:
        return int(self.t.shape[0])

    def point(self, name: str, space: str = "image") -> FloatArray:
        """(time, 3) trajectory of one landmark."""
        arr = self.world if space == "world" else self.image
        if arr is None:
            raise ValueError(f"this series has no {space} coordinates")
        return arr[:, landmark_index(name), :]

    def frames(self) -> Iterator[PoseFrame]:
        for i in range(len(self)):
            yield self.frame(i)

    def frame(self, i: int) -> PoseFrame:
        return PoseFrame(
            t=float(self.t[i]),
            image=self.image[i],
            visibility=self.visibility[i],
            world=None if self.world is None else self.world[i],
            image_size=self.image_size,
        )

    @property
    def detected(self) -> NDArray[np.bool_]:
        """Per frame: was a person found at all."""
        return np.asarray(np.isfinite(self.image[:, :, 0]).any(axis=1))

    @classmethod
    def from_frames(
        cls,
        frames: Sequence[PoseFrame | None],
        times: Sequence[float],
        image_size: tuple[int, int] | None = None,
        source: str = "",
    ) -> PoseSeries:
        """Stack frames; None entries (no person) become NaN rows with zero visibility."""
        n = len(times)
        image = np.full((n, N_LANDMARKS, 3), np.nan)
        vis = np.zeros((n, N_LANDMARKS))
        has_world = any(f is not None and f.world is not None for f in frames)
        world = np.full((n, N_LANDMARKS, 3), np.nan) if has_world else None
        for i, f in enumerate(frames):
            if f is None:
                continue
            image[i] = f.image
            vis[i] = f.visibility
            if world is not None and f.world is not None:
                world[i] = f.world
        return cls(
            t=np.asarray(times, dtype=float),
            image=image,
            visibility=vis,
            world=world,
            image_size=image_size,
            source=source,
        )
