"""`hipcoach serve`: loopback by default, refuses exposure without a password."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from typer.testing import CliRunner

from hipcoach.cli.main import app
from hipcoach.cli.serve_cmd import WS_IMPL
from hipcoach.config import get_settings
from hipcoach.web.security import verify_password
from tests.web.conftest import free_port

runner = CliRunner()


@pytest.fixture(autouse=True)
def fresh_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> Any:
    monkeypatch.delenv("HIPCOACH_PASSWORD", raising=False)
    monkeypatch.setenv("HIPCOACH_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Capture what uvicorn would have been started with."""
    import uvicorn

    calls: dict[str, Any] = {}

    def fake_run(application: Any, **kwargs: Any) -> None:
        calls["app"] = application
        calls.update(kwargs)

    monkeypatch.setattr(uvicorn, "run", fake_run)
    return calls


def test_serve_binds_loopback_by_default(started: dict[str, Any]) -> None:
    port = free_port()
    result = runner.invoke(app, ["serve", "--port", str(port)])
    assert result.exit_code == 0, result.output
    assert started["host"] == "127.0.0.1" and started["port"] == port
    assert started["ws_per_message_deflate"] is False
    assert f"http://127.0.0.1:{port}" in result.output


def test_serve_refuses_a_public_address_without_a_password(started: dict[str, Any]) -> None:
    result = runner.invoke(app, ["serve", "--host", "0.0.0.0"])
    assert result.exit_code != 0
    assert "HIPCOACH_PASSWORD" in result.output and "Traceback" not in result.output
    assert not started


def test_serve_allows_a_public_address_with_a_password(
    started: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HIPCOACH_PASSWORD", "a long password")
    get_settings.cache_clear()
    result = runner.invoke(app, ["serve", "--host", "0.0.0.0", "--port", str(free_port())])
    assert result.exit_code == 0, result.output
    assert started["host"] == "0.0.0.0" and "password" in result.output.lower()
    assert started["app"].state.guard.login_required


def test_serve_says_so_when_the_port_is_taken(started: dict[str, Any]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = runner.invoke(app, ["serve", "--port", str(port)])
    assert result.exit_code != 0 and "already in use" in result.output
    assert not started


def test_hash_password_prints_a_hash_that_verifies() -> None:
    result = runner.invoke(app, ["hash-password"], input="s3cret-words\ns3cret-words\n")
    assert result.exit_code == 0, result.output
    stored = result.output.strip().splitlines()[-1]
    assert verify_password("s3cret-words", stored)


def test_serve_ignores_forwarded_headers_and_caps_headers_by_default(
    started: dict[str, Any],
) -> None:
    result = runner.invoke(app, ["serve", "--port", str(free_port())])
    assert result.exit_code == 0, result.output
    assert started["proxy_headers"] is False
    assert started["http"] == "h11" and started["h11_max_incomplete_event_size"] <= 64 * 1024


def test_serve_trusts_forwarded_headers_only_from_named_proxies(
    started: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HIPCOACH_FORWARDED_ALLOW_IPS", "127.0.0.1")
    get_settings.cache_clear()
    result = runner.invoke(app, ["serve", "--port", str(free_port())])
    assert result.exit_code == 0, result.output
    assert started["proxy_headers"] is True and started["forwarded_allow_ips"] == "127.0.0.1"


def test_serve_names_a_websocket_protocol_that_uvicorn_loads(started: dict[str, Any]) -> None:
    # Named, not "auto", so the socket's protocol (and its CPU per message) stays the same
    # whichever optional packages are installed; uvicorn must know the name.
    import uvicorn

    result = runner.invoke(app, ["serve", "--port", str(free_port())])
    assert result.exit_code == 0, result.output
    assert started["ws"] == WS_IMPL == "websockets-sansio"

    async def asgi_app(scope: Any, receive: Any, send: Any) -> None:  # never called
        raise AssertionError

    config = uvicorn.Config(asgi_app, ws=started["ws"])
    config.load()
    assert config.ws_protocol_class is not None
    assert config.ws_protocol_class.__name__ == "WebSocketsSansIOProtocol"


def test_serve_runs_one_process_unless_told_otherwise(started: dict[str, Any]) -> None:
    result = runner.invoke(app, ["serve", "--port", str(free_port())])
    assert result.exit_code == 0, result.output
    assert "workers" not in started, "one worker: the app runs in the serve process"


def test_serve_workers_start_the_supervisor_with_one_socket_each(
    started: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from hipcoach.cli import workers
    from hipcoach.web.app import BIND_ENV, SECRET_ENV

    for name in (BIND_ENV, SECRET_ENV):  # serve sets them for its workers: undone after
        monkeypatch.delenv(name, raising=False)
    counts: list[int] = []
    monkeypatch.setattr(workers.Supervisor, "run", lambda self: counts.append(self.count) or 0)
    monkeypatch.setenv("HIPCOACH_WORKERS", "3")
    get_settings.cache_clear()
    result = runner.invoke(app, ["serve", "--port", str(free_port())])
    assert result.exit_code == 0, result.output
    assert counts == [3], "HIPCOACH_WORKERS is the default"
    result = runner.invoke(app, ["serve", "--port", str(free_port()), "--workers", "2"])
    assert counts == [3, 2], "--workers wins over the environment"
    assert not started, "uvicorn's own single-process run is not used"


def test_serve_refuses_zero_workers(started: dict[str, Any]) -> None:
    result = runner.invoke(app, ["serve", "--workers", "0"])
    assert result.exit_code != 0
    assert "--workers" in result.output
    assert not started


def test_two_workers_can_listen_on_one_port() -> None:
    from hipcoach.cli.workers import listening_socket, reuse_port_supported

    if not reuse_port_supported():
        pytest.skip("no SO_REUSEPORT on this system")
    port = free_port()
    first = listening_socket("127.0.0.1", port)
    second = listening_socket("127.0.0.1", port)
    try:
        assert first.getsockname() == second.getsockname() == ("127.0.0.1", port)
    finally:
        first.close()
        second.close()
