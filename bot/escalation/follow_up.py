"""The case follows the conversation: what she writes after the case opened updates it.

Her messages reach the case store through the case-events stream (bot.escalation.events). Each
is read here for what changes the case:
- a country where she is, other than the case's (and other than Vietnam, which workers name as
  home): the case moves to that country, and its alerts start again with that consulate's rota;
- a danger cue that stands (the safety net, with its contexts): the case's severity is raised,
  never lowered.
"""
from __future__ import annotations

import logging
from typing import Optional

from sqlalchemy import delete

from bot.cases.rota import Rota
from bot.cases.schema import notifications
from bot.cases.store import Case, CaseError, CaseStore
from bot.escalation.notify import schedule_step
from bot.understanding.gazetteer import country_of
from bot.understanding.safety import scan

logger = logging.getLogger(__name__)
HOME_COUNTRY = "VN"


def reroute(store: CaseStore, rota: Rota, case: Case) -> None:
    """Alerts start again with the new country's chain; the old chain's waiting alerts are dropped
    (the trail keeps who was notified)."""
    with store.engine.begin() as connection:
        connection.execute(delete(notifications).where(notifications.c.case_id == case.id))
    officer = schedule_step(store, rota, case, 0)
    logger.info("Case %s re-routed to %s: alerting %s", case.number, case.country, officer.id if officer else "nobody")


def move_to_country(store: CaseStore, rota: Optional[Rota], conversation_id: str, country: Optional[str]) -> Optional[Case]:
    """Her open case moved to `country` and its alerts restarted there; None when nothing moved
    (no open case, the same country, none named, or Vietnam, which workers name as home)."""
    if not country or country == HOME_COUNTRY:
        return None
    moved, did_move = store.change_country(conversation_id, country)
    if not did_move or moved is None:
        return None
    if rota is not None:
        reroute(store, rota, moved)
    return moved


def follow_message(store: CaseStore, rota: Optional[Rota], case_id: int, text: str) -> Optional[Case]:
    """Update the case from one of her messages; the case as it now is, or None if unchanged."""
    try:
        case = store.get_case(case_id, with_events=False)
    except CaseError:
        return None
    if case.status == "closed":
        return None
    changed: Optional[Case] = None
    moved = move_to_country(store, rota, case.conversation_id, country_of(text))
    if moved is not None:
        changed = moved
    hit = scan(text)
    if hit is not None:
        raised = store.raise_severity(case_id, str(hit.severity))
        if raised.severity != case.severity:
            changed = raised
    return changed
