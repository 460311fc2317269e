"""Who may reach the app: bind rules, the owner's password, session cookies and CSRF tokens.

The app binds to the loopback interface by default. Any other address is refused unless the
owner set a password (`HIPCOACH_PASSWORD`, either in plain text or as a hash made by
`hash_password`); with a password every page and socket needs a login.

Sessions are signed cookies (itsdangerous) holding a random session id and whether the
person logged in. The signing key is random per process, so a restart logs everyone out.
CSRF tokens are an HMAC of the session id; forms carry them in `csrf_token`, scripts in the
`X-CSRF-Token` header.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import secrets
import time
from dataclasses import dataclass, field

from itsdangerous import BadSignature, URLSafeTimedSerializer

from hipcoach.errors import HipcoachError

SESSION_COOKIE = "hipcoach_session"
SESSION_MAX_AGE_S = 12 * 3600
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1
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


@dataclass
class LoginThrottle:
    """At most `max_failures` wrong passwords per client within `window_s` seconds."""

    max_failures: int = 5
    window_s: float = 60.0
    _failures: dict[str, list[float]] = field(default_factory=dict)

    def allowed(self, client: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        recent = [t for t in self._failures.get(client, []) if now - t < self.window_s]
        self._failures[client] = recent
        return len(recent) < self.max_failures

    def record_failure(self, client: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        self._failures.setdefault(client, []).append(now)
        if len(self._failures) > 1000:  # never grow without bound
            self._failures.pop(next(iter(self._failures)))

    def reset(self, client: str) -> None:
        self._failures.pop(client, None)


class Guard:
    """The app's access rules: signs sessions, checks passwords and CSRF tokens."""

    def __init__(self, password: str | None, secret: bytes | None = None) -> None:
        self.login_required = bool(password)
        self._password_hash: str | None = None
        if password:
            self._password_hash = (
                password if is_password_hash(password) else hash_password(password)
            )
        self._secret = secret if secret is not None else secrets.token_bytes(32)
        self._serializer = URLSafeTimedSerializer(self._secret, salt="hipcoach-session")
        self.throttle = LoginThrottle()

    def new_session(self, logged_in: bool = False) -> Session:
        return Session(id=secrets.token_urlsafe(18), logged_in=logged_in)

    def encode_session(self, session: Session) -> str:
        return self._serializer.dumps({"id": session.id, "in": session.logged_in})

    def decode_session(self, cookie: str | None) -> Session | None:
        """The session in a cookie, or None when missing, tampered with or expired."""
        if not cookie:
            return None
        try:
            data = self._serializer.loads(cookie, max_age=SESSION_MAX_AGE_S)
        except BadSignature:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("id"), str):
            return None
        return Session(id=data["id"], logged_in=bool(data.get("in")))

    def is_allowed(self, session: Session | None) -> bool:
        """May this session see pages and open sockets?"""
        if not self.login_required:
            return True
        return session is not None and session.logged_in

    def check_password(self, password: str) -> bool:
        if self._password_hash is None:
            return False
        return verify_password(password, self._password_hash)

    def csrf_token(self, session: Session) -> str:
        mac = hmac.new(self._secret, f"csrf:{session.id}".encode(), hashlib.sha256)
        return mac.hexdigest()

    def check_csrf(self, session: Session | None, token: str | None) -> bool:
        if session is None or not token:
            return False
        return hmac.compare_digest(self.csrf_token(session), token)
