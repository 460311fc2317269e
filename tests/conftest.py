"""Fixtures shared across the suite: MediaPipe landmarks of the shared clips, made once."""

from __future__ import annotations

from pathlib import Path

import pytest

from hipcoach.exercises.schema import Posture
from tests.realdata import OWN_RENDERED_DIR, REAL_DIR, RENDERED_DIR

REAL_CLIPS = (
    "side_lying_leg_lift.mp4",
    "heel_slide.mp4",
    "pose_squats.mp4",
    "clamshell_banded.mp4",
)

# Rendered clips with a trainer beside the person exercising (tests/analysis/test_rendered_scenes).
SECOND_PERSON_CLIPS = ("clam_trainer_kneel_front", "clam_trainer_stand_wide")


def _landmark_csvs(clips: list[Path], out: Path, posture: Posture | None = None) -> dict[str, Path]:
    """Run the MediaPipe backend over each existing clip into a landmark CSV; with a
    posture, the way an exercise done in it is analysed (person selection by posture)."""
    from hipcoach.pose.landmark_csv import LandmarkCsvWriter
    from hipcoach.pose.source import estimator_for, open_recording

    made: dict[str, Path] = {}
    for path in clips:
        if not path.exists():
            continue
        csv_path = out / (path.stem + ".csv")
        with LandmarkCsvWriter(csv_path) as writer:
            for sample in open_recording(path).samples(estimator_for(posture)):
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


@pytest.fixture(scope="session")
def side_lying_scene_landmarks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Landmark CSVs of the rendered clips with a second person, found as a side-lying
    exercise is (`hipcoach analyze -e clamshell`): the pose stage prefers someone lying."""
    out = tmp_path_factory.mktemp("side_lying_scene_landmarks")
    clips = [OWN_RENDERED_DIR / f"{stem}.mp4" for stem in SECOND_PERSON_CLIPS]
    return _landmark_csvs(clips, out, Posture.side_lying)
