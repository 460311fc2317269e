"""Person selection by posture, on synthetic frames through a fake estimator (no video).

The fake "sees" people by marker pixels: the standing person while his head's pixel is
unmasked, otherwise the person lying down while hers is there, like a single-person tracker
that prefers the upright person.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pytest
from numpy.typing import NDArray

from hipcoach.exercises.schema import Posture
from hipcoach.pose.landmarks import LANDMARK_INDEX, N_LANDMARKS, PoseFrame
from hipcoach.pose.selection import (
    PostureSelectingEstimator,
    is_in_posture,
    is_upright,
    landmark_box,
    mask_box,
    select_by_posture,
)

SIZE = (200, 200)  # width, height
# Height along the body (feet 0, head 1) of each landmark, and its side (+1 left, -1 right).
_ALONG = {"nose": 0.95, "eye": 0.97, "ear": 0.95, "mouth": 0.9, "shoulder": 0.8, "elbow": 0.65}
_ALONG |= {"wrist": 0.5, "pinky": 0.47, "index": 0.47, "thumb": 0.48, "hip": 0.5, "knee": 0.27}
_ALONG |= {"ankle": 0.05, "heel": 0.02, "foot_index": 0.0}


def _body(name: str) -> tuple[float, float]:
    side = 1.0 if name.startswith("left") else -1.0 if name.startswith("right") else 0.0
    part = name.split("_", 1)[1] if side else name
    key = next(k for k in _ALONG if part.startswith(k))
    return _ALONG[key], 0.08 * side


def _pose(origin: tuple[float, float], along: tuple[float, float], scale: float) -> PoseFrame:
    """A body whose feet are at `origin` (px) and whose head lies along `along`."""
    image = np.zeros((N_LANDMARKS, 3))
    axis = np.array(along, dtype=float)
    across = np.array([-axis[1], axis[0]])
    for name, i in LANDMARK_INDEX.items():
        a, c = _body(name)
        xy = np.array(origin) + scale * (a * axis + c * across)
        image[i, :2] = xy / np.array(SIZE)
    return PoseFrame(t=0.0, image=image, visibility=np.ones(N_LANDMARKS), image_size=SIZE)


STANDING = _pose((100, 120), (0, -1), 100)  # head at y 25, hips at y 70
LYING = _pose((40, 160), (1, 0), 100)  # along y 160, hips at x 90
STANDING_HEAD = (100, 25)
LYING_HIP = (90, 160)


def _px(pose: PoseFrame, name: str) -> tuple[int, int]:
    x, y = pose.image[LANDMARK_INDEX[name], :2] * SIZE
    return round(float(x)), round(float(y))


def _frame(standing: bool, lying: bool) -> NDArray[np.uint8]:
    rgb = np.zeros((SIZE[1], SIZE[0], 3), dtype=np.uint8)
    if standing:
        rgb[STANDING_HEAD[1], STANDING_HEAD[0]] = 255
    if lying:
        rgb[LYING_HIP[1], LYING_HIP[0]] = 200
    return rgb


class FakeTracker:
    """A one-person estimator that prefers the upright person (see module)."""

    made: ClassVar[list[FakeTracker]] = []

    def __init__(self) -> None:
        self.seen: list[NDArray[np.uint8]] = []
        self.closed = False
        FakeTracker.made.append(self)

    def estimate(self, rgb: NDArray[np.uint8], t: float) -> PoseFrame | None:
        self.seen.append(rgb)
        if rgb[STANDING_HEAD[1], STANDING_HEAD[0], 0] == 255:
            return STANDING
        if rgb[LYING_HIP[1], LYING_HIP[0], 0] == 200:
            return LYING
        return None

    def close(self) -> None:
        self.closed = True


@pytest.fixture(autouse=True)
def _fresh_trackers() -> None:
    FakeTracker.made = []


def test_synthetic_people_are_what_they_claim() -> None:
    assert _px(STANDING, "nose") == STANDING_HEAD
    assert _px(LYING, "left_hip")[0] == LYING_HIP[0]
    assert is_upright(STANDING) and not is_upright(LYING)
    assert is_in_posture(LYING, Posture.side_lying) and is_in_posture(LYING, Posture.supine)
    assert not is_in_posture(STANDING, Posture.side_lying)


def test_upright_needs_hips_above_knees_above_ankles() -> None:
    """An upright trunk with the legs mirrored up above the hips is not standing."""
    legs_up = STANDING.image.copy()
    for name in ("knee", "ankle", "heel", "foot_index"):
        for side in ("left", "right"):
            i = LANDMARK_INDEX[f"{side}_{name}"]
            legs_up[i, 1] = 2 * STANDING.image[LANDMARK_INDEX[f"{side}_hip"], 1] - legs_up[i, 1]
    folded = PoseFrame(0.0, legs_up, np.ones(N_LANDMARKS), image_size=SIZE)
    assert not is_upright(folded)


def test_box_covers_head_arms_and_trunk_but_not_the_legs() -> None:
    box = landmark_box(STANDING)
    assert box is not None
    x0, y0, x1, y1 = box
    assert x0 <= STANDING_HEAD[0] <= x1 and y0 <= STANDING_HEAD[1] <= y1
    assert y1 >= _px(STANDING, "left_hip")[1]
    assert y1 < _px(STANDING, "left_knee")[1]
    assert not (x0 <= LYING_HIP[0] <= x1 and y0 <= LYING_HIP[1] <= y1)
    masked = mask_box(_frame(True, True), box)
    assert masked[STANDING_HEAD[1], STANDING_HEAD[0], 0] == 0
    assert masked[LYING_HIP[1], LYING_HIP[0], 0] == 200


def test_box_is_clipped_to_the_image_and_skips_unseen_landmarks() -> None:
    image = STANDING.image.copy()
    vis = np.ones(N_LANDMARKS)
    image[LANDMARK_INDEX["left_wrist"], :2] = (3.0, -2.0)  # far outside, but not seen
    vis[LANDMARK_INDEX["left_wrist"]] = 0.05
    image[LANDMARK_INDEX["nose"], 1] = -0.2  # above the frame, seen
    box = landmark_box(PoseFrame(0.0, image, vis, image_size=SIZE))
    assert box is not None
    assert box[1] == 0 and box[2] < SIZE[0] // 2 + 30


def test_lying_exercise_stays_with_the_person_lying_down() -> None:
    estimator = PostureSelectingEstimator(FakeTracker, Posture.side_lying)
    poses = [estimator.estimate(_frame(True, True), t / 15) for t in range(5)]
    assert all(p is LYING for p in poses)
    primary, secondary = FakeTracker.made
    # The primary tracker keeps the whole frame (so the standing person's box stays current);
    # the secondary one sees it with the standing person's upper body blanked out.
    assert all(f[STANDING_HEAD[1], STANDING_HEAD[0], 0] == 255 for f in primary.seen)
    assert len(secondary.seen) == 5
    assert all(f[STANDING_HEAD[1], STANDING_HEAD[0], 0] == 0 for f in secondary.seen)
    assert estimator.masked_frames == estimator.selected_frames == 5
    estimator.close()
    assert primary.closed and secondary.closed


def test_one_person_lying_costs_nothing_extra() -> None:
    estimator = PostureSelectingEstimator(FakeTracker, Posture.supine)
    assert estimator.estimate(_frame(False, True), 0.0) is LYING
    assert estimator.estimate(_frame(False, False), 0.1) is None
    assert len(FakeTracker.made) == 1 and estimator.masked_frames == 0
    estimator.close()


def test_only_someone_standing_is_still_reported() -> None:
    """Nobody lying behind the mask: the upright pose comes back unchanged, so the analyser
    still sees (and says) that the person it found is not lying down."""
    estimator = PostureSelectingEstimator(FakeTracker, Posture.side_lying)
    assert estimator.estimate(_frame(True, False), 0.0) is STANDING
    assert estimator.masked_frames == 1 and estimator.selected_frames == 0


def test_the_person_found_behind_the_mask_must_be_lying() -> None:
    class UprightBehind(FakeTracker):
        def estimate(self, rgb: NDArray[np.uint8], t: float) -> PoseFrame | None:
            pose = super().estimate(rgb, t)
            return STANDING if pose is LYING else pose

    estimator = PostureSelectingEstimator(UprightBehind, Posture.side_lying)
    assert estimator.estimate(_frame(True, True), 0.0) is STANDING
    assert estimator.selected_frames == 0


@pytest.mark.parametrize("posture", [Posture.standing, Posture.seated, None])
def test_other_postures_get_the_plain_estimator(posture: Posture | None) -> None:
    estimator = select_by_posture(FakeTracker, posture)
    assert isinstance(estimator, FakeTracker)
    assert estimator.estimate(_frame(True, True), 0.0) is STANDING


def test_lying_postures_get_the_selecting_estimator() -> None:
    estimator = select_by_posture(FakeTracker, Posture.side_lying)
    assert isinstance(estimator, PostureSelectingEstimator)
    assert estimator.estimate(_frame(True, True), 0.0) is LYING
