"""State that every worker process of one `hipcoach serve` must see, kept in the database.

`hipcoach serve --workers N` runs N processes, each with its own event loop; a browser's
next request may reach any of them. So nothing a later request needs lives in one
process's memory: finished live sets awaiting `POST /api/sets`, analysis jobs' status and
results, logins, the login throttle's failures and the live-socket caps all live in
tables (hipcoach/store/tables.py), on SQLite or PostgreSQL alike.

Each process registers itself in `server_workers` and beats every `BEAT_S` seconds. A
process that stopped beating for `STALE_S` (killed, crashed) is gone: its socket claims no
longer count against the caps, and its unfinished analysis jobs read as failed rather
than running for ever. Times are `time.time()` seconds: every process is on one machine.

Every method here blocks on the database; async code calls them on a thread.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from hipcoach.analysis.events import SetReport
from hipcoach.errors import StorageError
from hipcoach.store.database import Database
from hipcoach.store.tables import (
    AnalysisJobRow,
    LiveSocketClaim,
    LoginFailure,
    PendingLiveSet,
    ServerLock,
    ServerLogin,
    ServerWorker,
)
from hipcoach.web.live import FinishedSet

BEAT_S = 2.0
"""How often a worker process says it is alive."""
STALE_S = 10.0
"""A worker silent for this long is taken as gone (killed or crashed)."""
WORKER_GONE = "the server process analysing this video stopped; upload it again"
MAX_PENDING_SETS = 64
"""Finished live sets kept for saving; the oldest go first."""
MAX_JOBS = 8
"""Analysis jobs kept (with their results); the oldest go first."""


class ServerState:
    """This process's handle on the shared state (one per process, `app.state.server`)."""

    def __init__(self, open_db: Callable[[], Database], clock: Callable[[], float] = time.time):
        self._open_db = open_db
        self._db: Database | None = None
        self._closed = False
        self._lock = threading.Lock()
        self._beating = threading.Lock()
        self.clock = clock
        self.token = uuid.uuid4().hex
        self.pid = os.getpid()
        self._beaten_at = -1e18

    def db(self) -> Database:
        """The database, opened (and migrated) on first use; StorageError once closed (a
        job thread outliving its server must not open it again)."""
        with self._lock:
            if self._closed:
                raise StorageError("the server is stopping: its database is closed")
            if self._db is None:
                self._db = self._open_db()
            return self._db

    def close(self) -> None:
        with self._lock:
            self._closed = True
            if self._db is not None:
                self._db.close()
                self._db = None

    # --- worker processes --------------------------------------------------------

    def ensure_alive(self) -> None:
        """Beat now unless this process beat within `BEAT_S` (before it claims anything)."""
        with self._beating:
            if self.clock() - self._beaten_at > BEAT_S:
                self._beat()

    def beat(self) -> None:
        """Say this process is alive; clear out what gone processes left behind."""
        with self._beating:  # one beat at a time: the first inserts this process's row
            self._beat()

    def _beat(self) -> None:
        now = self.clock()
        with self.db().transaction() as s:
            row = s.get(ServerWorker, self.token)
            if row is None:
                s.add(ServerWorker(token=self.token, pid=self.pid, beat_at=now))
            else:
                row.beat_at = now
            s.execute(delete(ServerWorker).where(ServerWorker.beat_at < now - STALE_S))
            live = select(ServerWorker.token)
            s.execute(delete(LiveSocketClaim).where(LiveSocketClaim.worker.not_in(live)))
            s.execute(
                update(AnalysisJobRow)
                .where(AnalysisJobRow.status.in_(("queued", "running")))
                .where(AnalysisJobRow.worker.not_in(live))
                .values(status="failed", message=WORKER_GONE)
            )
        self._beaten_at = now  # only once the beat is stored

    def start_fresh(self) -> None:
        """A new server starts (before its workers): no process of an earlier run is
        alive, so their claims go, their unfinished jobs fail, and every login ends."""
        with self.db().transaction() as s:
            s.execute(delete(LiveSocketClaim))
            s.execute(delete(ServerWorker))
            s.execute(delete(ServerLogin))
            s.execute(
                update(AnalysisJobRow)
                .where(AnalysisJobRow.status.in_(("queued", "running")))
                .values(status="failed", message="the server restarted before the analysis ended")
            )

    def leave(self) -> None:
        """This process is stopping: its claims end and its unfinished jobs fail."""
        with self.db().transaction() as s:
            s.execute(delete(LiveSocketClaim).where(LiveSocketClaim.worker == self.token))
            s.execute(
                update(AnalysisJobRow)
                .where(AnalysisJobRow.worker == self.token)
                .where(AnalysisJobRow.status.in_(("queued", "running")))
                .values(status="failed", message="the server stopped before the analysis ended")
            )
            s.execute(delete(ServerWorker).where(ServerWorker.token == self.token))

    def _live_workers(self) -> Any:
        return select(ServerWorker.token).where(ServerWorker.beat_at >= self.clock() - STALE_S)

    # --- live-socket caps --------------------------------------------------------

    def claim_socket(self, camera: bool, max_sockets: int, max_camera: int) -> str | None:
        """Count a live socket in (all processes together); its claim id, or None when a
        cap is reached. The lock row's update makes count-then-insert one step on SQLite
        and PostgreSQL alike."""
        self.ensure_alive()
        with self.db().transaction() as s:
            s.execute(
                update(ServerLock)
                .where(ServerLock.name == "live_sockets")
                .values(n=ServerLock.n + 1)
            )
            counted = LiveSocketClaim.worker.in_(self._live_workers())
            total, cameras = s.execute(
                select(func.count(), func.count().filter(LiveSocketClaim.camera)).where(counted)
            ).one()
            if total >= max_sockets or (camera and cameras >= max_camera):
                return None
            claim = uuid.uuid4().hex
            s.add(LiveSocketClaim(id=claim, worker=self.token, camera=camera))
            return claim

    def release_socket(self, claim: str) -> None:
        with self.db().transaction() as s:
            s.execute(delete(LiveSocketClaim).where(LiveSocketClaim.id == claim))

    def socket_counts(self) -> tuple[int, int]:
        """(open live sockets, open camera sockets) across live processes."""
        with self.db().transaction() as s:
            total, cameras = s.execute(
                select(func.count(), func.count().filter(LiveSocketClaim.camera)).where(
                    LiveSocketClaim.worker.in_(self._live_workers())
                )
            ).one()
            return int(total), int(cameras)

    # --- finished live sets ------------------------------------------------------

    def keep_set(self, row: PendingLiveSet) -> None:
        with self.db().transaction() as s:
            s.merge(row)
            s.flush()
            _keep_newest(s, PendingLiveSet.set_id, PendingLiveSet.ended_at, MAX_PENDING_SETS)

    def get_set(self, set_id: str) -> PendingLiveSet | None:
        with self.db().transaction() as s:
            return s.get(PendingLiveSet, set_id)

    def pop_set(self, set_id: str) -> None:
        with self.db().transaction() as s:
            s.execute(delete(PendingLiveSet).where(PendingLiveSet.set_id == set_id))

    # --- analysis jobs -----------------------------------------------------------

    def add_job(self, row: AnalysisJobRow) -> None:
        self.ensure_alive()
        row.worker = self.token
        with self.db().transaction() as s:
            s.add(row)
            s.flush()
            _keep_newest(s, AnalysisJobRow.id, AnalysisJobRow.created_at, MAX_JOBS)

    def update_job(self, job_id: str, **values: Any) -> None:
        self.ensure_alive()  # a running job keeps its process counted as alive
        with self.db().transaction() as s:
            s.execute(update(AnalysisJobRow).where(AnalysisJobRow.id == job_id).values(**values))

    def get_job(self, job_id: str) -> AnalysisJobRow | None:
        """The job as stored; an unfinished job whose process is gone reads as failed."""
        with self.db().transaction() as s:
            row = s.get(AnalysisJobRow, job_id)
            if row is None or row.status not in ("queued", "running"):
                return row
            alive = s.execute(self._live_workers().where(ServerWorker.token == row.worker))
            if alive.first() is None:
                row.status, row.message = "failed", WORKER_GONE
            return row

    # --- logins and the login throttle -------------------------------------------

    def add_login(self, session_id: str, now: float) -> None:
        with self.db().transaction() as s:
            s.add(ServerLogin(session_id=session_id, started_at=now))

    def login_started(self, session_id: str) -> float | None:
        with self.db().transaction() as s:
            row = s.get(ServerLogin, session_id)
            return None if row is None else row.started_at

    def end_login(self, session_id: str) -> None:
        with self.db().transaction() as s:
            s.execute(delete(ServerLogin).where(ServerLogin.session_id == session_id))

    def end_all_logins(self, older_than: float | None = None) -> None:
        """Every login ends (or, with `older_than`, those started before it)."""
        with self.db().transaction() as s:
            query = delete(ServerLogin)
            if older_than is not None:
                query = query.where(ServerLogin.started_at < older_than)
            s.execute(query)

    def record_failure(self, client: str, now: float) -> None:
        with self.db().transaction() as s:
            s.add(LoginFailure(client=client[:64], at=now))

    def recent_failures(self, client: str, window_s: float, now: float) -> int:
        """Wrong passwords from `client` within the window (older ones are deleted)."""
        cutoff = now - window_s
        with self.db().transaction() as s:
            s.execute(delete(LoginFailure).where(LoginFailure.at < cutoff))
            count = s.execute(
                select(func.count()).where(LoginFailure.client == client[:64])
            ).scalar_one()
            return int(count)

    def reset_failures(self, client: str) -> None:
        with self.db().transaction() as s:
            s.execute(delete(LoginFailure).where(LoginFailure.client == client[:64]))


class SharedFinishedSets:
    """`WebServices.finished_sets` on the database: a set finished on one worker can be
    saved through any other, and survives the worker being killed."""

    def __init__(self, state: ServerState) -> None:
        self.state = state

    def keep(self, finished: FinishedSet) -> None:
        self.state.keep_set(
            PendingLiveSet(
                set_id=finished.set_id,
                exercise=finished.exercise,
                variation=finished.variation,
                report=finished.report.model_dump(mode="json"),
                interrupted=finished.interrupted,
                ended_at=finished.ended_at,
            )
        )

    def get(self, set_id: str) -> FinishedSet | None:
        row = self.state.get_set(set_id)
        if row is None:
            return None
        return FinishedSet(
            row.set_id,
            row.exercise,
            row.variation,
            SetReport.model_validate(row.report),
            row.interrupted,
            row.ended_at,
        )

    def pop(self, set_id: str) -> FinishedSet | None:
        finished = self.get(set_id)
        self.state.pop_set(set_id)
        return finished


def _keep_newest(session: Session, key: Any, newest_first_by: Any, limit: int) -> None:
    """Delete every row of `key`'s table but the `limit` newest by `newest_first_by`."""
    newest = select(key).order_by(newest_first_by.desc()).limit(limit)
    keep = [r for (r,) in session.execute(newest)]
    session.execute(delete(key.class_).where(key.not_in(keep)))
