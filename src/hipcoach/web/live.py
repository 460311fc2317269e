"""One live set: decode a frame, find the pose, feed the engine, say what to show.

`LiveCoach` holds the per-socket state (the engine's SetAnalyser, a pose estimator with
its own MediaPipe graph for camera sets, the cue picker). The estimator is made on the
first camera frame, not when the socket opens, so an idle socket holds no graph. Its
methods block, so the socket runs frame work on its own worker thread; a lock keeps a
frame in flight and the end of the set from overlapping.

Frames and landmark messages come in with capture times in seconds. A time equal to the
previous one is nudged forward by a millisecond (the engine needs increasing times); a
time before the previous one, or more than `MAX_TIME_JUMP_S` after it, is refused for that
message only, so one wild clock reading cannot spoil the rest of the set.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from hipcoach.analysis.events import CueEvent, Event, RepEvent, SetReport, SetState
from hipcoach.exercises.schema import Exercise
from hipcoach.pose.estimator import PoseEstimator
from hipcoach.pose.landmarks import PoseFrame
from hipcoach.web.cues import CuePicker
from hipcoach.web.frames import decode_frame_rgb
from hipcoach.web.protocol import CueShown, ProtocolError, ResultMessage, pose_for_drawing

MAX_TIME_JUMP_S = 60.0
"""The most a capture time may move forward from the previous message's."""


class SetAnalyserLike(Protocol):
    """What the live coach needs from the engine's SetAnalyser."""

    @property
    def state(self) -> SetState: ...

    @property
    def rep_count(self) -> int: ...

    def update(self, frame: PoseFrame | None, t: float) -> list[Event]: ...

    def finish(self, t: float) -> list[Event]: ...

    def report(self) -> SetReport: ...


AnalyserFactory = Callable[[Exercise, str | None, str], SetAnalyserLike]
EstimatorFactory = Callable[[], PoseEstimator]


def create_engine_analyser(exercise: Exercise, variation: str | None, side: str) -> SetAnalyserLike:
    """The real engine (imported lazily so the web package imports without it)."""
    from hipcoach.analysis.analyser import SetAnalyser

    analyser: SetAnalyserLike = SetAnalyser(exercise, variation=variation, side=side)
    return analyser


def event_to_wire(event: Event) -> dict[str, Any]:
    """An engine event as JSON-ready data, unchanged in shape."""
    return event.model_dump(mode="json")


@dataclass
class FinishedSet:
    """What a live set left behind when its socket ended."""

    set_id: str
    exercise: str
    variation: str | None
    report: SetReport
    interrupted: bool
    """True when the socket closed or broke before the person ended the set."""
    ended_at: float


class LiveCoach:
    """The engine for one live set, fed frame by frame."""

    def __init__(
        self,
        analyser: SetAnalyserLike,
        estimator_factory: EstimatorFactory | None = None,
        send_pose: bool = True,
        picker: CuePicker | None = None,
    ) -> None:
        """estimator_factory: makes the pose estimator on the first camera frame (on the
        thread that calls handle_jpeg); None for a landmark set."""
        self.analyser = analyser
        self.estimator_factory = estimator_factory
        self.estimator: PoseEstimator | None = None
        self.send_pose = send_pose
        self.picker = picker or CuePicker()
        self.last_t: float | None = None
        self.seq = 0
        self.dropped = 0
        self.reps: list[RepEvent] = []
        self.ended_by_client = False
        self._finished = False
        self._lock = threading.Lock()

    def _next_time(self, t: float, client_clock: bool = True) -> float:
        """The time the engine gets; ProtocolError when `t` is out of order (see module).
        Times the server took itself (`client_clock` False) are only nudged."""
        last = self.last_t
        if last is not None and client_clock:
            if t < last:
                raise ProtocolError(
                    f"time {t:.3f} s is before the previous message's {last:.3f} s: message skipped"
                )
            if t - last > MAX_TIME_JUMP_S:
                raise ProtocolError(
                    f"time {t:.3f} s jumps more than {MAX_TIME_JUMP_S:g} s past the previous "
                    f"message's {last:.3f} s: message skipped"
                )
        if last is not None:
            t = max(t, last + 1e-3)
        self.last_t = t
        return t

    def handle_jpeg(self, jpeg: bytes, t: float, client_clock: bool = True) -> ResultMessage:
        """Decode, estimate the pose and analyse one camera frame (blocking, ~20 ms).
        `client_clock`: False when `t` is the frame's arrival time on the server."""
        if self.estimator_factory is None:
            raise ProtocolError("this set was started in landmark mode: send landmark messages")
        started = time.perf_counter()
        rgb = decode_frame_rgb(jpeg)
        with self._lock:
            if self._finished:
                raise ProtocolError("the set has ended")
            t = self._next_time(t, client_clock)
            if self.estimator is None:
                self.estimator = self.estimator_factory()
            pose = self.estimator.estimate(rgb, t)
            return self._analyse(pose, t, started)

    def handle_pose(self, pose: PoseFrame | None, t: float) -> ResultMessage:
        """Analyse one pose sent by a client that runs pose estimation itself."""
        started = time.perf_counter()
        with self._lock:
            if self._finished:
                raise ProtocolError("the set has ended")
            t = self._next_time(t)
            return self._analyse(pose, t, started)

    def _analyse(self, pose: PoseFrame | None, t: float, started: float) -> ResultMessage:
        events = self.analyser.update(pose, t)
        self.reps.extend(e for e in events if isinstance(e, RepEvent))
        cues = [e for e in events if isinstance(e, CueEvent)]
        # Only frames with a cue pay for the report (once per rep at most).
        uncertain = self.analyser.report().view.hard_to_see if cues else ()
        shown = self.picker.offer(cues, t, uncertain)
        self.seq += 1
        return ResultMessage(
            seq=self.seq,
            t=t,
            person=pose is not None,
            pose=pose_for_drawing(pose) if self.send_pose else None,
            rep_count=self.analyser.rep_count,
            state=str(self.analyser.state),
            events=[event_to_wire(e) for e in events],
            cue=_cue_shown(shown),
            server_ms=round((time.perf_counter() - started) * 1000.0, 2),
            dropped=self.dropped,
        )

    def finish(self) -> tuple[list[Event], SetReport]:
        """End the set (once); finished reps stay in the report."""
        with self._lock:
            t = self.last_t if self.last_t is not None else 0.0
            events: list[Event] = [] if self._finished else self.analyser.finish(t)
            self._finished = True
            return events, self.analyser.report()

    def close(self) -> None:
        """Release the pose estimator (MediaPipe graph); call from the worker thread."""
        with self._lock:
            if self.estimator is not None:
                self.estimator.close()
                self.estimator = None


def _cue_shown(event: CueEvent | None) -> CueShown | None:
    if event is None:
        return None
    return CueShown(
        cue=event.cue, message=event.message, severity=event.severity, level=event.level
    )
