"""Two worker processes of one server, in-process: two apps on one database, each with its
own ServerState (as each worker process of `serve --workers 2` has). Whatever one worker
did must be seen by the other: jobs, finished sets, logins, the throttle, socket caps; and
what a dead worker left must not hang or count."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from hipcoach.cli.serve_cmd import prepare_server_state
from hipcoach.config import Settings
from hipcoach.pose.landmarks import PoseSeries
from hipcoach.store.database import open_database
from hipcoach.store.tables import AnalysisJobRow, PendingLiveSet, ServerWorker
from hipcoach.web.app import create_app
from hipcoach.web.protocol import format_landmark_message
from hipcoach.web.server_state import MAX_JOBS, MAX_PENDING_SETS, STALE_S, ServerState
from hipcoach.web.services import WebServices
from tests.web.conftest import (
    BASE_URL,
    WS_URL,
    ReplayEstimator,
    csrf_token,
    series_poses,
    start_leg_lift_analysis,
    wait_for,
)
from tests.web.test_programme_pages import _live_set, _onboard

PASSWORD = "correct horse battery"
SECRET = bytes(range(32))


def _server(client: TestClient) -> ServerState:
    server: ServerState = client.app.state.server  # type: ignore[attr-defined]
    return server


def _silence(state: ServerState) -> None:
    """As if this worker was killed: its heartbeat is older than STALE_S, and stays so."""
    state._beat = lambda: None  # type: ignore[method-assign]
    with state.db().transaction() as s:
        s.execute(
            update(ServerWorker)
            .where(ServerWorker.token == state.token)
            .values(beat_at=state.clock() - STALE_S - 1)
        )


@pytest.fixture
def two_workers(
    tmp_path: Path, leg_lift_series: PoseSeries
) -> Iterator[tuple[Settings, list[TestClient]]]:
    """Two apps ("workers") on one database. Their pose stage replays the clip's recorded
    poses (MediaPipe is not what these tests are about)."""
    poses = series_poses(leg_lift_series)
    settings = Settings(
        data_dir=tmp_path / "data",
        database_url=f"sqlite:///{tmp_path / 'hipcoach.db'}",
        max_camera_sockets=1,
    )
    prepare_server_state(settings.resolved_database_url())  # as `serve` does first
    clients: list[TestClient] = []
    for _ in range(2):
        services = WebServices(create_estimator=lambda: ReplayEstimator(poses))
        app = create_app(settings, services=services, session_secret=SECRET)
        client = TestClient(app, base_url=BASE_URL)
        client.__enter__()
        clients.append(client)
    yield settings, clients
    for client in clients:
        client.__exit__(None, None, None)


def test_each_worker_has_its_own_identity_on_the_shared_database(
    two_workers: tuple[Settings, list[TestClient]],
) -> None:
    _, (a, b) = two_workers
    assert _server(a).token != _server(b).token
    assert _server(a).db().url == _server(b).db().url


def test_an_analysis_started_on_one_worker_is_read_through_the_other(
    two_workers: tuple[Settings, list[TestClient]],
) -> None:
    _, (a, b) = two_workers
    started = start_leg_lift_analysis(a, csrf_token(a))
    assert started.status_code == 202
    job_id = started.json()["id"]
    seen = b.get(f"/api/analyse/{job_id}")
    assert seen.status_code == 200
    assert seen.json()["status"] in ("queued", "running", "done"), seen.json()
    done = wait_for(
        lambda: (j := b.get(f"/api/analyse/{job_id}").json())["status"] in ("done", "failed") and j,
        timeout_s=120,
    )
    assert done["status"] == "done", done
    assert done["done"] == done["total"] > 0
    result = b.get(f"/api/analyse/{job_id}/result")
    assert result.status_code == 200
    assert len(result.json()["frames"]) == done["done"]
    assert result.json()["report"]["exercise"] == "side_lying_leg_lift"


def test_a_job_whose_worker_died_reads_failed_on_the_other(
    two_workers: tuple[Settings, list[TestClient]],
) -> None:
    settings, (_, b) = two_workers
    release = threading.Event()

    def stuck_estimator() -> ReplayEstimator:
        release.wait(timeout=60)  # the pose stage never gets going
        return ReplayEstimator([])

    services = WebServices(create_estimator=stuck_estimator)
    with TestClient(create_app(settings, services=services), base_url=BASE_URL) as a:
        started = start_leg_lift_analysis(a, csrf_token(a))
        job_id = started.json()["id"]
        assert b.get(f"/api/analyse/{job_id}").json()["status"] in ("queued", "running")
        _silence(_server(a))
        gone = b.get(f"/api/analyse/{job_id}").json()
        release.set()
    assert gone["status"] == "failed"
    assert "stopped" in gone["message"], gone


def test_a_set_finished_on_one_worker_is_saved_through_the_other(
    two_workers: tuple[Settings, list[TestClient]], leg_lift_series: PoseSeries
) -> None:
    _, (a, b) = two_workers
    _onboard(a)
    set_id = _live_set(a, leg_lift_series)
    body = {"set_id": set_id, "pain": 1, "where_felt": "target"}
    saved = b.post("/api/sets", json=body, headers={"x-csrf-token": csrf_token(b)})
    assert saved.status_code == 200, saved.text
    assert saved.json()["set"]["actual_reps"] == 1
    again = a.post("/api/sets", json=body, headers={"x-csrf-token": csrf_token(a)})
    assert again.status_code == 409, "saved once, through either worker"


def test_a_set_survives_its_worker(
    two_workers: tuple[Settings, list[TestClient]], leg_lift_series: PoseSeries
) -> None:
    settings, (a, b) = two_workers
    _onboard(a)
    third = TestClient(create_app(settings, session_secret=SECRET), base_url=BASE_URL)
    with third:
        set_id = _live_set(third, leg_lift_series, end=False)
    # `third` is gone (its lifespan ended as a stopped worker's does); the set is not.
    body = {"set_id": set_id, "pain": 3, "where_felt": "target"}
    saved = b.post("/api/sets", json=body, headers={"x-csrf-token": csrf_token(b)})
    assert saved.status_code == 200, saved.text
    assert saved.json()["set"]["ended_early"] is True


def _login(client: TestClient, password: str) -> int:
    token = csrf_token(client, "/login")
    reply = client.post(
        "/login",
        data={"csrf_token": token, "password": password, "next": "/"},
        follow_redirects=False,
    )
    return reply.status_code


def _public_pair(settings: Settings) -> list[TestClient]:
    locked = settings.model_copy(update={"password": PASSWORD})
    return [
        TestClient(create_app(locked, session_secret=SECRET), base_url=BASE_URL) for _ in range(2)
    ]


def test_wrong_passwords_on_one_worker_slow_the_other(
    two_workers: tuple[Settings, list[TestClient]],
) -> None:
    settings, _ = two_workers
    a, b = _public_pair(settings)
    with a, b:
        throttle_b = b.app.state.guard.throttle  # type: ignore[attr-defined]
        for client in (a, b):  # both workers answer fast in this test
            guard = client.app.state.guard  # type: ignore[attr-defined]
            guard.throttle.delay_s, guard.throttle.max_delay_s = 0.05, 0.5
        assert throttle_b.delay_for("testclient") == 0.0
        assert [_login(a, "wrong") for _ in range(6)] == [401] * 6
        # a's own count (6 failures) and b's agree: the sixth and later attempts wait.
        assert throttle_b.delay_for("testclient") == pytest.approx(0.1), "b counts a's"
        assert _login(b, PASSWORD) == 303, "the right password still gets in"
        a_throttle = a.app.state.guard.throttle  # type: ignore[attr-defined]
        assert a_throttle.delay_for("testclient") == 0.0, "b's success cleared a's count"


def test_a_login_on_one_worker_counts_on_the_other_and_logout_ends_it_on_both(
    two_workers: tuple[Settings, list[TestClient]],
) -> None:
    settings, _ = two_workers
    a, b = _public_pair(settings)
    with a, b:
        assert _login(a, PASSWORD) == 303
        b.cookies = a.cookies  # the same browser, its next request on the other worker
        assert b.get("/library", follow_redirects=False).status_code == 200
        copied = dict(a.cookies)
        token = csrf_token(b)
        assert b.post("/logout", data={"csrf_token": token}).status_code in (200, 303)
        a.cookies.clear()
        a.cookies.update(copied)
        assert a.get("/library", follow_redirects=False).status_code == 401, "logged out"


def test_the_camera_socket_cap_counts_every_worker_and_forgets_a_dead_one(
    two_workers: tuple[Settings, list[TestClient]],
) -> None:
    _, (a, b) = two_workers  # max_camera_sockets=1
    camera_start = {"type": "start", "exercise": "side_lying_leg_lift", "mode": "frames"}
    with a.websocket_connect(WS_URL) as first:
        first.send_json(camera_start)
        assert first.receive_json()["type"] == "ready"
        with b.websocket_connect(WS_URL) as second:
            second.send_json(camera_start)
            refused = second.receive_json()
            assert refused["fatal"] and "at most 1" in refused["message"]
        _silence(_server(a))  # a is killed with its socket open: its claim must not leak
        with b.websocket_connect(WS_URL) as third:
            third.send_json(camera_start)
            assert third.receive_json()["type"] == "ready"
            third.send_json({"type": "end"})
            assert third.receive_json()["type"] == "set_end"
        first.send_json({"type": "end"})
        assert first.receive_json()["type"] == "set_end"


def _unreachable(*_args: object, **_kwargs: object) -> None:
    from hipcoach.errors import StorageError

    raise StorageError("database sqlite:///x could not be written: disk I/O error")


def test_a_socket_is_refused_with_1013_when_the_database_cannot_count_it(
    two_workers: tuple[Settings, list[TestClient]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from starlette.websockets import WebSocketDisconnect

    _, (a, _) = two_workers
    monkeypatch.setattr(_server(a), "claim_socket", _unreachable)
    with a.websocket_connect(WS_URL) as ws:
        ws.send_json({"type": "start", "exercise": "side_lying_leg_lift", "mode": "landmarks"})
        refused = ws.receive_json()
        assert refused["fatal"] and "right now" in refused["message"]
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert closed.value.code == 1013


def test_set_end_still_carries_the_report_when_the_set_cannot_be_kept(
    two_workers: tuple[Settings, list[TestClient]],
    monkeypatch: pytest.MonkeyPatch,
    leg_lift_series: PoseSeries,
) -> None:
    _, (a, _) = two_workers
    monkeypatch.setattr(_server(a), "keep_set", _unreachable)
    with a.websocket_connect(WS_URL) as ws:
        ws.send_json({"type": "start", "exercise": "side_lying_leg_lift", "mode": "landmarks"})
        assert ws.receive_json()["type"] == "ready"
        for frame in leg_lift_series.frames():
            ws.send_text(json.dumps(format_landmark_message(frame, frame.t)))
            ws.receive_json()
        ws.send_json({"type": "end"})
        end = ws.receive_json()
    assert end["type"] == "set_end" and end["report"]["rep_count"] == 1


def test_only_the_newest_finished_sets_and_jobs_are_kept(tmp_path: Path) -> None:
    state = ServerState(partial(open_database, f"sqlite:///{tmp_path / 'state.db'}"))
    state.start_fresh()
    extra = 3
    # Stored out of time order, so the newest are not simply the last written.
    for i in sorted(range(MAX_PENDING_SETS + extra), key=lambda i: (i * 7) % 11):
        state.keep_set(
            PendingLiveSet(set_id=f"set{i}", exercise="clamshell", variation=None, report={},
                           interrupted=False, ended_at=float(i))
        )  # fmt: skip
    for i in sorted(range(MAX_JOBS + extra), key=lambda i: (i * 5) % 7):
        state.add_job(
            AnalysisJobRow(id=f"job{i}", exercise="clamshell", variation=None, side="auto",
                           keep_video=False, status="done", done=1, total=1, message="",
                           result=None, created_at=float(i))
        )  # fmt: skip
    with state.db().transaction() as s:
        sets = {row.set_id for row in s.query(PendingLiveSet)}
        jobs = {row.id for row in s.query(AnalysisJobRow)}
    state.close()
    assert sets == {f"set{i}" for i in range(extra, MAX_PENDING_SETS + extra)}
    assert jobs == {f"job{i}" for i in range(extra, MAX_JOBS + extra)}
