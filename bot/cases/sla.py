"""How long officers have to acknowledge a case, for every kind of case.

A critical case, a high one, and a request for a person with no danger found (severity "none")
each have an SLA: past it, the next officer in the chain is alerted. The seconds come from the
rota's optional ``sla:`` section (``critical``, ``high``, ``request``), then from the settings
SLA_CRITICAL_SECONDS and SLA_HIGH_SECONDS; a request takes the high one unless the rota names it.
"""
from __future__ import annotations

from typing import Dict, Mapping

#: The rota's names for the kinds of case, and the case severity each one is.
SLA_KINDS = {"critical": "critical", "high": "high", "request": "none"}
SLA_LIMITS = (5, 24 * 3600)


def parse_sla(section: object) -> Dict[str, int]:
    """The rota's ``sla:`` section, by case severity; ValueError saying what is wrong."""
    if section is None:
        return {}
    if not isinstance(section, dict):
        raise ValueError("expected a mapping like {critical: 120, high: 900, request: 900}")
    table: Dict[str, int] = {}
    for kind, seconds in section.items():
        if kind not in SLA_KINDS:
            raise ValueError(f"unknown kind {kind!r}; use {', '.join(SLA_KINDS)}")
        if isinstance(seconds, bool) or not isinstance(seconds, int) or not SLA_LIMITS[0] <= seconds <= SLA_LIMITS[1]:
            raise ValueError(f"{kind}: a whole number of seconds from {SLA_LIMITS[0]} to {SLA_LIMITS[1]}")
        table[SLA_KINDS[kind]] = seconds
    return table


def sla_table(critical: int, high: int, overrides: Mapping[str, int]) -> Dict[str, int]:
    """Seconds by case severity, "none" included."""
    table = {"critical": critical, "high": high, **overrides}
    table.setdefault("none", table["high"])
    return table
