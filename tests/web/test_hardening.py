"""Issue #9 in process: headers, sessions after logout, scrypt off the loop, frame headers,
capture times, the lazy camera graph and the server-failure close code."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import cv2
import numpy as np
import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from hipcoach.analysis.events import Event
from hipcoach.config import Settings
from hipcoach.pose.landmarks import PoseSeries
from hipcoach.web.frames import MAX_FRAME_SIDE, FrameError, check_frame_size, frame_size
from hipcoach.web.headers import CSP_DIRECTIVES, content_security_policy
from hipcoach.web.live import MAX_TIME_JUMP_S, LiveCoach, create_engine_analyser
from hipcoach.web.protocol import ProtocolError, encode_binary_frame
from hipcoach.web.services import WebServices
from tests.web.conftest import WS_URL, ReplayEstimator, csrf_token, series_poses, wait_for
from tests.web.wsclient import jpeg_header_only, png_header_only

PASSWORD = "correct horse battery"
SECURITY_HEADERS = (
    "content-security-policy",
    "x-frame-options",
    "x-content-type-options",
    "referrer-policy",
)


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/library", 200),
        ("GET", "/static/app.css", 200),
        ("GET", "/no/such/page", 404),
        ("HEAD", "/library", 200),
        ("POST", "/session/start", 403),
    ],
)
def test_every_response_carries_the_security_headers(
    make_client: Callable[..., TestClient], method: str, path: str, status: int
) -> None:
    """Case 7: no CSP, framing, sniffing or referrer rules on any response."""
    response = make_client().request(method, path)
    assert response.status_code == status
    for name in SECURITY_HEADERS:
        assert name in response.headers, name
    assert response.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert "strict-transport-security" not in response.headers, "HSTS only over https"


def test_refusals_from_the_gate_and_limits_carry_them_too(
    make_client: Callable[..., TestClient],
) -> None:
    client = make_client()
    refused = client.get("/library", headers={"host": "attacker.example"})
    too_big = client.post("/api/sets", content=b"x" * (300 * 1024))
    assert refused.status_code == 421 and too_big.status_code == 413
    for response in (refused, too_big):
        assert "content-security-policy" in response.headers


def test_hsts_over_https(make_client: Callable[..., TestClient], web_settings: Settings) -> None:
    client = make_client()
    client.base_url = client.base_url.copy_with(scheme="https")
    response = client.get("/library")
    assert response.headers["strict-transport-security"].startswith("max-age=")


def test_the_policy_allows_blazepose_from_self_only() -> None:
    policy = content_security_policy("127.0.0.1:8000")
    assert "script-src 'self' 'wasm-unsafe-eval'" in policy
    assert "worker-src 'self' blob:" in policy
    assert "connect-src 'self' ws://127.0.0.1:8000 wss://127.0.0.1:8000" in policy
    assert "img-src 'self' data: blob:" in policy and "media-src 'self' blob:" in policy
    assert "'unsafe-eval'" not in policy.replace("'wasm-unsafe-eval'", "")
    assert "http:" not in policy and "https:" not in policy and "*" not in policy
    assert set(CSP_DIRECTIVES) <= {p.split()[0] for p in policy.split("; ")}
    assert "evil" not in content_security_policy("x; script-src evil"), "hosts are checked"


@pytest.fixture
def login_client(make_client: Callable[..., TestClient], web_settings: Settings) -> TestClient:
    settings = web_settings.model_copy(update={"password": PASSWORD})
    return make_client(settings=settings, bind_host="0.0.0.0")


def _log_in(client: TestClient) -> str:
    token = csrf_token(client, "/login")
    reply = client.post(
        "/login", data={"csrf_token": token, "password": PASSWORD}, follow_redirects=False
    )
    assert reply.status_code == 303
    return str(client.cookies.get("hipcoach_session"))


def test_logout_ends_the_session_for_every_copy_of_its_cookie(
    login_client: TestClient, make_client: Callable[..., TestClient]
) -> None:
    """Case 8: a cookie copied before logout kept working for 12 h."""
    copied = _log_in(login_client)
    login_client.cookies.clear()
    login_client.cookies.set("hipcoach_session", copied)
    assert login_client.get("/api/exercises").status_code == 200
    login_client.post("/logout", data={"csrf_token": csrf_token(login_client)})
    login_client.cookies.clear()
    login_client.cookies.set("hipcoach_session", copied)
    assert login_client.get("/api/exercises").status_code == 401
    login_page = login_client.get("/login", headers={"accept": "text/html"})
    assert login_page.status_code == 200, "an ended session is shown the login page"


def test_a_new_password_ends_every_session(login_client: TestClient) -> None:
    _log_in(login_client)
    assert login_client.get("/api/exercises").status_code == 200
    guard = login_client.app.state.guard  # type: ignore[attr-defined]
    guard.set_password("another long password")
    assert login_client.get("/api/exercises").status_code == 401
    assert guard.check_password("another long password")


def test_passwords_are_hashed_off_the_event_loop(login_client: TestClient) -> None:
    """Case 9: scrypt ran on the event loop (~60 ms each), stalling every live socket."""
    guard = login_client.app.state.guard  # type: ignore[attr-defined]
    on_loop: list[bool] = []
    real_check = guard.check_password

    def recording_check(password: str) -> bool:
        try:
            asyncio.get_running_loop()
            on_loop.append(True)
        except RuntimeError:  # no loop runs in this thread
            on_loop.append(False)
        return bool(real_check(password))

    guard.check_password = recording_check
    token = csrf_token(login_client, "/login")
    login_client.post("/login", data={"csrf_token": token, "password": "wrong"})
    login_client.post("/login", data={"csrf_token": token, "password": PASSWORD})
    assert on_loop == [False, False]


def test_frame_headers_give_the_size_before_decoding() -> None:
    ok, jpeg = cv2.imencode(".jpg", np.zeros((48, 64, 3), dtype=np.uint8))
    ok2, progressive = cv2.imencode(
        ".jpg", np.zeros((30, 70, 3), dtype=np.uint8), [cv2.IMWRITE_JPEG_PROGRESSIVE, 1]
    )
    ok3, png = cv2.imencode(".png", np.zeros((5, 9, 3), dtype=np.uint8))
    assert ok and ok2 and ok3
    assert frame_size(jpeg.tobytes()) == (64, 48)
    assert frame_size(progressive.tobytes()) == (70, 30)
    assert frame_size(png.tobytes()) == (9, 5)
    assert frame_size(png_header_only(32000, 32000)) == (32000, 32000)
    assert frame_size(jpeg_header_only(65000, 12)) == (65000, 12)
    for bad in (b"", b"GIF89a", b"\xff\xd8\x00\x00", b"\x89PNG\r\n\x1a\n"):
        with pytest.raises(FrameError):
            frame_size(bad)
    check_frame_size(MAX_FRAME_SIDE, 1000)
    for width, height in ((MAX_FRAME_SIDE + 1, 10), (4000, 4000), (0, 10)):
        with pytest.raises(FrameError):
            check_frame_size(width, height)


def test_capture_times_out_of_order_or_jumping_are_refused_one_by_one(
    leg_lift_series: PoseSeries,
) -> None:
    coach = LiveCoach(create_engine_analyser_for_tests())
    pose = leg_lift_series.frame(0)
    assert coach.handle_pose(pose, 1.0).t == 1.0
    assert coach.handle_pose(pose, 1.0).t == pytest.approx(1.001), "equal times are nudged"
    with pytest.raises(ProtocolError, match="before"):
        coach.handle_pose(pose, 0.5)
    with pytest.raises(ProtocolError, match="jumps"):
        coach.handle_pose(pose, 1.0 + MAX_TIME_JUMP_S + 1)
    assert coach.handle_pose(pose, 2.0).seq == 3, "refused messages are not counted"


def create_engine_analyser_for_tests() -> object:
    from hipcoach.exercises.catalogue import get_exercise

    return create_engine_analyser(get_exercise("side_lying_leg_lift"), None, "auto")


def test_the_camera_graph_is_made_on_the_first_frame_and_closed_after(
    make_client: Callable[..., TestClient], leg_lift_series: PoseSeries
) -> None:
    """Case 4: every idle camera socket held its own MediaPipe graph (~104 MB)."""
    made: list[ReplayEstimator] = []

    def factory() -> ReplayEstimator:
        made.append(ReplayEstimator(series_poses(leg_lift_series)))
        return made[-1]

    client = make_client(services=WebServices(create_estimator=factory))  # type: ignore[arg-type]
    with client.websocket_connect(WS_URL) as ws:
        ws.send_json({"type": "start", "exercise": "side_lying_leg_lift"})
        assert ws.receive_json()["type"] == "ready"
        ws.send_json({"type": "ping"})
        ws.receive_json()
        assert made == [], "no graph for a socket that has sent no frame"
        _, jpeg = cv2.imencode(".jpg", np.zeros((48, 64, 3), dtype=np.uint8))
        ws.send_bytes(encode_binary_frame(jpeg.tobytes(), 0.1))
        assert ws.receive_json()["type"] == "result"
        ws.send_json({"type": "end"})
        ws.receive_json()
    assert len(made) == 1
    wait_for(lambda: made[0].closed)  # closed on the socket's own thread, just after set_end


class _BrokenAnalyser:
    """Counts one rep, then fails as a bug in the engine would."""

    def __init__(self, real: object) -> None:
        self.real = real
        self.calls = 0

    def __getattr__(self, name: str) -> object:
        return getattr(self.real, name)

    def update(self, frame: object, t: float) -> list[Event]:
        self.calls += 1
        if self.calls > 165:
            raise ValueError("engine bug")
        return self.real.update(frame, t)  # type: ignore[attr-defined,no-any-return]


def test_a_failure_on_the_server_closes_with_1011_and_keeps_the_finished_rep(
    make_client: Callable[..., TestClient], leg_lift_series: PoseSeries
) -> None:
    services = WebServices(
        create_analyser=lambda *args: _BrokenAnalyser(create_engine_analyser(*args))  # type: ignore[arg-type,return-value]
    )
    from hipcoach.web.protocol import format_landmark_message

    client = make_client(services=services)
    with client.websocket_connect(WS_URL) as ws:
        ws.send_json({"type": "start", "exercise": "side_lying_leg_lift", "mode": "landmarks"})
        set_id = ws.receive_json()["set_id"]
        replies = []
        with pytest.raises(WebSocketDisconnect) as closed:
            for frame in leg_lift_series.frames():
                pose = frame if np.isfinite(frame.image[:, 0]).any() else None
                ws.send_json(format_landmark_message(pose, frame.t))
                replies.append(ws.receive_json())
                if replies[-1]["type"] == "error":
                    replies.append(ws.receive_json())  # set_end
                    ws.receive_json()
    assert closed.value.code == 1011
    assert replies[-2]["type"] == "error" and replies[-2]["fatal"] is True
    assert replies[-1]["type"] == "set_end" and replies[-1]["interrupted"] is True
    kept = services.finished_sets.get(set_id)
    assert kept is not None
    assert kept.report.rep_count == max(r.get("rep_count", 0) for r in replies) == 1


def test_a_reader_failure_closes_with_1011_and_keeps_the_set(
    make_client: Callable[..., TestClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Case 2's shape: an exception in the reader left the socket hanging with no close."""
    from hipcoach.web import live_socket

    def broken_dispatch(*args: object) -> str:
        raise OverflowError("int too large to convert to float")

    services = WebServices()
    client = make_client(services=services)
    with client.websocket_connect(WS_URL) as ws:
        ws.send_json({"type": "start", "exercise": "clamshell", "mode": "landmarks"})
        set_id = ws.receive_json()["set_id"]
        monkeypatch.setattr(live_socket, "_dispatch", broken_dispatch)
        ws.send_json({"t": 0.1})
        error = ws.receive_json()
        end = ws.receive_json()
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert error["type"] == "error" and error["fatal"] is True
    assert end["type"] == "set_end" and end["interrupted"] is True
    assert closed.value.code == 1011
    assert services.finished_sets.get(set_id) is not None
