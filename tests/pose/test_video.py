"""Video reading: real timestamps, streaming, and broken or missing files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from tests.realdata import require_real

from hipcoach.errors import InputFileError
from hipcoach.pose.source import open_recording
from hipcoach.pose.video import iter_video_frames, probe_video


def test_probe_and_stream_real_clip() -> None:
    path = require_real("heel_slide.mp4")
    info = probe_video(path)
    assert (info.width, info.height) == (640, 352)
    times = [f.t for f in iter_video_frames(path)]
    assert len(times) == info.frame_count
    assert times[0] == pytest.approx(0.0, abs=1e-6)
    assert (np.diff(times) > 0).all()
    assert times[-1] == pytest.approx((info.frame_count - 1) / info.fps, abs=0.05)


def test_broken_video_is_a_clear_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 20)
    with pytest.raises(InputFileError, match=r"broken\.mp4"):
        open_recording(broken)


def test_missing_and_folder_inputs(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="no such file"):
        open_recording(tmp_path / "missing.mp4")
    with pytest.raises(InputFileError, match="folder"):
        open_recording(tmp_path)
