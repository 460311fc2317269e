"""Upload fuzzing against a real `hipcoach serve`: hypothesis sends bodies that start like a
video container (or a damaged real clip) to /api/analyse; every one gets a clean answer
(202 then `done` or `failed` with a message, or 413/415/422), the server survives, and
its log has no traceback."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.realdata import require_real
from tests.web.conftest import CSRF_META
from tests.web.live_server import LiveServer, assert_clean_log, start_server

URL = "/api/analyse?exercise=side_lying_leg_lift"
MAGIC = [
    b"\x00\x00\x00\x18ftypmp42",
    b"\x00\x00\x00\x14ftypqt  ",
    b"\x1a\x45\xdf\xa3",
    b"RIFF\x00\x00\x00\x00AVI ",
    b"OggS",
    b"",
]
JOB_TIMEOUT_S = 60.0


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = start_server(tmp_path_factory.mktemp("uploads"), max_upload_mb="1")
    yield live
    live.stop()
    assert_clean_log(live)


@pytest.fixture(scope="module")
def http(server: LiveServer) -> Iterator[tuple[httpx.Client, str]]:
    with httpx.Client(base_url=server.base, timeout=30, trust_env=False) as client:
        page = client.get("/library", headers={"accept": "text/html"})
        match = CSRF_META.search(page.text)
        assert match
        yield client, match.group(1)


@pytest.fixture(scope="module")
def clip() -> bytes:
    return require_real("side_lying_leg_lift.mp4").read_bytes()


def _finish(client: httpx.Client, job_id: str) -> dict:
    deadline = time.monotonic() + JOB_TIMEOUT_S
    while time.monotonic() < deadline:
        job = client.get(f"/api/analyse/{job_id}").json()
        if job["status"] in ("done", "failed"):
            return dict(job)
        time.sleep(0.1)
    raise AssertionError(f"analysis {job_id} did not finish within {JOB_TIMEOUT_S} s")


bodies = st.one_of(
    st.tuples(st.sampled_from(MAGIC), st.binary(max_size=4096)).map(lambda p: p[0] + p[1]),
    st.tuples(st.just("clip"), st.integers(0, 2**31), st.integers(1, 4096)),
)


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(body=bodies, kind=st.sampled_from(["video/mp4", "video/webm", "text/plain", ""]))
def test_fuzzed_uploads_get_a_clean_answer(
    server: LiveServer, http: tuple[httpx.Client, str], clip: bytes, body: object, kind: str
) -> None:
    client, token = http
    if isinstance(body, tuple):  # the real clip, cut short and with a run of bytes damaged
        _, seed, length = body
        cut = clip[: max(64, seed % min(len(clip), 200 * 1024))]
        start = seed % len(cut)
        body = (
            cut[:start]
            + bytes((b ^ 0x5A) for b in cut[start : start + length])
            + cut[start + length :]
        )
    assert isinstance(body, bytes)
    reply = client.post(URL, content=body, headers={"content-type": kind, "x-csrf-token": token})
    assert reply.status_code in (202, 413, 415, 422), (reply.status_code, reply.text[:200])
    if reply.status_code == 202:
        job = _finish(client, reply.json()["id"])
        assert job["status"] == "done" or job["message"], job
    assert server.alive()


def test_the_server_survived_the_uploads(server: LiveServer) -> None:
    assert server.alive()
    assert_clean_log(server)
