"""Fixtures shared across the suite: real footage (read in place, never copied) and
MediaPipe landmarks extracted from it once per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
REAL_DIR = REPO.parent / "shared" / "data" / "real"


def require_real(name: str) -> Path:
    """Path of a real clip; skipped locally when shared/ is absent, an error in CI."""
    path = REAL_DIR / name
    if not path.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"real footage {path} is missing in CI")
        pytest.skip(f"real footage {path} not available")
    return path


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


def real_csv(real_landmarks: dict[str, Path], stem: str) -> Path:
    require_real(stem + ".mp4")
    return real_landmarks[stem]
