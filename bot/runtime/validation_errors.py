"""One readable line from a pydantic ValidationError, for start-up messages."""
from __future__ import annotations

from pydantic import ValidationError


def describe(error: ValidationError, upper: bool = False) -> str:
    parts = []
    for issue in error.errors():
        where = ".".join(str(part) for part in issue["loc"] if part != "__root__")
        where = where.upper() if upper else where
        parts.append(f"{where}: {issue['msg']}" if where else issue["msg"])
    return "; ".join(parts)
