"""Fixtures shared across the suite: MediaPipe landmarks of the shared clips, made once."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.realdata import OWN_RENDERED_DIR, REAL_DIR, RENDERED_DIR

REAL_CLIPS = (
    "side_lying_leg_lift.mp4",
    "heel_slide.mp4",
    "pose_squats.mp4",
    "clamshell_banded.mp4",
)


def _landmark_csvs(clips: list[Path], out: Path) -> dict[str, Path]:
    """Run the MediaPipe backend over each existing clip into a landmark CSV."""
    from hipcoach.pose.landmark_csv import LandmarkCsvWriter
    from hipcoach.pose.source import open_recording

    made: dict[str, Path] = {}
    for path in clips:
        if not path.exists():
            continue
        csv_path = out / (path.stem + ".csv")
        with LandmarkCsvWriter(csv_path) as writer:
            for sample in open_recording(path).samples():
                writer.write(sample.pose, sample.t)
        made[path.stem] = csv_path
    return made


@pytest.fixture(scope="session")
def real_landmarks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Landmark CSVs made by the MediaPipe backend from the real clips (once per session)."""
    out = tmp_path_factory.mktemp("real_landmarks")
    return _landmark_csvs([REAL_DIR / clip for clip in REAL_CLIPS], out)


@pytest.fixture(scope="session")
def rendered_landmarks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Landmark CSVs of every rendered clip with exact truth (once per session)."""
    out = tmp_path_factory.mktemp("rendered_landmarks")
    clips = sorted(RENDERED_DIR.glob("*.mp4")) + sorted(OWN_RENDERED_DIR.glob("*.mp4"))
    return _landmark_csvs(clips, out)
