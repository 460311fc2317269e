"""The app factory: `create_app()` wires settings, access rules, pages, API and the socket.

Run it with `hipcoach serve` (uvicorn on 127.0.0.1:8000 by default). Every script, style
sheet and chart library is served from this package: the app works with no network.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from importlib import resources
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from hipcoach.config import Settings, get_settings
from hipcoach.errors import (
    CatalogueError,
    HipcoachError,
    InputFileError,
    SafetyStop,
    StorageError,
)
from hipcoach.programme import vocabulary
from hipcoach.programme.models import ProgrammeError
from hipcoach.store.database import open_database
from hipcoach.web.gate import GateMiddleware
from hipcoach.web.headers import SecurityHeadersMiddleware
from hipcoach.web.jobs import AnalysisJobs
from hipcoach.web.limits import BodyLimitMiddleware, HeadAsGetMiddleware, body_limit_for
from hipcoach.web.media import NotAVideoError, UploadTooLargeError
from hipcoach.web.security import Guard, is_loopback_host
from hipcoach.web.server_state import BEAT_S, ServerState, SharedFinishedSets
from hipcoach.web.services import WebServices
from hipcoach.web.socket_caps import LiveSockets

PACKAGE_DIR = Path(str(resources.files("hipcoach.web")))
SECRET_ENV = "HIPCOACH_SERVE_SESSION_KEY"
BIND_ENV = "HIPCOACH_SERVE_BIND"
# The pid of `serve --workers N`'s supervisor, set before it starts its workers: a worker
# that read its parent only once it was up could start after a killed supervisor and take
# its new parent (init) for the supervisor.
SUPERVISOR_ENV = "HIPCOACH_SERVE_SUPERVISOR_PID"
"""How `serve` hands its worker processes the shared signing key and the bind address."""
log = logging.getLogger(__name__)


def error_status(exc: HipcoachError) -> int:
    """The HTTP status for one of hipcoach's errors."""
    if isinstance(exc, UploadTooLargeError):
        return 413
    if isinstance(exc, NotAVideoError):
        return 415
    if isinstance(exc, CatalogueError):
        return 404
    if isinstance(exc, InputFileError):
        return 422
    if isinstance(exc, StorageError):
        return 503
    if isinstance(exc, SafetyStop):
        return 403
    if isinstance(exc, ProgrammeError):
        return 409
    return 400


def create_app(
    settings: Settings | None = None,
    services: WebServices | None = None,
    bind_host: str | None = None,
    session_secret: bytes | None = None,
    parent_pid: int | None = None,
) -> FastAPI:
    """Build the web app.

    settings: defaults to `get_settings()`; a password there turns on the login.
    services: the catalogue, engine and estimator to use (tests replace pieces).
    bind_host: the address uvicorn listens on; on loopback (the default) requests must
    name a loopback host, which blocks DNS-rebinding attacks from other web pages.
    session_secret: the cookie-signing key shared by the worker processes of one `serve`
    (random when None: one process). parent_pid: the supervisor of a worker process;
    should it vanish (killed with SIGKILL), the worker stops itself rather than serve on.
    """
    settings = settings or get_settings()
    services = services or WebServices()
    bind_host = bind_host or settings.host
    server = ServerState(partial(open_database, settings.resolved_database_url()))
    guard = Guard(settings.password, secret=session_secret, store=server)
    jobs = AnalysisJobs(services.create_estimator, server)
    services.finished_sets = SharedFinishedSets(server)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Everything loaded at start-up lives as long as the server: keep it out of the
        # cyclic collector, whose full passes otherwise stall every live socket at once.
        gc.collect()
        gc.freeze()
        heartbeat = asyncio.create_task(_keep_beating(server, parent_pid))
        yield
        heartbeat.cancel()
        jobs.shutdown()
        with contextlib.suppress(HipcoachError):
            server.leave()
        server.close()

    app = FastAPI(title="hipcoach", docs_url=None, redoc_url=None, lifespan=lifespan)
    app.state.settings = settings
    app.state.services = services
    app.state.guard = guard
    app.state.jobs = jobs
    app.state.server = server
    app.state.live_sockets = LiveSockets(
        server,
        settings.max_live_sockets,
        settings.max_camera_sockets,
        settings.live_start_timeout_s,
    )
    app.state.templates = Jinja2Templates(directory=str(PACKAGE_DIR / "templates"))
    app.state.templates.env.globals["words"] = vocabulary
    # Added innermost first: requests pass headers -> HEAD -> gate -> body limit -> routes.
    upload_limit = settings.max_upload_mb * 1024 * 1024
    app.add_middleware(BodyLimitMiddleware, limit_for=body_limit_for(upload_limit))
    app.add_middleware(GateMiddleware, guard=guard, loopback_only=is_loopback_host(bind_host))
    app.add_middleware(HeadAsGetMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
    app.mount("/static", StaticFiles(directory=str(PACKAGE_DIR / "static")), name="static")
    _include_routers(app)

    @app.exception_handler(HipcoachError)
    async def hipcoach_error(request: Request, exc: HipcoachError) -> Response:
        from hipcoach.web.programme_routes import page_error

        return page_error(request, exc, error_status(exc))

    return app


async def _keep_beating(server: ServerState, parent_pid: int | None) -> None:
    """This process's heartbeat in the database (see ServerState), every BEAT_S; a worker
    whose supervisor is gone stops (SIGTERM to itself: uvicorn's graceful shutdown)."""
    while True:
        if parent_pid is not None and os.getppid() != parent_pid:
            log.warning("the server's supervisor process is gone: this worker stops")
            os.kill(os.getpid(), signal.SIGTERM)
            return
        try:
            await asyncio.to_thread(server.beat)
        except HipcoachError as exc:
            log.warning("could not record this worker's heartbeat: %s", exc)
        await asyncio.sleep(BEAT_S)


def served_app() -> FastAPI:
    """The app for one worker process of `hipcoach serve --workers N` (uvicorn's factory):
    settings from the environment, the bind address and signing key from `serve`."""
    secret = os.environ.get(SECRET_ENV)
    return create_app(
        get_settings(),
        bind_host=os.environ.get(BIND_ENV) or None,
        session_secret=bytes.fromhex(secret) if secret else None,
        parent_pid=int(os.environ.get(SUPERVISOR_ENV) or os.getppid()),
    )


def _include_routers(app: FastAPI) -> None:
    from hipcoach.web import analyse_routes, auth_routes, live_socket, pages, programme_routes

    for module in (auth_routes, pages, analyse_routes, programme_routes, live_socket):
        app.include_router(module.router)
