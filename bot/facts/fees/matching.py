"""Does a fee rule apply to a request? YES, NO, or MAYBE with what is open.

A request either falls in a rule's scope, falls outside it, or *may* fall in it because the facts
do not say (the scope's ``maybe_*`` lists) or the request does not tell (e.g. a Japan
specified-skilled worker who did not say whether she finished Technical Intern 2 or 3). A rule the
project is not sure of (low confidence) is never more than MAYBE. A MAYBE carries its reasons
("country", "occupation", "japan_category", "sender", "contract", "low_confidence", "period",
"last_known"): what the checker would have to ask to settle it.

The law by date: a rule governs the contracts signed in its period (FeeRule.valid_from,
valid_until). A contract signed before a rule's period is a MAYBE ("period": the text that governed
it then is not in the facts). One signed after it is NO, unless the rule was replaced by a text
whose figures were not found: then it is the last known figure, a MAYBE ("last_known"), never the
law in force.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, List, Optional, Tuple

from bot.facts.fees.models import FeeRule, Scope
from bot.facts.fees.request import SENDER_UNKNOWN_COUNTRIES, CheckRequest

YES, MAYBE, NO = 2, 1, 0

SENDER_WORDS = {
    "service_enterprise": "a licensed service enterprise",
    "public_service_unit": "a public service unit (e.g. COLAB for Korea EPS)",
    "outward_investor": "an outward investor hiring its own new staff",
}


def _match_country(scope: Scope, request: CheckRequest) -> Tuple[int, Optional[str]]:
    country = request.country
    if country in scope.country_set("except_countries", "except_regions"):
        return NO, None
    if country in scope.country_set("maybe_countries", "maybe_regions"):
        return MAYBE, "country"
    if scope.countries is None and not scope.regions:
        return YES, None
    return (YES, None) if country in scope.country_set("countries", "regions") else (NO, None)


def _match_occupation(scope: Scope, request: CheckRequest) -> Tuple[int, Optional[str]]:
    if scope.japan_categories is not None and request.japan_category is not None:
        return (YES, None) if request.japan_category in scope.japan_categories else (NO, None)
    occupation = request.occupation
    if occupation in scope.except_occupations:
        return NO, None
    if scope.occupations is None or occupation in scope.occupations:
        level, why = YES, None
    elif occupation in scope.maybe_occupations:
        level, why = MAYBE, "occupation"
    else:
        return NO, None
    if scope.japan_categories is not None:  # the rule needs a category she did not give
        return MAYBE, "japan_category"
    return level, why


def _match_sender(rule: FeeRule, request: CheckRequest) -> Tuple[int, Optional[str]]:
    scope = rule.scope
    if scope.senders is None:
        return YES, None
    if request.sender is None and rule.deposit is not None and request.country in SENDER_UNKNOWN_COUNTRIES:
        return MAYBE, "sender"
    return (YES, None) if request.effective_sender in scope.senders else (NO, None)


def _match_period(rule: FeeRule, request: CheckRequest) -> Tuple[int, Optional[str]]:
    signed = request.signed
    if rule.valid_from is not None and signed < rule.valid_from:
        return MAYBE, "period"
    if rule.valid_until is not None and signed > rule.valid_until:
        return (MAYBE, "last_known") if rule.last_known_after else (NO, None)
    return YES, None


def _match_contract(scope: Scope, request: CheckRequest) -> Tuple[int, Optional[str]]:
    if request.contract in scope.contracts:
        return YES, None
    if request.contract in scope.maybe_contracts:
        return MAYBE, "contract"
    return NO, None


def _match_months(scope: Scope, request: CheckRequest) -> Tuple[int, Optional[str]]:
    months = request.contract_months
    if scope.months_from is not None and months < scope.months_from:
        return NO, None
    if scope.months_below is not None and months >= scope.months_below:
        return NO, None
    return YES, None


def match(rule: FeeRule, request: CheckRequest) -> Tuple[int, Tuple[str, ...]]:
    """YES, MAYBE or NO, and for MAYBE what is open (country, occupation, sender, ...)."""
    results = [
        test(rule.scope, request) for test in (_match_country, _match_occupation, _match_contract, _match_months)
    ] + [_match_sender(rule, request), _match_period(rule, request)]
    level = min(result[0] for result in results)
    whys = tuple(why for result_level, why in results if result_level == MAYBE and why)
    if level == YES and rule.confidence.value == "low":  # never state a low-confidence figure as fact
        return MAYBE, ("low_confidence",)
    return level, whys if level == MAYBE else ()



@dataclass(frozen=True)
class Candidate:
    """A rule that applies or may apply, with what is open when it only may."""

    rule: FeeRule
    level: int
    whys: Tuple[str, ...]


def condition(candidate: Candidate, request: CheckRequest) -> str:
    """In words: what would have to be true for a "maybe" rule to apply."""
    parts = []
    for why in candidate.whys:
        if why == "japan_category":
            categories = ", ".join(candidate.rule.scope.japan_categories or [])
            parts.append(f"her Japan category is {categories}")
        elif why == "sender":
            senders = " or ".join(SENDER_WORDS[s] for s in candidate.rule.scope.senders or [])
            parts.append(f"she was sent by {senders}")
        elif why == "occupation":
            parts.append(f"a {request.occupation.replace('_', ' ')} counts under it (the facts do not say)")
        elif why == "country":
            parts.append(f"{request.country} counts as part of the region it names (the facts do not say)")
        elif why == "contract":
            parts.append("it also covers extensions (the facts do not say)")
        elif why == "low_confidence":
            parts.append("this low-confidence rule is right")
        elif why == "period":
            parts.append(
                f"it already governed contracts signed on {request.signed.isoformat()} (its period starts "
                f"{candidate.rule.valid_from}; the text before it is not in the facts)"
            )
        elif why == "last_known":
            until = candidate.rule.valid_until
            parts.append(
                f"this last known figure still holds for contracts signed after {until} "
                f"({candidate.rule.replaced_by or 'a later text'} replaced it; its figures were not found)"
            )
    return " and ".join(parts) or "it applies"


def asks_of(candidates: Iterable[Candidate]) -> Tuple[str, ...]:
    """What to ask her to settle the candidates' "maybe", each question once, in order."""
    found: List[str] = []
    for candidate in candidates:
        for why in candidate.whys:
            if why not in found:
                found.append(why)
    return tuple(found)

