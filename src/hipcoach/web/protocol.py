"""The live-coach socket's messages (documented for client authors in docs/protocol.md).

Client -> server
- text `{"type": "start", "exercise": ..., "variation": ..., "side": ..., "mode": ...}` first;
- binary frames: a JPEG, optionally preceded by the 4-byte tag `HCF1` and the capture time
  as a little-endian float64 in seconds;
- text landmark messages: one landmark-CSV row as a JSON object (`t`, `nose_x`, ...);
- text `{"type": "end"}` to finish the set, `{"type": "ping"}` to check the line.

Server -> client: `ready`, one `result` per processed frame, `set_end`, `error`, `pong`.

Every text message is parsed by pydantic straight from the JSON (`parse_client_text`):
numbers must be finite JSON numbers within stated bounds, times within `MAX_ABS_TIME_S`,
nesting is refused past the parser's depth limit, and a message over `MAX_TEXT_BYTES`
is refused before parsing. Any failure is a ProtocolError whose text names the field.
"""

from __future__ import annotations

import math
import operator
import struct
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from hipcoach.errors import HipcoachError
from hipcoach.pose.landmark_csv import IMAGE_COLUMNS, WORLD_COLUMNS
from hipcoach.pose.landmarks import LANDMARK_INDEX, LANDMARK_NAMES, N_LANDMARKS, PoseFrame

FRAME_TAG = b"HCF1"
_TIME = struct.Struct("<d")
JPEG_MAGIC = b"\xff\xd8"
MAX_TEXT_BYTES = 64 * 1024
MAX_FRAME_BYTES = 2 * 1024 * 1024
MAX_ABS_TIME_S = 1e9
"""Capture times are seconds on the client's clock, at most this far from zero."""
MAX_COORDINATE = 1e6
MAX_IMAGE_SIDE = 16384

Seconds = Annotated[
    float, Field(strict=True, allow_inf_nan=False, ge=-MAX_ABS_TIME_S, le=MAX_ABS_TIME_S)
]
_Coordinate = Annotated[
    float | None,
    Field(strict=True, allow_inf_nan=False, ge=-MAX_COORDINATE, le=MAX_COORDINATE),
]
_Side = Annotated[int, Field(strict=True, ge=1, le=MAX_IMAGE_SIDE)]


class ProtocolError(HipcoachError):
    """A client sent a message the protocol does not allow; the text says which rule."""


class StartMessage(BaseModel):
    type: Literal["start"]
    exercise: str = Field(min_length=1, max_length=64)
    variation: str | None = Field(default=None, max_length=64)
    side: Literal["left", "right", "auto"] = "auto"
    mode: Literal["frames", "landmarks"] = "frames"
    send_pose: bool | None = None
    """Echo landmarks back in each result; default: yes for frames, no for landmarks."""
    image_size: tuple[_Side, _Side] | None = None
    """Landmark mode: the camera image's (width, height) in pixels, so normalised x and y
    can be put on one scale. Frames mode measures it from each frame."""


class _ClientMessageBase(BaseModel):
    model_config = ConfigDict(extra="ignore")

    type: Literal["landmarks", "end", "ping"] = "landmarks"
    t: Seconds | None = None


ClientMessage: type[_ClientMessageBase] = create_model(
    "ClientMessage",
    __base__=_ClientMessageBase,
    **{column: (_Coordinate, None) for column in (*IMAGE_COLUMNS, *WORLD_COLUMNS)},  # type: ignore[call-overload]
)
"""Every text message after `start`: a landmark row, `end` or `ping` (unknown keys ignored)."""


def _first_error(exc: ValidationError, what: str) -> ProtocolError:
    first = exc.errors(include_url=False)[0]
    where = ".".join(str(p) for p in first["loc"]) or "message"
    if first["type"] == "json_invalid":
        return ProtocolError(f"{what}: not a JSON object ({first['msg']})")
    if first["type"] == "model_type":
        return ProtocolError(f"{what}: text messages must be JSON objects")
    return ProtocolError(f"{what}: {where}: {first['msg']}")


def _check_text(text: str) -> None:
    if len(text) > MAX_TEXT_BYTES:
        raise ProtocolError(f"text message over {MAX_TEXT_BYTES} bytes")


def parse_start_text(text: str) -> StartMessage:
    """The first message, straight from its JSON text."""
    _check_text(text)
    try:
        return StartMessage.model_validate_json(text)
    except ValidationError as exc:
        raise _first_error(exc, "bad start message") from None


def parse_client_text(text: str) -> _ClientMessageBase:
    """Any later text message, straight from its JSON text (see ClientMessage)."""
    _check_text(text)
    try:
        return ClientMessage.model_validate_json(text)
    except ValidationError as exc:
        raise _first_error(exc, "bad message") from None


class CueShown(BaseModel):
    """The one cue the page should show (and may speak) now."""

    cue: str
    message: str
    severity: Literal["info", "warn", "stop"]
    level: Literal["rep", "set"]


class ResultMessage(BaseModel):
    """The server's answer to one processed frame or landmark message."""

    type: Literal["result"] = "result"
    seq: int
    t: float
    person: bool
    pose: list[list[float]] | None = None
    """Per landmark `[x, y, visibility]` in normalised image coordinates (LANDMARK_NAMES order)."""
    rep_count: int
    state: str
    events: list[dict[str, Any]] = Field(default_factory=list)
    cue: CueShown | None = None
    server_ms: float
    dropped: int = 0


def parse_start(data: dict[str, Any]) -> StartMessage:
    try:
        return StartMessage.model_validate(data)
    except ValidationError as exc:
        raise _first_error(exc, "bad start message") from None


def split_binary_frame(data: bytes) -> tuple[bytes, float | None]:
    """(jpeg bytes, capture time or None) from a binary frame message."""
    if len(data) > MAX_FRAME_BYTES:
        raise ProtocolError(f"frame of {len(data)} bytes is over the {MAX_FRAME_BYTES} limit")
    if data.startswith(FRAME_TAG):
        if len(data) < len(FRAME_TAG) + _TIME.size + 2:
            raise ProtocolError("tagged frame is too short to hold a time and a JPEG")
        (t,) = _TIME.unpack_from(data, len(FRAME_TAG))
        if not math.isfinite(t) or abs(t) > MAX_ABS_TIME_S:
            raise ProtocolError(
                f"frame time must be a finite number of seconds within ±{MAX_ABS_TIME_S:g}"
            )
        return data[len(FRAME_TAG) + _TIME.size :], t
    return data, None


def encode_binary_frame(jpeg: bytes, t: float | None) -> bytes:
    """The inverse of split_binary_frame (for tests, benchmarks and Python clients)."""
    return jpeg if t is None else FRAME_TAG + _TIME.pack(t) + jpeg


_IMAGE_VALUES = operator.itemgetter(*IMAGE_COLUMNS)
_WORLD_VALUES = operator.itemgetter(*WORLD_COLUMNS)


def landmarks_to_pose(
    message: _ClientMessageBase, image_size: tuple[int, int] | None = None
) -> tuple[PoseFrame | None, float]:
    """A validated landmark message -> (pose or None when nobody is in view, time in s).

    Missing coordinates (None) become NaN and a missing visibility 0. The values were
    validated as finite, so NaN here only ever means "not sent". Runs once per message on
    the event loop, hence the C-level getters rather than Python loops over 231 keys."""
    if message.t is None:
        raise ProtocolError("landmark message: missing the time `t` in seconds")
    values = message.__dict__
    arr = np.array(_IMAGE_VALUES(values), dtype=float).reshape(N_LANDMARKS, 4)
    image = arr[:, :3]
    if np.isnan(image[:, :2]).all():
        return None, message.t
    visibility = arr[:, 3]
    visibility[np.isnan(visibility)] = 0.0
    world_values = np.array(_WORLD_VALUES(values), dtype=float)
    world = None if np.isnan(world_values).all() else world_values.reshape(N_LANDMARKS, 3)
    frame = PoseFrame(
        t=message.t,
        image=np.ascontiguousarray(image),
        visibility=np.ascontiguousarray(visibility),
        world=world,
        image_size=image_size,
    )
    return frame, message.t


def parse_landmark_message(
    data: dict[str, Any], image_size: tuple[int, int] | None = None
) -> tuple[PoseFrame | None, float]:
    """A landmark-CSV row given as a dict -> (pose or None when nobody is in view, time in s).

    Keys are the CSV header's (`t`, `NAME_x`, `NAME_y`, `NAME_z`, `NAME_visibility`, and
    optionally `NAME_wx`..`NAME_wz` for all landmarks); null or missing coordinates mean
    not seen. Raises ProtocolError naming the first bad key.
    """
    try:
        message = ClientMessage.model_validate(data)
    except ValidationError as exc:
        raise _first_error(exc, "landmark message") from None
    return landmarks_to_pose(message, image_size)


def format_landmark_message(frame: PoseFrame | None, t: float) -> dict[str, Any]:
    """A pose as a landmark message (the inverse of parse_landmark_message)."""
    message: dict[str, Any] = {"type": "landmarks", "t": round(t, 6)}
    for i, name in enumerate(LANDMARK_NAMES):
        if frame is None:
            x = y = z = None
            v = 0.0
        else:
            x, y, z = (None if not math.isfinite(c) else round(float(c), 5) for c in frame.image[i])
            v = round(float(frame.visibility[i]), 4)
        message.update({f"{name}_x": x, f"{name}_y": y, f"{name}_z": z, f"{name}_visibility": v})
    if frame is not None and frame.world is not None:
        for i, name in enumerate(LANDMARK_NAMES):
            wx, wy, wz = (
                None if not math.isfinite(c) else round(float(c), 5) for c in frame.world[i]
            )
            message.update({f"{name}_wx": wx, f"{name}_wy": wy, f"{name}_wz": wz})
    return message


def pose_for_drawing(frame: PoseFrame | None) -> list[list[float]] | None:
    """`[x, y, visibility]` per landmark, rounded for the wire; None when nobody was found."""
    if frame is None:
        return None
    # Rounded in NumPy, not per number in Python: this runs for every live message, and
    # the per-number loop was about 90 us of the reply (the array path about 20).
    xyv = np.empty((len(frame.visibility), 3))
    xyv[:, :2] = frame.image[:, :2]
    xyv[:, 2] = frame.visibility
    xyv = np.nan_to_num(xyv, nan=-1.0)
    rounded = np.round(xyv, 4)
    rounded[:, 2] = np.round(xyv[:, 2], 3)
    drawn: list[list[float]] = rounded.tolist()
    return drawn


def skeleton_edges() -> list[tuple[int, int]]:
    """The drawn bones as index pairs into the `pose` list (sent once in `ready`)."""
    from hipcoach.pose.overlay import BONES  # the same bones the annotated videos draw

    return [(LANDMARK_INDEX[a], LANDMARK_INDEX[b]) for a, b in BONES]
