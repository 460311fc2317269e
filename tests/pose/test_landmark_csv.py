"""The landmark interchange CSV: round trip and every kind of malformed file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from hipcoach.errors import InputFileError, LandmarkFormatError
from hipcoach.pose.landmark_csv import (
    IMAGE_COLUMNS,
    SIZE_COLUMNS,
    iter_landmark_csv,
    landmark_header,
    read_landmark_csv,
    write_landmark_csv,
)
from hipcoach.pose.landmarks import LANDMARK_NAMES, N_LANDMARKS, PoseSeries


def make_series(n: int = 5, world: bool = True, gap_at: int | None = None) -> PoseSeries:
    rng = np.random.default_rng(3)
    image = rng.uniform(0.1, 0.9, (n, N_LANDMARKS, 3))
    vis = rng.uniform(0.5, 1.0, (n, N_LANDMARKS))
    w = rng.normal(0, 0.3, (n, N_LANDMARKS, 3)) if world else None
    if gap_at is not None:
        image[gap_at] = np.nan
        vis[gap_at] = 0.0
        if w is not None:
            w[gap_at] = np.nan
    return PoseSeries(t=np.arange(n) / 30.0 + 0.01, image=image, visibility=vis, world=w)


def test_header_follows_mediapipe_order() -> None:
    header = landmark_header(with_world=True)
    assert header[:5] == ["t", "nose_x", "nose_y", "nose_z", "nose_visibility"]
    assert header[1 + 4 * 32] == "right_foot_index_x"
    assert header[-1] == "right_foot_index_wz"
    assert len(header) == 1 + 33 * 4 + 33 * 3
    assert LANDMARK_NAMES[23] == "left_hip"


@pytest.mark.parametrize("world", [True, False])
def test_round_trip_keeps_values_and_gaps(tmp_path: Path, world: bool) -> None:
    series = make_series(world=world, gap_at=2)
    path = tmp_path / "lm.csv"
    write_landmark_csv(series, path)
    back = read_landmark_csv(path)
    np.testing.assert_allclose(back.t, series.t, atol=1e-6)
    np.testing.assert_allclose(back.image, series.image, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(back.visibility, series.visibility, rtol=1e-5)
    assert (back.world is None) == (not world)
    assert not back.detected[2] and back.detected[[0, 1, 3, 4]].all()


def _write(tmp_path: Path, header: list[str], rows: list[list[str]]) -> Path:
    path = tmp_path / "bad.csv"
    path.write_text("\n".join(",".join(r) for r in [header, *rows]) + "\n")
    return path


def _row(t: float) -> list[str]:
    return [str(t)] + ["0.5"] * len(IMAGE_COLUMNS)


def test_missing_columns_are_named(tmp_path: Path) -> None:
    header = ["t", *IMAGE_COLUMNS[:-4]]
    path = _write(tmp_path, header, [_row(0.0)[:-4]])
    with pytest.raises(LandmarkFormatError, match=r"missing column.*right_foot_index_x"):
        read_landmark_csv(path)


def test_non_numeric_value_names_line_and_column(tmp_path: Path) -> None:
    row = _row(0.0)
    row[5] = "oops"
    path = _write(tmp_path, ["t", *IMAGE_COLUMNS], [_row(0.0), row])
    with pytest.raises(LandmarkFormatError, match="line 3, column left_eye_inner_x"):
        read_landmark_csv(path)


def test_times_must_increase(tmp_path: Path) -> None:
    path = _write(tmp_path, ["t", *IMAGE_COLUMNS], [_row(0.1), _row(0.1)])
    with pytest.raises(LandmarkFormatError, match="increases"):
        read_landmark_csv(path)


def test_short_row(tmp_path: Path) -> None:
    path = _write(tmp_path, ["t", *IMAGE_COLUMNS], [_row(0.0)[:10]])
    with pytest.raises(LandmarkFormatError, match="has 10 values"):
        read_landmark_csv(path)


def test_header_only_and_empty_and_binary(tmp_path: Path) -> None:
    header_only = _write(tmp_path, ["t", *IMAGE_COLUMNS], [])
    with pytest.raises(LandmarkFormatError, match="no rows"):
        read_landmark_csv(header_only)
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(LandmarkFormatError, match="empty"):
        read_landmark_csv(empty)
    binary = tmp_path / "bin.csv"
    binary.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(LandmarkFormatError):
        read_landmark_csv(binary)


def test_partial_world_columns_rejected(tmp_path: Path) -> None:
    header = ["t", *IMAGE_COLUMNS, "nose_wx"]
    path = _write(tmp_path, header, [[*_row(0.0), "0.1"]])
    with pytest.raises(LandmarkFormatError, match="world columns are incomplete"):
        read_landmark_csv(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="no such file"):
        list(iter_landmark_csv(tmp_path / "nope.csv"))


def test_round_trip_keeps_the_picture_size(tmp_path: Path) -> None:
    """Without the size a 16:9 picture's heights read 1.78 times its widths."""
    series = make_series()
    series.image_size = (640, 360)
    path = tmp_path / "lm.csv"
    write_landmark_csv(series, path)
    back = read_landmark_csv(path)
    assert back.image_size == (640, 360)
    assert all(frame.image_size == (640, 360) for frame in iter_landmark_csv(path))


def test_a_file_without_the_picture_size_reads_without_it(tmp_path: Path) -> None:
    path = _write(tmp_path, ["t", *IMAGE_COLUMNS], [_row(0.0), _row(0.1)])
    assert read_landmark_csv(path).image_size is None


@pytest.mark.parametrize(("width", "height"), [("wide", "360"), ("0", "360"), ("640", "")])
def test_a_bad_picture_size_names_the_line(tmp_path: Path, width: str, height: str) -> None:
    header = ["t", *IMAGE_COLUMNS, *SIZE_COLUMNS]
    path = _write(tmp_path, header, [[*_row(0.0), "640", "360"], [*_row(0.1), width, height]])
    with pytest.raises(LandmarkFormatError, match="line 3"):
        read_landmark_csv(path)
