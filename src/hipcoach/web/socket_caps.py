"""The caps on open live sockets (all of them, and camera sets), across every worker
process of the server: the count is in the database (`ServerState.claim_socket`)."""

from __future__ import annotations

from hipcoach.errors import HipcoachError
from hipcoach.web.server_state import ServerState


class SocketRefused(HipcoachError):
    """Too many live sockets are open (close code 1013)."""


class LiveSockets:
    """Counts open live sockets across every worker process (in the database, see
    `ServerState.claim_socket`); refuses new ones past the caps (camera sockets hold a
    MediaPipe graph each, so they have a cap of their own). A killed process's claims stop
    counting once its heartbeat is stale."""

    def __init__(
        self, state: ServerState, max_sockets: int, max_camera: int, start_timeout_s: float
    ) -> None:
        self.state = state
        self.max_sockets = max_sockets
        self.max_camera = max_camera
        self.start_timeout_s = start_timeout_s

    def claim(self, camera: bool) -> tuple[str | None, str | None]:
        """Count a socket in (blocks on the database): (claim id, None), or (None, the
        refusal text) when a cap is reached."""
        claim = self.state.claim_socket(camera, self.max_sockets, self.max_camera)
        if claim is not None:
            return claim, None
        total, cameras = self.state.socket_counts()
        if camera and total < self.max_sockets and cameras >= self.max_camera:
            return None, (
                f"too many camera sets are running (at most {self.max_camera}): "
                "end one on another page or device, then try again"
            )
        return None, f"too many live sockets are open (at most {self.max_sockets})"

    def release(self, claim: str) -> None:
        self.state.release_socket(claim)
