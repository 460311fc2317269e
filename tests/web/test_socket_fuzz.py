"""Socket fuzzing against a real `hipcoach serve`: hypothesis writes sequences of every
message type (landmarks good and mangled, end, ping, stray starts, random JSON, broken
text, binary frames with hostile headers and times) and every one must get its answer in
time: a result, a non-fatal error, a pong, or `set_end` then close 1000. The server must
never crash, hang a socket or log a traceback. At least `MIN_MESSAGES` are sent in all.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hipcoach.pose.landmarks import PoseSeries
from hipcoach.web.protocol import FRAME_TAG, format_landmark_message
from tests.web.live_server import LiveServer, assert_clean_log, start_server
from tests.web.wsclient import close_code, jpeg_header_only, open_socket, png_header_only, recv_json

MIN_MESSAGES = 10_000
EXAMPLES = 320
PER_EXAMPLE = (32, 48)
REPLY_TIMEOUT_S = 15.0

HOSTILE_VALUES = [
    "1" + "0" * 400,
    "-1" + "0" * 5000,
    "1e400",
    "-1e400",
    "NaN",
    "Infinity",
    "-Infinity",
    "1e308",
    "-0",
    "null",
    "true",
    '"0.5"',
    "[]",
    "{}",
    "[" * 300 + "]" * 300,
    '"' + "x" * 2000 + '"',
    '{"a": {"b": {"c": [1, 2, {"d": null}]}}}',
]


@dataclass
class Counter:
    sent: int = 0
    examples: int = 0
    replies: dict[str, int] | None = None

    def seen(self, kind: str) -> None:
        self.replies = self.replies or {}
        self.replies[kind] = self.replies.get(kind, 0) + 1


COUNT = Counter()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = start_server(tmp_path_factory.mktemp("fuzz"), max_camera_sockets="2")
    yield live
    live.stop()
    assert_clean_log(live)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=16,
)

# (kind, payload): the test fills in the times of good landmark messages.
messages = st.one_of(
    st.tuples(st.just("landmarks"), st.none()),
    st.tuples(st.just("landmarks"), st.none()),
    st.tuples(
        st.just("mangled"),
        st.lists(
            st.tuples(st.integers(0, 400), st.sampled_from(HOSTILE_VALUES)), min_size=1, max_size=3
        ),
    ),
    st.tuples(st.just("ping"), st.none()),
    st.tuples(st.just("json"), json_values.map(lambda v: json.dumps(v, allow_nan=True))),
    st.tuples(
        st.just("typed"),
        st.fixed_dictionaries(
            {"type": st.sampled_from(["start", "result", "ready", "landmarks", "", "PING"])},
            optional={"t": json_values, "exercise": json_values, "nose_x": json_values},
        ).map(lambda v: json.dumps(v, allow_nan=True)),
    ),
    st.tuples(st.just("text"), st.text(max_size=200)),
    st.tuples(st.just("bytes"), st.binary(max_size=300)),
    st.tuples(
        st.just("tagged"),
        st.tuples(st.floats(allow_nan=True, allow_infinity=True), st.binary(max_size=64)),
    ),
    st.tuples(
        st.just("bomb"),
        st.tuples(
            st.sampled_from(["png", "jpeg"]),
            st.integers(0, 65535),
            st.integers(0, 65535),
        ),
    ),
)


def _landmark_text(series: PoseSeries, index: int, t: float) -> str:
    frame = series.frame(index % len(series))
    pose = frame if np.isfinite(frame.image[:, 0]).any() else None
    return json.dumps(format_landmark_message(pose, t))


def _mangled_text(series: PoseSeries, t: float, edits: list[tuple[int, str]]) -> str:
    fields = {k: json.dumps(v) for k, v in format_landmark_message(series.frame(0), t).items()}
    keys = list(fields)
    for position, value in edits:
        fields[keys[position % len(keys)]] = value
    return "{" + ", ".join(f"{json.dumps(k)}: {v}" for k, v in fields.items()) + "}"


def _payload(kind: str, data: object, series: PoseSeries, i: int, t: float) -> str | bytes:
    if kind == "landmarks":
        return _landmark_text(series, i, t)
    if kind == "mangled":
        return _mangled_text(series, t, data)  # type: ignore[arg-type]
    if kind == "ping":
        return '{"type": "ping"}'
    if kind in ("json", "typed", "text", "bytes"):
        return data  # type: ignore[return-value]
    if kind == "tagged":
        when, rest = data  # type: ignore[misc]
        return FRAME_TAG + struct.pack("<d", when) + rest
    fmt, width, height = data  # type: ignore[misc]
    return png_header_only(width, height) if fmt == "png" else jpeg_header_only(width, height)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    mode=st.sampled_from(["landmarks", "landmarks", "frames"]),
    sequence=st.lists(messages, min_size=PER_EXAMPLE[0], max_size=PER_EXAMPLE[1]),
    end=st.booleans(),
)
def test_fuzzed_messages_always_get_an_answer(
    server: LiveServer,
    leg_lift_series: PoseSeries,
    mode: str,
    sequence: list[tuple[str, object]],
    end: bool,
) -> None:
    COUNT.examples += 1
    with open_socket(server.ws_url) as ws:
        ws.send(json.dumps({"type": "start", "exercise": "side_lying_leg_lift", "mode": mode}))
        assert recv_json(ws, REPLY_TIMEOUT_S)["type"] == "ready"
        t, rep_count = 0.0, 0
        for i, (kind, data) in enumerate(sequence):
            t += 1 / 30
            ws.send(_payload(kind, data, leg_lift_series, i, t))
            COUNT.sent += 1
            reply = recv_json(ws, REPLY_TIMEOUT_S)
            COUNT.seen(reply["type"])
            assert reply["type"] in ("result", "error", "pong"), reply
            if reply["type"] == "error":
                assert reply["fatal"] is False and reply["message"], reply
            if reply["type"] == "result":
                rep_count = reply["rep_count"]
        if not end:
            return
        ws.send('{"type": "end"}')
        COUNT.sent += 1
        code, seen = close_code(ws, REPLY_TIMEOUT_S)
    assert code == 1000 and seen[-1]["type"] == "set_end"
    assert seen[-1]["report"]["rep_count"] == rep_count, "a finished rep was lost"


@settings(max_examples=150, deadline=None, derandomize=True, database=None)
@given(
    first=st.one_of(
        st.fixed_dictionaries(
            {"type": st.just("start")},
            optional={
                "exercise": st.sampled_from(["clamshell", "psoas_march", "nope", ""]) | json_values,
                "mode": st.sampled_from(["frames", "landmarks", "video"]) | json_values,
                "side": st.sampled_from(["left", "right", "auto", "up"]) | json_values,
                "image_size": st.lists(st.integers(), max_size=3) | json_values,
                "variation": json_values,
                "send_pose": json_values,
            },
        ).map(lambda v: json.dumps(v, allow_nan=True)),
        json_values.map(lambda v: json.dumps(v, allow_nan=True)),
        st.text(max_size=100),
        st.binary(max_size=100),
    )
)
def test_fuzzed_start_messages_get_ready_or_a_fatal_error_and_4400(
    server: LiveServer, first: str | bytes
) -> None:
    with open_socket(server.ws_url) as ws:
        ws.send(first)
        COUNT.sent += 1
        reply = recv_json(ws, REPLY_TIMEOUT_S)
        if reply["type"] == "ready":
            ws.send('{"type": "end"}')
            code, _ = close_code(ws, REPLY_TIMEOUT_S)
            assert code == 1000
            return
        assert reply["type"] == "error" and reply["fatal"] is True, reply
        code, _ = close_code(ws, REPLY_TIMEOUT_S)
    assert code == 4400


def test_the_fuzzing_sent_enough_and_the_server_is_unharmed(server: LiveServer) -> None:
    """Runs after the fuzz test in this module (pytest keeps file order)."""
    print(f"fuzz: {COUNT.sent} messages in {COUNT.examples} sockets, replies {COUNT.replies}")
    assert COUNT.sent >= MIN_MESSAGES
    assert COUNT.replies and {"result", "error", "pong"} <= set(COUNT.replies)
    assert server.alive()
    assert_clean_log(server)
