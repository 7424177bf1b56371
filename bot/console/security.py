"""Sessions, CSRF tokens, login throttling and the console's secret key.

Sessions are signed, expiring payloads in an HttpOnly cookie::

    base64url(json {"v": 1, "sid": <random>, "u": <username or null>, "iat": t, "exp": t})
    + "." + base64url(hmac-sha256(session key, first part))

Every visitor gets one (an anonymous one on the login page, so the login form has a CSRF token
too); logging in issues a new one with a new ``sid`` (no session fixation). Logging out revokes
the ``sid`` until the session would have expired (in memory, and in Redis when the console has
one, so every console process honours it).

CSRF tokens are synchroniser tokens tied to the session: ``hmac-sha256(csrf key, sid)``, sent in
a hidden form field ``csrf_token`` or an ``X-CSRF-Token`` header, compared in constant time.

The session and CSRF keys are derived from CONSOLE_SECRET_KEY with HMAC, one per purpose.
Nothing here logs a cookie, a token or a password.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, Optional, Tuple

log = logging.getLogger(__name__)

SESSION_VERSION = 1
#: How long a login lasts (absolute, from the login).
SESSION_SECONDS = 12 * 3600
#: How long the anonymous session of the login page lasts.
ANONYMOUS_SESSION_SECONDS = 3600
MAX_COOKIE_LENGTH = 1024
MIN_SECRET_LENGTH = 32
SECRET_FILE = "console-secret"

#: Failed logins per username before it has to wait, and how long the first wait is.
LOCKOUT_THRESHOLD = 5
LOCKOUT_SECONDS = 300
LOCKOUT_MAX_SECONDS = 3600
#: Failures older than this are forgotten.
FAILURE_MEMORY_SECONDS = 3600
MAX_TRACKED_USERNAMES = 10_000


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def derive_key(secret: str, purpose: str) -> bytes:
    return hmac.new(secret.encode("utf-8"), f"helpline-console:{purpose}".encode("ascii"), hashlib.sha256).digest()


@dataclass(frozen=True)
class Session:
    sid: str
    username: Optional[str]
    issued_at: int
    expires_at: int

    @property
    def authenticated(self) -> bool:
        return self.username is not None

    def __repr__(self) -> str:  # the sid is a secret of sorts: never in a repr
        return f"Session(username={self.username!r}, expires_at={self.expires_at})"


class SessionCodec:
    """Signs and checks session cookies; makes and checks CSRF tokens."""

    def __init__(self, secret_key: str, clock: Callable[[], float] = time.time,
                 session_seconds: int = SESSION_SECONDS):
        if not secret_key:
            raise ValueError("the console needs a secret key")
        self._session_key = derive_key(secret_key, "session")
        self._csrf_key = derive_key(secret_key, "csrf")
        self.clock = clock
        self.session_seconds = session_seconds

    def new_session(self, username: Optional[str] = None) -> Session:
        now = int(self.clock())
        lifetime = self.session_seconds if username else ANONYMOUS_SESSION_SECONDS
        return Session(secrets.token_urlsafe(18), username, now, now + lifetime)

    def encode(self, session: Session) -> str:
        payload = json.dumps(
            {"v": SESSION_VERSION, "sid": session.sid, "u": session.username,
             "iat": session.issued_at, "exp": session.expires_at},
            separators=(",", ":"),
        ).encode("utf-8")
        body = _b64(payload)
        return f"{body}.{_b64(hmac.new(self._session_key, body.encode('ascii'), hashlib.sha256).digest())}"

    def decode(self, cookie: Optional[str]) -> Optional[Session]:
        """The session in a cookie, or None when it is missing, forged, malformed or expired."""
        if not cookie or len(cookie) > MAX_COOKIE_LENGTH or cookie.count(".") != 1:
            return None
        body, signature = cookie.split(".")
        expected = _b64(hmac.new(self._session_key, body.encode("ascii", "replace"), hashlib.sha256).digest())
        if not hmac.compare_digest(expected.encode("ascii"), signature.encode("ascii", "replace")):
            return None
        try:
            data = json.loads(_unb64(body))
            if data.get("v") != SESSION_VERSION:
                return None
            sid, username, issued, expires = data["sid"], data["u"], int(data["iat"]), int(data["exp"])
        except (ValueError, KeyError, TypeError, AttributeError):
            return None
        if not isinstance(sid, str) or (username is not None and not isinstance(username, str)):
            return None
        if self.clock() >= expires:
            return None
        return Session(sid, username, issued, expires)

    def csrf_token(self, session: Session) -> str:
        return _b64(hmac.new(self._csrf_key, session.sid.encode("ascii"), hashlib.sha256).digest())

    def check_csrf(self, session: Optional[Session], token: Optional[str]) -> bool:
        if session is None or not token or len(token) > 128:
            return False
        return hmac.compare_digest(self.csrf_token(session).encode("ascii"), token.encode("utf-8", "replace"))


class Revocations:
    """Sessions ended by logging out, until they would have expired anyway."""

    KEY = "helpline:console:revoked:{sid}"

    def __init__(self, redis=None, clock: Callable[[], float] = time.time):
        self.redis = redis
        self.clock = clock
        self._local: Dict[str, float] = {}

    async def revoke(self, session: Session) -> None:
        ttl = max(1, int(session.expires_at - self.clock()))
        self._local[session.sid] = session.expires_at
        self._prune()
        if self.redis is not None:
            try:
                await self.redis.set(self.KEY.format(sid=_digest(session.sid)), "1", ex=ttl)
            except Exception as error:  # noqa: BLE001 - the local record still holds here
                log.warning("Could not record a logout in Redis (%s).", type(error).__name__)

    async def is_revoked(self, session: Session) -> bool:
        if session.sid in self._local:
            return True
        if self.redis is not None:
            try:
                return bool(await self.redis.exists(self.KEY.format(sid=_digest(session.sid))))
            except Exception as error:  # noqa: BLE001
                log.warning("Could not check logouts in Redis (%s).", type(error).__name__)
        return False

    def _prune(self) -> None:
        now = self.clock()
        for sid in [sid for sid, expires in self._local.items() if expires <= now]:
            del self._local[sid]


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


class LoginThrottle:
    """Failed logins per username: after LOCKOUT_THRESHOLD failures the username must wait
    LOCKOUT_SECONDS, doubling with every further failure (up to LOCKOUT_MAX_SECONDS); a
    successful login clears it. The wait applies whether or not the username exists (no
    enumeration) and even to the right password (else it would not stop guessing).

    Kept in Redis when the console has one (all console processes share it), else in memory.
    """

    KEY = "helpline:console:login-failures:{user}"

    def __init__(self, redis=None, clock: Callable[[], float] = time.time,
                 threshold: int = LOCKOUT_THRESHOLD, lockout_seconds: int = LOCKOUT_SECONDS):
        self.redis = redis
        self.clock = clock
        self.threshold = threshold
        self.lockout_seconds = lockout_seconds
        self._local: Dict[str, Tuple[int, float]] = {}

    @staticmethod
    def _user(username: str) -> str:
        return _digest((username or "").strip().lower()[:128])

    def _wait(self, count: int, last: float) -> float:
        if count < self.threshold:
            return 0.0
        duration = min(self.lockout_seconds * 2 ** (count - self.threshold), LOCKOUT_MAX_SECONDS)
        return max(0.0, last + duration - self.clock())

    async def _read(self, user: str) -> Tuple[int, float]:
        if self.redis is not None:
            try:
                values = await self.redis.hgetall(self.KEY.format(user=user))
                if not values:
                    return 0, 0.0
                get = lambda name: values.get(name) or values.get(name.encode())  # noqa: E731
                return int(get("count") or 0), float(get("last") or 0)
            except Exception as error:  # noqa: BLE001 - fall back to this process's memory
                log.warning("Login throttle: Redis unavailable (%s); using local memory.", type(error).__name__)
        count, last = self._local.get(user, (0, 0.0))
        if last and self.clock() - last > FAILURE_MEMORY_SECONDS + LOCKOUT_MAX_SECONDS:
            return 0, 0.0
        return count, last

    async def seconds_to_wait(self, username: str) -> float:
        count, last = await self._read(self._user(username))
        return self._wait(count, last)

    async def failed(self, username: str) -> float:
        """Record a failure; the wait it causes (0 when none)."""
        user = self._user(username)
        now = self.clock()
        count, last = await self._read(user)
        if last and now - last > FAILURE_MEMORY_SECONDS and self._wait(count, last) == 0:
            count = 0
        count += 1
        self._local[user] = (count, now)
        if len(self._local) > MAX_TRACKED_USERNAMES:  # forget the oldest half
            for stale, _ in sorted(self._local.items(), key=lambda item: item[1][1])[: MAX_TRACKED_USERNAMES // 2]:
                del self._local[stale]
        if self.redis is not None:
            try:
                key = self.KEY.format(user=user)
                await self.redis.hset(key, mapping={"count": count, "last": now})
                await self.redis.expire(key, FAILURE_MEMORY_SECONDS + LOCKOUT_MAX_SECONDS)
            except Exception as error:  # noqa: BLE001
                log.warning("Login throttle: Redis unavailable (%s).", type(error).__name__)
        return self._wait(count, now)

    async def succeeded(self, username: str) -> None:
        user = self._user(username)
        self._local.pop(user, None)
        if self.redis is not None:
            try:
                await self.redis.delete(self.KEY.format(user=user))
            except Exception as error:  # noqa: BLE001
                log.warning("Login throttle: Redis unavailable (%s).", type(error).__name__)


# --- the secret key ----------------------------------------------------------------------------


class SecretKeyError(RuntimeError):
    """The console cannot start with this secret key; the message says what to do."""


def _is_placeholder(value: str) -> bool:
    from bot.runtime.settings import is_placeholder

    return is_placeholder(value) or value.strip().lower() in ("secret", "changeme", "change-me", "password")


def resolve_secret_key(
    configured: Optional[str], state_dir: Path, production: bool, announce: Callable[[str], Any] = print
) -> str:
    """CONSOLE_SECRET_KEY when set (it must be real: at least MIN_SECRET_LENGTH characters, no
    placeholder). Unset in production: an error. Unset otherwise (`make run` on a laptop): one
    generated once and kept in ``<state_dir>/console-secret`` (mode 0600), so sessions survive a
    restart; ``announce`` says so."""
    if configured is not None:
        value = configured.strip()
        if _is_placeholder(value):
            raise SecretKeyError(
                "CONSOLE_SECRET_KEY is empty or a placeholder. Set it to a long random value, e.g. "
                "the output of: python -c 'import secrets; print(secrets.token_urlsafe(48))'"
            )
        if len(value) < MIN_SECRET_LENGTH:
            raise SecretKeyError(
                f"CONSOLE_SECRET_KEY is too short ({len(value)} characters; at least "
                f"{MIN_SECRET_LENGTH}). Use e.g.: python -c 'import secrets; print(secrets.token_urlsafe(48))'"
            )
        return value
    if production:
        raise SecretKeyError(
            "CONSOLE_SECRET_KEY is not set. The console signs officers' sessions with it; in "
            "production it must come from the environment (the same value for every console "
            "process). Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(48))'"
        )
    path = Path(state_dir) / SECRET_FILE
    try:
        existing = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        existing = ""
    if len(existing) >= MIN_SECRET_LENGTH:
        if path.stat().st_mode & 0o077:
            os.chmod(path, 0o600)
        announce(f"Console: CONSOLE_SECRET_KEY is not set; using the key kept in {path}.")
        return existing
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(value + "\n")
    os.chmod(path, 0o600)
    announce(
        f"Console: CONSOLE_SECRET_KEY is not set; generated one and kept it in {path} (mode 0600). "
        f"Set CONSOLE_SECRET_KEY in production."
    )
    return value
