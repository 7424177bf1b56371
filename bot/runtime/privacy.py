"""Masking of personal identifiers before anything is logged."""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets

# Phone numbers are few enough to brute-force a plain hash, so the hash is keyed. Set
# LOG_MASK_KEY to follow one person across restarts and processes; otherwise it lasts a process.
_KEY = os.environ.get("LOG_MASK_KEY", "").encode("utf-8") or secrets.token_bytes(16)


def mask_id(value: object) -> str:
    """A phone number or chat id as it may appear in logs: its last 2 characters and a keyed
    hash, so one person's log lines can be followed without the number itself."""
    text = str(value)
    digest = hmac.new(_KEY, text.encode("utf-8"), hashlib.sha256).hexdigest()[:10]
    return f"…{text[-2:]}#{digest}" if len(text) > 6 else f"#{digest}"
