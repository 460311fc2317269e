"""Bind rules, the owner's password, sessions, CSRF, host and origin checks."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from hipcoach.config import Settings
from hipcoach.web.security import (
    Guard,
    LoginThrottle,
    UnsafeBindError,
    check_bind,
    hash_password,
    is_loopback_host,
    verify_password,
)
from tests.web.conftest import WS_URL, csrf_token, refusal_code

HTML = {"accept": "text/html"}
PASSWORD = "correct horse battery"


@pytest.mark.parametrize("host", ["127.0.0.1", "127.8.9.1", "localhost", "::1", "[::1]"])
def test_loopback_hosts_need_no_password(host: str) -> None:
    assert is_loopback_host(host)
    check_bind(host, None)


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "::", "example.org"])
def test_other_hosts_need_a_password(host: str) -> None:
    assert not is_loopback_host(host)
    with pytest.raises(UnsafeBindError, match="HIPCOACH_PASSWORD"):
        check_bind(host, None)
    check_bind(host, "a password")


def test_password_hashes_verify_only_the_right_password() -> None:
    stored = hash_password(PASSWORD)
    assert PASSWORD not in stored and stored.startswith("scrypt$")
    assert verify_password(PASSWORD, stored)
    assert not verify_password(PASSWORD + "!", stored)
    assert not verify_password(PASSWORD, "scrypt$garbage")
    assert hash_password(PASSWORD) != stored, "every hash has its own salt"


def test_a_guard_accepts_a_stored_hash_as_the_password() -> None:
    guard = Guard(hash_password(PASSWORD))
    assert guard.login_required and guard.check_password(PASSWORD)
    assert not guard.check_password("wrong")


def test_sessions_cannot_be_forged_or_reused_across_servers() -> None:
    guard = Guard("pw")
    cookie = guard.encode_session(guard.new_session(logged_in=True))
    assert guard.decode_session(cookie).logged_in  # type: ignore[union-attr]
    assert guard.decode_session(cookie[:-2] + "xx") is None
    assert Guard("pw").decode_session(cookie) is None, "each process signs with its own key"


def test_csrf_tokens_belong_to_one_session() -> None:
    guard = Guard(None)
    a, b = guard.new_session(), guard.new_session()
    assert guard.check_csrf(a, guard.csrf_token(a))
    assert not guard.check_csrf(b, guard.csrf_token(a))
    assert not guard.check_csrf(a, None)


def test_login_throttle_delays_after_five_failures_and_forgets_them() -> None:
    throttle = LoginThrottle(delay_s=2.0, max_delay_s=5.0)
    for i in range(5):
        assert throttle.delay_for("1.2.3.4", now=float(i)) == 0.0
        throttle.record_failure("1.2.3.4", now=float(i))
    assert throttle.delay_for("1.2.3.4", now=10.0) == 2.0
    throttle.record_failure("1.2.3.4", now=10.0)
    throttle.record_failure("1.2.3.4", now=11.0)
    assert throttle.delay_for("1.2.3.4", now=12.0) == 5.0, "capped"
    assert throttle.delay_for("5.6.7.8", now=12.0) == 0.0
    assert throttle.delay_for("1.2.3.4", now=100.0) == 0.0, "failures expire after the window"


@pytest.fixture
def public_client(make_client: Callable[..., TestClient], web_settings: Settings) -> TestClient:
    settings = web_settings.model_copy(update={"password": PASSWORD})
    return make_client(settings=settings, bind_host="0.0.0.0")


def test_every_page_and_socket_needs_a_login(public_client: TestClient) -> None:
    page = public_client.get("/library", headers=HTML, follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=%2Flibrary"
    api = public_client.get("/api/exercises")
    assert api.status_code == 401
    assert refusal_code(public_client) == 4401
    assert public_client.get("/static/app.css").status_code == 200
    assert public_client.get("/login", headers=HTML).status_code == 200


def test_logging_in_opens_pages_and_sockets(public_client: TestClient) -> None:
    token = csrf_token(public_client, "/login")
    wrong = public_client.post(
        "/login", data={"csrf_token": token, "password": "nope", "next": "/library"}
    )
    assert wrong.status_code == 401 and "not right" in wrong.text
    right = public_client.post(
        "/login",
        data={"csrf_token": token, "password": PASSWORD, "next": "/library"},
        follow_redirects=False,
    )
    assert right.status_code == 303 and right.headers["location"] == "/library"
    cookie = right.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert public_client.get("/api/exercises").status_code == 200
    with public_client.websocket_connect(WS_URL) as ws:
        ws.send_json({"type": "start", "exercise": "clamshell", "mode": "landmarks"})
        assert ws.receive_json()["type"] == "ready"
    token = csrf_token(public_client)
    public_client.post("/logout", data={"csrf_token": token})
    assert public_client.get("/api/exercises").status_code == 401


def test_login_needs_its_csrf_token_and_never_redirects_off_site(
    public_client: TestClient,
) -> None:
    forged = public_client.post("/login", data={"password": PASSWORD})
    assert forged.status_code == 403
    token = csrf_token(public_client, "/login")
    response = public_client.post(
        "/login",
        data={"csrf_token": token, "password": PASSWORD, "next": "//evil.example/x"},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


def test_wrong_passwords_are_slowed_but_the_right_one_still_gets_in(
    public_client: TestClient,
) -> None:
    """Issue #9 case 9: during a lockout the owner's correct password also got 429."""
    throttle = public_client.app.state.guard.throttle  # type: ignore[attr-defined]
    throttle.delay_s = throttle.max_delay_s = 0.05
    token = csrf_token(public_client, "/login")
    codes = [
        public_client.post("/login", data={"csrf_token": token, "password": "x"}).status_code
        for _ in range(7)
    ]
    assert codes == [401] * 7
    assert throttle.delay_for("testclient") == 0.05, "the sixth and later attempts waited"
    right = public_client.post(
        "/login", data={"csrf_token": token, "password": PASSWORD}, follow_redirects=False
    )
    assert right.status_code == 303
    assert throttle.delay_for("testclient") == 0.0, "a right password clears the failures"


def test_loopback_app_refuses_other_host_names(make_client: Callable[..., TestClient]) -> None:
    client = make_client()
    assert client.get("/library", headers={"host": "attacker.example"}).status_code == 421
    assert client.get("/library", headers={"host": "localhost:8000"}).status_code == 200


@pytest.mark.parametrize("bind", ["127.0.0.2", "127.1.2.3", "::1"])
def test_any_loopback_address_works_as_the_bind(
    make_client: Callable[..., TestClient], bind: str
) -> None:
    """Issue #9 case 10: `serve --host 127.0.0.2` answered 421 to everything."""
    client = make_client(bind_host=bind)
    shown = f"[{bind}]" if ":" in bind else bind
    assert client.get("/library", headers={"host": f"{shown}:8000"}).status_code == 200
    assert client.get("/library", headers={"host": "attacker.example"}).status_code == 421


def test_sockets_from_another_origin_are_refused(make_client: Callable[..., TestClient]) -> None:
    client = make_client()
    assert refusal_code(client, {"origin": "http://attacker.example"}) == 1008
    with client.websocket_connect(WS_URL, headers={"origin": "http://127.0.0.1"}) as ws:
        ws.send_json({"type": "start", "exercise": "clamshell", "mode": "landmarks"})
        assert ws.receive_json()["type"] == "ready"


def test_forms_without_a_csrf_token_are_refused(make_client: Callable[..., TestClient]) -> None:
    client = make_client()
    response = client.post("/session/start", data={"pre_pain": "1"})
    assert response.status_code == 403
