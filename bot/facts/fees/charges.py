"""The charges besides the service fee: the brokerage fee, the deposit and any other charge.

* a brokerage fee: always prohibited;
* the deposit against the market's deposit rule (caps are in VND: a deposit in another currency
  is compared through the dated reference rate, and only where the rate cannot change the
  answer, bot.facts.fees.rates); when rules only *may* apply, the checker answers only what
  holds under every one of them, and ``unknown`` otherwise; a rule the project is not sure of
  never makes a deposit "legal" on its own;
* any other charge: unknown, with a question, unless it fits the 100,000 VND Fund contribution.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import List, Optional, Tuple

from bot.facts.fees.amounts import money
from bot.facts.fees.loader import RuleBook
from bot.facts.fees.matching import MAYBE, NO, YES, Candidate, asks_of, condition, match
from bot.facts.fees.models import DepositLimit, FeeRule
from bot.facts.fees.rates import RateTable
from bot.facts.fees.request import CheckRequest
from bot.facts.fees.verdict import Approximate, Finding, most_serious


@dataclass(frozen=True)
class _DepositJudged:
    """The deposit against one deposit rule that applies or may apply."""

    candidate: Candidate
    limit: DepositLimit
    outcome: str
    reason: str
    approximate: Optional[Approximate] = None


def _deposit_outcome(
    rule: FeeRule, limit: DepositLimit, deposit: Decimal, request: CheckRequest,
    rates: Optional[RateTable], today: dt.date,
) -> Tuple[str, str, Optional[Approximate]]:
    cur = request.currency_of("deposit")
    charged = money(deposit, cur)
    maximum = limit.maximum()
    if limit.kind == "none":
        return "prohibited", f"No deposit is allowed here ({rule.id}), but {charged} was charged.", None
    if maximum is None:  # at most an air ticket home
        return "unknown", (
            f"The deposit cap is the price of one economy-class air ticket from the workplace back to "
            f"Vietnam ({rule.id}); the checker does not know that price, so it cannot judge {charged}."
        ), None
    amount, currency = maximum
    cap = money(amount, currency)
    if currency != cur:
        compared = rates.compare(deposit, cur, amount, currency, today) if rates else None
        if compared is None:
            return "unknown", (
                f"The deposit cap is {cap} ({rule.id}), but the deposit is in {cur} and the project has no "
                f"reference rate between them, so it cannot compare {charged} with it."
            ), None
        approx = Approximate(compared.converted, currency, compared.rates.date)
        about = f"about {money(compared.converted, currency)} at the reference rate of {compared.rates.date}"
        outcome = {"over": "over_cap", "within": "legal", "close": "unknown"}[compared.outcome]
        words = {"over": "more than", "within": "within", "close": "too close to tell against"}[compared.outcome]
        return outcome, f"The deposit of {charged} ({about}) is {words} the cap of {cap} ({rule.id}).", approx
    if deposit > amount:
        return "over_cap", f"The deposit of {charged} is more than the cap of {cap} ({rule.id}).", None
    return "legal", f"The deposit of {charged} is within the cap of {cap} ({rule.id}).", None


def deposit_finding(
    request: CheckRequest, rules: RuleBook, rates: Optional[RateTable] = None, today: Optional[dt.date] = None
) -> Optional[Finding]:
    today = today or dt.date.today()
    deposit = request.amount_of("deposit")
    if deposit is None or deposit == 0:
        return None
    judged = []
    for rule in rules.values():
        if rule.deposit is None:
            continue
        level, whys = match(rule, request)
        if level != NO:
            outcome, reason, approx = _deposit_outcome(rule, rule.deposit, deposit, request, rates, today)
            judged.append(_DepositJudged(Candidate(rule, level, whys), rule.deposit, outcome, reason, approx))
    if not judged:
        return Finding(
            "deposit", "unknown", ("deposit-rules",),
            (f"No deposit rule in the facts covers this case; the deposit of {money(deposit, request.currency_of('deposit'))} cannot be judged.",),
        )
    sure = [item for item in judged if item.candidate.level == YES]
    maybe = [item for item in judged if item.candidate.level == MAYBE]
    reasons = [item.reason for item in sure]
    reasons += [f"If {condition(item.candidate, request)}: {item.reason[0].lower()}{item.reason[1:]}" for item in maybe]
    if sure:
        outcome = most_serious(item.outcome for item in sure)
        if outcome == "legal" and any(item.outcome != "legal" for item in maybe):
            outcome = "unknown"
    else:
        outcomes = {item.outcome for item in maybe}
        outcome = outcomes.pop() if len(outcomes) == 1 else "unknown"
        unsure = {"low_confidence", "period", "last_known"}
        if all(unsure & set(item.candidate.whys) for item in maybe):
            outcome = "unknown"  # the verdict would rest only on rules the project cannot vouch for
    ids = tuple(item.candidate.rule.id for item in sure + maybe) + ("deposit-rules",)
    asks: Tuple[str, ...] = ()
    if outcome == "unknown":
        asks = asks_of(item.candidate for item in maybe)
        limits = [item.limit for item in judged if item.outcome == "unknown"]
        if any(limit.kind == "max" and limit.currency != request.currency_of("deposit") for limit in limits):
            asks += ("deposit_in_vnd",)
        if any(limit.kind == "air_ticket" for limit in limits):
            asks += ("air_ticket_price",)
    approx = next((item.approximate for item in judged if item.approximate), None)
    return Finding("deposit", outcome, ids, tuple(reasons), asks, approx)


def brokerage_finding(request: CheckRequest, rules: RuleBook) -> Optional[Finding]:
    fee = request.amount_of("brokerage_fee")
    if fee is None or fee == 0:
        return None
    reasons = [
        f"A brokerage fee of {money(fee, request.currency_of('brokerage_fee'))} was charged: charging a worker a brokerage fee "
        f"is prohibited (no-brokerage-fee). Brokers are paid by the agency, never by the worker."
    ]
    ids = ["no-brokerage-fee", "broker-paid-by-enterprise"]
    if request.country == "TW" and "tw-broker-monthly-fee" in rules:
        reasons.append("In Taiwan a broker's 'brokerage fee' is illegal too; the worker can call 1955 (tw-broker-monthly-fee).")
        ids.append("tw-broker-monthly-fee")
    return Finding("brokerage_fee", "prohibited", tuple(i for i in ids if i in rules), tuple(reasons))


def _market_terms(request: CheckRequest, rules: RuleBook) -> List[FeeRule]:
    found = []
    for rule in rules.values():
        if rule.kind.value in ("market_terms", "destination") and match(rule, request)[0] == YES:
            found.append(rule)
    return found


def other_finding(request: CheckRequest, rules: RuleBook) -> Optional[Finding]:
    other = request.amount_of("other")
    if other is None or other == 0:
        return None
    fund = rules["fund-contribution"]
    contribution = fund.amount
    assert contribution is not None, "a contribution rule always has an amount (FeeRule refuses one without)"
    shown = money(other, request.currency_of("other"))
    fund_shown = money(contribution.value, contribution.currency)
    if request.currency_of("other") == contribution.currency and other <= contribution.value:
        return Finding(
            "other", "legal", (fund.id,),
            (
                f"The other charge of {shown} is no more than the {fund_shown} "
                f"Overseas Employment Support Fund contribution, which the worker pays by law; that is legal "
                f"if that is what it was for. Ask for a receipt ({fund.id}).",
            ),
        )
    reasons = [
        f"An other charge of {shown} was made: ask what it was for. Besides the service fee and the deposit, "
        f"the law names only the {fund_shown} Fund contribution; a selection "
        f"fee is prohibited, training fees only as the law allows, and the contract must list every cost."
    ]
    ids = [fund.id, "no-selection-fee", "training-fees-lawful-only", "contract-lists-all-costs"]
    for rule in _market_terms(request, rules):
        reasons.append(f"{rule.statement.en} ({rule.id})")
        ids.append(rule.id)
    return Finding("other", "unknown", tuple(i for i in ids if i in rules), tuple(reasons), ("other_purpose",))
