"""The landmark interchange file: one CSV row per frame.

Header: `t`, then for each of the 33 BlazePose landmarks in MediaPipe's order
`NAME_x,NAME_y,NAME_z,NAME_visibility` (normalised image coordinates), optionally followed
by `NAME_wx,NAME_wy,NAME_wz` for every landmark (world landmarks, metres) and by
`image_width,image_height` (pixels). A frame with no person has empty (or `nan`)
coordinates and zero visibility.

Normalised x and y are fractions of the picture's width and height, so without the picture's
size a 16:9 picture's heights read 1.78 times its widths: the image-plane measures then see
a stretched body. hipcoach writes the size; files from other tools may leave it out.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from hipcoach.errors import InputFileError, LandmarkFormatError
from hipcoach.pose.landmarks import LANDMARK_NAMES, N_LANDMARKS, PoseFrame, PoseSeries

IMAGE_COLUMNS: list[str] = [
    f"{name}_{axis}" for name in LANDMARK_NAMES for axis in ("x", "y", "z", "visibility")
]
WORLD_COLUMNS: list[str] = [
    f"{name}_{axis}" for name in LANDMARK_NAMES for axis in ("wx", "wy", "wz")
]


SIZE_COLUMNS: list[str] = ["image_width", "image_height"]


def landmark_header(with_world: bool) -> list[str]:
    """The landmark columns (a file adds SIZE_COLUMNS after them, see `csv_header`)."""
    return ["t", *IMAGE_COLUMNS, *(WORLD_COLUMNS if with_world else [])]


def csv_header(with_world: bool) -> list[str]:
    """The header hipcoach writes: the landmark columns, then the picture's size."""
    return [*landmark_header(with_world), *SIZE_COLUMNS]


def is_landmark_file(path: Path) -> bool:
    """True when the file looks like a landmark CSV (by its extension)."""
    return path.suffix.lower() in {".csv", ".tsv"}


def _size_positions(header: list[str]) -> list[int] | None:
    cols = [c.strip().lower() for c in header]
    return [cols.index(c) for c in SIZE_COLUMNS] if set(SIZE_COLUMNS) <= set(cols) else None


def _image_size(
    row: list[str], positions: list[int] | None, path: Path, line: int
) -> tuple[int, int] | None:
    """The row's picture size in pixels; None when the file leaves it out or blank."""
    if positions is None:
        return None
    width, height = (_parse(row[i], path, line, SIZE_COLUMNS[k]) for k, i in enumerate(positions))
    if math.isnan(width) and math.isnan(height):
        return None
    if not (width > 0 and height > 0 and math.isfinite(width) and math.isfinite(height)):
        raise LandmarkFormatError(
            f"{path}: line {line}: image_width and image_height must both be pixel counts "
            f"above 0 (or both empty)"
        )
    return round(width), round(height)


def _column_positions(header: list[str], path: Path) -> tuple[list[int], list[int] | None]:
    cols = [c.strip().lower() for c in header]
    position = {name: i for i, name in enumerate(cols)}
    required = ["t", *IMAGE_COLUMNS]
    missing = [c for c in required if c not in position]
    if missing:
        shown = ", ".join(missing[:4]) + (
            f" and {len(missing) - 4} more" if len(missing) > 4 else ""
        )
        raise LandmarkFormatError(f"{path}: landmark CSV is missing column(s) {shown}")
    image_pos = [position[c] for c in required]
    world_present = [c in position for c in WORLD_COLUMNS]
    if any(world_present) and not all(world_present):
        first = WORLD_COLUMNS[world_present.index(False)]
        raise LandmarkFormatError(f"{path}: world columns are incomplete (no {first})")
    world_pos = [position[c] for c in WORLD_COLUMNS] if all(world_present) else None
    return image_pos, world_pos


def _parse(value: str, path: Path, line: int, column: str) -> float:
    text = value.strip()
    if text == "":
        return math.nan
    try:
        return float(text)
    except ValueError:
        raise LandmarkFormatError(
            f"{path}: line {line}, column {column}: expected a number, got {text[:20]!r}"
        ) from None


def _open_rows(path: Path) -> tuple[Any, list[str]]:
    if not path.exists():
        raise InputFileError(f"{path}: no such file")
    try:
        handle = path.open(newline="", encoding="utf-8")
    except OSError as exc:
        raise InputFileError(f"{path}: cannot be read ({exc.strerror})") from None
    reader = csv.reader(handle)
    try:
        header = next(reader)
    except StopIteration:
        handle.close()
        raise LandmarkFormatError(f"{path}: the landmark CSV is empty") from None
    except (UnicodeDecodeError, csv.Error):
        handle.close()
        raise LandmarkFormatError(f"{path}: not a text CSV file") from None
    return reader, header


def iter_landmark_csv(path: str | Path) -> Iterator[PoseFrame]:
    """Stream frames from a landmark CSV, validating each row as it comes."""
    path = Path(path)
    reader, header = _open_rows(path)
    image_pos, world_pos = _column_positions(header, path)
    size_pos = _size_positions(header)
    names = [c.strip().lower() for c in header]
    last_t = -math.inf
    try:
        for row in reader:
            line = reader.line_num
            if not row or all(not v.strip() for v in row):
                continue
            if len(row) < len(header):
                raise LandmarkFormatError(
                    f"{path}: line {line} has {len(row)} values, the header has {len(header)}"
                )
            values = [_parse(row[i], path, line, names[i]) for i in image_pos]
            t = values[0]
            if not math.isfinite(t) or t <= last_t:
                raise LandmarkFormatError(
                    f"{path}: line {line}: time t must be a number that increases row by row"
                )
            last_t = t
            arr = np.asarray(values[1:], dtype=float).reshape(N_LANDMARKS, 4)
            world = None
            if world_pos is not None:
                wv = [_parse(row[i], path, line, names[i]) for i in world_pos]
                world = np.asarray(wv, dtype=float).reshape(N_LANDMARKS, 3)
            vis = np.nan_to_num(arr[:, 3], nan=0.0)
            size = _image_size(row, size_pos, path, line)
            yield PoseFrame(
                t=t, image=arr[:, :3].copy(), visibility=vis, world=world, image_size=size
            )
    except csv.Error as exc:
        raise LandmarkFormatError(f"{path}: malformed CSV ({exc})") from None
    except UnicodeDecodeError:
        raise LandmarkFormatError(f"{path}: not a text CSV file") from None


def read_landmark_csv(path: str | Path) -> PoseSeries:
    """Read a whole landmark CSV into a PoseSeries; LandmarkFormatError names the bad cell."""
    path = Path(path)
    frames = list(iter_landmark_csv(path))
    if not frames:
        raise LandmarkFormatError(f"{path}: the landmark CSV has a header but no rows")
    size = next((f.image_size for f in frames if f.image_size is not None), None)
    return PoseSeries.from_frames(frames, [f.t for f in frames], size, source=str(path))


def _fmt(value: float) -> str:
    return "" if not math.isfinite(value) else f"{value:.6g}"


def write_landmark_csv(series: PoseSeries, path: str | Path) -> None:
    """Write a PoseSeries as a landmark CSV (world columns when the series has them)."""
    path = Path(path)
    with_world = series.world is not None
    try:
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(csv_header(with_world))
            for frame in series.frames():
                writer.writerow(format_landmark_row(frame, with_world))
    except OSError as exc:
        raise InputFileError(f"{path}: cannot be written ({exc.strerror})") from None


def format_landmark_row(frame: PoseFrame, with_world: bool) -> list[str]:
    row = [f"{frame.t:.6f}"]
    for i in range(N_LANDMARKS):
        x, y, z = frame.image[i]
        row += [_fmt(x), _fmt(y), _fmt(z), _fmt(float(frame.visibility[i]))]
    if with_world:
        world = frame.world if frame.world is not None else np.full((N_LANDMARKS, 3), np.nan)
        row += [_fmt(v) for v in world.reshape(-1)]
    row += [str(v) for v in frame.image_size] if frame.image_size else ["", ""]
    return row


class LandmarkCsvWriter:
    """Write frames to a landmark CSV one at a time (for streaming extraction)."""

    def __init__(self, path: str | Path, with_world: bool = True) -> None:
        self.path = Path(path)
        self.with_world = with_world
        try:
            self._handle = self.path.open("w", newline="", encoding="utf-8")
        except OSError as exc:
            raise InputFileError(f"{self.path}: cannot be written ({exc.strerror})") from None
        self._writer = csv.writer(self._handle)
        self._writer.writerow(csv_header(with_world))

    def write(self, frame: PoseFrame | None, t: float) -> None:
        if frame is None:
            frame = PoseFrame(
                t=t,
                image=np.full((N_LANDMARKS, 3), np.nan),
                visibility=np.zeros(N_LANDMARKS),
            )
        self._writer.writerow(format_landmark_row(frame, self.with_world))

    def close(self) -> None:
        self._handle.close()

    def __enter__(self) -> LandmarkCsvWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
