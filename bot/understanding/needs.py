"""The vocabulary of needs: what a worker needs help with.

The same tags name the triage categories of the bot and the needs a referral service serves
(`needs:` in facts/directory/*.yml). A directory entry with a tag not listed here fails to load.
"""
from __future__ import annotations

from typing import FrozenSet, Tuple

ANY = "any"

#: Every need tag, in the order of the triage categories (danger first).
NEEDS: Tuple[str, ...] = (
    "emergency",  # imminent danger, whatever its kind
    "violence",  # beaten, physically abused
    "sexual_abuse",  # rape, sexual assault
    "trafficking",  # sold, moved and exploited
    "confinement",  # locked in, not allowed out
    "suicide",  # thoughts of ending her life
    "medical",  # ill or injured, needs care now
    "someone_else_in_danger",  # a friend, a relative, a co-worker
    "passport_withheld",  # employer or broker keeps her passport or papers
    "unpaid_wages",
    "excessive_hours",  # no rest day, overwork
    "harassment",  # verbal or sexual harassment
    "threats",  # threatened with harm, deportation, debt
    "debt_bondage",  # a debt she must work off
    "deception",  # job, wage or conditions not as promised
    "isolation",  # phone taken, no contact with anyone
    "denied_medical",  # not allowed to see a doctor
    "living_conditions",  # food, housing, sleeping place
    "unsafe_work",  # dangerous work, accidents
    "fees",  # recruitment and service fees, deposits
    "contract",  # contract questions or changes
    "legal",  # rights, lawyers, complaints
    "arrest",  # arrested or detained
    ANY,  # served whatever the need (as a service tag); no particular need (as a query)
)

NEED_SET: FrozenSet[str] = frozenset(NEEDS)

#: Needs that mean a person may be in danger now.
DANGER_NEEDS: FrozenSet[str] = frozenset(
    {
        "emergency",
        "violence",
        "sexual_abuse",
        "trafficking",
        "confinement",
        "suicide",
        "medical",
        "someone_else_in_danger",
    }
)


def is_need(tag: str) -> bool:
    return tag in NEED_SET
