"""Fixtures for the web tests: an app on a temporary database, fake pose estimators fed
from real landmarks, and helpers for CSRF tokens and landmark messages."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import numpy as np
import pytest
from bench.browser import free_port as free_port  # the tests' free loopback port
from fastapi.testclient import TestClient

from hipcoach.config import Settings
from hipcoach.pose.landmark_csv import read_landmark_csv
from hipcoach.pose.landmarks import PoseFrame, PoseSeries
from hipcoach.web.app import create_app
from hipcoach.web.services import WebServices
from tests.realdata import real_csv, require_real

BASE_URL = "http://127.0.0.1"
WS_URL = "ws://127.0.0.1/ws/live"


@pytest.fixture
def web_settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        database_url=f"sqlite:///{tmp_path / 'hipcoach.db'}",
        password=None,
        max_upload_mb=5,
    )


@dataclass
class ReplayEstimator:
    """Stands in for MediaPipe: returns the poses of a recorded series in order."""

    poses: list[PoseFrame | None]
    delay_s: float = 0.0
    calls: int = 0
    closed: bool = False
    sizes: list[tuple[int, int]] = field(default_factory=list)

    def estimate(self, rgb: np.ndarray, t: float) -> PoseFrame | None:
        if self.delay_s:
            time.sleep(self.delay_s)
        self.sizes.append((rgb.shape[1], rgb.shape[0]))
        pose = self.poses[self.calls % len(self.poses)] if self.poses else None
        self.calls += 1
        return pose

    def close(self) -> None:
        self.closed = True


@pytest.fixture(scope="session")
def leg_lift_series(real_landmarks: dict[str, Path]) -> PoseSeries:
    """MediaPipe landmarks of the real side-lying leg lift clip (1 rep, left leg)."""
    return read_landmark_csv(real_csv(real_landmarks, "side_lying_leg_lift"))


def series_poses(series: PoseSeries) -> list[PoseFrame | None]:
    detected = series.detected
    return [series.frame(i) if detected[i] else None for i in range(len(series))]


@pytest.fixture
def make_client(web_settings: Settings) -> Iterator[Callable[..., TestClient]]:
    """Build a TestClient; every client made is closed at the end of the test."""
    made: list[TestClient] = []

    def make(
        settings: Settings | None = None,
        services: WebServices | None = None,
        bind_host: str = "127.0.0.1",
    ) -> TestClient:
        app = create_app(settings or web_settings, services=services, bind_host=bind_host)
        client = TestClient(app, base_url=BASE_URL)
        client.__enter__()
        made.append(client)
        return client

    yield make
    for client in made:
        client.__exit__(None, None, None)


def screen_someone(settings: Settings, flagged: tuple[str, ...] = ()) -> int:
    """A person who answered the safety questions today (optionally flagging some)."""
    import datetime as dt

    from hipcoach.programme.people import create_person
    from hipcoach.programme.safety import RED_FLAG_IDS
    from hipcoach.programme.screening import record_screen
    from hipcoach.store.database import open_database

    db = open_database(settings.resolved_database_url())
    person = create_person(db, "Ana", dt.date.today())
    answers = {flag: flag in flagged for flag in RED_FLAG_IDS}
    record_screen(db, person.id, answers, dt.date.today(), "onboarding")
    db.close()
    return person.id


CSRF_META = re.compile(r'<meta name="csrf-token" content="([0-9a-f]+)">')


def csrf_token(client: TestClient, page: str = "/library") -> str:
    """The CSRF token of this client's session, read from a page like a browser would."""
    response = client.get(page, headers={"accept": "text/html"})
    match = CSRF_META.search(response.text)
    assert match, f"no CSRF token on {page} (status {response.status_code})"
    return match.group(1)


def start_leg_lift_analysis(client: TestClient | httpx.Client, token: str) -> httpx.Response:
    """Upload the real side-lying leg lift clip for analysis (`POST /api/analyse`)."""
    return client.post(
        "/api/analyse?exercise=side_lying_leg_lift",
        content=require_real("side_lying_leg_lift.mp4").read_bytes(),
        headers={"content-type": "video/mp4", "x-csrf-token": token},
    )


def wait_for(predicate: Callable[[], object], timeout_s: float = 10.0) -> object:
    """Poll until predicate() is truthy (for work finishing on server threads)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError("condition not met in time")


def refusal_code(client: TestClient, headers: dict[str, str] | None = None) -> int:
    """The close code of a socket the server accepts and closes before any message."""
    from starlette.websockets import WebSocketDisconnect

    with client.websocket_connect(WS_URL, headers=dict(headers or {})) as ws:
        try:
            message = ws.receive_text()
        except WebSocketDisconnect as closed:
            return closed.code
    raise AssertionError(f"the socket was not closed; it sent {message[:80]!r}")
