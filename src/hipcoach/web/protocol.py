"""The live-coach socket's messages (documented for client authors in docs/protocol.md).

Client -> server
- text `{"type": "start", "exercise": ..., "variation": ..., "side": ..., "mode": ...}` first;
- binary frames: a JPEG, optionally preceded by the 4-byte tag `HCF1` and the capture time
  as a little-endian float64 in seconds;
- text landmark messages: one landmark-CSV row as a JSON object (`t`, `nose_x`, ...);
- text `{"type": "end"}` to finish the set, `{"type": "ping"}` to check the line.

Server -> client: `ready`, one `result` per processed frame, `set_end`, `error`, `pong`.
"""

from __future__ import annotations

import math
import struct
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, Field, ValidationError

from hipcoach.errors import HipcoachError
from hipcoach.pose.landmark_csv import IMAGE_COLUMNS, WORLD_COLUMNS
from hipcoach.pose.landmarks import LANDMARK_INDEX, LANDMARK_NAMES, N_LANDMARKS, PoseFrame

FRAME_TAG = b"HCF1"
_TIME = struct.Struct("<d")
JPEG_MAGIC = b"\xff\xd8"
MAX_TEXT_BYTES = 64 * 1024
MAX_FRAME_BYTES = 2 * 1024 * 1024


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
    image_size: tuple[int, int] | None = None
    """Landmark mode: the camera image's (width, height) in pixels, so normalised x and y
    can be put on one scale. Frames mode measures it from each frame."""


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
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "message"
        raise ProtocolError(f"bad start message: {where}: {first['msg']}") from None


def split_binary_frame(data: bytes) -> tuple[bytes, float | None]:
    """(jpeg bytes, capture time or None) from a binary frame message."""
    if len(data) > MAX_FRAME_BYTES:
        raise ProtocolError(f"frame of {len(data)} bytes is over the {MAX_FRAME_BYTES} limit")
    if data.startswith(FRAME_TAG):
        if len(data) < len(FRAME_TAG) + _TIME.size + 2:
            raise ProtocolError("tagged frame is too short to hold a time and a JPEG")
        (t,) = _TIME.unpack_from(data, len(FRAME_TAG))
        if not math.isfinite(t):
            raise ProtocolError("frame time must be a finite number of seconds")
        return data[len(FRAME_TAG) + _TIME.size :], t
    return data, None


def encode_binary_frame(jpeg: bytes, t: float | None) -> bytes:
    """The inverse of split_binary_frame (for tests, benchmarks and Python clients)."""
    return jpeg if t is None else FRAME_TAG + _TIME.pack(t) + jpeg


def _number(value: object, column: str) -> float:
    if value is None or value == "":
        return math.nan
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ProtocolError(f"landmark message: {column} must be a number, got {value!r:.20}")
    try:
        return float(value)
    except ValueError:
        raise ProtocolError(
            f"landmark message: {column} must be a number, got {value!r:.20}"
        ) from None


_NUMBER_TYPES = frozenset({int, float, type(None)})


def _numbers(data: dict[str, Any], columns: list[str]) -> np.ndarray:
    """The values of `columns` as floats (None or missing -> NaN). A fast path for
    well-formed messages (50 clients x 30 messages/s); the slow path names the bad key."""
    raw = [data.get(c) for c in columns]
    if _NUMBER_TYPES.issuperset(map(type, raw)):
        return np.array(raw, dtype=float)
    return np.array([_number(v, c) for v, c in zip(raw, columns, strict=True)], dtype=float)


def parse_landmark_message(
    data: dict[str, Any], image_size: tuple[int, int] | None = None
) -> tuple[PoseFrame | None, float]:
    """A landmark-CSV row sent as JSON -> (pose or None when nobody is in view, time in s).

    Keys are the CSV header's (`t`, `NAME_x`, `NAME_y`, `NAME_z`, `NAME_visibility`, and
    optionally `NAME_wx`..`NAME_wz` for all landmarks); null or missing coordinates mean
    not seen. Raises ProtocolError naming the first bad key.
    """
    if "t" not in data:
        raise ProtocolError("landmark message: missing the time `t` in seconds")
    t = _number(data["t"], "t")
    if not math.isfinite(t):
        raise ProtocolError("landmark message: `t` must be a finite number of seconds")
    arr = _numbers(data, IMAGE_COLUMNS).reshape(N_LANDMARKS, 4)
    image = arr[:, :3]
    if not np.isfinite(image[:, :2]).any():
        return None, t
    visibility = np.nan_to_num(arr[:, 3], nan=0.0)
    world = None
    if any(c in data for c in WORLD_COLUMNS[:3]):
        world = _numbers(data, WORLD_COLUMNS).reshape(N_LANDMARKS, 3)
    frame = PoseFrame(
        t=t, image=image.copy(), visibility=visibility, world=world, image_size=image_size
    )
    return frame, t


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
    xyv = np.column_stack([frame.image[:, :2], frame.visibility])
    xyv = np.nan_to_num(xyv, nan=-1.0)
    return [[round(float(a), 4), round(float(b), 4), round(float(c), 3)] for a, b, c in xyv]


def skeleton_edges() -> list[tuple[int, int]]:
    """The drawn bones as index pairs into the `pose` list (sent once in `ready`)."""
    from hipcoach.pose.overlay import BONES  # the same bones the annotated videos draw

    return [(LANDMARK_INDEX[a], LANDMARK_INDEX[b]) for a, b in BONES]
