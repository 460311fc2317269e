"""Stay with the person doing the exercise when someone else stands in view.

MediaPipe's legacy Pose follows one person, and its detector prefers an upright person with
a frontal face: with a trainer standing behind someone lying down, it follows the trainer.
`PostureSelectingEstimator` wraps two tracking estimators for one stream. The primary one
always sees the whole frame (so whoever it follows stays current). When the exercise is done
lying down and the primary one reports someone upright, that person's landmark box (with a
margin) is blanked out and the secondary estimator runs on the masked frame; its pose is
returned when it is lying, as the exercise asks. Otherwise the primary pose is returned
unchanged, so with one person in view nothing differs and nothing extra is computed.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from hipcoach.analysis.posture import LYING_POSTURES, matches_posture
from hipcoach.exercises.schema import Posture
from hipcoach.features.body import PosePoints, extract_points
from hipcoach.pose.estimator import PoseEstimator
from hipcoach.pose.landmarks import LANDMARK_INDEX, PoseFrame

# Fraction of the box's larger side added on every side of the masked box.
BOX_MARGIN = 0.12
# Landmarks less visible than this do not widen the box (out-of-frame guesses).
BOX_MIN_VISIBILITY = 0.3
# The box covers the head, arms and trunk down to the hips (landmarks 0-24), not the legs:
# the detector finds people by the face and upper body, and someone standing behind a
# person lying down has the legs beside or behind that person, whom a full box would hide.
UPPER_BODY = slice(0, LANDMARK_INDEX["right_hip"] + 1)


def _image_body(pose: PoseFrame) -> tuple[NDArray[np.float64], bool]:
    """Square-pixel image points and whether the trunk axis can be judged."""
    points = extract_points(pose, "image")
    return points, bool(np.isfinite(points[:, :2]).all())


def _mid_y(points: NDArray[np.float64], joint: str) -> float:
    left = points[LANDMARK_INDEX[f"left_{joint}"], 1]
    right = points[LANDMARK_INDEX[f"right_{joint}"], 1]
    return float((left + right) / 2)


def is_upright(pose: PoseFrame) -> bool:
    """Trunk near the image vertical, head up, and hips above knees above ankles."""
    points, ok = _image_body(pose)
    if not ok:
        return False
    if not matches_posture(PosePoints(points), Posture.standing, planar=True):
        return False
    return _mid_y(points, "hip") < _mid_y(points, "knee") < _mid_y(points, "ankle")


def is_in_posture(pose: PoseFrame, posture: Posture) -> bool:
    """The exercise's posture, judged in the image plane (the trunk's tilt)."""
    points, ok = _image_body(pose)
    return ok and matches_posture(PosePoints(points), posture, planar=True)


def landmark_box(pose: PoseFrame, margin: float = BOX_MARGIN) -> tuple[int, int, int, int] | None:
    """(x0, y0, x1, y1) pixel box around the visible upper-body landmarks, widened by
    `margin` (a fraction of its larger side)."""
    if pose.image_size is None:
        return None
    w, h = pose.image_size
    upper = pose.image[UPPER_BODY, :2]
    xy = upper[pose.visibility[UPPER_BODY] >= BOX_MIN_VISIBILITY]
    xy = xy[np.isfinite(xy).all(axis=1)]
    if len(xy) < 2:
        return None
    x0, y0 = xy.min(axis=0) * (w, h)
    x1, y1 = xy.max(axis=0) * (w, h)
    pad = margin * max(x1 - x0, y1 - y0)
    box = (
        int(np.clip(np.floor(x0 - pad), 0, w)),
        int(np.clip(np.floor(y0 - pad), 0, h)),
        int(np.clip(np.ceil(x1 + pad), 0, w)),
        int(np.clip(np.ceil(y1 + pad), 0, h)),
    )
    return box if box[2] > box[0] and box[3] > box[1] else None


def mask_box(rgb: NDArray[np.uint8], box: tuple[int, int, int, int]) -> NDArray[np.uint8]:
    """A copy of the frame with the box filled with the frame's median colour."""
    x0, y0, x1, y1 = box
    masked = rgb.copy()
    fill = np.median(rgb.reshape(-1, rgb.shape[-1]), axis=0).astype(np.uint8)
    masked[y0:y1, x0:x1] = fill
    return masked


class PostureSelectingEstimator:
    """A PoseEstimator that prefers a person in `posture` over an upright one (see module)."""

    def __init__(self, factory: Callable[[], PoseEstimator], posture: Posture) -> None:
        self.posture = posture
        self._factory = factory
        self._primary = factory()
        self._secondary: PoseEstimator | None = None
        # Frames where the masked pass ran, and where its pose was returned (for reports).
        self.masked_frames = 0
        self.selected_frames = 0

    def estimate(self, rgb: NDArray[np.uint8], t: float) -> PoseFrame | None:
        pose = self._primary.estimate(rgb, t)
        if pose is None or self.posture not in LYING_POSTURES or not is_upright(pose):
            return pose
        box = landmark_box(pose)
        if box is None:
            return pose
        if self._secondary is None:
            self._secondary = self._factory()
        self.masked_frames += 1
        other = self._secondary.estimate(mask_box(rgb, box), t)
        if other is not None and is_in_posture(other, self.posture):
            self.selected_frames += 1
            return other
        return pose

    def close(self) -> None:
        self._primary.close()
        if self._secondary is not None:
            self._secondary.close()


def select_by_posture(
    factory: Callable[[], PoseEstimator], posture: Posture | None
) -> PoseEstimator:
    """An estimator from `factory` that stays with a person in `posture` when that posture
    is a lying one; for any other posture (or None) simply `factory()`."""
    if posture in LYING_POSTURES:
        assert posture is not None
        return PostureSelectingEstimator(factory, posture)
    return factory()
