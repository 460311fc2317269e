"""The generator's geometry: rotations, the pinhole camera and mirror symmetry."""

from __future__ import annotations

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from hipcoach.pose.landmarks import LANDMARK_NAMES, mirror_name
from hipcoach.synthetic import NoiseModel, Scenario, generate
from hipcoach.synthetic.body import BodyDims, leg_points, rot_x, rot_y, rot_z, rotate_about
from hipcoach.synthetic.camera import focal_from_fov, look_at, observe

angles = st.floats(-179.0, 179.0, allow_nan=False)
coords = st.floats(-2.0, 2.0, allow_nan=False)


@given(angles, coords, coords, coords)
def test_rotate_about_a_body_axis_matches_the_rotation_matrix(
    deg: float, x: float, y: float, z: float
) -> None:
    p = np.array([[x, y, z]])
    for axis, rot in ((0, rot_x), (1, rot_y), (2, rot_z)):
        unit = np.zeros((1, 3))
        unit[0, axis] = 1.0
        by_formula = rotate_about(p, unit, np.array([deg]), np.zeros((1, 3)))
        by_matrix = rot(np.array([deg]))[0] @ p[0]
        np.testing.assert_allclose(by_formula[0], by_matrix, atol=1e-9)


@given(
    angles,
    st.tuples(coords, coords, coords),
    st.tuples(coords, coords, coords),
    st.tuples(coords, coords, coords),
)
def test_rotate_about_keeps_distances_to_the_pivot_and_the_axis(
    deg: float,
    point: tuple[float, float, float],
    axis: tuple[float, float, float],
    pivot: tuple[float, float, float],
) -> None:
    a = np.array([axis])
    if np.linalg.norm(a) < 1e-3:
        a = np.array([[0.0, 0.0, 1.0]])
    p, c = np.array([point]), np.array([pivot])
    q = rotate_about(p, a, np.array([deg]), c)
    assert np.isclose(np.linalg.norm(q - c), np.linalg.norm(p - c), atol=1e-9)
    k = a[0] / np.linalg.norm(a[0])
    assert np.isclose((q - c)[0] @ k, (p - c)[0] @ k, atol=1e-9)


@given(st.floats(1.4, 2.1), st.floats(-30, 120), st.floats(-20, 40), st.floats(0, 130))
def test_leg_segments_keep_their_lengths_whatever_the_pose(
    height: float, flexion: float, abduction: float, knee: float
) -> None:
    dims = BodyDims.from_height(height)
    hip = np.zeros((1, 3))
    leg = leg_points(
        hip, np.array([flexion]), np.array([abduction]), np.array([knee]), "left", dims
    )
    assert np.isclose(np.linalg.norm(leg["left_knee"] - hip), dims.thigh)
    assert np.isclose(np.linalg.norm(leg["left_ankle"] - leg["left_knee"]), dims.shank)
    thigh = leg["left_knee"][0] - hip[0]
    shank = leg["left_ankle"][0] - leg["left_knee"][0]
    cos = thigh @ shank / (np.linalg.norm(thigh) * np.linalg.norm(shank))
    bend = np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))
    assert np.isclose(bend, knee, atol=1e-4)  # arccos is coarse near 0


@given(
    st.tuples(coords, coords, st.floats(0.3, 2.0)),
    st.tuples(coords, coords, coords),
    st.floats(0.5, 8.0),
)
def test_a_point_on_the_optical_axis_lands_in_the_image_centre(
    offset: tuple[float, float, float], target: tuple[float, float, float], distance: float
) -> None:
    assume(np.hypot(offset[0], offset[1]) > 0.1)  # a level camera never looks straight down
    target_a = np.array(target)
    direction = np.array(offset) / np.linalg.norm(offset)
    camera = look_at(
        target_a + distance * direction, target_a, focal_from_fov((1280, 720), 65.0), (1280, 720)
    )
    on_axis = target_a - 0.7 * direction  # beyond the target, still on the axis
    np.testing.assert_allclose(camera.project(on_axis), [0.5, 0.5], atol=1e-9)
    np.testing.assert_allclose(camera.rotation @ camera.rotation.T, np.eye(3), atol=1e-9)
    assert np.isclose(np.linalg.det(camera.rotation), 1.0)


def test_image_z_is_depth_from_the_hips_in_the_scale_of_x() -> None:
    size = (1000, 1000)
    camera = look_at(np.array([0.0, -3.0, 1.0]), np.array([0.0, 0.0, 1.0]), 500.0, size)
    hips = np.array([[[0.0, 0.0, 1.0], [0.2, 0.5, 1.0]]])  # the second point is 0.5 m farther
    image, world = observe(camera, hips, hips[:, 0])
    assert np.isclose(image[0, 0, 2], 0.0)
    assert np.isclose(image[0, 1, 2], 0.5 * 500.0 / (3.0 * 1000))
    np.testing.assert_allclose(world[0, 1], [0.2, 0.0, 0.5], atol=1e-12)  # x right, y down, z away


def _clean(exercise: str, side: str, view: str) -> Scenario:
    return Scenario(
        exercise, working_side=side, view=view, n_reps=3, noise=NoiseModel.none(), seed=7
    )  # type: ignore[arg-type]


def test_the_right_side_is_the_mirror_image_of_the_left_side() -> None:
    for exercise, view in (
        ("clamshell", "front"),
        ("clamshell", "foot_end"),
        ("heel_slide", "oblique"),
        ("standing_knee_lift", "front"),
        ("seated_knee_lift", "side"),
    ):
        left, _ = generate(_clean(exercise, "left", view))
        right, _ = generate(_clean(exercise, "right", view))
        order = [LANDMARK_NAMES.index(mirror_name(n)) for n in LANDMARK_NAMES]
        mirrored = right.image[:, order]
        np.testing.assert_allclose(mirrored[..., 0], 1.0 - left.image[..., 0], atol=1e-9)
        np.testing.assert_allclose(mirrored[..., 1:], left.image[..., 1:], atol=1e-9)
        np.testing.assert_allclose(right.world[:, order, 0], -left.world[..., 0], atol=1e-9)  # type: ignore[index]


@settings(max_examples=10, deadline=None)
@given(
    st.sampled_from(["clamshell", "side_lying_leg_lift", "foot_slide_elevated", "leg_lower"]),
    st.integers(0, 10_000),
)
def test_world_landmarks_are_centred_on_the_hips(exercise: str, seed: int) -> None:
    series, _ = generate(Scenario(exercise, n_reps=2, noise=NoiseModel.none(), seed=seed))
    assert series.world is not None
    hips = (series.point("left_hip", "world") + series.point("right_hip", "world")) / 2
    np.testing.assert_allclose(hips, 0.0, atol=1e-9)
