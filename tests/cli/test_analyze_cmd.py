"""`hipcoach analyze` and `hipcoach landmarks`: the JSON contract and every bad input."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from tests.realdata import real_csv, require_real
from typer.testing import CliRunner

from hipcoach.cli.main import app
from hipcoach.pose.landmark_csv import IMAGE_COLUMNS, read_landmark_csv, write_landmark_csv

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def assert_one_line_error(code: int, stderr: str, pattern: str) -> None:
    assert code != 0
    lines = [ln for ln in stderr.strip().splitlines() if ln.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: ")
    assert pattern in lines[0], lines[0]
    assert "Traceback" not in stderr


def test_json_report_for_a_landmark_file(real_landmarks: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    csv = real_csv(real_landmarks, "side_lying_leg_lift")
    code, stdout, _ = invoke(
        "analyze", str(csv), "--exercise", "side_lying_leg_lift", "--json", str(out)
    )
    assert code == 0, stdout
    report = json.loads(out.read_text())
    for key in ("exercise", "variation", "side", "rep_count", "reps", "set_cues", "view"):
        assert key in report
    assert report["rep_count"] == len(report["reps"]) == 1
    assert report["side"] == "left"
    rep = report["reps"][0]
    assert set(rep) >= {"index", "start_s", "peak_s", "end_s", "range_deg", "cues"}
    assert set(report["view"]) >= {"ok", "advice"}
    assert "Reps: 1" in stdout
    # Filmed from in front and towards the feet: the pelvis roll is not judged (BlazePose
    # drags the hips with the leg), and listed once, not also as less certain; the leg
    # drifting forward moves towards the camera, so it is less certain.
    assert "pelvis_rolls_back" in report["view"]["not_judged"]
    assert "pelvis_rolls_back" not in report["view"]["hard_to_see"]
    assert "leg_drifts_forward" in report["view"]["hard_to_see"]
    flat = stdout.replace("\n", " ")
    assert "Not judged in this recording" in flat and "Less certain from this camera angle" in flat


def test_video_with_annotation(tmp_path: Path) -> None:
    clip = require_real("heel_slide.mp4")
    out, video = tmp_path / "r.json", tmp_path / "annotated.mp4"
    code, _, stderr = invoke(
        "analyze", str(clip), "-e", "heel_slide", "--json", str(out), "--annotate", str(video)
    )
    assert code == 0, stderr
    assert json.loads(out.read_text())["rep_count"] == 1
    import cv2

    cap = cv2.VideoCapture(str(video))
    frames = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
    cap.release()
    assert frames >= 190


def test_landmarks_command_writes_interchange_csv(tmp_path: Path) -> None:
    clip = require_real("side_lying_leg_lift.mp4")
    out = tmp_path / "lm.csv"
    code, _, stderr = invoke("landmarks", str(clip), "-o", str(out))
    assert code == 0, stderr
    series = read_landmark_csv(out)
    assert len(series) == 173 and series.world is not None
    assert series.detected.mean() >= 0.95


def test_missing_file(tmp_path: Path) -> None:
    code, _, err = invoke("analyze", str(tmp_path / "none.mp4"), "-e", "clamshell")
    assert_one_line_error(code, err, "no such file")


def test_broken_video(tmp_path: Path) -> None:
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"not a video at all" * 100)
    code, _, err = invoke("analyze", str(bad), "-e", "clamshell")
    assert_one_line_error(code, err, "bad.mp4")


def test_video_without_a_person(tmp_path: Path) -> None:
    import cv2

    path = tmp_path / "empty_room.mp4"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"mp4v"), 15.0, (320, 240))
    rng = np.random.default_rng(0)
    for _ in range(30):
        writer.write(rng.integers(90, 110, (240, 320, 3), dtype=np.uint8))
    writer.release()
    code, _, err = invoke("analyze", str(path), "-e", "clamshell")
    assert_one_line_error(code, err, "no person")
    code, _, err = invoke("landmarks", str(path), "-o", str(tmp_path / "x.csv"))
    assert_one_line_error(code, err, "no person")
    assert not (tmp_path / "x.csv").exists()


def test_malformed_csv(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("t,nose_x\n0,1\n")
    code, _, err = invoke("analyze", str(bad), "-e", "clamshell")
    assert_one_line_error(code, err, "missing column")
    bad.write_text("t," + ",".join(IMAGE_COLUMNS) + "\n0," + ",".join(["x"] * len(IMAGE_COLUMNS)))
    code, _, err = invoke("analyze", str(bad), "-e", "clamshell")
    assert_one_line_error(code, err, "expected a number")


def test_unknown_exercise_and_variation_list_valid_ids(tmp_path: Path) -> None:
    csv = tmp_path / "x.csv"
    csv.write_text("t\n")
    code, _, err = invoke("analyze", str(csv), "-e", "plank")
    assert_one_line_error(code, err, "clamshell")
    code, _, err = invoke("analyze", str(csv), "-e", "clamshell", "--variation", "upside_down")
    assert_one_line_error(code, err, "knees_tucked")
    code, _, err = invoke("analyze", str(csv), "-e", "clamshell", "--side", "middle")
    assert_one_line_error(code, err, "side")


def test_clip_too_short(real_landmarks: dict[str, Path], tmp_path: Path) -> None:
    series = read_landmark_csv(real_csv(real_landmarks, "heel_slide"))
    from hipcoach.pose.landmarks import PoseSeries

    short = PoseSeries(
        t=series.t[:6],
        image=series.image[:6],
        visibility=series.visibility[:6],
        world=None if series.world is None else series.world[:6],
    )
    path = tmp_path / "short.csv"
    write_landmark_csv(short, path)
    code, _, err = invoke("analyze", str(path), "-e", "heel_slide")
    assert_one_line_error(code, err, "too short")


def test_annotate_needs_a_video(real_landmarks: dict[str, Path], tmp_path: Path) -> None:
    csv = real_csv(real_landmarks, "heel_slide")
    code, _, err = invoke(
        "analyze", str(csv), "-e", "heel_slide", "--annotate", str(tmp_path / "a.mp4")
    )
    assert_one_line_error(code, err, "needs a video")


@pytest.mark.parametrize("args", [["exercises", "show", "nope"]])
def test_catalogue_errors_are_one_line(args: list[str]) -> None:
    code, _, err = invoke(*args)
    assert_one_line_error(code, err, "clamshell")
