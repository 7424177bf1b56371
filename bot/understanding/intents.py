"""What each intent means for the helpline: its severity, the ILO forced-labour indicators it
points to, and the referral need it maps to.

ILO indicators: the 11 of the ILO Special Action Programme to Combat Forced Labour (facts.md
C1, confidence high); the mapping of intents to indicators follows facts.md C2 (medium).
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Dict, Tuple

from bot.understanding.severity import Severity


class Ilo(IntEnum):
    abuse_of_vulnerability = 1
    deception = 2
    restriction_of_movement = 3
    isolation = 4
    physical_and_sexual_violence = 5
    intimidation_and_threats = 6
    retention_of_identity_documents = 7
    withholding_of_wages = 8
    debt_bondage = 9
    abusive_working_and_living_conditions = 10
    excessive_overtime = 11


@dataclass(frozen=True)
class IntentInfo:
    severity: Severity
    need: str
    ilo: Tuple[Ilo, ...] = ()


_C, _H, _N = Severity.critical, Severity.high, Severity.none

INTENTS: Dict[str, IntentInfo] = {
    "emergency_violence": IntentInfo(_C, "violence", (Ilo.physical_and_sexual_violence,)),
    "emergency_sexual_assault": IntentInfo(_C, "sexual_abuse", (Ilo.physical_and_sexual_violence,)),
    "emergency_confinement": IntentInfo(_C, "confinement", (Ilo.restriction_of_movement,)),
    "emergency_trafficking": IntentInfo(
        _C, "trafficking", (Ilo.deception, Ilo.restriction_of_movement, Ilo.abuse_of_vulnerability)
    ),
    "emergency_forced_sex_work": IntentInfo(
        _C, "trafficking", (Ilo.physical_and_sexual_violence, Ilo.abuse_of_vulnerability)
    ),
    "emergency_suicidal": IntentInfo(_C, "suicide", (Ilo.abuse_of_vulnerability,)),
    "emergency_death_threat": IntentInfo(_C, "violence", (Ilo.intimidation_and_threats,)),
    "emergency_medical": IntentInfo(_C, "medical", (Ilo.abusive_working_and_living_conditions,)),
    "emergency_someone_else": IntentInfo(_C, "someone_else_in_danger"),
    "abuse_passport_withheld": IntentInfo(_H, "passport_withheld", (Ilo.retention_of_identity_documents,)),
    "abuse_unpaid_wages": IntentInfo(_H, "unpaid_wages", (Ilo.withholding_of_wages,)),
    "abuse_excessive_hours": IntentInfo(_H, "excessive_hours", (Ilo.excessive_overtime,)),
    "abuse_sexual_harassment": IntentInfo(_H, "harassment", (Ilo.physical_and_sexual_violence,)),
    "abuse_threats": IntentInfo(_H, "threats", (Ilo.intimidation_and_threats,)),
    "abuse_debt_bondage": IntentInfo(_H, "debt_bondage", (Ilo.debt_bondage,)),
    "abuse_deception": IntentInfo(_H, "deception", (Ilo.deception,)),
    "abuse_isolation": IntentInfo(_H, "isolation", (Ilo.isolation,)),
    "abuse_denied_medical": IntentInfo(_H, "denied_medical", (Ilo.abusive_working_and_living_conditions,)),
    "abuse_living_conditions": IntentInfo(
        _H, "living_conditions", (Ilo.abusive_working_and_living_conditions,)
    ),
    "abuse_unsafe_work": IntentInfo(_H, "unsafe_work", (Ilo.abusive_working_and_living_conditions,)),
    "info_fees": IntentInfo(_N, "fees"),
    "info_deposit": IntentInfo(_N, "fees"),
    "info_refund": IntentInfo(_N, "fees"),
    "info_licence_check": IntentInfo(_N, "fees"),
    "info_contacts": IntentInfo(_N, "any"),
    "info_rights": IntentInfo(_N, "contract"),
    "info_preparing": IntentInfo(_N, "any"),
    "check_fees": IntentInfo(_N, "fees"),
    "inform_details": IntentInfo(_N, "fees"),
    "inform_country": IntentInfo(_N, "any"),
    "affirm": IntentInfo(_N, "any"),
    "deny": IntentInfo(_N, "any"),
    "greet": IntentInfo(_N, "any"),
    "goodbye": IntentInfo(_N, "any"),
    "thanks": IntentInfo(_N, "any"),
    "bot_challenge": IntentInfo(_N, "any"),
    "request_human": IntentInfo(_N, "any"),
    "out_of_scope": IntentInfo(_N, "any"),
    "stop": IntentInfo(_N, "any"),
    "ask_permission": IntentInfo(_N, "any"),
    "introduce": IntentInfo(_N, "any"),
    "smalltalk": IntentInfo(_N, "any"),
    "feeling_sad": IntentInfo(_N, "any"),
    "phone_watched": IntentInfo(_N, "any"),
    "contact_later": IntentInfo(_N, "any"),
    "contact_hold": IntentInfo(_N, "any"),
    "withdraw_consent": IntentInfo(_N, "any"),
}

DANGER_INTENTS = tuple(name for name, info in INTENTS.items() if info.severity > Severity.none)


def severity_of(intent: str | None) -> Severity:
    info = INTENTS.get(intent or "")
    return info.severity if info else Severity.none
