"""Who may reach the app: bind rules, the owner's password, session cookies and CSRF tokens.

The app binds to the loopback interface by default. Any other address is refused unless the
owner set a password (`HIPCOACH_PASSWORD`, either in plain text or as a hash made by
`hash_password`); with a password every page and socket needs a login.

Sessions are signed cookies (itsdangerous) holding a random session id and whether the
person logged in. A login only counts while the server also holds that id (server-side,
in the app's `AuthStore`: the database when served, so every worker process sees it):
logging out drops it, and changing the password drops them all, so a cookie copied before
either is worthless. The signing key is random per `serve` (shared by its workers), so a
restart logs everyone out. CSRF tokens are an HMAC of the session id; forms carry them in
`csrf_token`, scripts in the `X-CSRF-Token` header.

Wrong passwords are throttled per client address (the socket's peer; forwarded headers
only count when `serve` was told to trust a proxy): after a few, each further attempt
from that address waits its turn and an increasing delay, but is still checked, so the
owner's right password always gets in. The failures are counted in the same `AuthStore`,
so every worker process slows the same address; the one-at-a-time queue per address is
per process. scrypt runs on a worker thread, one at a time.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import ipaddress
import secrets
import time
from collections import OrderedDict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Protocol

from itsdangerous import BadSignature, URLSafeTimedSerializer

from hipcoach.errors import HipcoachError

SESSION_COOKIE = "hipcoach_session"
SESSION_MAX_AGE_S = 12 * 3600
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1
MAX_SESSIONS = 256
_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


class UnsafeBindError(HipcoachError):
    """Refused to listen on a non-loopback address without an owner password."""


def is_loopback_host(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and the usual names for them."""
    name = host.strip().strip("[]").lower()
    if name in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def check_bind(host: str, password: str | None) -> None:
    """Raise UnsafeBindError when `host` would expose the app without a password."""
    if is_loopback_host(host):
        return
    if not password:
        raise UnsafeBindError(
            f"refusing to listen on {host} without a password: set HIPCOACH_PASSWORD "
            "(every page will then ask for it), or keep the default 127.0.0.1"
        )


def hash_password(password: str, salt: bytes | None = None) -> str:
    """An scrypt hash, `scrypt$n$r$p$salt$hash` with base64 fields; safe to store or export."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P, dklen=32
    )
    salt_text = base64.b64encode(salt).decode()
    digest_text = base64.b64encode(digest).decode()
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${salt_text}${digest_text}"


def is_password_hash(value: str) -> bool:
    return value.startswith("scrypt$") and value.count("$") == 5


def verify_password(password: str, stored_hash: str) -> bool:
    """Constant-time check of a password against `hash_password`'s output; False if malformed."""
    try:
        _, n, r, p, salt_b64, digest_b64 = stored_hash.split("$")
        salt = base64.b64decode(salt_b64)
        expected = base64.b64decode(digest_b64)
        digest = hashlib.scrypt(
            password.encode("utf-8"), salt=salt, n=int(n), r=int(r), p=int(p), dklen=len(expected)
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(digest, expected)


@dataclass(frozen=True)
class Session:
    """What the signed cookie says: a random id and whether the person logged in."""

    id: str
    logged_in: bool = False


class TooManyAttempts(HipcoachError):
    """A client already has the most login attempts waiting that it may have."""


class AuthStore(Protocol):
    """Where logins and wrong-password times live (`ServerState` keeps them in the
    database; `MemoryAuthStore` in this process, for a Guard on its own)."""

    def add_login(self, session_id: str, now: float) -> None: ...

    def login_started(self, session_id: str) -> float | None: ...

    def end_login(self, session_id: str) -> None: ...

    def end_all_logins(self, older_than: float | None = None) -> None: ...

    def record_failure(self, client: str, now: float) -> None: ...

    def recent_failures(self, client: str, window_s: float, now: float) -> int: ...

    def reset_failures(self, client: str) -> None: ...


class MemoryAuthStore:
    """An AuthStore in this process's memory, bounded in size."""

    def __init__(self, max_logins: int = MAX_SESSIONS, max_clients: int = 1000) -> None:
        self.max_logins = max_logins
        self.max_clients = max_clients
        self._logins: OrderedDict[str, float] = OrderedDict()
        self._failures: OrderedDict[str, list[float]] = OrderedDict()

    def add_login(self, session_id: str, now: float) -> None:
        self._logins[session_id] = now
        while len(self._logins) > self.max_logins:
            self._logins.popitem(last=False)

    def login_started(self, session_id: str) -> float | None:
        return self._logins.get(session_id)

    def end_login(self, session_id: str) -> None:
        self._logins.pop(session_id, None)

    def end_all_logins(self, older_than: float | None = None) -> None:
        if older_than is None:
            self._logins.clear()
        else:
            for session_id in [k for k, t in self._logins.items() if t < older_than]:
                del self._logins[session_id]

    def record_failure(self, client: str, now: float) -> None:
        self._failures.setdefault(client, []).append(now)
        self._failures.move_to_end(client)
        while len(self._failures) > self.max_clients:  # never grow without bound
            self._failures.popitem(last=False)

    def recent_failures(self, client: str, window_s: float, now: float) -> int:
        recent = [t for t in self._failures.get(client, []) if now - t < window_s]
        if recent:
            self._failures[client] = recent
        else:
            self._failures.pop(client, None)
        return len(recent)

    def reset_failures(self, client: str) -> None:
        self._failures.pop(client, None)


@dataclass
class LoginThrottle:
    """Slows wrong guesses per client without ever refusing to check a password.

    The first `free_failures` wrong passwords within `window_s` cost nothing; after that
    each attempt from the same client waits `delay_s` per extra failure (at most
    `max_delay_s`), one attempt at a time, with at most `max_waiting` queued.
    """

    free_failures: int = 5
    window_s: float = 60.0
    delay_s: float = 1.0
    max_delay_s: float = 10.0
    max_waiting: int = 3
    store: AuthStore = field(default_factory=MemoryAuthStore)
    _locks: dict[str, asyncio.Lock] = field(default_factory=dict)
    _waiting: dict[str, int] = field(default_factory=dict)

    def recent_failures(self, client: str, now: float | None = None) -> int:
        now = time.time() if now is None else now
        return self.store.recent_failures(client, self.window_s, now)

    def delay_for(self, client: str, now: float | None = None) -> float:
        """How long this client's next attempt waits before its password is checked."""
        extra = self.recent_failures(client, now) - self.free_failures + 1
        return 0.0 if extra <= 0 else min(self.delay_s * extra, self.max_delay_s)

    def record_failure(self, client: str, now: float | None = None) -> None:
        self.store.record_failure(client, time.time() if now is None else now)

    def reset(self, client: str) -> None:
        self.store.reset_failures(client)

    @asynccontextmanager
    async def turn(self, client: str) -> AsyncIterator[float]:
        """Wait for this client's turn; yields the delay to sleep before checking.
        TooManyAttempts when `max_waiting` attempts from it are already queued."""
        waiting = self._waiting.get(client, 0)
        if waiting >= self.max_waiting:
            raise TooManyAttempts("too many login attempts at once; wait and try again")
        lock = self._locks.setdefault(client, asyncio.Lock())
        self._waiting[client] = waiting + 1
        try:
            async with lock:
                yield self.delay_for(client)
        finally:
            self._waiting[client] -= 1
            if not self._waiting[client]:
                del self._waiting[client]
                if not lock.locked():
                    self._locks.pop(client, None)


class Guard:
    """The app's access rules: signs sessions, checks passwords and CSRF tokens."""

    def __init__(
        self, password: str | None, secret: bytes | None = None, store: AuthStore | None = None
    ) -> None:
        """secret: the cookie-signing key, the same in every worker process of one server
        (random when None); store: where logins and failures live (this process's memory
        when None)."""
        self.store: AuthStore = store if store is not None else MemoryAuthStore()
        self._use_password(password)
        self._secret = secret if secret is not None else secrets.token_bytes(32)
        self._serializer = URLSafeTimedSerializer(self._secret, salt="hipcoach-session")
        self.throttle = LoginThrottle(store=self.store)
        self._hashing = asyncio.Semaphore(1)

    def new_session(self, logged_in: bool = False) -> Session:
        session = Session(id=secrets.token_urlsafe(18), logged_in=logged_in)
        if logged_in:
            now = time.time()
            self.store.end_all_logins(older_than=now - SESSION_MAX_AGE_S)
            self.store.add_login(session.id, now)
        return session

    def end_session(self, session: Session) -> None:
        """Log this session out on the server: its cookie no longer counts."""
        self.store.end_login(session.id)

    def _use_password(self, password: str | None) -> None:
        self.login_required = bool(password)
        self._password_hash = None
        if password:
            self._password_hash = (
                password if is_password_hash(password) else hash_password(password)
            )

    def set_password(self, password: str | None) -> None:
        """A new owner password (plain or hashed; None for none): every session is logged out."""
        self._use_password(password)
        self.store.end_all_logins()

    def _is_logged_in(self, session_id: str) -> bool:
        started = self.store.login_started(session_id)
        return started is not None and time.time() - started < SESSION_MAX_AGE_S

    def encode_session(self, session: Session) -> str:
        return self._serializer.dumps({"id": session.id, "in": session.logged_in})

    def decode_session(self, cookie: str | None) -> Session | None:
        """The session in a cookie, or None when missing, tampered with or expired. It is
        logged in only while the server still holds its login."""
        if not cookie:
            return None
        try:
            data = self._serializer.loads(cookie, max_age=SESSION_MAX_AGE_S)
        except BadSignature:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("id"), str):
            return None
        logged_in = bool(data.get("in")) and self._is_logged_in(data["id"])
        return Session(id=data["id"], logged_in=logged_in)

    def is_allowed(self, session: Session | None) -> bool:
        """May this session see pages and open sockets?"""
        if not self.login_required:
            return True
        return session is not None and session.logged_in and self._is_logged_in(session.id)

    def check_password(self, password: str) -> bool:
        if self._password_hash is None:
            return False
        return verify_password(password, self._password_hash)

    async def check_password_async(self, password: str) -> bool:
        """check_password on a worker thread, one at a time, so the event loop (and every
        live socket on it) keeps running while scrypt works."""
        async with self._hashing:
            return await asyncio.to_thread(self.check_password, password)

    def csrf_token(self, session: Session) -> str:
        mac = hmac.new(self._secret, f"csrf:{session.id}".encode(), hashlib.sha256)
        return mac.hexdigest()

    def check_csrf(self, session: Session | None, token: str | None) -> bool:
        if session is None or not token:
            return False
        return hmac.compare_digest(self.csrf_token(session), token)
