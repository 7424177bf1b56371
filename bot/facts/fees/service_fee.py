"""The service fee against the caps: which cap applies, what it allows, and the finding.

The cap is the lowest one that surely applies, in the salary's currency: salary x months, pro
rata per 12 months, and the 36-month total when the contract is 36 months or longer. A lower cap
that only *may* apply (see bot.facts.fees.matching) is named with what would make it apply, and
a fee between the two caps is ``unknown``. A service fee paid in another currency than the salary
is compared through the dated reference rate (bot.facts.fees.rates), and only where the rate
cannot change the answer. A lower cap for another kind of sender (a public service unit, an
outward investor) is a note, named only where it can apply (FeeRule.alternative_where).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import List, Optional, Tuple

from bot.facts.fees.amounts import cap_months, cents, figure, money
from bot.facts.fees.loader import RuleBook
from bot.facts.fees.matching import NO, SENDER_WORDS, YES, Candidate, asks_of, condition, match
from bot.facts.fees.models import ServiceFeeCap
from bot.facts.fees.rates import RateTable
from bot.facts.fees.request import CheckRequest
from bot.facts.fees.verdict import Approximate, Finding, Note

#: Caps that hold for Japan only by the inference of rule jp-other-categories-general-cap.
_JAPAN_BY_INFERENCE = ("service-fee-general-cap", "service-fee-sea-transport-crew", "service-fee-extension-cap")


@dataclass(frozen=True)
class Cap:
    """A service-fee cap that applies or may apply, and what it allows for this request."""

    candidate: Candidate
    limit: ServiceFeeCap
    amount: Decimal  # in the salary's currency, down to the cent

    @property
    def rule_id(self) -> str:
        return self.candidate.rule.id


@dataclass(frozen=True)
class ServiceFeeCaps:
    sure: Cap  # the lowest cap that surely applies
    maybes: Tuple[Cap, ...]  # every "maybe" cap below it, lowest first

    @property
    def lowest(self) -> Cap:
        return self.maybes[0] if self.maybes else self.sure


@dataclass
class ServiceFeeAnswer:
    """What the checker says about the service fee, before the other charges."""

    cap: Optional[Decimal] = None  # the cap to give her; None when no cap, or a lower one may apply
    cap_ids: Tuple[str, ...] = ()  # the caps' rules
    reasons: List[str] = field(default_factory=list)  # how the cap was reached
    finding: Optional[Finding] = None
    info_ids: List[str] = field(default_factory=list)  # rules the reasons lean on
    notes: List[Note] = field(default_factory=list)  # lower caps if she was sent another way


def service_fee_caps(request: CheckRequest, rules: RuleBook) -> Optional[ServiceFeeCaps]:
    """The lowest cap that surely applies and the lower ones that may; None without a sure one."""
    sure: List[Cap] = []
    maybe: List[Cap] = []
    for rule in rules.values():
        if rule.service_fee_cap is None:
            continue
        level, whys = match(rule, request)
        if level == NO:
            continue
        amount = cents(request.monthly_salary * cap_months(rule.service_fee_cap, request.contract_months))
        (sure if level == YES else maybe).append(Cap(Candidate(rule, level, whys), rule.service_fee_cap, amount))
    if not sure:
        return None
    lowest = min(sure, key=lambda cap: cap.amount)
    below = sorted((cap for cap in maybe if cap.amount < lowest.amount), key=lambda cap: cap.amount)
    return ServiceFeeCaps(lowest, tuple(below))


def _describe_cap(cap: Cap, request: CheckRequest) -> str:
    limit = cap.limit
    text = (
        f"Service-fee cap ({cap.rule_id}): {figure(limit.months_per_12)} x the monthly salary "
        f"per 12 months of work"
    )
    if limit.max_months_36_plus is not None:
        text += (
            f", at most {figure(limit.max_months_36_plus)} x the monthly salary in total for contracts "
            f"of 36 months or more"
        )
    months = request.contract_months
    salary = money(request.monthly_salary, request.currency)
    total = limit.max_months_36_plus
    if total is not None and months >= 36 and cap_months(limit, months) == total:
        sum_ = f"the total cap applies, {figure(total)} x {salary}"
    else:
        sum_ = f"{figure(limit.months_per_12)} x {figure(months)}/12 x {salary}"
    return f"{text}. For {figure(months)} months at {salary} a month: {sum_} = {money(cap.amount, request.currency)}."


def _pro_rata_note(request: CheckRequest, caps: ServiceFeeCaps) -> Optional[str]:
    months = request.contract_months
    capped_total = caps.sure.limit.max_months_36_plus is not None and months >= 36
    if capped_total or months % 12 == 0:
        return None
    return (
        f"The caps are set per 12 months of work; for a {figure(months)}-month contract the checker takes "
        f"them pro rata ({figure(months)}/12 of the yearly figure). That is the project's reading of "
        f"'per 12 months', not a figure written in the law."
    )


def _cap_reasons(request: CheckRequest, caps: ServiceFeeCaps, rules: RuleBook) -> Tuple[List[str], List[str]]:
    """How the cap was reached, and the rules those words lean on besides the caps."""
    sure = caps.sure
    reasons = [_describe_cap(sure, request)]
    info_ids: List[str] = []
    for cap in caps.maybes:
        reasons.append(f"A lower cap may apply if {condition(cap.candidate, request)}. " + _describe_cap(cap, request))
    note = _pro_rata_note(request, caps)
    if note:
        reasons.append(note)
    total = sure.limit.max_months_36_plus
    allowed = cap_months(sure.limit, request.contract_months)
    if total is not None and request.contract_months < 36 and allowed > total:
        reasons.append(
            f"For this contract of under 36 months the pro-rata cap ({figure(cents(allowed))} x the "
            f"monthly salary) is higher than the {figure(total)}-month total that applies from 36 months; "
            f"that is how {sure.candidate.rule.citation} reads, and the checker follows its words."
        )
    if request.country == "JP" and sure.rule_id in _JAPAN_BY_INFERENCE:
        rule = rules.get("jp-other-categories-general-cap")
        if rule is not None:
            reasons.append(
                "Japan categories not listed in Annex XI fall under the general cap: an inference, "
                "medium confidence (jp-other-categories-general-cap)."
            )
            info_ids.append(rule.id)
    return reasons, info_ids


def alternative_notes(request: CheckRequest, rules: RuleBook, above: Decimal) -> List[Note]:
    """Lower caps of other senders that can apply to her market and job, when she did not say."""
    if request.sender is not None:
        return []
    notes = []
    for rule in rules.values():
        if rule.service_fee_cap is None or rule.alternative_where is None or not rule.scope.senders:
            continue
        sent = request.copy(update={"sender": rule.scope.senders[0]})
        where = rule.copy(update={"scope": rule.alternative_where, "alternative_where": None})
        if match(rule, sent)[0] == NO or match(where, sent)[0] == NO:
            continue
        amount = cents(request.monthly_salary * cap_months(rule.service_fee_cap, request.contract_months))
        if amount < above:
            notes.append(Note(rule.id, amount))
    return notes


def _converted_finding(
    request: CheckRequest, caps: ServiceFeeCaps, rates: Optional[RateTable], today: dt.date
) -> Finding:
    """A service fee paid in another currency than the salary, against the caps, at the reference rate."""
    fee, paid_in, cur = request.amount_of("service_fee") or Decimal(0), request.currency_of("service_fee"), request.currency
    sure, lowest = caps.sure, caps.lowest
    all_ids = (sure.rule_id,) + tuple(cap.rule_id for cap in caps.maybes)
    paid = money(fee, paid_in)
    above = rates.compare(fee, paid_in, sure.amount, cur, today) if rates else None
    below = rates.compare(fee, paid_in, lowest.amount, cur, today) if rates else None
    if above is None or below is None:
        reason = (
            f"The service fee of {paid} was paid in {paid_in} and the salary is in {cur}; the project has no "
            f"reference rate between them, so it cannot compare it with the cap of {money(sure.amount, cur)}."
        )
        return Finding("service_fee", "unknown", all_ids, (reason,), ("charge_currency",))
    approx = Approximate(above.converted, cur, above.rates.date)
    at = (
        f"{paid} is about {money(above.converted, cur)} at the reference rate of {above.rates.date} "
        f"({above.rates.source_name}; the checker allows {figure(cents(above.rates.margin(today) * 100))}% for the rate)"
    )
    if above.outcome == "over":
        reason = f"The service fee of {at}: more than the cap of {money(sure.amount, cur)} ({sure.rule_id})."
        return Finding("service_fee", "over_cap", (sure.rule_id, "no-unlawful-service-fee"), (reason,), (), approx)
    if below.outcome == "within":
        reason = f"The service fee of {at}: within the cap of {money(lowest.amount, cur)} ({lowest.rule_id})."
        return Finding("service_fee", "legal", all_ids, (reason,), (), approx)
    close = "close" in (above.outcome, below.outcome)
    if close:
        reason = f"The service fee of {at}: too close to a cap that could apply to tell without the exact rate."
    else:
        reason = f"The service fee of {at}: within the cap of {money(sure.amount, cur)} but more than the lower cap that may apply."
    asks = (("charge_currency_close",) if close else ()) + asks_of(c.candidate for c in caps.maybes)
    return Finding("service_fee", "unknown", all_ids, (reason,), asks, approx)


def _service_fee_finding(
    request: CheckRequest, caps: ServiceFeeCaps, rates: Optional[RateTable], today: dt.date
) -> Optional[Finding]:
    fee = request.amount_of("service_fee")
    if fee is None:
        return None
    cur = request.currency
    shown = money(fee, cur)
    sure, lowest = caps.sure, caps.lowest
    all_ids = (sure.rule_id,) + tuple(cap.rule_id for cap in caps.maybes)
    if request.currency_of("service_fee") != cur and fee > 0:
        return _converted_finding(request, caps, rates, today)
    if fee <= lowest.amount:
        if not caps.maybes:
            reason = f"The service fee of {shown} is within the cap of {money(sure.amount, cur)}."
        else:
            reason = (
                f"The service fee of {shown} is within even the lowest cap that could apply, "
                f"{money(lowest.amount, cur)} ({lowest.rule_id})."
            )
        return Finding("service_fee", "legal", all_ids, (reason,))
    if fee > sure.amount:
        over = money(fee - sure.amount, cur)
        if not caps.maybes:
            reason = f"The service fee of {shown} is more than the cap of {money(sure.amount, cur)}, by {over}."
        else:
            reason = (
                f"The service fee of {shown} is more than the highest cap that could apply, "
                f"{money(sure.amount, cur)} ({sure.rule_id}), by {over}."
            )
        return Finding("service_fee", "over_cap", (sure.rule_id, "no-unlawful-service-fee"), (reason,))
    reason = (
        f"The service fee of {shown} is within the cap of {money(sure.amount, cur)} ({sure.rule_id}), "
        f"but more than the cap of {money(lowest.amount, cur)} that applies if "
        f"{condition(lowest.candidate, request)} ({lowest.rule_id})."
    )
    return Finding("service_fee", "unknown", all_ids, (reason,), asks_of(cap.candidate for cap in caps.maybes))


def judge_service_fee(
    request: CheckRequest, rules: RuleBook, rates: Optional[RateTable] = None, today: Optional[dt.date] = None
) -> ServiceFeeAnswer:
    """The cap for this request, how it was reached, and the service fee against it."""
    today = today or dt.date.today()
    caps = service_fee_caps(request, rules)
    if caps is None:
        unjudged = None
        if request.amount_of("service_fee"):
            unjudged = Finding("service_fee", "unknown", (), ("The service fee cannot be judged.",), ("no_rule",))
        return ServiceFeeAnswer(reasons=["No service-fee cap in the facts covers this case."], finding=unjudged)
    reasons, info_ids = _cap_reasons(request, caps, rules)
    notes = alternative_notes(request, rules, caps.lowest.amount)
    for note in notes:
        sender = (rules[note.rule_id].scope.senders or ["service_enterprise"])[0]
        reasons.append(
            f"Note: if she was sent by {SENDER_WORDS[sender]}, the cap is "
            f"{money(note.cap, request.currency)} ({note.rule_id}); the checker assumed a licensed service enterprise."
        )
    return ServiceFeeAnswer(
        cap=None if caps.maybes else caps.sure.amount,
        cap_ids=(caps.sure.rule_id,) + tuple(cap.rule_id for cap in caps.maybes),
        reasons=reasons,
        finding=_service_fee_finding(request, caps, rates, today),
        info_ids=info_ids + [note.rule_id for note in notes],
        notes=notes,
    )

