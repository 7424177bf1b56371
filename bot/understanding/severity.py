"""How urgent a message is: the one definition of severity that triage, cases and reports share."""
from __future__ import annotations

from enum import IntEnum


class Severity(IntEnum):
    none = 0
    high = 1
    critical = 2

    def __str__(self) -> str:
        return self.name


# The names, most urgent first: how cases are ordered and reports are laid out.
SEVERITIES = tuple(severity.name for severity in sorted(Severity, reverse=True))
