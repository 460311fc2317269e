"""Headless Chromium with a video file as its camera, and the app in uvicorn on a free
loopback port: the launch code the browser tests (tests/web) and the device-pose bench
share."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    "--disable-dev-shm-usage",  # CI containers often have a tiny /dev/shm
]
START_TIMEOUT_S = 30.0


def chromium_executable() -> str | None:
    """Chromium's path: $HIPCOACH_CHROMIUM, Debian's /usr/bin/chromium, or on the PATH."""
    for candidate in (os.environ.get("HIPCOACH_CHROMIUM"), "/usr/bin/chromium"):
        if candidate and Path(candidate).exists():
            return candidate
    return shutil.which("chromium") or shutil.which("chromium-browser")


@contextmanager
def chromium_with_camera(
    executable: str, y4m: Path, extra_args: Sequence[str] = ()
) -> Iterator[Any]:
    """A headless Chromium (Playwright) whose fake camera plays the y4m file."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=executable,
            headless=True,
            args=[*CHROMIUM_ARGS, *extra_args, f"--use-file-for-fake-video-capture={y4m}"],
        )
        try:
            yield browser
        finally:
            browser.close()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serve_in_thread(app: Any, **config: Any) -> Iterator[str]:
    """Serve an ASGI app with uvicorn in a daemon thread on a free loopback port; yields
    its base URL and stops the server on exit. `config` adds uvicorn.Config options."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", **config)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT_S
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            server.should_exit = True
            raise RuntimeError(f"uvicorn did not start on 127.0.0.1:{port}")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
