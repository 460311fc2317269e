"""The live-coach WebSocket: landmark mode, frame mode, backpressure, broken sockets."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable

import cv2
import numpy as np
import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from hipcoach.pose.landmarks import PoseSeries
from hipcoach.web.live_socket import LatestFrame, _Frame
from hipcoach.web.protocol import encode_binary_frame, format_landmark_message
from hipcoach.web.services import WebServices
from tests.web.conftest import WS_URL, ReplayEstimator, series_poses, wait_for

START_LANDMARKS = {"type": "start", "exercise": "side_lying_leg_lift", "mode": "landmarks"}


def _tiny_jpeg(value: int = 0) -> bytes:
    ok, data = cv2.imencode(".jpg", np.full((48, 64, 3), value, dtype=np.uint8))
    assert ok
    return data.tobytes()


def _replay_landmarks(ws: object, series: PoseSeries) -> list[dict]:
    """Send every pose as a landmark message, one at a time like a real client."""
    results = []
    for frame in series.frames():
        pose = frame if np.isfinite(frame.image[:, 0]).any() else None
        ws.send_text(json.dumps(format_landmark_message(pose, frame.t)))  # type: ignore[attr-defined]
        results.append(ws.receive_json())  # type: ignore[attr-defined]
    return results


def test_landmark_mode_counts_the_real_rep(
    make_client: Callable[..., TestClient], leg_lift_series: PoseSeries
) -> None:
    client = make_client()
    with client.websocket_connect(WS_URL) as ws:
        ws.send_json(START_LANDMARKS)
        ready = ws.receive_json()
        assert ready["type"] == "ready" and ready["mode"] == "landmarks"
        assert len(ready["skeleton"]) > 10
        results = _replay_landmarks(ws, leg_lift_series)
        ws.send_json({"type": "end"})
        end = ws.receive_json()
    assert [r["type"] for r in results] == ["result"] * len(leg_lift_series)
    assert [r["seq"] for r in results] == list(range(1, len(leg_lift_series) + 1))
    assert results[-1]["rep_count"] == 1
    assert all(r["pose"] is None for r in results), "landmark clients already have their pose"
    events = [e for r in results for e in r["events"]]
    assert [e["rep"]["index"] for e in events if e["type"] == "rep"] == [1]
    raised = {e["cue"] for e in events if e["type"] == "cue"}
    assert {r["cue"]["cue"] for r in results if r["cue"]} <= raised
    assert end["type"] == "set_end" and end["interrupted"] is False
    assert end["report"]["rep_count"] == 1 and end["report"]["side"] == "left"


def test_a_leg_lift_under_the_clamshell_coach_is_told_to_keep_the_feet_together(
    make_client: Callable[..., TestClient], leg_lift_series: PoseSeries
) -> None:
    """The real clip lifts a straight leg: the feet part, which a clamshell must not do."""
    client = make_client()
    with client.websocket_connect(WS_URL) as ws:
        ws.send_json({"type": "start", "exercise": "clamshell", "mode": "landmarks"})
        ws.receive_json()
        results = _replay_landmarks(ws, leg_lift_series)
    shown = [r["cue"] for r in results if r["cue"]]
    assert results[-1]["rep_count"] == 1
    assert "feet_apart" in [c["cue"] for c in shown]
    assert any("feet together" in c["message"] for c in shown)


def test_frame_mode_decodes_jpeg_and_answers_with_the_pose(
    make_client: Callable[..., TestClient], leg_lift_series: PoseSeries
) -> None:
    estimator = ReplayEstimator(series_poses(leg_lift_series))
    client = make_client(services=WebServices(create_estimator=lambda: estimator))
    with client.websocket_connect(WS_URL) as ws:
        ws.send_json({"type": "start", "exercise": "side_lying_leg_lift"})
        assert ws.receive_json()["type"] == "ready"
        ws.send_bytes(encode_binary_frame(_tiny_jpeg(), 0.5))
        first = ws.receive_json()
        ws.send_bytes(_tiny_jpeg(40))  # a bare JPEG: the server times it
        second = ws.receive_json()
        ws.send_json({"type": "end"})
        ws.receive_json()
    assert first["t"] == pytest.approx(0.5)
    assert second["t"] > first["t"]
    assert first["person"] is True and len(first["pose"]) == 33
    assert all(len(p) == 3 for p in first["pose"])
    assert estimator.sizes == [(64, 48), (64, 48)]
    # Closed on the socket's own thread just after set_end goes out.
    assert wait_for(lambda: estimator.closed), "the socket's MediaPipe graph must be closed"


def test_newest_frame_wins_when_the_engine_is_slower_than_the_client(
    make_client: Callable[..., TestClient], leg_lift_series: PoseSeries
) -> None:
    estimator = ReplayEstimator(series_poses(leg_lift_series), delay_s=0.05)
    client = make_client(services=WebServices(create_estimator=lambda: estimator))
    sent = 40
    with client.websocket_connect(WS_URL) as ws:
        ws.send_json({"type": "start", "exercise": "side_lying_leg_lift"})
        ws.receive_json()
        for i in range(sent):
            ws.send_bytes(encode_binary_frame(_tiny_jpeg(), i / 30))
        ws.send_json({"type": "end"})
        replies = []
        while (message := ws.receive_json())["type"] != "set_end":
            replies.append(message)
    assert 1 <= len(replies) < sent
    assert estimator.calls == len(replies)
    assert replies[-1]["dropped"] + len(replies) <= sent
    assert replies[-1]["dropped"] > 0
    assert replies[-1]["t"] == pytest.approx((sent - 1) / 30), "the newest frame is processed"


def test_mailbox_keeps_only_the_newest_frame() -> None:
    async def scenario() -> tuple[list[float], int]:
        box = LatestFrame()
        for t in (1.0, 2.0, 3.0):
            box.put(_Frame(b"x", None, t))
        first = await box.take()
        box.put(_Frame(b"x", None, 4.0))
        box.end()
        second = await box.take()
        done = await box.take()
        assert first and second and done is None
        return [first.t, second.t], box.dropped

    times, dropped = asyncio.run(scenario())
    assert times == [3.0, 4.0]
    assert dropped == 2


def test_a_closed_socket_ends_the_set_and_keeps_finished_reps(
    make_client: Callable[..., TestClient], leg_lift_series: PoseSeries
) -> None:
    services = WebServices()
    client = make_client(services=services)
    with client.websocket_connect(WS_URL) as ws:
        ws.send_json(START_LANDMARKS)
        set_id = ws.receive_json()["set_id"]
        results = _replay_landmarks(ws, leg_lift_series)
        assert results[-1]["rep_count"] == 1
        # leave without {"type": "end"}: the page was closed or the network dropped
    finished = wait_for(lambda: services.finished_sets.get(set_id))
    assert finished.interrupted is True  # type: ignore[attr-defined]
    assert finished.report.rep_count == 1  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("first", "expected"),
    [
        ({"type": "start", "exercise": "no_such_exercise"}, "no_such_exercise"),
        ({"type": "start", "exercise": "clamshell", "variation": "upside_down"}, "upside_down"),
        ({"type": "start", "exercise": "clamshell", "mode": "video"}, "mode"),
        ({"type": "hello"}, "start message"),
    ],
)
def test_a_bad_start_message_gets_a_plain_error_and_a_close(
    make_client: Callable[..., TestClient], first: dict, expected: str
) -> None:
    client = make_client()
    with client.websocket_connect(WS_URL) as ws:
        ws.send_json(first)
        error = ws.receive_json()
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert error["type"] == "error" and error["fatal"] is True
    assert expected in error["message"]
    assert closed.value.code == 4400


def test_a_broken_frame_is_reported_and_the_set_goes_on(
    make_client: Callable[..., TestClient], leg_lift_series: PoseSeries
) -> None:
    estimator = ReplayEstimator(series_poses(leg_lift_series))
    client = make_client(services=WebServices(create_estimator=lambda: estimator))
    with client.websocket_connect(WS_URL) as ws:
        ws.send_json({"type": "start", "exercise": "side_lying_leg_lift"})
        ws.receive_json()
        ws.send_bytes(b"\xff\xd8 this is not really a jpeg")
        error = ws.receive_json()
        ws.send_text("{not json")
        error2 = ws.receive_json()
        ws.send_json({"type": "landmarks", "t": 1.0})
        error3 = ws.receive_json()
        ws.send_bytes(encode_binary_frame(_tiny_jpeg(), 1.0))
        result = ws.receive_json()
        ws.send_json({"type": "ping"})
        pong = ws.receive_json()
    assert error["type"] == "error" and error["fatal"] is False and "JPEG" in error["message"]
    assert error2["type"] == "error" and "JSON" in error2["message"]
    assert error3["type"] == "error" and "frames mode" in error3["message"]
    assert result["type"] == "result" and result["seq"] == 1
    assert pong["type"] == "pong"


def test_landmark_message_errors_name_the_bad_key(make_client: Callable[..., TestClient]) -> None:
    client = make_client()
    with client.websocket_connect(WS_URL) as ws:
        ws.send_json(START_LANDMARKS)
        ws.receive_json()
        ws.send_json({"t": 0.1, "left_hip_x": "left"})
        error = ws.receive_json()
        ws.send_json({"left_hip_x": 0.5})
        error2 = ws.receive_json()
        ws.send_json({"t": 0.2})  # nobody in view: fine
        result = ws.receive_json()
    assert "left_hip_x" in error["message"]
    assert "`t`" in error2["message"]
    assert result["type"] == "result" and result["person"] is False
