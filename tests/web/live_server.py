"""A real `hipcoach serve` in a child process, for tests that need real sockets, the
server's own log, or a `kill -9`. Its stderr goes to a file the tests read afterwards."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from tests.web.conftest import free_port

START_TIMEOUT_S = 60.0


@dataclass
class LiveServer:
    proc: subprocess.Popen[bytes]
    host: str
    port: int
    log_path: Path

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://{self.host}:{self.port}/ws/live"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> int:
        """SIGTERM, as Ctrl-C or a service manager would; the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError("the server did not stop on SIGTERM") from None
        return int(self.proc.returncode)

    def kill(self) -> None:
        """SIGKILL: no clean-up code runs."""
        self.proc.kill()
        self.proc.wait()


def start_server(
    tmp_path: Path, database_url: str | None = None, wait: bool = True, **env: str
) -> LiveServer:
    """Start `hipcoach serve` on a free loopback port; `env` adds HIPCOACH_* settings.
    With `wait` (the default) return once it answers /healthz."""
    port = free_port()
    log_path = tmp_path / f"server-{port}.log"
    child_env = {k: v for k, v in os.environ.items() if not k.startswith("HIPCOACH_")}
    child_env["HIPCOACH_DATA_DIR"] = str(tmp_path / "data")
    child_env["HIPCOACH_DATABASE_URL"] = database_url or f"sqlite:///{tmp_path / 'hipcoach.db'}"
    child_env.update({f"HIPCOACH_{k.upper()}": v for k, v in env.items()})
    command = [
        sys.executable,
        "-c",
        "from hipcoach.cli.main import app; app()",
        "serve",
        "--port",
        str(port),
    ]
    with log_path.open("wb") as log:
        proc = subprocess.Popen(command, env=child_env, stdout=log, stderr=subprocess.STDOUT)
    server = LiveServer(proc, "127.0.0.1", port, log_path)
    if not wait:
        return server
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if not server.alive():
            raise AssertionError(f"the server exited at start:\n{server.log()}")
        try:
            with urllib.request.urlopen(f"{server.base}/healthz", timeout=2) as reply:
                if reply.status == 200:
                    return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise AssertionError(f"the server did not answer within {START_TIMEOUT_S} s:\n{server.log()}")


def assert_clean_log(server: LiveServer) -> None:
    """No traceback and no Python error log line (uvicorn's or the app's) in the server's
    output. FFmpeg's and OpenCV's own native messages about a damaged video (`[h264 @ ...]`,
    `[ERROR:0@...]`) are the decoders reporting bad input, not server failures."""
    text = server.log()
    assert "Traceback" not in text, text[-3000:]
    errors = [line for line in text.splitlines() if line.startswith(("ERROR:", "CRITICAL:"))]
    assert not errors, errors[:5]
