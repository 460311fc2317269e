"""End to end in headless Chromium: a fake camera plays a real clip into the live coach.

Chromium reads the camera from a y4m file made here from `../shared/data/real/`; the app
runs in uvicorn on a free loopback port with the real engine and MediaPipe. Skipped when
no Chromium is installed, except in CI (`CI=true`), where that is a failure.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hipcoach.config import Settings
from hipcoach.exercises.catalogue import get_exercise, load_catalogue
from hipcoach.programme.history import list_sessions
from hipcoach.programme.people import list_people
from hipcoach.store.database import open_database
from tests.realdata import require_real
from tests.web.browser_support import (  # noqa: F401  (the chromium and server fixtures)
    ARTIFACTS,
    COUNT_PAINTED_PIXELS,
    chromium,
    server,
    wait_data,
)

pytestmark = [pytest.mark.browser, pytest.mark.real]


def test_live_coach_counts_a_real_rep_cues_it_and_saves_the_set(
    server: tuple[str, Settings],  # noqa: F811
    chromium: Any,  # noqa: F811
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
    wait_data(page, "skeletonFrames", 5, 60)
    wait_data(page, "repCount", 1, 120)
    wait_data(page, "cuesShown", 1, 60)
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
    server: tuple[str, Settings],  # noqa: F811
    chromium: Any,  # noqa: F811
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
    server: tuple[str, Settings],  # noqa: F811
    chromium: Any,  # noqa: F811
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
    server: tuple[str, Settings],  # noqa: F811
    chromium: Any,  # noqa: F811
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
    server: tuple[str, Settings],  # noqa: F811
    chromium: Any,  # noqa: F811
    tmp_path: Path,
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
