"""Pose on the device, end to end in headless Chromium with a real clip as the camera.

The page runs BlazePose (@mediapipe/pose, installed by `make` into the static folder) and
sends landmark messages only; the server finds the pose only when the person chooses it or
the browser cannot. The page is served here under the strict content security policy the
app is meant to send (scripts and WebAssembly from the app only), so a loader that needed
more would fail these tests.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hipcoach.config import Settings
from hipcoach.programme.history import list_sessions
from hipcoach.programme.people import list_people
from hipcoach.store.database import open_database
from tests.realdata import require_real
from tests.web.browser_support import (  # noqa: F401  (the chromium fixture)
    ARTIFACTS,
    COUNT_PAINTED_PIXELS,
    chromium,
    onboarded_app,
    wait_data,
)

pytestmark = [pytest.mark.browser, pytest.mark.real]

CSP = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self' blob:; "
    "connect-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; "
    "style-src 'self'; object-src 'none'; base-uri 'none'"
)


class WithCsp:
    """ASGI middleware: every HTTP answer carries CSP (what the hardened server will send)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        async def send_with_csp(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    h for h in message.get("headers", []) if h[0] != b"content-security-policy"
                ]
                message = {
                    **message,
                    "headers": [*headers, (b"content-security-policy", CSP.encode())],
                }
            await send(message)

        await self.app(scope, receive, send_with_csp if scope["type"] == "http" else send)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Settings]]:
    """The real app (engine, MediaPipe, SQLite) under the strict CSP, in uvicorn on loopback."""
    with onboarded_app(tmp_path, wrap=WithCsp, lifespan="on") as served:
        yield served


def _wait_true(page: Any, condition: str, timeout_s: float) -> None:
    page.wait_for_function(f"() => {condition}", timeout=timeout_s * 1000)


class SocketLog:
    """Every message the page sends on its live sockets, text or binary."""

    def __init__(self, page: Any) -> None:
        self.text: list[dict[str, Any]] = []
        self.binary = 0
        page.on("websocket", self._watch)

    def _watch(self, ws: Any) -> None:
        ws.on("framesent", self._sent)

    def _sent(self, payload: str | bytes) -> None:
        if isinstance(payload, bytes):
            self.binary += 1
        else:
            self.text.append(json.loads(payload))

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [m for m in self.text if m.get("type") == kind]


def open_live(browser: Any, base: str, exercise: str) -> tuple[Any, list[str]]:
    """A live-coach page and the list its CSP violations go to."""
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    violations: list[str] = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.goto(f"{base}/live?exercise={exercise}&plan={exercise}")
    return page, violations


def test_device_mode_sends_landmarks_only_counts_the_rep_and_saves_the_set(
    server: tuple[str, Settings],
    chromium: Any,  # noqa: F811
) -> None:
    base, settings = server
    page, violations = open_live(chromium, base, "side_lying_leg_lift")
    log = SocketLog(page)
    assert page.is_checked("#pose-device"), "pose on this device is the default"
    assert "stays on this device" in page.inner_text("#pose-privacy")
    page.click("#camera-button")
    _wait_true(page, "document.body.dataset.poseMode === 'device'", 120)
    assert "BlazePose full" in page.inner_text("#pose-info")
    page.click("#start-button")
    wait_data(page, "skeletonFrames", 5, 120)
    wait_data(page, "repCount", 1, 180)
    painted = page.evaluate(COUNT_PAINTED_PIXELS)
    assert painted > 100, "the skeleton is drawn over the video"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "live_device_pose.png"))
    page.click("#end-button")
    page.wait_for_selector("#after-set:not([hidden])", timeout=30_000)
    page.check("input[name=pain][value='1']")
    page.check("input[name=where_felt][value='target']")
    page.click("#save-button")
    _wait_true(page, "document.body.dataset.setSaved === 'yes'", 20)

    assert log.binary == 0, "no camera frame left the page"
    (start,) = log.of_type("start")
    assert start["mode"] == "landmarks" and start["send_pose"] is False
    assert start["image_size"] == [640, 352]
    landmarks = log.of_type("landmarks")
    assert len(landmarks) >= 10
    seen = [m for m in landmarks if m.get("left_hip_x") is not None]
    assert seen, "the person was found on the device"
    assert {"left_hip_wx", "left_hip_visibility"} <= set(seen[0])
    times = [m["t"] for m in landmarks]
    assert all(b > a for a, b in itertools.pairwise(times)), "capture times increase"
    assert not violations, violations
    db = open_database(settings.resolved_database_url())
    sets = [s for session in list_sessions(db, list_people(db)[0].id) for s in session.sets]
    db.close()
    assert len(sets) == 1 and sets[0].exercise_id == "side_lying_leg_lift"
    assert sets[0].actual_reps >= 1


def test_choosing_the_server_sends_camera_frames(
    server: tuple[str, Settings],
    chromium: Any,  # noqa: F811
) -> None:
    base, _ = server
    page, _ = open_live(chromium, base, "side_lying_leg_lift")
    log = SocketLog(page)
    page.check("#pose-server")
    assert "goes to the hipcoach server" in page.inner_text("#pose-privacy")
    page.click("#camera-button")
    page.wait_for_selector("#start-button:not([disabled])", timeout=20_000)
    page.click("#start-button")
    wait_data(page, "skeletonFrames", 3, 120)
    page.click("#end-button")
    page.wait_for_selector("#after-set:not([hidden])", timeout=30_000)
    assert log.of_type("start")[0]["mode"] == "frames"
    assert log.binary >= 3 and not log.of_type("landmarks")
    assert page.evaluate("() => document.body.dataset.poseMode") == "server"


def test_a_model_that_fails_to_load_falls_back_to_the_server_with_a_reason(
    server: tuple[str, Settings],
    chromium: Any,  # noqa: F811
) -> None:
    base, _ = server
    page, _ = open_live(chromium, base, "side_lying_leg_lift")
    page.route("**/pose_landmark_full.tflite", lambda route: route.fulfill(status=404))
    log = SocketLog(page)
    page.click("#camera-button")
    _wait_true(page, "document.body.dataset.poseFallback === 'yes'", 60)
    info = page.inner_text("#pose-info")
    assert "could not run on this device" in info and "pose_landmark_full.tflite" in info
    assert page.is_checked("#pose-server")
    assert "goes to the hipcoach server" in page.inner_text("#pose-privacy")
    page.click("#start-button")
    wait_data(page, "skeletonFrames", 2, 120)
    page.click("#end-button")
    assert log.of_type("start")[0]["mode"] == "frames" and log.binary >= 2


def test_a_browser_without_webassembly_is_told_and_uses_the_server(
    server: tuple[str, Settings],
    chromium: Any,  # noqa: F811
) -> None:
    base, _ = server
    page = chromium.new_page()
    page.add_init_script("delete window.WebAssembly;")
    page.goto(f"{base}/live?exercise=clamshell")
    assert page.is_disabled("#pose-device") and page.is_checked("#pose-server")
    assert "cannot run WebAssembly" in page.inner_text("#pose-info")
    assert page.evaluate("() => document.body.dataset.poseMode") == "server"


def test_analyse_a_video_in_the_browser_uploads_nothing_and_sends_landmarks(
    server: tuple[str, Settings],
    chromium: Any,  # noqa: F811
) -> None:
    base, settings = server
    clip = require_real("side_lying_leg_lift.mp4")
    page = chromium.new_page(viewport={"width": 1280, "height": 1000})
    requests: list[str] = []
    page.on("request", lambda r: requests.append(f"{r.method} {r.url}"))
    log = SocketLog(page)
    page.goto(f"{base}/analyse")
    assert page.is_checked("#analyse-device"), "posing in the browser is the default"
    page.select_option("#exercise-select", "side_lying_leg_lift")
    page.set_input_files("#video-file", str(clip))
    page.click("#analyse-button")
    _wait_true(page, "['done', 'failed'].includes(document.body.dataset.analyse)", 300)
    assert page.evaluate("() => document.body.dataset.analyse") == "done", page.inner_text(
        "#analyse-error"
    )
    assert page.evaluate("() => document.body.dataset.analysedHere") == "yes"
    assert not any(r.startswith("POST") for r in requests), "the video was not uploaded"
    assert log.binary == 0 and log.of_type("start")[0]["mode"] == "landmarks"
    assert len(log.of_type("landmarks")) >= 60  # 15 a second of a 5.8 s clip
    assert page.locator("#rep-table tbody tr").count() == 1
    assert "working side left" in page.inner_text("#result-summary")
    page.eval_on_selector("#result-video", "v => { v.currentTime = 1.3; }")
    _wait_true(page, "document.getElementById('result-overlay').width > 0", 20)
    page.wait_for_timeout(500)
    assert page.evaluate(COUNT_PAINTED_PIXELS.replace("'overlay'", "'result-overlay'")) > 100
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "analyse_in_browser.png"), full_page=True)
    assert not (settings.data_dir / "videos").exists()


# The loader probes SIMD by instantiating this 29-byte module (see pose.js); failing it is
# what a browser without WebAssembly SIMD does.
NO_SIMD = """(() => {
  const instantiate = WebAssembly.instantiate.bind(WebAssembly);
  WebAssembly.instantiate = (source, ...rest) => {
    const bytes = source instanceof ArrayBuffer ? new Uint8Array(source) : source;
    if (bytes && bytes.length === 29 && bytes[25] === 253) {
      return Promise.reject(new WebAssembly.CompileError('SIMD unsupported'));
    }
    return instantiate(source, ...rest);
  };
})();"""


def test_a_browser_without_webassembly_simd_poses_with_the_plain_build(
    server: tuple[str, Settings],
    chromium: Any,  # noqa: F811
) -> None:
    base, _ = server
    page, violations = open_live(chromium, base, "side_lying_leg_lift")
    page.add_init_script(NO_SIMD)
    page.reload()
    wasm: list[str] = []
    page.on(
        "request", lambda r: wasm.append(r.url.rsplit("/", 1)[-1]) if ".wasm" in r.url else None
    )
    page.click("#camera-button")
    _wait_true(page, "document.body.dataset.poseMode === 'device'", 120)
    assert wasm == ["pose_solution_wasm_bin.wasm"], wasm
    page.click("#start-button")
    wait_data(page, "skeletonFrames", 3, 120)
    page.click("#end-button")
    assert not violations
