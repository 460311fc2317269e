"""What the headless-Chromium tests share: Chromium (skipped when absent, except in CI),
a real clip as its camera, the real app in uvicorn on loopback, and page helpers.

The launch code itself lives in `bench/browser.py`, which the device-pose bench uses too.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from bench.browser import chromium_executable, chromium_with_camera, serve_in_thread

from hipcoach.config import Settings
from hipcoach.programme.onboarding import OnboardingAnswers, PsfsItem, onboard
from hipcoach.programme.people import create_person
from hipcoach.programme.safety import RED_FLAG_IDS
from hipcoach.programme.screening import record_screen
from hipcoach.store.database import open_database
from hipcoach.web.app import create_app
from tests.realdata import REPO, require_real

ARTIFACTS = REPO / "test-artifacts"
COUNT_PAINTED_PIXELS = """() => {
  const c = document.getElementById('overlay');
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
  return n;
}"""


def find_chromium() -> str:
    """Chromium's path; skips the test when there is none, fails it in CI."""
    found = chromium_executable()
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


def onboard_someone(settings: Settings, on: dt.date) -> None:
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


@contextmanager
def onboarded_app(
    tmp_path: Path, wrap: Callable[[Any], Any] = lambda app: app, **config: Any
) -> Iterator[tuple[str, Settings]]:
    """The real app (engine, MediaPipe, SQLite) with one onboarded person, served on
    loopback; `wrap` wraps the ASGI app (middleware), `config` goes to uvicorn."""
    settings = Settings(
        data_dir=tmp_path / "data", database_url=f"sqlite:///{tmp_path / 'hipcoach.db'}"
    )
    onboard_someone(settings, dt.date.today())
    app = wrap(create_app(settings))
    with serve_in_thread(app, ws_per_message_deflate=False, **config) as base:
        yield base, settings


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Settings]]:
    """The real app with one onboarded person, in uvicorn on a free loopback port."""
    with onboarded_app(tmp_path) as served:
        yield served


@pytest.fixture
def chromium(tmp_path: Path) -> Iterator[Any]:
    """Headless Chromium whose camera plays the first seconds of the real leg-lift clip."""
    executable = find_chromium()
    y4m = write_y4m(require_real("side_lying_leg_lift.mp4"), tmp_path / "camera.y4m")
    with chromium_with_camera(executable, y4m) as browser:
        yield browser


def wait_data(page: Any, key: str, at_least: int, timeout_s: float) -> None:
    """Wait until the page's body data attribute `key` reaches `at_least`."""
    # An arrow function, not an expression: Playwright evals bare expressions in the page,
    # which the app's CSP (rightly) forbids.
    page.wait_for_function(
        f"() => Number(document.body.dataset.{key} || 0) >= {at_least}",
        timeout=timeout_s * 1000,
    )
