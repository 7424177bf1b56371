"""Password hashing with a standard KDF from the standard library, and API token hashing.

Passwords: scrypt (hashlib.scrypt; OWASP's N=2^15, r=8, p=3 profile, 32 MiB), stored with the
algorithm and its parameters so they can be raised later (``needs_rehash``)::

    scrypt$ln=15,r=8,p=3$<salt, base64>$<key, base64>

PBKDF2-HMAC-SHA256 hashes (``pbkdf2_sha256$i=600000$salt$key``) verify too. Verification is
constant-time (hmac.compare_digest).

API tokens are 256 random bits; only their SHA-256 is stored. A fast hash is right for them:
they are random, not chosen by people, so there is nothing to guess.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from typing import Dict, Tuple

SCRYPT_LOG_N = 15
SCRYPT_R = 8
SCRYPT_P = 3
PBKDF2_ITERATIONS = 600_000
KEY_BYTES = 32
SALT_BYTES = 16
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
TOKEN_PREFIX = "hlp_"

_MAXMEM = 256 * 1024 * 1024  # refuse absurd parameters read from a tampered hash


class PasswordError(ValueError):
    """A password that may not be used; the message says why."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4))


def check_password_policy(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise PasswordError(f"the password must have at most {MAX_PASSWORD_LENGTH} characters")
    if password.strip() != password:
        raise PasswordError("the password must not start or end with spaces")


def _scrypt(password: str, salt: bytes, log_n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=2 ** log_n, r=r, p=p, maxmem=_MAXMEM, dklen=KEY_BYTES
    )


def _pbkdf2(password: str, salt: bytes, iterations: int) -> bytes:
    return hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations, KEY_BYTES)


def hash_password(password: str, algorithm: str = "scrypt") -> str:
    """A salted hash of ``password`` with its algorithm and parameters, for storage."""
    salt = secrets.token_bytes(SALT_BYTES)
    if algorithm == "scrypt":
        key = _scrypt(password, salt, SCRYPT_LOG_N, SCRYPT_R, SCRYPT_P)
        return f"scrypt$ln={SCRYPT_LOG_N},r={SCRYPT_R},p={SCRYPT_P}${_b64(salt)}${_b64(key)}"
    if algorithm == "pbkdf2_sha256":
        key = _pbkdf2(password, salt, PBKDF2_ITERATIONS)
        return f"pbkdf2_sha256$i={PBKDF2_ITERATIONS}${_b64(salt)}${_b64(key)}"
    raise ValueError(f"unknown password hash algorithm {algorithm!r}")


def _parse(stored: str) -> Tuple[str, Dict[str, int], bytes, bytes]:
    algorithm, params, salt, key = stored.split("$")
    values = {name: int(value) for name, value in (part.split("=") for part in params.split(","))}
    return algorithm, values, _unb64(salt), _unb64(key)


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches ``stored``; False (never an exception) for a malformed
    hash. Constant-time in the comparison of the derived keys."""
    try:
        algorithm, params, salt, key = _parse(stored)
        if algorithm == "scrypt":
            derived = _scrypt(password, salt, params["ln"], params["r"], params["p"])
        elif algorithm == "pbkdf2_sha256":
            derived = _pbkdf2(password, salt, params["i"])
        else:
            return False
    except (ValueError, KeyError, TypeError):
        return False
    return hmac.compare_digest(derived, key)


def needs_rehash(stored: str) -> bool:
    """Whether ``stored`` was made with weaker parameters than today's (rehash at login)."""
    try:
        algorithm, params, _salt, _key = _parse(stored)
    except (ValueError, KeyError):
        return True
    if algorithm != "scrypt":
        return True
    return (params.get("ln", 0), params.get("r", 0), params.get("p", 0)) < (SCRYPT_LOG_N, SCRYPT_R, SCRYPT_P)


_DUMMY_HASH = None


def dummy_verify(password: str) -> None:
    """Spend the time a real verification takes (for unknown usernames: no timing oracle)."""
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = hash_password("not a real password, only for timing")
    verify_password(password, _DUMMY_HASH)


def new_token() -> str:
    """A new API bearer token (shown once, stored only as ``token_hash``)."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
