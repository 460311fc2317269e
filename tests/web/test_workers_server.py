"""A real `hipcoach serve --workers 2`: `kill -9` of its worker processes loses no finished
set and leaves no analysis hanging; SIGTERM stops every process; a worker whose supervisor
was killed stops by itself."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from bench.web import child_pids

from hipcoach.pose.landmarks import PoseSeries
from hipcoach.web.server_state import STALE_S
from tests.web.conftest import BASE_URL, CSRF_META, start_leg_lift_analysis
from tests.web.live_server import LiveServer, assert_clean_log, start_server
from tests.web.test_kill_during_saves import _set_messages
from tests.web.test_programme_pages import _onboard
from tests.web.wsclient import close_code, open_socket, start

pytestmark = pytest.mark.timeout(240)


def workers_of(server: LiveServer) -> list[int]:
    """The worker processes (not multiprocessing's resource tracker)."""
    pids = []
    for pid in child_pids(server.proc.pid):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"spawn_main" in command:
            pids.append(pid)
    return pids


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _kill_leftovers(pids: list[int]) -> None:
    """A failed test must not leave orphaned workers serving."""
    for pid in pids:
        if alive(pid):
            os.kill(pid, signal.SIGKILL)


def wait_until(predicate: object, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def healthy(server: LiveServer) -> bool:
    try:
        return httpx.get(f"{server.base}/healthz", timeout=2, trust_env=False).status_code == 200
    except httpx.HTTPError:
        return False


def kill_workers(server: LiveServer) -> None:
    """SIGKILL every worker; wait until uvicorn has replacements answering."""
    old = workers_of(server)
    assert len(old) == 2, old
    for pid in old:
        os.kill(pid, signal.SIGKILL)
    wait_until(lambda: not any(alive(p) for p in old), 10, "the killed workers to go")
    wait_until(
        lambda: len(set(workers_of(server)) - set(old)) == 2 and healthy(server),
        90,
        "two new workers",
    )


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    tmp = tmp_path_factory.mktemp("workers")
    from fastapi.testclient import TestClient

    from hipcoach.config import Settings
    from hipcoach.web.app import create_app

    settings = Settings(data_dir=tmp / "data", database_url=f"sqlite:///{tmp / 'hipcoach.db'}")
    with TestClient(create_app(settings), base_url=BASE_URL) as onboarding:
        _onboard(onboarding)
    live = start_server(tmp, workers="2")
    yield live
    if live.alive():
        live.stop()


def _token(http: httpx.Client) -> str:
    page = http.get("/library", headers={"accept": "text/html"})
    match = CSRF_META.search(page.text)
    assert match
    return match.group(1)


def test_serve_runs_two_workers(server: LiveServer) -> None:
    assert len(workers_of(server)) == 2


def test_a_finished_set_is_saved_after_every_worker_was_killed(
    server: LiveServer, leg_lift_series: PoseSeries
) -> None:
    with open_socket(server.ws_url) as ws:
        set_id = start(ws)["set_id"]
        for text in _set_messages(leg_lift_series):
            ws.send(text)
            ws.recv(timeout=10)
        ws.send('{"type": "end"}')
        close_code(ws)
    kill_workers(server)  # whichever worker coached the set is gone
    with httpx.Client(base_url=server.base, timeout=10, trust_env=False) as http:
        body = {"set_id": set_id, "pain": 1, "where_felt": "target"}
        saved = http.post("/api/sets", json=body, headers={"x-csrf-token": _token(http)})
    assert saved.status_code == 200, saved.text
    assert saved.json()["set"]["actual_reps"] == 1


def test_an_analysis_whose_worker_was_killed_reads_failed(server: LiveServer) -> None:
    with httpx.Client(base_url=server.base, timeout=30, trust_env=False) as http:
        started = start_leg_lift_analysis(http, _token(http))
        assert started.status_code == 202
        job_id = started.json()["id"]
        kill_workers(server)
        deadline = time.monotonic() + STALE_S + 30
        status = {}
        while time.monotonic() < deadline:
            status = http.get(f"/api/analyse/{job_id}").json()
            if status["status"] in ("done", "failed"):
                break
            time.sleep(0.5)
    assert status["status"] == "failed", status
    assert "stopped" in status["message"]


def test_sigterm_stops_the_supervisor_and_every_worker(server: LiveServer) -> None:
    pids = workers_of(server)
    assert server.stop() == 0
    wait_until(lambda: not any(alive(p) for p in pids), 10, "the workers to stop")
    assert_clean_log(server)


def test_workers_started_before_a_killed_supervisor_still_stop(tmp_path: Path) -> None:
    """The supervisor killed while its workers are still starting: a worker must not take
    its new parent (init) for the supervisor and keep serving on its own."""
    live = start_server(tmp_path, wait=False, workers="2")
    wait_until(lambda: len(workers_of(live)) == 2, 60, "two worker processes")
    pids = workers_of(live)
    live.kill()
    try:
        wait_until(lambda: not any(alive(p) for p in pids), 60, "orphaned workers to stop")
    finally:
        _kill_leftovers(pids)


def test_workers_stop_when_their_supervisor_is_killed(tmp_path: Path) -> None:
    live = start_server(tmp_path, workers="2")
    pids = workers_of(live)
    assert len(pids) == 2
    live.kill()
    try:
        wait_until(lambda: not any(alive(p) for p in pids), 30, "orphaned workers to stop")
    finally:
        _kill_leftovers(pids)
