"""The console's rules, shared by its pages and its API: SLA deadlines, text limits, who may
reply."""
from __future__ import annotations

import datetime as dt
from typing import Mapping, Optional

from bot.cases.store import CLOSED, OPEN, Case

#: Seconds to acknowledge a case, by severity (no entry: no SLA). The console is given
#: SLA_CRITICAL_SECONDS / SLA_HIGH_SECONDS from the settings.
DEFAULT_SLA = {"critical": 120, "high": 900}
#: What the reply and note boxes accept (CaseActions may accept less for replies).
MAX_TEXT = 4000
MAX_REASON = 500


def sla_deadline(case: Case, sla: Mapping[str, int]) -> Optional[dt.datetime]:
    seconds = sla.get(case.severity)
    return None if seconds is None else case.created_at + dt.timedelta(seconds=seconds)


def may_reply(case: Case, username: str) -> bool:
    """Replying takes an open case (CaseActions.reply); a case another officer has taken or
    acknowledged is theirs to answer until it is reassigned."""
    if case.status == CLOSED:
        return False
    if case.status == OPEN:
        return True
    return case.assigned_officer in (None, username)
