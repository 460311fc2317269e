"""Socket message shapes: landmark rows as JSON, tagged binary frames, start messages."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hipcoach.pose.landmark_csv import IMAGE_COLUMNS, landmark_header
from hipcoach.pose.landmarks import LANDMARK_NAMES, N_LANDMARKS, PoseFrame
from hipcoach.web.protocol import (
    FRAME_TAG,
    ProtocolError,
    encode_binary_frame,
    format_landmark_message,
    parse_landmark_message,
    parse_start,
    pose_for_drawing,
    skeleton_edges,
    split_binary_frame,
)

coords = st.floats(min_value=-0.5, max_value=1.5, allow_nan=False)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(coords, min_size=N_LANDMARKS * 3, max_size=N_LANDMARKS * 3),
    st.floats(min_value=0, max_value=1e5, allow_nan=False),
)
def test_landmark_messages_round_trip(values: list[float], t: float) -> None:
    image = np.array(values).reshape(N_LANDMARKS, 3)
    frame = PoseFrame(t=t, image=image, visibility=np.linspace(0, 1, N_LANDMARKS))
    parsed, parsed_t = parse_landmark_message(format_landmark_message(frame, t))
    assert parsed is not None and parsed_t == pytest.approx(t, abs=1e-6)
    np.testing.assert_allclose(parsed.image, image, atol=1e-5)
    np.testing.assert_allclose(parsed.visibility, frame.visibility, atol=1e-4)


def test_landmark_message_keys_are_the_landmark_csv_header() -> None:
    frame = PoseFrame(
        t=0.0,
        image=np.zeros((N_LANDMARKS, 3)),
        visibility=np.ones(N_LANDMARKS),
        world=np.zeros((N_LANDMARKS, 3)),
    )
    message = format_landmark_message(frame, 0.0)
    assert set(message) - {"type"} == set(landmark_header(with_world=True))


def test_world_coordinates_and_image_size_travel_with_the_pose() -> None:
    world = np.arange(N_LANDMARKS * 3, dtype=float).reshape(N_LANDMARKS, 3) / 100
    frame = PoseFrame(
        t=1.0, image=np.full((N_LANDMARKS, 3), 0.5), visibility=np.ones(N_LANDMARKS), world=world
    )
    parsed, _ = parse_landmark_message(format_landmark_message(frame, 1.0), image_size=(640, 352))
    assert parsed is not None and parsed.image_size == (640, 352)
    np.testing.assert_allclose(parsed.world, world, atol=1e-5)  # type: ignore[arg-type]


def test_a_message_with_no_coordinates_means_nobody_in_view() -> None:
    pose, t = parse_landmark_message({"t": 2.5})
    assert pose is None and t == 2.5
    empty, _ = parse_landmark_message(format_landmark_message(None, 3.0))
    assert empty is None


def test_a_partial_message_keeps_what_was_sent_and_marks_the_rest_unseen() -> None:
    # Unsent or null coordinates become NaN, an unsent visibility 0; world coordinates
    # come back only when at least one was sent; z alone does not put anyone in view.
    message = {"t": 1.0, "left_hip_x": 0.25, "left_hip_y": 0.75, "left_hip_visibility": 0.5}
    message |= {"nose_x": None, "right_knee_z": -0.1, "left_knee_wy": 0.3}
    pose, _ = parse_landmark_message(message)
    assert pose is not None and pose.world is not None
    hip, knee, nose = (LANDMARK_NAMES.index(n) for n in ("left_hip", "right_knee", "nose"))
    np.testing.assert_array_equal(pose.image[hip, :2], [0.25, 0.75])
    assert np.isnan(pose.image[hip, 2]) and np.isnan(pose.image[nose]).all()
    assert pose.image[knee, 2] == -0.1 and np.isnan(pose.image[knee, :2]).all()
    assert pose.visibility[hip] == 0.5 and (np.delete(pose.visibility, hip) == 0).all()
    left_knee = LANDMARK_NAMES.index("left_knee")
    assert pose.world[left_knee, 1] == 0.3 and np.isnan(pose.world).sum() == 3 * N_LANDMARKS - 1
    image_only, _ = parse_landmark_message({"t": 1.0, "nose_x": 0.5, "nose_y": 0.5})
    assert image_only is not None and image_only.world is None
    z_only, _ = parse_landmark_message({"t": 1.0, "nose_z": 0.1, "nose_wx": 0.1})
    assert z_only is None


@pytest.mark.parametrize(
    ("message", "words"),
    [
        ({"left_hip_x": 0.5}, "`t`"),
        ({"t": "soon"}, "t: Input should be a valid number"),
        ({"t": float("inf")}, "finite"),
        ({"t": 1.0, "nose_y": [1, 2]}, "nose_y"),
        ({"t": 1.0, "nose_visibility": True}, "nose_visibility"),
    ],
)
def test_bad_landmark_messages_name_the_problem(message: dict, words: str) -> None:
    with pytest.raises(ProtocolError, match=words):
        parse_landmark_message(message)


def test_binary_frames_carry_an_optional_capture_time() -> None:
    jpeg = b"\xff\xd8\xff\xe0 pretend"
    assert split_binary_frame(jpeg) == (jpeg, None)
    tagged = encode_binary_frame(jpeg, 12.25)
    assert tagged.startswith(FRAME_TAG)
    assert split_binary_frame(tagged) == (jpeg, 12.25)
    with pytest.raises(ProtocolError):
        split_binary_frame(FRAME_TAG + b"\x00")
    with pytest.raises(ProtocolError):
        split_binary_frame(encode_binary_frame(jpeg, math.nan))


def test_start_messages_are_validated() -> None:
    start = parse_start({"type": "start", "exercise": "clamshell"})
    assert start.mode == "frames" and start.side == "auto"
    with pytest.raises(ProtocolError, match="side"):
        parse_start({"type": "start", "exercise": "clamshell", "side": "middle"})


def test_drawing_pose_and_bones_use_landmark_names() -> None:
    image = np.full((N_LANDMARKS, 3), 0.25)
    image[0] = np.nan
    pose = pose_for_drawing(PoseFrame(t=0, image=image, visibility=np.ones(N_LANDMARKS)))
    assert pose is not None and pose[0][:2] == [-1.0, -1.0] and pose[1] == [0.25, 0.25, 1.0]
    edges = skeleton_edges()
    hips = (LANDMARK_NAMES.index("left_hip"), LANDMARK_NAMES.index("right_hip"))
    assert hips in edges
    assert all(0 <= a < N_LANDMARKS and 0 <= b < N_LANDMARKS for a, b in edges)
    assert len(IMAGE_COLUMNS) == 4 * N_LANDMARKS
