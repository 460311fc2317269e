"""End to end in headless Chromium: a fake camera plays a real clip into the live coach.

Chromium reads the camera from a y4m file made here from `../shared/data/real/`; the app
runs in uvicorn on a free loopback port with the real engine and MediaPipe. Skipped when
no Chromium is installed, except in CI (`CI=true`), where that is a failure.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from hipcoach.config import Settings
from hipcoach.exercises.catalogue import get_exercise, load_catalogue
from hipcoach.programme.history import list_sessions
from hipcoach.programme.onboarding import OnboardingAnswers, PsfsItem, onboard
from hipcoach.programme.people import create_person, list_people
from hipcoach.programme.safety import RED_FLAG_IDS
from hipcoach.programme.screening import record_screen
from hipcoach.store.database import open_database
from hipcoach.web.app import create_app
from tests.realdata import REPO, require_real
from tests.web.conftest import free_port

pytestmark = [pytest.mark.browser, pytest.mark.real]
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    "--disable-dev-shm-usage",  # CI containers often have a tiny /dev/shm
]


COUNT_PAINTED_PIXELS = """() => {
  const c = document.getElementById('overlay');
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
  return n;
}"""


def find_chromium() -> str:
    for candidate in (os.environ.get("HIPCOACH_CHROMIUM"), "/usr/bin/chromium"):
        if candidate and Path(candidate).exists():
            return candidate
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.environ.get("CI") == "true":
        pytest.fail("Chromium is required in CI (set HIPCOACH_CHROMIUM or install chromium)")
    pytest.skip("no Chromium installed")


def write_y4m(video: Path, out: Path, seconds: float = 6.0) -> Path:
    """A y4m (I420, 30 fps) of the clip's first `seconds`, at an even size."""
    cap = cv2.VideoCapture(str(video))
    frames: list[np.ndarray] = []
    while len(frames) < int(seconds * 30):
        ok, bgr = cap.read()
        if not ok:
            break
        frames.append(bgr)
    cap.release()
    assert frames, f"{video} gave no frames"
    h, w = (d - d % 2 for d in frames[0].shape[:2])
    with out.open("wb") as handle:
        handle.write(f"YUV4MPEG2 W{w} H{h} F30:1 Ip A1:1 C420jpeg\n".encode())
        for bgr in frames:
            i420 = cv2.cvtColor(np.ascontiguousarray(bgr[:h, :w]), cv2.COLOR_BGR2YUV_I420)
            handle.write(b"FRAME\n")
            handle.write(i420.tobytes())
    return out


def _onboard_someone(settings: Settings, on: dt.date) -> None:
    db = open_database(settings.resolved_database_url())
    person = create_person(db, "Ana", on)
    record_screen(db, person.id, dict.fromkeys(RED_FLAG_IDS, False), on, "onboarding")
    answers = OnboardingAnswers(
        goals=("hip_stability",),
        baseline_pain=2,
        psfs=tuple(PsfsItem(activity=f"activity {n}", rating=5) for n in (1, 2, 3)),
    )
    onboard(db, person.id, answers, on)
    db.close()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Settings]]:
    """The real app (engine, MediaPipe, SQLite) in uvicorn on a free loopback port."""
    import uvicorn

    settings = Settings(
        data_dir=tmp_path / "data", database_url=f"sqlite:///{tmp_path / 'hipcoach.db'}"
    )
    _onboard_someone(settings, dt.date.today())
    port = free_port()
    config = uvicorn.Config(
        create_app(settings),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        ws_per_message_deflate=False,
    )
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not uv.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", settings
    uv.should_exit = True
    thread.join(timeout=15)


@pytest.fixture
def chromium(tmp_path: Path) -> Iterator[Any]:
    executable = find_chromium()
    clip = require_real("side_lying_leg_lift.mp4")
    y4m = write_y4m(clip, tmp_path / "camera.y4m")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=executable,
            headless=True,
            args=[*CHROMIUM_ARGS, f"--use-file-for-fake-video-capture={y4m}"],
        )
        try:
            yield browser
        finally:
            browser.close()


def _wait_data(page: Any, key: str, at_least: int, timeout_s: float) -> None:
    page.wait_for_function(
        # An arrow function, not an expression: expressions are eval'd in the page, which
        # the app's CSP (rightly) forbids.
        f"() => Number(document.body.dataset.{key} || 0) >= {at_least}",
        timeout=timeout_s * 1000,
    )


def test_live_coach_counts_a_real_rep_cues_it_and_saves_the_set(
    server: tuple[str, Settings], chromium: Any
) -> None:
    base, settings = server
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    # The clip lifts a straight leg; coached as a clamshell, the rep counts and the form
    # faults (parted feet, a pushing bottom leg...) draw cues.
    page.goto(f"{base}/live?exercise=clamshell&plan=clamshell")
    page.check("#pose-server")  # frames to the server (device mode: test_device_pose_browser)
    page.click("#camera-button")
    page.wait_for_selector("#start-button:not([disabled])", timeout=20_000)
    page.click("#start-button")
    _wait_data(page, "skeletonFrames", 5, 60)
    _wait_data(page, "repCount", 1, 120)
    _wait_data(page, "cuesShown", 1, 60)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "live_coach.png"))
    assert page.inner_text("#rep-count").strip() not in ("", "0")
    painted = page.evaluate(COUNT_PAINTED_PIXELS)
    assert painted > 100, "the skeleton is drawn over the video"
    page.click("#end-button")
    page.wait_for_selector("#after-set:not([hidden])", timeout=20_000)
    catalogue = load_catalogue()
    known = {c.message for c in (*catalogue.set_checks, *get_exercise("clamshell").checks)}
    listed = page.locator("#set-cues li").all_inner_texts()
    assert listed and set(listed) <= known, "the set's cues are listed in the coach's words"
    page.check("input[name=pain][value='2']")
    page.check("input[name=where_felt][value='target']")
    page.click("#save-button")
    page.wait_for_function("() => document.body.dataset.setSaved === 'yes'", timeout=20_000)
    page.screenshot(path=str(ARTIFACTS / "live_coach_saved.png"))
    db = open_database(settings.resolved_database_url())
    sets = [s for session in list_sessions(db, list_people(db)[0].id) for s in session.sets]
    db.close()
    assert len(sets) == 1
    assert sets[0].exercise_id == "clamshell" and sets[0].source == "web"
    assert sets[0].actual_reps >= 1 and sets[0].pain == 2 and sets[0].felt == "target"


def test_a_refused_camera_gets_a_plain_explanation(
    server: tuple[str, Settings], chromium: Any
) -> None:
    base, _ = server
    page = chromium.new_page()
    page.add_init_script(
        """navigator.mediaDevices.getUserMedia = () =>
             Promise.reject(new DOMException('denied', 'NotAllowedError'));"""
    )
    page.goto(f"{base}/live?exercise=clamshell")
    page.click("#camera-button")
    page.wait_for_selector("#camera-error:not([hidden])", timeout=10_000)
    text = page.inner_text("#camera-error")
    assert "refused" in text and "Allow the camera" in text
    assert page.is_disabled("#start-button")


def test_progress_charts_draw_with_the_local_plotly(
    server: tuple[str, Settings], chromium: Any
) -> None:
    base, _ = server
    page = chromium.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{base}/progress")
    page.wait_for_function("() => document.body.dataset.chartsDrawn === '4'", timeout=30_000)
    assert page.locator(".chart .main-svg").count() >= 4
    assert all(url.startswith(base) for url in requests), "no request leaves the machine"


def test_analyse_a_video_shows_progress_reps_and_the_annotated_playback(
    server: tuple[str, Settings], chromium: Any
) -> None:
    base, settings = server
    clip = require_real("side_lying_leg_lift.mp4")
    page = chromium.new_page(viewport={"width": 1280, "height": 1000})
    page.goto(f"{base}/analyse")
    page.check("#analyse-server")  # upload (the default poses the video in the browser)
    page.select_option("#exercise-select", "clamshell")
    assert page.is_visible("#variation-label")
    assert "Knees tucked" in page.inner_text("#variation-select")  # names, not ids
    page.select_option("#exercise-select", "side_lying_leg_lift")
    assert page.is_hidden("#variation-label"), "no empty Variation box"
    page.set_input_files("#video-file", str(clip))
    page.click("#analyse-button")
    page.wait_for_function("() => document.body.dataset.analyse === 'done'", timeout=120_000)
    assert page.eval_on_selector("#upload-bar", "el => el.value") == 100
    assert page.eval_on_selector("#analysis-bar", "el => el.value") == 100
    assert page.locator("#rep-table tbody tr").count() == 1
    # Filmed from the front: the summary says which cues are less certain from there.
    assert "pelvis rolled back" in page.inner_text("#result-summary")
    page.eval_on_selector("#result-video", "v => { v.currentTime = 1.3; }")
    page.wait_for_function(
        "() => document.getElementById('result-overlay').width > 0", timeout=20_000
    )
    page.wait_for_timeout(500)
    assert page.evaluate(COUNT_PAINTED_PIXELS.replace("'overlay'", "'result-overlay'")) > 100
    # Rep count and cue are written under the video, not over it or its controls.
    page.wait_for_function(
        "() => document.getElementById('playback-caption').textContent.startsWith('Rep ')"
    )
    caption = page.evaluate(
        """() => { const v = document.getElementById('result-video').getBoundingClientRect();
                   const c = document.getElementById('playback-caption').getBoundingClientRect();
                   return c.top >= v.bottom; }"""
    )
    assert caption, "the playback caption sits below the video"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "analyse_video.png"), full_page=True)
    assert not (settings.data_dir / "videos").exists(), "nothing kept unless asked"


def test_a_failed_analysis_leaves_no_uploading_line_under_the_error(
    server: tuple[str, Settings], chromium: Any, tmp_path: Path
) -> None:
    base, _ = server
    bad = tmp_path / "not_a_video.mp4"
    bad.write_bytes(b"this is not a video")
    page = chromium.new_page()
    page.goto(f"{base}/analyse")
    page.set_input_files("#video-file", str(bad))
    page.click("#analyse-button")
    page.check("#analyse-server")
    page.wait_for_function("() => document.body.dataset.analyse === 'failed'", timeout=60_000)
    assert page.is_visible("#analyse-error")
    assert page.is_hidden("#analyse-progress")
    assert "Uploading" not in page.inner_text("main")
