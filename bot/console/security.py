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

#: Failed sign-ins per username before each further try waits, the first wait, and the longest.
#: Short on purpose: a delay slows a guesser, while an officer whose username an attacker knows
#: still gets in once the wait (at most a minute) is over.
ACCOUNT_THRESHOLD = 5
ACCOUNT_DELAY_SECONDS = 5
ACCOUNT_DELAY_MAX_SECONDS = 60
#: Failed sign-ins from one client address, on any usernames, before it backs off exponentially.
ADDRESS_THRESHOLD = 20
ADDRESS_DELAY_SECONDS = 60
ADDRESS_DELAY_MAX_SECONDS = 3600
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


@dataclass(frozen=True)
class Admission:
    """Whether a sign-in may have its password checked; if not, for how long it must wait."""

    allowed: bool
    wait: float = 0.0  # refused: seconds to wait
    wait_if_wrong: float = 0.0  # allowed: the wait a wrong password now causes


# Counts an attempt for the account and for the client address before its password is checked,
# in one step, so that parallel guesses cannot all pass the check before any failure is counted.
# KEYS: account, address. ARGV: now, memory, ttl, then threshold, first wait and longest wait for
# the account and for the address. Returns {1, wait if this attempt fails (ms)} or {0, wait (ms)}.
_ADMIT = """
local now, memory = tonumber(ARGV[1]), tonumber(ARGV[2])
local function state(key)
  local count = tonumber(redis.call('HGET', key, 'count') or '0')
  local last = tonumber(redis.call('HGET', key, 'last') or '0')
  return count, last
end
local function wait(i, count, last)
  local threshold, base, longest = tonumber(ARGV[4 + 3 * (i - 1)]), tonumber(ARGV[5 + 3 * (i - 1)]), tonumber(ARGV[6 + 3 * (i - 1)])
  if count < threshold then return 0 end
  return math.max(0, last + math.min(base * 2 ^ (count - threshold), longest) - now)
end
local longest_wait = 0
for i, key in ipairs(KEYS) do
  local count, last = state(key)
  longest_wait = math.max(longest_wait, wait(i, count, last))
end
if longest_wait > 0 then return {0, math.ceil(longest_wait * 1000)} end
local after = 0
for i, key in ipairs(KEYS) do
  local count, last = state(key)
  if last > 0 and now - last > memory then count = 0 end
  count = count + 1
  redis.call('HSET', key, 'count', count, 'last', ARGV[1])
  redis.call('EXPIRE', key, ARGV[3])
  after = math.max(after, wait(i, count, now))
end
return {1, math.ceil(after * 1000)}
"""

# A success clears the account and takes its own attempt back from the address, so that an office
# behind one address is held up by its failures only, not by its officers signing in.
_SUCCEEDED = """
redis.call('DEL', KEYS[1])
if tonumber(redis.call('HGET', KEYS[2], 'count') or '0') > 0 then
  redis.call('HINCRBY', KEYS[2], 'count', -1)
end
return 1
"""


@dataclass(frozen=True)
class Limit:
    """So many attempts free, then a wait doubling with every further one, from first_wait to longest_wait."""

    threshold: int
    first_wait: float
    longest_wait: float

    def wait(self, count: int, last: float, now: float) -> float:
        if count < self.threshold:
            return 0.0
        return max(0.0, last + min(self.first_wait * 2 ** (count - self.threshold), self.longest_wait) - now)


ACCOUNT_LIMIT = Limit(ACCOUNT_THRESHOLD, ACCOUNT_DELAY_SECONDS, ACCOUNT_DELAY_MAX_SECONDS)
ADDRESS_LIMIT = Limit(ADDRESS_THRESHOLD, ADDRESS_DELAY_SECONDS, ADDRESS_DELAY_MAX_SECONDS)


class LoginThrottle:
    """Sign-in attempts per username and per client address. After ACCOUNT_THRESHOLD attempts
    without a success, each further try on the username waits ACCOUNT_DELAY_SECONDS, doubling
    with every failure, at most ACCOUNT_DELAY_MAX_SECONDS: a delay, never a lockout, so the right
    password works once the wait is over. An address that failed ADDRESS_THRESHOLD times, on any
    usernames, backs off from ADDRESS_DELAY_SECONDS to ADDRESS_DELAY_MAX_SECONDS. A success
    clears the username and takes its attempt back from the address; `python -m bot officers
    unlock` clears a username. The wait applies whether or not the username exists (no
    enumeration) and even to the right password (else it would not stop guessing).

    Each attempt is counted, atomically, before its password is checked (`admit`): 60 guesses
    sent at once get at most the threshold checked. Kept in Redis when the console has one (all
    console processes share it), else in this process's memory, where the event loop makes the
    count atomic too.
    """

    KEY = "helpline:console:login-failures:{user}"
    ADDRESS_KEY = "helpline:console:login-address:{address}"

    def __init__(self, redis=None, clock: Callable[[], float] = time.time,
                 account: Limit = ACCOUNT_LIMIT, address: Limit = ADDRESS_LIMIT):
        self.redis = redis
        self.clock = clock
        self.limits = (account, address)
        self._local: Dict[str, Tuple[int, float]] = {}

    def keys(self, username: str, address: str) -> Tuple[str, str]:
        """Where the sign-ins of a username (case-folded) and of an address are counted."""
        user = _digest((username or "").strip().lower()[:128])
        return self.KEY.format(user=user), self.ADDRESS_KEY.format(address=_digest(address or "unknown"))

    async def admit(self, username: str, address: str) -> Admission:
        keys = self.keys(username, address)
        if self.redis is not None:
            limits = [value for limit in self.limits for value in (limit.threshold, limit.first_wait, limit.longest_wait)]
            longest = max(limit.longest_wait for limit in self.limits)
            try:
                allowed, milliseconds = await self.redis.eval(
                    _ADMIT, 2, *keys, repr(self.clock()), FAILURE_MEMORY_SECONDS,
                    int(FAILURE_MEMORY_SECONDS + longest), *limits,
                )
                seconds = int(milliseconds) / 1000
                return Admission(True, wait_if_wrong=seconds) if int(allowed) else Admission(False, wait=seconds)
            except Exception as error:  # noqa: BLE001 - fall back to this process's memory
                log.warning("Login throttle: Redis unavailable (%s); using local memory.", type(error).__name__)
        return self._admit_locally(keys)

    def _admit_locally(self, keys: Tuple[str, str]) -> Admission:
        # No await in here: one attempt at a time in this process's event loop.
        now = self.clock()
        states = [self._local.get(key, (0, 0.0)) for key in keys]
        wait = max(limit.wait(count, last, now) for (count, last), limit in zip(states, self.limits))
        if wait > 0:
            return Admission(False, wait=wait)
        after = 0.0
        for key, (count, last), limit in zip(keys, states, self.limits):
            count = (0 if last and now - last > FAILURE_MEMORY_SECONDS else count) + 1
            self._local[key] = (count, now)
            after = max(after, limit.wait(count, now, now))
        if len(self._local) > MAX_TRACKED_USERNAMES:  # forget the oldest half
            for stale, _ in sorted(self._local.items(), key=lambda item: item[1][1])[: MAX_TRACKED_USERNAMES // 2]:
                del self._local[stale]
        return Admission(True, wait_if_wrong=after)

    async def succeeded(self, username: str, address: Optional[str] = None) -> None:
        key, address_at = self.keys(username, address or "")
        self._local.pop(key, None)
        if address is not None and address_at in self._local:
            count, last = self._local[address_at]
            self._local[address_at] = (max(0, count - 1), last)
        if self.redis is not None:
            try:
                if address is None:
                    await self.redis.delete(key)
                else:
                    await self.redis.eval(_SUCCEEDED, 2, key, address_at)
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
