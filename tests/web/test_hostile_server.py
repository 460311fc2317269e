"""Issue #9's crash and hang cases, each tried against a real `hipcoach serve` process.

One server runs for the module (small caps so the limits are reachable); its own log must
stay free of tracebacks, and SIGTERM must still stop it after everything it went through.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import struct
import time
from collections.abc import Iterator
from pathlib import Path

import cv2
import httpx
import numpy as np
import pytest

from hipcoach.pose.landmarks import PoseSeries
from hipcoach.web.protocol import encode_binary_frame, format_landmark_message
from tests.web.conftest import CSRF_META
from tests.web.live_server import LiveServer, assert_clean_log, start_server
from tests.web.wsclient import (
    close_code,
    jpeg_header_only,
    open_socket,
    png_header_only,
    recv_json,
    start,
)

HUGE_INT = "1" + "0" * 400
DEEP = "[" * 2000 + "]" * 2000


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    tmp = tmp_path_factory.mktemp("hostile")
    live = start_server(tmp, max_camera_sockets="2", live_start_timeout_s="1")
    yield live
    code = live.stop()  # raises when SIGTERM does not stop it within 20 s
    assert_clean_log(live)
    # uvicorn shuts down, then re-raises the signal it caught, so the status names SIGTERM.
    assert code in (0, -15)


def _messages(series: PoseSeries) -> list[str]:
    out = []
    for frame in series.frames():
        pose = frame if np.isfinite(frame.image[:, 0]).any() else None
        out.append(json.dumps(format_landmark_message(pose, frame.t)))
    return out


def _replay_with(server: LiveServer, series: PoseSeries, hostile: list[str]) -> dict:
    """Replay the real one-rep clip, sending the hostile messages half-way; every hostile
    message must get a non-fatal error and the set must still count its rep."""
    messages = _messages(series)
    half = len(messages) // 2
    with open_socket(server.ws_url) as ws:
        start(ws)
        for text in messages[:half]:
            ws.send(text)
            assert recv_json(ws)["type"] == "result"
        for text in hostile:
            ws.send(text)
            error = recv_json(ws)
            assert error["type"] == "error" and error["fatal"] is False, error
        for text in messages[half:]:
            ws.send(text)
            assert recv_json(ws)["type"] == "result"
        ws.send(json.dumps({"type": "end"}))
        code, seen = close_code(ws)
    assert code == 1000 and seen[-1]["type"] == "set_end"
    return seen[-1]


def test_image_bombs_get_an_error_and_are_never_decoded(server: LiveServer) -> None:
    """Case 1: a 32000x32000 PNG sent as a frame crashed MediaPipe (and the server)."""
    ok, big = cv2.imencode(".png", np.zeros((4200, 4200, 3), dtype=np.uint8))
    assert ok
    bombs = [
        png_header_only(32000, 32000),
        png_header_only(20000, 20000),
        jpeg_header_only(65000, 65000),
        encode_binary_frame(png_header_only(32000, 32000), 1.0),
        big.tobytes(),  # a real, decodable image over the side cap
    ]
    with open_socket(server.ws_url) as ws:
        start(ws, mode="frames")
        errors = []
        for bomb in bombs:
            ws.send(bomb)
            errors.append(recv_json(ws))
        ws.send(b"GIF89a not a jpeg")
        errors.append(recv_json(ws))
        ws.send(json.dumps({"type": "ping"}))
        assert recv_json(ws)["type"] == "pong"
    assert all(e["type"] == "error" and e["fatal"] is False for e in errors), errors
    assert "32000x32000" in errors[0]["message"] and "limit" in errors[0]["message"]
    assert "65000x65000" in errors[2]["message"]
    assert "4200x4200" in errors[4]["message"]
    assert "JPEG" in errors[5]["message"]
    assert server.alive()


def test_numbers_too_large_for_a_float_are_errors_and_the_rep_is_kept(
    server: LiveServer, leg_lift_series: PoseSeries
) -> None:
    """Case 2: `{"t": 1e400 as digits}` killed the reader silently and lost the set."""
    hostile = [
        f'{{"t": {HUGE_INT}}}',
        f'{{"t": 1.0, "left_hip_x": {HUGE_INT}}}',
        '{"t": 1e400}',
        '{"t": 2.0, "nose_wx": -1e999}',
        '{"t": NaN}',
    ]
    end = _replay_with(server, leg_lift_series, hostile)
    assert end["report"]["rep_count"] == 1 and end["interrupted"] is False


def test_a_huge_image_size_at_start_is_a_bad_start(server: LiveServer) -> None:
    with open_socket(server.ws_url) as ws:
        ws.send(
            f'{{"type": "start", "exercise": "clamshell", "mode": "landmarks", '
            f'"image_size": [{HUGE_INT}, 480]}}'
        )
        code, seen = close_code(ws)
    assert code == 4400 and seen[0]["fatal"] is True and "image_size" in seen[0]["message"]


def test_deep_nesting_is_an_error_not_a_traceback(
    server: LiveServer, leg_lift_series: PoseSeries
) -> None:
    """Case 3: 2000 nested arrays raised RecursionError (close 1006, silent drop mid-set)."""
    with open_socket(server.ws_url) as ws:
        ws.send(DEEP)
        code, seen = close_code(ws)
    assert code == 4400 and seen[0]["type"] == "error" and seen[0]["fatal"] is True
    end = _replay_with(server, leg_lift_series, [DEEP, '{"t": ' + DEEP + "}"])
    assert end["report"]["rep_count"] == 1


def test_a_far_future_time_is_refused_and_the_set_goes_on(
    server: LiveServer, leg_lift_series: PoseSeries
) -> None:
    """Case 5: one t = 1e12 nudged every later frame past it; reps dropped to 0."""
    end = _replay_with(server, leg_lift_series, ['{"t": 1e12}', '{"t": 500000.0}', '{"t": -5.0}'])
    assert end["report"]["rep_count"] == 1
    assert end["report"]["duration_s"] < float(leg_lift_series.t[-1]) + 1


def test_camera_sockets_are_capped_with_a_clear_refusal(server: LiveServer) -> None:
    """Case 4: no cap on camera sockets (each held a MediaPipe graph)."""
    first, second = open_socket(server.ws_url), open_socket(server.ws_url)
    try:
        start(first, mode="frames")
        start(second, mode="frames")
        with open_socket(server.ws_url) as third:
            third.send(json.dumps({"type": "start", "exercise": "clamshell", "mode": "frames"}))
            code, seen = close_code(third)
        assert code == 1013
        assert seen[0]["fatal"] is True and "at most 2" in seen[0]["message"]
        with open_socket(server.ws_url) as landmarks:
            start(landmarks, mode="landmarks")  # landmark sets hold no graph: still welcome
    finally:
        first.close()
        second.close()
    with open_socket(server.ws_url) as again:  # the slots come back when sockets close
        ready_again = _start_when_free(again)
    assert ready_again


def _start_when_free(ws: object) -> bool:
    ws.send(json.dumps({"type": "start", "exercise": "clamshell", "mode": "frames"}))  # type: ignore[attr-defined]
    reply = recv_json(ws)  # type: ignore[arg-type]
    return reply["type"] == "ready"


def _raw_http(server: LiveServer, head: bytes, body: bytes = b"", timeout: float = 10) -> bytes:
    with socket.create_connection((server.host, server.port), timeout=timeout) as conn:
        conn.sendall(head + body)
        reply = b""
        while b"\r\n\r\n" not in reply:
            chunk = conn.recv(65536)
            if not chunk:
                break
            reply += chunk
    return reply


def test_bodies_over_the_limit_are_refused_before_they_are_read(server: LiveServer) -> None:
    """Case 6: a 900 MB form POST was read whole by the CSRF check."""
    host = f"{server.host}:{server.port}".encode()
    for path, kind in (
        (b"/api/analyse?exercise=clamshell", b"application/x-www-form-urlencoded"),
        (b"/api/analyse?exercise=clamshell", b"video/mp4"),
        (b"/login", b"application/x-www-form-urlencoded"),
        (b"/api/sets", b"application/json"),
    ):
        head = (
            b"POST "
            + path
            + b" HTTP/1.1\r\nHost: "
            + host
            + b"\r\nContent-Type: "
            + kind
            + b"\r\nContent-Length: 900000000\r\n\r\n"
        )
        reply = _raw_http(server, head, b"a=" + b"b" * 1000)  # the rest never comes
        assert reply.startswith(b"HTTP/1.1 413"), (path, reply[:200])


def test_a_chunked_body_over_the_limit_is_stopped(server: LiveServer) -> None:
    host = f"{server.host}:{server.port}".encode()
    head = (
        b"POST /api/sets HTTP/1.1\r\nHost: " + host + b"\r\nContent-Type: application/json"
        b"\r\nX-CSRF-Token: x\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    chunk = b"a" * 65536
    body = (b"%x\r\n" % len(chunk) + chunk + b"\r\n") * 6 + b"0\r\n\r\n"
    reply = _raw_http(server, head, body)
    assert reply.split(b"\r\n")[0] in (
        b"HTTP/1.1 413 Request Entity Too Large",
        b"HTTP/1.1 403 Forbidden",
    )


def test_an_oversized_header_is_refused_and_the_server_goes_on(server: LiveServer) -> None:
    """Case 11: a 100 MB header was accepted."""
    host = f"{server.host}:{server.port}".encode()
    head = b"GET / HTTP/1.1\r\nHost: " + host + b"\r\nX-Big: " + b"a" * (2 * 1024 * 1024)
    try:
        reply = _raw_http(server, head + b"\r\n\r\n")
    except (ConnectionResetError, BrokenPipeError):
        reply = b""
    assert not reply.startswith(b"HTTP/1.1 200"), reply[:100]
    assert reply == b"" or reply.startswith(b"HTTP/1.1 4")
    ok = _raw_http(server, b"GET /healthz HTTP/1.1\r\nHost: " + host + b"\r\n\r\n")
    assert ok.startswith(b"HTTP/1.1 200")


def test_head_is_answered_like_get_without_a_body(server: LiveServer) -> None:
    """Case 11: HEAD gave 405."""
    host = f"{server.host}:{server.port}".encode()
    reply = _raw_http(server, b"HEAD /library HTTP/1.1\r\nHost: " + host + b"\r\n\r\n")
    head, _, rest = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200") and rest == b""
    assert b"content-security-policy" in head.lower()


@pytest.mark.parametrize(
    ("first", "origin", "code"),
    [
        ('{"type": "start", "exercise": "no_such_exercise", "mode": "landmarks"}', None, 4400),
        ("not json at all", None, 4400),
        (None, None, 4400),  # nothing sent: closed after the start timeout
        (None, "http://attacker.example", 1008),
    ],
)
def test_close_codes_match_the_protocol_document(
    server: LiveServer, first: str | None, origin: str | None, code: int
) -> None:
    """Case 11: refusals were HTTP 403 and a missing start message closed with 1011."""
    with open_socket(server.ws_url, origin=origin) as ws:  # type: ignore[arg-type]
        if first is not None:
            ws.send(first)
        got, _ = close_code(ws)
    assert got == code


def test_text_over_64_kb_is_an_error(server: LiveServer) -> None:
    with open_socket(server.ws_url) as ws:
        start(ws)
        ws.send('{"t": 1.0, "pad": "' + "x" * 100_000 + '"}')
        error = recv_json(ws)
        ws.send(json.dumps({"type": "ping"}))
        pong = recv_json(ws)
    assert error["fatal"] is False and "65536 bytes" in error["message"]
    assert pong["type"] == "pong"


def test_a_message_over_4_mb_closes_with_1009(server: LiveServer) -> None:
    """Only the frame header of a 5 MB message is sent: the server refuses it from the
    declared length (a real 5 MB send races the close against a TCP reset)."""
    key = base64.b64encode(os.urandom(16))
    with socket.create_connection((server.host, server.port), timeout=10) as conn:
        conn.sendall(
            b"GET /ws/live HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\n"
            b"Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
            b"Sec-WebSocket-Version: 13\r\n\r\n" % (server.host.encode(), server.port, key)
        )
        reply = b""
        while b"\r\n\r\n" not in reply:
            reply += conn.recv(4096)
        assert reply.startswith(b"HTTP/1.1 101"), reply[:100]
        rest = reply.split(b"\r\n\r\n", 1)[1]
        # FIN + text, masked, 64-bit length 5 MB, mask key, then a few payload bytes.
        conn.sendall(b"\x81\xff" + struct.pack(">Q", 5 * 1024 * 1024) + b"abcd" + b"x" * 64)
        while len(rest) < 4:
            chunk = conn.recv(4096)
            if not chunk:
                break
            rest += chunk
    assert rest[0] == 0x88, rest[:10]  # a close frame
    (code,) = struct.unpack(">H", rest[2:4])
    assert code == 1009


def test_a_normal_end_closes_with_1000(server: LiveServer) -> None:
    with open_socket(server.ws_url) as ws:
        start(ws)
        ws.send(json.dumps({"type": "end"}))
        code, seen = close_code(ws)
    assert code == 1000 and seen[-1]["type"] == "set_end"


def test_the_server_log_is_clean_so_far(server: LiveServer, tmp_path: Path) -> None:
    assert server.alive()
    assert_clean_log(server)


PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def locked_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = start_server(tmp_path_factory.mktemp("locked"), password=PASSWORD)
    yield live
    live.stop()
    assert_clean_log(live)


def test_a_socket_without_a_login_is_closed_with_4401(locked_server: LiveServer) -> None:
    """Case 11: the refusal was an HTTP 403 at the handshake, not the documented 4401."""
    with open_socket(locked_server.ws_url) as ws:
        code, _ = close_code(ws)
    assert code == 4401


def _login_attempt(
    http: httpx.Client, token: str, password: str, forwarded: str
) -> tuple[int, float]:
    started = time.monotonic()
    reply = http.post(
        "/login",
        data={"csrf_token": token, "password": password},
        headers={"x-forwarded-for": forwarded},
    )
    return reply.status_code, time.monotonic() - started


def test_forwarded_for_is_not_trusted_so_rotating_it_still_slows_guesses(
    locked_server: LiveServer,
) -> None:
    """Case 9: X-Forwarded-For from 127.0.0.1 was trusted, so rotating it never throttled;
    and during a lockout the right password got 429 too."""
    with httpx.Client(base_url=locked_server.base, timeout=30, trust_env=False) as http:
        page = http.get("/login", headers={"accept": "text/html"})
        match = CSRF_META.search(page.text)
        assert match
        token = match.group(1)
        tries = [_login_attempt(http, token, "wrong", f"10.0.0.{i}") for i in range(7)]
        right = _login_attempt(http, token, PASSWORD, "10.0.0.99")
    assert [code for code, _ in tries] == [401] * 7
    # LoginThrottle's defaults: the 6th wrong guess waits 1 s, the 7th 2 s (lower bounds:
    # a slow machine only makes them longer).
    assert tries[5][1] >= 1.0 and tries[6][1] >= 2.0, tries
    assert right[0] == 303, "the right password still gets in"
