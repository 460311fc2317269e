"""Analyse a recorded video: limits, type checks, progress, result, keeping videos."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import cv2
import pytest
from fastapi.testclient import TestClient

from hipcoach.config import Settings
from hipcoach.pose.landmarks import PoseSeries
from hipcoach.web.media import sniff_video_kind
from hipcoach.web.services import WebServices
from tests.realdata import require_real
from tests.web.conftest import ReplayEstimator, csrf_token, series_poses, wait_for

URL = "/api/analyse?exercise=side_lying_leg_lift"


@pytest.fixture
def client(make_client: Callable[..., TestClient], leg_lift_series: PoseSeries) -> TestClient:
    estimator = lambda: ReplayEstimator(series_poses(leg_lift_series))  # noqa: E731
    return make_client(services=WebServices(create_estimator=estimator))


def _post(client: TestClient, body: bytes, url: str = URL, token: str | None = "") -> object:
    headers = {"content-type": "video/mp4"}
    if token is not None:
        headers["x-csrf-token"] = token or csrf_token(client)
    return client.post(url, content=body, headers=headers)


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"\x00\x00\x00\x18ftypmp42" + bytes(20), "mp4"),
        (b"\x00\x00\x00\x14ftypqt  " + bytes(20), "mp4"),
        (b"\x1a\x45\xdf\xa3" + bytes(20), "webm"),
        (b"RIFF\x00\x00\x00\x00AVI LIST", "avi"),
        (b"OggS" + bytes(20), "ogg"),
        (b"\x89PNG\r\n\x1a\n" + bytes(20), None),
        (b"t,nose_x,nose_y\n0,0.5,0.5\n", None),
        (b"", None),
    ],
)
def test_container_sniffing(head: bytes, kind: str | None) -> None:
    assert sniff_video_kind(head) == kind


def test_a_file_that_is_not_a_video_gets_a_clear_message(client: TestClient) -> None:
    response = _post(client, b"this is a text file, not a film" * 10)
    assert response.status_code == 415  # type: ignore[attr-defined]
    assert "not a video" in response.json()["detail"]  # type: ignore[attr-defined]
    empty = _post(client, b"")
    assert empty.status_code == 415 and "empty" in empty.json()["detail"]  # type: ignore[attr-defined]


def test_a_fake_video_with_a_video_header_fails_as_an_analysis_not_a_500(
    client: TestClient,
) -> None:
    response = _post(client, b"\x00\x00\x00\x18ftypmp42" + b"\x00garbage" * 100)
    assert response.status_code == 202  # type: ignore[attr-defined]
    job_id = response.json()["id"]  # type: ignore[attr-defined]
    job = wait_for(lambda: _finished(client, job_id))
    assert job["status"] == "failed" and job["message"]  # type: ignore[index]


def test_a_failed_analysis_keeps_nothing(client: TestClient, web_settings: Settings) -> None:
    response = _post(
        client, b"\x00\x00\x00\x18ftypmp42" + b"\x01junk" * 100, url=URL + "&keep=true"
    )
    job_id = response.json()["id"]  # type: ignore[attr-defined]
    assert wait_for(lambda: _finished(client, job_id))["status"] == "failed"  # type: ignore[index]
    assert not list((web_settings.data_dir / "videos").glob("*"))


def _finished(client: TestClient, job_id: str) -> dict | None:
    job = client.get(f"/api/analyse/{job_id}").json()
    return job if job["status"] in ("done", "failed") else None


def test_uploads_over_the_limit_are_refused(
    make_client: Callable[..., TestClient], web_settings: Settings
) -> None:
    client = make_client(settings=web_settings.model_copy(update={"max_upload_mb": 1}))
    response = _post(client, b"\x00\x00\x00\x18ftypmp42" + bytes(1024 * 1024 + 10))
    assert response.status_code == 413  # type: ignore[attr-defined]
    assert "1 MB" in response.json()["detail"]  # type: ignore[attr-defined]


def test_uploads_need_the_csrf_token_and_a_known_exercise(client: TestClient) -> None:
    assert _post(client, b"x", token=None).status_code == 403  # type: ignore[attr-defined]
    unknown = _post(client, b"x", url="/api/analyse?exercise=juggling")
    assert unknown.status_code == 404 and "juggling" in unknown.json()["detail"]  # type: ignore[attr-defined]


def test_a_real_clip_is_analysed_in_memory(client: TestClient, web_settings: Settings) -> None:
    video = require_real("side_lying_leg_lift.mp4").read_bytes()
    # Coached as a clamshell, the straight-leg lift parts the feet: a cue to show.
    response = _post(client, video, url="/api/analyse?exercise=clamshell")
    assert response.status_code == 202  # type: ignore[attr-defined]
    job_id = response.json()["id"]  # type: ignore[attr-defined]
    job = wait_for(lambda: _finished(client, job_id), timeout_s=60)
    assert job["status"] == "done", job  # type: ignore[index]
    assert job["done"] == job["total"] > 100  # type: ignore[index]
    result = client.get(f"/api/analyse/{job_id}/result").json()
    assert result["report"]["rep_count"] == 1
    assert [r["index"] for r in result["report"]["reps"]] == [1]
    assert len(result["frames"]) == job["done"]  # type: ignore[index]
    assert result["frames"][0]["t"] == 0 and len(result["frames"][0]["pose"]) == 33
    assert [f["reps"] for f in result["frames"]][-1] == 1
    assert result["frames"][0]["reps"] == 0, "the count grows as the video plays"
    assert any("feet together" in f["cue"] for f in result["frames"])
    assert "feet_apart" in result["report"]["reps"][0]["cues"]
    assert result["skeleton"] and result["saved_to"] is None
    assert not list(Path(web_settings.data_dir).rglob("*.mp4")), "nothing kept unless asked"


def test_keep_my_videos_saves_the_video_and_its_landmarks(
    client: TestClient, web_settings: Settings
) -> None:
    video = require_real("side_lying_leg_lift.mp4").read_bytes()
    response = _post(client, video, url=URL + "&keep=true")
    job_id = response.json()["id"]  # type: ignore[attr-defined]
    wait_for(lambda: _finished(client, job_id), timeout_s=60)
    result = client.get(f"/api/analyse/{job_id}/result").json()
    saved = Path(result["saved_to"])
    assert saved.parent == web_settings.data_dir / "videos"
    assert saved.read_bytes() == video
    landmarks = saved.with_name(saved.stem + ".landmarks.csv")
    assert len(landmarks.read_text().splitlines()) == 1 + len(result["frames"])
    annotated = saved.with_name(saved.stem + ".annotated.mp4")
    capture = cv2.VideoCapture(str(annotated))
    assert int(capture.get(cv2.CAP_PROP_FRAME_COUNT)) == len(result["frames"])
    capture.release()


def test_unknown_jobs_and_unfinished_results_are_plain_errors(client: TestClient) -> None:
    assert client.get("/api/analyse/nope").status_code == 404
    assert client.get("/api/analyse/nope/result").status_code == 404
