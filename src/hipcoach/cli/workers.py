"""`hipcoach serve --workers N` (N > 1): a small supervisor for N uvicorn worker processes.

Each worker listens on its own socket bound with SO_REUSEPORT, so the kernel spreads new
connections evenly over the workers. (uvicorn's own `workers=` shares one listening
socket, and on the bench one worker took 83 of 100 landmark sockets while the other
idled.) The supervisor restarts a worker that dies, stops every worker on SIGTERM or
Ctrl-C (each finishes its sets within the graceful-shutdown time), and gives up when a
worker cannot start at all. Workers stop by themselves if the supervisor is killed
(hipcoach/web/app.py). What the workers share lives in the database (web/server_state.py).
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import sys
import threading
import time
from multiprocessing.process import BaseProcess
from typing import Any

log = logging.getLogger("uvicorn.error")
STARTUP_FAILURE = 3
APP_FACTORY = "hipcoach.web.app:served_app"
STOP_GRACE_S = 15.0
"""How long the supervisor waits for workers to finish on SIGTERM before killing them."""


def reuse_port_supported() -> bool:
    return hasattr(socket, "SO_REUSEPORT")


def listening_socket(host: str, port: int) -> socket.socket:
    """A listening socket on host:port that other workers may bind as well."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.setblocking(False)
    return sock


def run_worker(options: dict[str, Any]) -> None:
    """One worker process: its own socket, the app from `served_app`, uvicorn's loop."""
    import uvicorn

    sock = listening_socket(options["host"], options["port"])
    config = uvicorn.Config(APP_FACTORY, factory=True, **options)
    server = uvicorn.Server(config)
    server.run(sockets=[sock])
    if not server.started:
        sys.exit(STARTUP_FAILURE)


class Supervisor:
    """Starts `count` workers, keeps them running, stops them all on a signal."""

    def __init__(self, options: dict[str, Any], count: int) -> None:
        self.options = options
        self.count = count
        self.context = multiprocessing.get_context("spawn")
        self.stopping = threading.Event()
        self.failed = False
        self.processes: list[BaseProcess] = []

    def _start_one(self) -> BaseProcess:
        process = self.context.Process(target=run_worker, args=(self.options,), daemon=False)
        process.start()
        return process

    def _on_signal(self, signum: int, _frame: object) -> None:
        self.stopping.set()

    def run(self) -> int:
        """Until SIGTERM/SIGINT (exit 0) or a worker that cannot start (exit 3)."""
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self._on_signal)
        self.processes = [self._start_one() for _ in range(self.count)]
        while not self.stopping.wait(0.5):
            self._replace_dead()
        self._stop_all()
        return STARTUP_FAILURE if self.failed else 0

    def _replace_dead(self) -> None:
        for i, process in enumerate(self.processes):
            if process.is_alive():
                continue
            process.join()
            if process.exitcode == STARTUP_FAILURE:
                log.error("a worker process could not start; stopping the server")
                self.failed = True
                self.stopping.set()
                return
            log.warning(
                "worker process %s ended (exit code %s); starting another",
                process.pid,
                process.exitcode,
            )
            self.processes[i] = self._start_one()

    def _stop_all(self) -> None:
        for process in self.processes:
            if process.is_alive():
                process.terminate()  # SIGTERM: uvicorn's graceful shutdown
        deadline = time.monotonic() + STOP_GRACE_S
        for process in self.processes:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join()
