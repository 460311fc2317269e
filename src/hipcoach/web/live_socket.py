"""The live-coach WebSocket, `/ws/live` (protocol: docs/protocol.md).

Two tasks per socket: a reader that takes every message off the socket and a worker that
processes frames. Between them sits a one-frame mailbox: when frames arrive faster than the
engine runs, the newest one replaces the waiting one (the count of dropped frames goes back
to the client), so memory and latency stay bounded whatever the client sends.

Camera frames are checked from their header (JPEG or PNG, size caps), then decoded and
run through this socket's own MediaPipe graph on this socket's own worker thread, so the
event loop stays free for other clients. The graph is made on the first frame and closed
with the socket. Landmark messages skip pose estimation and are analysed on the loop (well
under a millisecond). `LiveSockets` caps how many sockets (and camera sockets) are open.

When the socket closes or breaks, the set is finished and its report kept: finished reps
are never lost. Whatever fails, the socket is closed with a code (docs/protocol.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import ctypes.util
import json
import logging
import time
import uuid
from collections.abc import MutableMapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Any

from fastapi import APIRouter, WebSocket
from starlette.websockets import WebSocketDisconnect, WebSocketState

from hipcoach.errors import HipcoachError
from hipcoach.pose.landmarks import PoseFrame
from hipcoach.pose.selection import select_by_posture
from hipcoach.web.live import FinishedSet, LiveCoach, event_to_wire
from hipcoach.web.protocol import (
    ProtocolError,
    ResultMessage,
    StartMessage,
    landmarks_to_pose,
    parse_client_text,
    parse_start_text,
    skeleton_edges,
    split_binary_frame,
)
from hipcoach.web.services import WebServices
from hipcoach.web.socket_caps import LiveSockets, SocketRefused

log = logging.getLogger(__name__)
router = APIRouter()

CLOSE_SERVER_ERROR = 1011
CLOSE_TRY_LATER = 1013
CLOSE_BAD_REQUEST = 4400
_SERVER_FAILED = "the server could not go on with this set; finished reps are kept"


@dataclass
class _Frame:
    jpeg: bytes | None
    pose: PoseFrame | None
    t: float
    client_clock: bool = True
    """False when `t` is the arrival time (a frame sent without a capture time)."""


class LatestFrame:
    """A mailbox holding at most one frame: a newer frame replaces an unprocessed one."""

    def __init__(self) -> None:
        self._frame: _Frame | None = None
        self._wake = asyncio.Event()
        self.dropped = 0
        self.ended = False  # the client asked to end the set
        self.closed = False  # the socket is gone
        self.close_code = 1000  # what the socket closes with once the set is over

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
    limits: LiveSockets = ws.app.state.live_sockets
    try:
        start = await _receive_start(ws, limits.start_timeout_s)
        services = _services(ws)
        exercise = services.get_exercise(start.exercise)
        variation = services.resolve_variation(exercise, start.variation)
        variation_id = variation.id if variation is not None else None
    except (HipcoachError, WebSocketDisconnect, TimeoutError) as exc:
        await _close_with_error(line, exc)
        return
    try:
        claim, refusal = await asyncio.to_thread(limits.claim, start.mode == "frames")
    except HipcoachError as exc:  # the database is unreachable: nothing was started
        log.warning("could not count the live socket: %s", exc)
        claim, refusal = None, "the server cannot take a live set right now; try again"
    if claim is None:
        await _close_with_error(line, SocketRefused(refusal or "too many live sockets"))
        return
    try:
        await _serve_set(ws, line, services, exercise, variation_id, start)
    finally:
        # On the loop: this must run even when the task is cancelled.
        try:
            limits.release(claim)
        except HipcoachError as exc:  # the claim ends with this process's heartbeat
            log.warning("could not release a live socket's claim: %s", exc)


async def _serve_set(
    ws: WebSocket,
    line: _Line,
    services: WebServices,
    exercise: Any,
    variation_id: str | None,
    start: StartMessage,
) -> None:
    # Camera sets get a thread of their own (MediaPipe graphs belong to one thread);
    # landmark sets need none.
    worker = (
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="hipcoach-live")
        if start.mode == "frames"
        else None
    )
    try:
        coach = await _start_coach(worker, services, exercise, variation_id, start)
    except Exception as exc:
        _stop_worker(worker, None)
        log.warning("could not start the live coach: %s", _describe(exc))
        await _close_with_error(line, exc)
        return
    set_id = uuid.uuid4().hex
    await line.send(_ready_message(set_id, exercise.id, variation_id, start))
    close_code = 1000
    try:
        close_code = await _run_set(ws, line, coach, worker, start)
    finally:
        # Runs even when the server cancels this task (shutdown, a vanished client): the
        # finished reps are kept. LiveCoach's lock orders this after any frame in flight.
        interrupted = not coach.ended_by_client
        events, report = coach.finish()
        finished = FinishedSet(
            set_id, exercise.id, variation_id, report, interrupted, services.clock()
        )
        try:
            services.finished_sets.keep(finished)
        except HipcoachError as exc:  # set_end below still carries the whole report
            log.warning("could not keep finished set %s for saving: %s", set_id, exc)
        _stop_worker(worker, coach)
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
        with contextlib.suppress(RuntimeError, OSError):
            await ws.close(close_code)


async def _start_coach(
    worker: ThreadPoolExecutor | None,
    services: WebServices,
    exercise: Any,
    variation_id: str | None,
    start: StartMessage,
) -> LiveCoach:
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(worker, _build_coach, services, exercise, variation_id, start)


def _stop_worker(worker: ThreadPoolExecutor | None, coach: LiveCoach | None) -> None:
    """Release the pose estimator on its own thread, then let the thread end."""
    if worker is None:
        return
    if coach is not None:
        worker.submit(coach.close)
    worker.submit(release_freed_memory)
    worker.shutdown(wait=False)


def release_freed_memory() -> None:
    """Hand memory freed by a closed MediaPipe graph back to the system (glibc keeps it in
    its arenas otherwise, so RSS stayed high after camera sockets closed)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {str(exc)[:200]}"


def _build_coach(
    services: WebServices, exercise: Any, variation: str | None, start: StartMessage
) -> LiveCoach:
    """Runs on the socket's worker thread: MediaPipe graphs belong to the thread using them."""
    analyser = services.create_analyser(exercise, variation, start.side)
    factory = None
    if start.mode == "frames":
        # Stay with the person doing the exercise when someone else stands in view.
        factory = partial(select_by_posture, services.create_estimator, exercise.posture)
    send_pose = start.send_pose if start.send_pose is not None else start.mode == "frames"
    return LiveCoach(analyser, factory, send_pose=send_pose)


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


async def _receive_start(ws: WebSocket, timeout_s: float) -> StartMessage:
    message = await asyncio.wait_for(ws.receive(), timeout=timeout_s)
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(message.get("code", 1000))
    text = message.get("text")
    if text is None:
        raise ProtocolError("the first message must be a JSON start message")
    return parse_start_text(text)


async def _close_with_error(line: _Line, exc: BaseException) -> None:
    """A fatal error message, then the close code docs/protocol.md gives for it."""
    if isinstance(exc, WebSocketDisconnect):
        return
    if isinstance(exc, TimeoutError):
        text, code = "no start message arrived in time", CLOSE_BAD_REQUEST
    elif isinstance(exc, SocketRefused):
        text, code = str(exc), CLOSE_TRY_LATER
    elif isinstance(exc, HipcoachError):
        text, code = str(exc), CLOSE_BAD_REQUEST
    else:
        text, code = "the coach could not start on the server", CLOSE_SERVER_ERROR
    await line.send({"type": "error", "message": text, "fatal": True})
    if line.open:
        with contextlib.suppress(RuntimeError, OSError):
            await line.ws.close(code)


async def _run_set(
    ws: WebSocket,
    line: _Line,
    coach: LiveCoach,
    worker: ThreadPoolExecutor | None,
    start: StartMessage,
) -> int:
    """Read and process until the client ends the set or the socket goes away; returns the
    close code (1000, or 1011 when something failed on the server)."""
    mailbox = LatestFrame()
    reader = asyncio.create_task(_read_messages(ws, line, mailbox, start, coach))
    loop = asyncio.get_running_loop()
    close_code = 1000
    try:
        while (frame := await mailbox.take()) is not None:
            coach.dropped = mailbox.dropped
            try:
                if frame.jpeg is not None:
                    result: ResultMessage = await loop.run_in_executor(
                        worker, coach.handle_jpeg, frame.jpeg, frame.t, frame.client_clock
                    )
                else:
                    result = coach.handle_pose(frame.pose, frame.t)
            except ProtocolError as exc:
                await line.send({"type": "error", "message": str(exc), "fatal": False})
                continue
            except Exception as exc:
                log.warning("live set stopped: %s", _describe(exc))
                await line.send({"type": "error", "message": _SERVER_FAILED, "fatal": True})
                close_code = CLOSE_SERVER_ERROR
                break
            await line.send(result.model_dump_json(exclude_none=False))
            if not line.open:
                break
    finally:
        if not reader.done():
            reader.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await reader
    return mailbox.close_code if close_code == 1000 else close_code


async def _read_messages(
    ws: WebSocket, line: _Line, mailbox: LatestFrame, start: StartMessage, coach: LiveCoach
) -> None:
    """The reader task: frames into the mailbox, control messages acted on at once.

    Whatever happens here, the mailbox is ended on the way out, so the set finishes and
    the socket closes: an unexpected failure closes it with 1011 after `set_end`."""
    origin = time.monotonic()
    try:
        while True:
            message = await ws.receive()
            if message["type"] == "websocket.disconnect":
                line.open = False
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
        line.open = False
    except Exception as exc:  # a bug must not leave the socket hanging
        log.warning("live socket reader failed: %s", _describe(exc))
        await line.send({"type": "error", "message": _SERVER_FAILED, "fatal": True})
        mailbox.close_code = CLOSE_SERVER_ERROR
    finally:
        mailbox.end(closed=not line.open)


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
        if t is None:
            mailbox.put(_Frame(jpeg, None, time.monotonic() - origin, client_clock=False))
        else:
            mailbox.put(_Frame(jpeg, None, t))
        return "frame"
    body = parse_client_text(message.get("text") or "")
    if body.type == "end":
        coach.ended_by_client = True
        mailbox.end()
    elif body.type == "landmarks":
        if start.mode != "landmarks":
            raise ProtocolError("this set is in frames mode: send camera frames, or start again")
        pose, t = landmarks_to_pose(body, start.image_size)
        mailbox.put(_Frame(None, pose, t))
    return body.type
