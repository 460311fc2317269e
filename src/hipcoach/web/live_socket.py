"""The live-coach WebSocket, `/ws/live` (protocol: docs/protocol.md).

Two tasks per socket: a reader that takes every message off the socket and a worker that
processes frames. Between them sits a one-frame mailbox: when frames arrive faster than the
engine runs, the newest one replaces the waiting one (the count of dropped frames goes back
to the client), so memory and latency stay bounded whatever the client sends.

Camera frames are decoded and run through this socket's own MediaPipe graph on this
socket's own worker thread, so the event loop stays free for other clients. Landmark
messages skip pose estimation and are analysed on the loop (well under a millisecond).
When the socket closes or breaks, the set is finished and its report kept: finished reps
are never lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
from collections.abc import MutableMapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, WebSocket
from starlette.websockets import WebSocketDisconnect, WebSocketState

from hipcoach.errors import HipcoachError
from hipcoach.pose.landmarks import PoseFrame
from hipcoach.web.live import FinishedSet, LiveCoach, event_to_wire
from hipcoach.web.protocol import (
    MAX_TEXT_BYTES,
    ProtocolError,
    ResultMessage,
    StartMessage,
    parse_landmark_message,
    parse_start,
    skeleton_edges,
    split_binary_frame,
)
from hipcoach.web.services import WebServices

log = logging.getLogger(__name__)
router = APIRouter()

CLOSE_BAD_REQUEST = 4400
START_TIMEOUT_S = 60.0


@dataclass
class _Frame:
    jpeg: bytes | None
    pose: PoseFrame | None
    t: float


class LatestFrame:
    """A mailbox holding at most one frame: a newer frame replaces an unprocessed one."""

    def __init__(self) -> None:
        self._frame: _Frame | None = None
        self._wake = asyncio.Event()
        self.dropped = 0
        self.ended = False  # the client asked to end the set
        self.closed = False  # the socket is gone

    def put(self, frame: _Frame) -> None:
        if self._frame is not None:
            self.dropped += 1
        self._frame = frame
        self._wake.set()

    def end(self, closed: bool = False) -> None:
        self.ended = True
        self.closed = self.closed or closed
        self._wake.set()

    async def take(self) -> _Frame | None:
        """The newest frame, or None once the set is over and nothing is waiting."""
        while True:
            if self._frame is not None:
                frame, self._frame = self._frame, None
                return frame
            if self.ended:
                return None
            self._wake.clear()
            await self._wake.wait()


class _Line:
    """Serialises sends from the reader (pongs, errors) and the worker (results)."""

    def __init__(self, ws: WebSocket) -> None:
        self.ws = ws
        self.lock = asyncio.Lock()
        self.open = True

    async def send(self, data: dict[str, Any] | str) -> None:
        if not self.open:
            return
        text = data if isinstance(data, str) else json.dumps(data)
        async with self.lock:
            try:
                await self.ws.send_text(text)
            except (WebSocketDisconnect, RuntimeError, OSError):
                self.open = False


def _services(ws: WebSocket) -> WebServices:
    services: WebServices = ws.app.state.services
    return services


@router.websocket("/ws/live")
async def live_socket(ws: WebSocket) -> None:
    await ws.accept()
    line = _Line(ws)
    try:
        start = await _receive_start(ws)
        services = _services(ws)
        exercise = services.get_exercise(start.exercise)
        variation = services.resolve_variation(exercise, start.variation)
        variation_id = variation.id if variation is not None else None
    except (HipcoachError, WebSocketDisconnect, TimeoutError) as exc:
        await _close_with_error(line, exc)
        return
    worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hipcoach-live")
    loop = asyncio.get_running_loop()
    try:
        coach = await loop.run_in_executor(
            worker, _build_coach, services, exercise, variation_id, start
        )
    except Exception as exc:
        worker.shutdown(wait=False)
        log.exception("could not start the live coach")
        await _close_with_error(line, exc)
        return
    set_id = uuid.uuid4().hex
    await line.send(_ready_message(set_id, exercise.id, variation_id, start))
    try:
        await _run_set(ws, line, coach, worker, start)
    finally:
        # Runs even when the server cancels this task (shutdown, a vanished client): the
        # finished reps are kept. LiveCoach's lock orders this after any frame in flight.
        interrupted = not coach.ended_by_client
        events, report = coach.finish()
        services.finished_sets.keep(
            FinishedSet(set_id, exercise.id, variation_id, report, interrupted, services.clock())
        )
        worker.submit(coach.close)
        worker.shutdown(wait=False)
    await line.send(
        {
            "type": "set_end",
            "set_id": set_id,
            "interrupted": interrupted,
            "events": [event_to_wire(e) for e in events],
            "report": report.model_dump(mode="json"),
        }
    )
    if line.open and ws.client_state == WebSocketState.CONNECTED:
        await ws.close(1000)


def _build_coach(
    services: WebServices, exercise: Any, variation: str | None, start: StartMessage
) -> LiveCoach:
    """Runs on the socket's worker thread: MediaPipe graphs belong to the thread using them."""
    analyser = services.create_analyser(exercise, variation, start.side)
    estimator = services.create_estimator() if start.mode == "frames" else None
    send_pose = start.send_pose if start.send_pose is not None else start.mode == "frames"
    return LiveCoach(analyser, estimator, send_pose=send_pose)


def _ready_message(
    set_id: str, exercise: str, variation: str | None, start: StartMessage
) -> dict[str, Any]:
    return {
        "type": "ready",
        "set_id": set_id,
        "exercise": exercise,
        "variation": variation,
        "mode": start.mode,
        "skeleton": skeleton_edges(),
    }


async def _receive_start(ws: WebSocket) -> StartMessage:
    message = await asyncio.wait_for(ws.receive(), timeout=START_TIMEOUT_S)
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(message.get("code", 1000))
    text = message.get("text")
    if text is None:
        raise ProtocolError("the first message must be a JSON start message")
    return parse_start(_load_json(text))


def _load_json(text: str) -> dict[str, Any]:
    if len(text) > MAX_TEXT_BYTES:
        raise ProtocolError(f"text message over {MAX_TEXT_BYTES} bytes")
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        raise ProtocolError("text messages must be JSON objects") from None
    if not isinstance(data, dict):
        raise ProtocolError("text messages must be JSON objects")
    return data


async def _close_with_error(line: _Line, exc: BaseException) -> None:
    if isinstance(exc, WebSocketDisconnect):
        return
    if isinstance(exc, TimeoutError):
        text = "no start message arrived"
    elif isinstance(exc, HipcoachError):
        text = str(exc)
    else:
        text = "the coach could not start on the server"
    await line.send({"type": "error", "message": text, "fatal": True})
    if line.open:
        with contextlib.suppress(RuntimeError, OSError):
            await line.ws.close(CLOSE_BAD_REQUEST if isinstance(exc, HipcoachError) else 1011)


async def _run_set(
    ws: WebSocket, line: _Line, coach: LiveCoach, worker: ThreadPoolExecutor, start: StartMessage
) -> None:
    """Read and process until the client ends the set or the socket goes away."""
    mailbox = LatestFrame()
    reader = asyncio.create_task(_read_messages(ws, line, mailbox, start, coach))
    loop = asyncio.get_running_loop()
    try:
        while (frame := await mailbox.take()) is not None:
            coach.dropped = mailbox.dropped
            try:
                if frame.jpeg is not None:
                    result: ResultMessage = await loop.run_in_executor(
                        worker, coach.handle_jpeg, frame.jpeg, frame.t
                    )
                else:
                    result = coach.handle_pose(frame.pose, frame.t)
            except ProtocolError as exc:
                await line.send({"type": "error", "message": str(exc), "fatal": False})
                continue
            await line.send(result.model_dump_json(exclude_none=False))
            if not line.open:
                break
    finally:
        if not reader.done():
            reader.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await reader


async def _read_messages(
    ws: WebSocket, line: _Line, mailbox: LatestFrame, start: StartMessage, coach: LiveCoach
) -> None:
    """The reader task: frames into the mailbox, control messages acted on at once."""
    origin = time.monotonic()
    try:
        while True:
            message = await ws.receive()
            if message["type"] == "websocket.disconnect":
                break
            try:
                kind = _dispatch(message, mailbox, start, coach, origin)
            except ProtocolError as exc:
                await line.send({"type": "error", "message": str(exc), "fatal": False})
                continue
            if kind == "end":
                return
            if kind == "ping":
                await line.send({"type": "pong", "t": round(time.monotonic() - origin, 4)})
    except (WebSocketDisconnect, RuntimeError, OSError):
        pass
    line.open = False
    mailbox.end(closed=True)


def _dispatch(
    message: MutableMapping[str, Any],
    mailbox: LatestFrame,
    start: StartMessage,
    coach: LiveCoach,
    origin: float,
) -> str:
    """Act on one incoming message; returns its kind (`frame`, `landmarks`, `end`, `ping`)."""
    data = message.get("bytes")
    if data is not None:
        if start.mode != "frames":
            raise ProtocolError("this set is in landmark mode: binary frames are not expected")
        jpeg, t = split_binary_frame(data)
        mailbox.put(_Frame(jpeg, None, time.monotonic() - origin if t is None else t))
        return "frame"
    body = _load_json(message.get("text") or "")
    kind = body.get("type", "landmarks")
    if kind == "end":
        coach.ended_by_client = True
        mailbox.end()
    elif kind == "landmarks":
        if start.mode != "landmarks":
            raise ProtocolError("this set is in frames mode: send camera frames, or start again")
        pose, t = parse_landmark_message(body, start.image_size)
        mailbox.put(_Frame(None, pose, t))
    elif kind != "ping":
        raise ProtocolError(f"unknown message type {kind!r}")
    return str(kind)
