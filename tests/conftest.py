"""Fixtures shared across the suite: MediaPipe landmarks of the real clips, made once."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.realdata import REAL_DIR


@pytest.fixture(scope="session")
def real_landmarks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Landmark CSVs made by the MediaPipe backend from the real clips (once per session)."""
    from hipcoach.pose.landmark_csv import LandmarkCsvWriter
    from hipcoach.pose.source import open_recording

    out = tmp_path_factory.mktemp("real_landmarks")
    made: dict[str, Path] = {}
    for clip in ("side_lying_leg_lift.mp4", "heel_slide.mp4", "pose_squats.mp4"):
        path = REAL_DIR / clip
        if not path.exists():
            continue
        csv_path = out / (path.stem + ".csv")
        with LandmarkCsvWriter(csv_path) as writer:
            for sample in open_recording(path).samples():
                writer.write(sample.pose, sample.t)
        made[path.stem] = csv_path
    return made
