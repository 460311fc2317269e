"""`hipcoach serve`: the local web app (what `make run` starts), and `hipcoach hash-password`."""

from __future__ import annotations

import errno
import os
import socket
from pathlib import Path
from typing import Any

import typer

from hipcoach.cli.errors import one_line_errors
from hipcoach.errors import HipcoachError

WS_MAX_BYTES = 4 * 1024 * 1024
WS_IMPL = "websockets-sansio"
"""uvicorn's WebSocket protocol. Measured on an echo app (20 clients x 30 msg/s, same run):
server CPU per message about 120 us here, against 150-190 for "websockets" (the older
asyncio one) and 200-230 for "wsproto". "auto" would pick this one today only because the
websockets package is installed; naming it keeps the choice stable."""
SHUTDOWN_GRACE_S = 5
MAX_WORKERS = 64


class PortBusyError(HipcoachError):
    """The chosen address and port cannot be listened on."""


def check_port_free(host: str, port: int) -> None:
    """PortBusyError with a plain message when `host:port` cannot be bound right now."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise PortBusyError(
                    f"port {port} on {host} is already in use (is hipcoach already running?); "
                    "try --port with another number"
                ) from None
            raise PortBusyError(f"cannot listen on {host}:{port} ({exc.strerror})") from None


def register(app: typer.Typer) -> None:
    """Add `serve` and `hash-password` to the main app."""
    app.command("serve")(serve)
    app.command("hash-password")(hash_password_command)


@one_line_errors
def serve(
    host: str = typer.Option(
        None,
        help="Address to listen on. Default 127.0.0.1 (this computer only); any other "
        "address needs HIPCOACH_PASSWORD.",
    ),
    port: int = typer.Option(None, help="Port to listen on. Default 8000."),
    ssl_certfile: Path | None = typer.Option(
        None, help="TLS certificate: browsers allow the camera on other devices only over https."
    ),
    ssl_keyfile: Path | None = typer.Option(None, help="TLS private key for --ssl-certfile."),
    workers: int = typer.Option(
        None,
        min=1,
        max=MAX_WORKERS,
        help="Worker processes, each with its own event loop (live landmark sets are "
        "analysed on the loop, so more processes use more cores). Default: "
        "HIPCOACH_WORKERS, else 1.",
    ),
) -> None:
    """Start the web app: live camera coaching, exercise library, history and progress."""
    from hipcoach.config import get_settings
    from hipcoach.web.security import check_bind

    settings = get_settings()
    host = host or settings.host
    port = port or settings.port
    workers = workers or settings.workers
    check_bind(host, settings.password)
    if (ssl_certfile is None) != (ssl_keyfile is None):
        raise HipcoachError("give both --ssl-certfile and --ssl-keyfile, or neither")
    check_port_free(host, port)
    prepare_server_state(settings.resolved_database_url())
    scheme = "https" if ssl_certfile else "http"
    shown = f"[{host}]" if ":" in host else host
    typer.echo(f"hipcoach is running at {scheme}://{shown}:{port}  (Ctrl-C stops it)")
    if settings.password:
        typer.echo("Every page asks for the owner's password.")
    options = uvicorn_options(host, port, settings.forwarded_allow_ips, ssl_certfile, ssl_keyfile)
    run_uvicorn(settings, host, workers, options)


def prepare_server_state(database_url: str) -> None:
    """Before any worker starts: migrate the database once, and forget what a previous run
    left (its processes, socket claims and logins; its unfinished jobs read as failed).
    Finished live sets are kept: they can still be saved."""
    from hipcoach.store.database import open_database
    from hipcoach.web.server_state import ServerState

    state = ServerState(lambda: open_database(database_url))
    try:
        state.start_fresh()
    finally:
        state.close()


def run_uvicorn(settings: Any, host: str, workers: int, options: dict[str, Any]) -> None:
    """One worker: the app runs in this process. More: a supervisor starts `workers`
    processes, each on its own SO_REUSEPORT socket (hipcoach/cli/workers.py); they share
    the cookie key through the environment. Without SO_REUSEPORT, uvicorn's own workers
    (one shared socket) do the same job."""
    import secrets

    import uvicorn

    from hipcoach.cli.workers import APP_FACTORY, Supervisor, reuse_port_supported
    from hipcoach.web.app import BIND_ENV, SECRET_ENV, SUPERVISOR_ENV, create_app

    if workers <= 1:
        uvicorn.run(create_app(settings, bind_host=host), **options)
        return
    os.environ[SECRET_ENV] = secrets.token_hex(32)
    os.environ[BIND_ENV] = host
    os.environ[SUPERVISOR_ENV] = str(os.getpid())
    if not reuse_port_supported():
        uvicorn.run(APP_FACTORY, factory=True, workers=workers, **options)
        return
    code = Supervisor(options, workers).run()
    if code:
        raise typer.Exit(code)


def uvicorn_options(
    host: str,
    port: int,
    forwarded_allow_ips: str | None = None,
    ssl_certfile: Path | None = None,
    ssl_keyfile: Path | None = None,
) -> dict[str, Any]:
    """How `serve` runs uvicorn (tests start real servers with the same options)."""
    from hipcoach.web.limits import MAX_HEADER_BYTES

    return {
        "host": host,
        "port": port,
        "log_level": "warning",
        # h11 caps the request line and header block (httptools has no cap).
        "http": "h11",
        "h11_max_incomplete_event_size": MAX_HEADER_BYTES,
        # websockets' sans-I/O protocol: the cheapest of uvicorn's three on this path
        # (server CPU per landmark message; see WS_IMPL).
        "ws": WS_IMPL,
        "ws_max_size": WS_MAX_BYTES,
        # JPEG frames do not compress and landmark messages travel on a local network:
        # per-message deflate would only cost CPU on every message.
        "ws_per_message_deflate": False,
        # X-Forwarded-For decides who the login throttle counts: believe it only from
        # proxies the owner named (HIPCOACH_FORWARDED_ALLOW_IPS).
        "proxy_headers": bool(forwarded_allow_ips),
        "forwarded_allow_ips": forwarded_allow_ips or "",
        "timeout_graceful_shutdown": SHUTDOWN_GRACE_S,
        "ssl_certfile": str(ssl_certfile) if ssl_certfile else None,
        "ssl_keyfile": str(ssl_keyfile) if ssl_keyfile else None,
    }


@one_line_errors
def hash_password_command() -> None:
    """Print a hash of a password, to put in HIPCOACH_PASSWORD instead of the plain text."""
    from hipcoach.web.security import hash_password

    password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < 8:
        raise HipcoachError("use at least 8 characters")
    typer.echo(hash_password(password))
