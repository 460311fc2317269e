"""`kill -9` of a real server while live sets are being coached and saved: every set the
server said it saved is in the database afterwards, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import os
import random
import signal
import threading
import time
from pathlib import Path

import httpx
import numpy as np
import pytest
from fastapi.testclient import TestClient

from hipcoach.config import Settings
from hipcoach.pose.landmarks import PoseSeries
from hipcoach.programme.history import list_sessions
from hipcoach.programme.people import list_people
from hipcoach.store.database import open_database
from hipcoach.web.app import create_app
from hipcoach.web.protocol import format_landmark_message
from tests.store.databases import database_url  # noqa: F401  (a fixture)
from tests.web.conftest import BASE_URL, CSRF_META
from tests.web.live_server import LiveServer, start_server
from tests.web.test_programme_pages import _onboard
from tests.web.wsclient import close_code, open_socket, start

RUNS = 3


def _set_messages(series: PoseSeries) -> list[str]:
    out = []
    for frame in series.frames():
        pose = frame if np.isfinite(frame.image[:, 0]).any() else None
        out.append(json.dumps(format_landmark_message(pose, frame.t)))
    return out


def _coach_and_save(server: LiveServer, messages: list[str], saved: list[int]) -> None:
    """Run sets and save them until the server dies; record what it acknowledged."""
    try:
        with httpx.Client(base_url=server.base, timeout=10, trust_env=False) as http:
            page = http.get("/library", headers={"accept": "text/html"})
            match = CSRF_META.search(page.text)
            assert match
            token = match.group(1)
            while True:
                with open_socket(server.ws_url) as ws:
                    set_id = start(ws)["set_id"]
                    for text in messages:
                        ws.send(text)
                        ws.recv(timeout=10)
                    ws.send('{"type": "end"}')
                    close_code(ws)
                body = {"set_id": set_id, "pain": 1, "where_felt": "target"}
                reply = http.post("/api/sets", json=body, headers={"x-csrf-token": token})
                if reply.status_code == 200:
                    saved.append(int(reply.json()["set"]["id"]))
    except Exception:  # the server was killed: whatever this client was doing stops
        return


@pytest.mark.timeout(300)
def test_kill_9_while_saving_loses_no_acknowledged_set(
    tmp_path: Path,
    database_url: str,  # noqa: F811
    leg_lift_series: PoseSeries,
) -> None:
    settings = Settings(data_dir=tmp_path / "data", database_url=database_url)
    with TestClient(create_app(settings), base_url=BASE_URL) as onboarding:
        _onboard(onboarding)  # through the pages, as a person would
    messages = _set_messages(leg_lift_series)
    rng = random.Random(9)
    acknowledged: list[int] = []
    for _ in range(RUNS):
        server = start_server(tmp_path, database_url=database_url)
        clients = _start_clients(server, messages, acknowledged, 2)
        time.sleep(rng.uniform(2.0, 5.0))
        server.kill()
        _join(clients, "a client hung after the server died")
        log = server.log()
        assert "Traceback" not in log, log[-2000:]
    assert acknowledged, "no set was saved before the kills: the test proved nothing"
    stored = _stored_set_ids(database_url)
    assert set(acknowledged) <= stored
    print(f"kill -9: {RUNS} runs, {len(acknowledged)} acknowledged saves, {len(stored)} stored")


@pytest.mark.timeout(300)
def test_kill_9_of_a_worker_while_saving_loses_no_acknowledged_set(
    tmp_path: Path,
    database_url: str,  # noqa: F811
    leg_lift_series: PoseSeries,
) -> None:
    """`serve --workers 2`: one worker is killed mid-save (uvicorn starts another), then
    the server is stopped; every acknowledged save is stored."""
    from tests.web.test_workers_server import workers_of

    settings = Settings(data_dir=tmp_path / "data", database_url=database_url)
    with TestClient(create_app(settings), base_url=BASE_URL) as onboarding:
        _onboard(onboarding)
    messages = _set_messages(leg_lift_series)
    rng = random.Random(10)
    acknowledged: list[int] = []
    for _ in range(2):
        server = start_server(tmp_path, database_url=database_url, workers="2")
        clients = _start_clients(server, messages, acknowledged, 3)
        time.sleep(rng.uniform(2.0, 5.0))
        os.kill(rng.choice(workers_of(server)), signal.SIGKILL)
        time.sleep(2.0)  # the other worker goes on coaching and saving
        assert server.stop() == 0, "SIGTERM stops the supervisor and its workers"
        _join(clients, "a client hung after the server stopped")
        assert "Traceback" not in server.log(), server.log()[-2000:]
    assert acknowledged, "no set was saved: the test proved nothing"
    stored = _stored_set_ids(database_url)
    assert set(acknowledged) <= stored
    print(f"kill -9 of a worker: {len(acknowledged)} acknowledged saves, {len(stored)} stored")


def _start_clients(
    server: LiveServer, messages: list[str], acknowledged: list[int], count: int
) -> list[threading.Thread]:
    """`count` clients coaching a set and saving it, over and over, in threads."""
    clients = [
        threading.Thread(target=_coach_and_save, args=(server, messages, acknowledged))
        for _ in range(count)
    ]
    for client in clients:
        client.start()
    return clients


def _join(clients: list[threading.Thread], hung: str) -> None:
    for client in clients:
        client.join(timeout=30)
        assert not client.is_alive(), hung


def _stored_set_ids(url: str) -> set[int]:
    """Every set id stored for the (one) person in the database."""
    db = open_database(url)
    try:
        person = list_people(db)[0]
        return {s.id for session in list_sessions(db, person.id) for s in session.sets}
    finally:
        db.close()
