"""The BlazePose backend on real footage of real people, against MediaPipe's reference."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from tests.realdata import REAL_DIR, real_csv, require_real

from hipcoach.pose.landmark_csv import read_landmark_csv

BODY = slice(11, 33)  # shoulders to feet: the joints the analysis reads


@pytest.fixture(scope="module")
def squats(real_landmarks: dict[str, Path]) -> tuple:
    series = read_landmark_csv(real_csv(real_landmarks, "pose_squats"))
    ref_px = np.array(json.loads((REAL_DIR / "pose_squats.full.json").read_text()))
    ref_world = np.array(json.loads((REAL_DIR / "pose_squats_3d.full.json").read_text()))
    return series, ref_px, ref_world


def test_image_landmarks_within_31_px_of_reference(squats: tuple) -> None:
    series, ref_px, _ = squats
    assert len(series) == ref_px.shape[0] == 65
    size = np.array([720, 1280])
    ours = series.image[:, :, :2] * size
    error = np.linalg.norm(ours - ref_px[:, :, :2], axis=-1)
    assert np.isfinite(error).all(), "a person must be found in every frame"
    assert error.max() <= 31.0, f"worst landmark error {error.max():.1f} px"
    assert np.median(error[:, BODY]) <= 15.0


def test_world_landmarks_within_024_m_of_reference(squats: tuple) -> None:
    series, _, ref_world = squats
    assert series.world is not None
    error = np.linalg.norm(series.world - ref_world, axis=-1)
    assert error.max() <= 0.24, f"worst world error {error.max():.3f} m"


@pytest.mark.parametrize("stem", ["side_lying_leg_lift", "heel_slide"])
def test_person_found_in_at_least_95_percent_of_frames(
    real_landmarks: dict[str, Path], stem: str
) -> None:
    series = read_landmark_csv(real_csv(real_landmarks, stem))
    assert len(series) > 100
    assert series.detected.mean() >= 0.95


def test_timestamps_are_real_and_increasing(real_landmarks: dict[str, Path]) -> None:
    require_real("side_lying_leg_lift.mp4")
    series = read_landmark_csv(real_csv(real_landmarks, "side_lying_leg_lift"))
    dt = np.diff(series.t)
    assert (dt > 0).all()
    assert abs(np.median(dt) - 1 / 30) < 0.002  # the clip is 30 fps
