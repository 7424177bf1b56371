"""Is what she was charged legal? A pure function over the fee rules in facts/fees/.

``check(request) -> Verdict`` compares each charge with the rules that apply:

* the service fee with the lowest cap that surely applies, in the salary's currency
  (salary x months, pro rata per 12 months, the 36-month total when the contract is 36 months
  or longer); a service fee paid in another currency than the salary cannot be compared
  (``unknown``);
* a brokerage fee: always prohibited;
* the deposit with the market's deposit rule (caps are in VND: a deposit in another currency
  cannot be compared; the checker never invents an exchange rate);
* any other charge: unknown, with a question, unless it fits the 100,000 VND Fund contribution.

When the facts or the request leave it open which rule applies (a "maybe" scope, see
bot.facts.fees.models), the checker answers only what holds under every rule that may apply, and
``unknown`` otherwise, with the question that would settle it. Verdict precedence:
prohibited > over_cap > unknown > legal.

Each charge is in the salary's currency unless the request says otherwise
(``"charged": {"deposit": {"amount": 30000000, "currency": "VND"}}``): what a worker paid at
home in dong and what she earns abroad are rarely in the same money.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from bot.facts.fees.loader import RuleBook, default_rules
from bot.facts.fees.models import (
    JAPAN_CATEGORIES,
    OCCUPATIONS,
    SENDERS,
    FeeRule,
    Scope,
    ServiceFeeCap,
)

#: Verdicts, from least to most serious.
VERDICTS = ("legal", "unknown", "over_cap", "prohibited")
_SEVERITY = {name: rank for rank, name in enumerate(VERDICTS)}

CHARGES = ("service_fee", "brokerage_fee", "deposit", "other")
REQUIRED_FIELDS = ("country", "occupation", "contract_months", "monthly_salary", "currency", "charged")
OPTIONAL_FIELDS = ("extension", "sender", "japan_category")

#: Where a worker who does not say who sent her may well have gone through a public service unit
#: (Korea: EPS through COLAB), so the sender is treated as unknown. Elsewhere the checker assumes
#: a licensed service enterprise, and says so.
SENDER_UNKNOWN_COUNTRIES = frozenset({"KR"})

SENDER_WORDS = {
    "service_enterprise": "a licensed service enterprise",
    "public_service_unit": "a public service unit (e.g. COLAB for Korea EPS)",
    "outward_investor": "an outward investor hiring its own new staff",
}

HOME_COUNTRY = "VN"
MAX_INPUT_BYTES = 64 * 1024
MAX_AMOUNT = Decimal(10) ** 15  # no wage or fee in any currency comes near; keeps Decimal exact
MAX_MONTHS = Decimal(1200)

_JAPAN_CATEGORY_OCCUPATION = {
    "technical_intern_1": "technical_intern",
    "technical_intern_2": "technical_intern",
    "technical_intern_3_same_organisations": "technical_intern",
    "technical_intern_3_changed_organisations": "technical_intern",
    "specified_skilled_after_technical_intern_2_or_3": "specified_skilled",
    "specified_skilled_other": "specified_skilled",
}

YES, MAYBE, NO = 2, 1, 0
CENT = Decimal("0.01")


class RequestError(ValueError):
    """The request cannot be checked; the message says why, in plain English."""


@dataclass(frozen=True)
class CheckRequest:
    country: str
    occupation: str
    contract_months: Decimal
    monthly_salary: Decimal
    currency: str
    service_fee: Optional[Decimal] = None
    brokerage_fee: Optional[Decimal] = None
    deposit: Optional[Decimal] = None
    other: Optional[Decimal] = None
    extension: bool = False
    sender: Optional[str] = None
    japan_category: Optional[str] = None
    #: (charge, currency) for charges not in the salary's currency.
    charge_currencies: Tuple[Tuple[str, str], ...] = ()

    def currency_of(self, charge: str) -> str:
        """The currency a charge was paid in: the salary's unless the request said otherwise."""
        return dict(self.charge_currencies).get(charge, self.currency)

    @property
    def contract(self) -> str:
        return "extension" if self.extension else "placement"

    @property
    def effective_sender(self) -> Optional[str]:
        if self.sender is not None:
            return self.sender
        return None if self.country in SENDER_UNKNOWN_COUNTRIES else "service_enterprise"


@dataclass(frozen=True)
class Finding:
    """What the checker found about one charge (or about the request as a whole)."""

    charge: Optional[str]
    outcome: str
    rule_ids: Tuple[str, ...]
    reasons: Tuple[str, ...]
    asks: Tuple[str, ...] = ()


@dataclass
class Verdict:
    verdict: str
    cap_service_fee: Optional[Decimal]
    currency: str
    reasons: List[str]
    citations: List[FeeRule]
    findings: List[Finding] = field(default_factory=list)
    decisive: List[str] = field(default_factory=list)  # rule ids behind the verdict
    asks: List[str] = field(default_factory=list)  # what to ask the worker to settle an unknown

    def charges_with(self, outcome: str) -> List[str]:
        return [f.charge for f in self.findings if f.outcome == outcome and f.charge]

    def decisive_rules(self) -> List[FeeRule]:
        by_id = {rule.id: rule for rule in self.citations}
        return [by_id[rule_id] for rule_id in self.decisive if rule_id in by_id]

    def primary_rules(self) -> List[FeeRule]:
        """The main rule behind each finding that decided the verdict (its date is the one shown)."""
        by_id = {rule.id: rule for rule in self.citations}
        ids = [f.rule_ids[0] for f in self.findings if f.outcome == self.verdict and f.rule_ids]
        if not ids and self.decisive:
            ids = [self.decisive[0]]
        return [by_id[rule_id] for rule_id in dict.fromkeys(ids) if rule_id in by_id]

    def to_dict(self) -> Dict[str, Any]:
        return {
            "verdict": self.verdict,
            "cap_service_fee": _json_number(self.cap_service_fee),
            "reasons": list(self.reasons),
            "citations": [citation_of(rule) for rule in self.citations],
        }


def citation_of(rule: FeeRule) -> Dict[str, Any]:
    return {
        "id": rule.id,
        "citation": rule.citation,
        "sources": [str(url) for url in rule.sources],
        "confidence": rule.confidence.value,
        "verified": rule.verified.isoformat(),
        "caveats": list(rule.caveats),
    }


# ---------------------------------------------------------------------------------------------
# Parsing and validating the request
# ---------------------------------------------------------------------------------------------


def _reject_constant(name: str):
    raise RequestError(f"{name} is not a number the checker accepts")


def parse_json(text: str) -> CheckRequest:
    """One JSON object (the CLI's stdin) to a request; RequestError on anything else."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_INPUT_BYTES:
        raise RequestError(f"input is larger than {MAX_INPUT_BYTES} bytes")
    if not text.strip():
        raise RequestError("no input: expected one JSON object on stdin")
    try:
        data = json.loads(text, parse_float=Decimal, parse_constant=_reject_constant)
    except RequestError:
        raise
    except RecursionError:
        raise RequestError("not valid JSON: nested too deeply") from None
    except ValueError as error:  # json.JSONDecodeError, and ints over Python's digit limit
        raise RequestError(f"not valid JSON: {error}") from None
    return parse_request(data)


def _amount(name: str, value: Any, *, positive: bool) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, Decimal, float)):
        shown = json.dumps(value, default=str) if not isinstance(value, Decimal) else str(value)
        raise RequestError(f"{name} must be a number, got {shown[:40]}")
    try:
        amount = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, ValueError):
        raise RequestError(f"{name} must be a number") from None
    if not amount.is_finite():
        raise RequestError(f"{name} must be a finite number")
    if positive and amount <= 0:
        raise RequestError(f"{name} must be more than 0, got {value}")
    if amount < 0:
        raise RequestError(f"{name} must not be negative, got {value}")
    if amount > MAX_AMOUNT:
        raise RequestError(f"{name} is implausibly large (more than {MAX_AMOUNT:,})")
    return amount


def _choice(name: str, value: Any, allowed: Sequence[str]) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise RequestError(f"{name} must be one of {', '.join(allowed)}; got {json.dumps(value, default=str)[:40]}")
    return value


def parse_request(data: Any) -> CheckRequest:
    if not isinstance(data, dict):
        kind = {list: "a list", str: "a string", type(None): "null"}.get(type(data), "not an object")
        raise RequestError(f"expected one JSON object, got {kind}")
    unknown = sorted(set(data) - set(REQUIRED_FIELDS) - set(OPTIONAL_FIELDS))
    if unknown:
        raise RequestError(
            f"unknown field(s): {', '.join(unknown)} "
            f"(allowed: {', '.join(REQUIRED_FIELDS + OPTIONAL_FIELDS)})"
        )
    missing = [name for name in REQUIRED_FIELDS if data.get(name) is None]
    if missing:
        raise RequestError(f"missing required field(s): {', '.join(missing)}")

    country = data["country"]
    if not isinstance(country, str) or not re.fullmatch(r"[A-Za-z]{2}", country):
        raise RequestError(
            f"country must be an ISO 3166-1 alpha-2 code such as TW or JP; got {json.dumps(country, default=str)[:40]}"
        )
    country = country.upper()
    occupation = _choice("occupation", data["occupation"], OCCUPATIONS)
    months = _amount("contract_months", data["contract_months"], positive=True)
    if months > MAX_MONTHS:
        raise RequestError(f"contract_months must be at most {MAX_MONTHS} (100 years), got {months}")
    salary = _amount("monthly_salary", data["monthly_salary"], positive=True)
    currency = data["currency"]
    if not isinstance(currency, str) or not re.fullmatch(r"[A-Za-z]{3}", currency):
        raise RequestError(
            f"currency must be an ISO 4217 code such as TWD or VND; got {json.dumps(currency, default=str)[:40]}"
        )
    currency = currency.upper()

    charged = data["charged"]
    if not isinstance(charged, dict):
        raise RequestError("charged must be an object with service_fee, brokerage_fee, deposit, other")
    unknown = sorted(set(charged) - set(CHARGES))
    if unknown:
        raise RequestError(f"unknown charge(s): {', '.join(unknown)} (allowed: {', '.join(CHARGES)})")
    amounts: Dict[str, Optional[Decimal]] = {}
    charge_currencies: List[Tuple[str, str]] = []
    for name in CHARGES:
        value = charged.get(name)
        if isinstance(value, dict):
            value, charge_currency = _charge_with_currency(name, value)
            if value is not None and charge_currency != currency:
                charge_currencies.append((name, charge_currency))
        amounts[name] = None if value is None else _amount(f"charged.{name}", value, positive=False)

    extension = data.get("extension")
    if extension is None:
        extension = False
    if not isinstance(extension, bool):
        raise RequestError("extension must be true or false")
    sender = data.get("sender")
    if sender is not None:
        sender = _choice("sender", sender, SENDERS)
    category = data.get("japan_category")
    if category is not None:
        category = _choice("japan_category", category, JAPAN_CATEGORIES)
        if country != "JP":
            raise RequestError("japan_category applies only when country is JP")
        expected = _JAPAN_CATEGORY_OCCUPATION.get(category)
        if expected and occupation != expected:
            raise RequestError(f"japan_category {category} needs occupation {expected}, not {occupation}")
        if not expected and occupation in ("technical_intern", "specified_skilled"):
            raise RequestError(f"japan_category {category} does not fit occupation {occupation}")

    return CheckRequest(
        country=country,
        occupation=occupation,
        contract_months=months,
        monthly_salary=salary,
        currency=currency,
        extension=extension,
        sender=sender,
        japan_category=category,
        charge_currencies=tuple(charge_currencies),
        **amounts,
    )


def _charge_with_currency(name: str, value: Dict[str, Any]) -> Tuple[Any, str]:
    """``{"amount": 30000000, "currency": "VND"}``: a charge paid in another currency."""
    unknown = sorted(set(value) - {"amount", "currency"})
    if unknown or "currency" not in value:
        raise RequestError(
            f"charged.{name} must be a number, or an object with amount and currency"
        )
    currency = value["currency"]
    if not isinstance(currency, str) or not re.fullmatch(r"[A-Za-z]{3}", currency):
        raise RequestError(
            f"charged.{name}.currency must be an ISO 4217 code such as VND or USD; "
            f"got {json.dumps(currency, default=str)[:40]}"
        )
    return value.get("amount"), currency.upper()


# ---------------------------------------------------------------------------------------------
# Does a rule apply? YES, NO, or MAYBE with the reason it is only "maybe"
# ---------------------------------------------------------------------------------------------


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


def _match_sender(scope: Scope, request: CheckRequest) -> Tuple[int, Optional[str]]:
    if scope.senders is None:
        return YES, None
    sender = request.effective_sender
    if sender is None:
        return MAYBE, "sender"
    return (YES, None) if sender in scope.senders else (NO, None)


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
        test(rule.scope, request)
        for test in (_match_country, _match_occupation, _match_sender, _match_contract, _match_months)
    ]
    level = min(result[0] for result in results)
    whys = tuple(why for result_level, why in results if result_level == MAYBE and why)
    if level == YES and rule.confidence.value == "low":  # never state a low-confidence figure as fact
        return MAYBE, ("low_confidence",)
    return level, whys if level == MAYBE else ()


# ---------------------------------------------------------------------------------------------
# Money
# ---------------------------------------------------------------------------------------------


def cents(amount: Decimal) -> Decimal:
    """Down to the cent: the cap shown is never above the exact cap."""
    value = amount.quantize(CENT, rounding=ROUND_DOWN)
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value


def money(amount: Decimal, currency: str) -> str:
    return f"{cents(amount):,} {currency}"


def _number(value: Decimal) -> str:
    """Decimal("0.40") -> "0.4", Decimal("36") -> "36"."""
    return format(value.normalize(), "f")


def _json_number(value: Optional[Decimal]):
    if value is None:
        return None
    value = cents(value)
    return int(value) if value == value.to_integral_value() else float(value)


def cap_months(cap: ServiceFeeCap, contract_months: Decimal) -> Decimal:
    """Months of salary allowed: pro rata per 12 months, at most the 36-month total."""
    months = cap.months_per_12 * contract_months / 12
    if cap.max_months_36_plus is not None and contract_months >= 36:
        months = min(months, cap.max_months_36_plus)
    return months


# ---------------------------------------------------------------------------------------------
# The parts of a verdict
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Candidate:
    rule: FeeRule
    level: int
    whys: Tuple[str, ...]


def _condition(candidate: _Candidate, request: CheckRequest) -> str:
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
    return " and ".join(parts) or "it applies"


def _asks(candidates: Iterable[_Candidate]) -> Tuple[str, ...]:
    found: List[str] = []
    for candidate in candidates:
        for why in candidate.whys:
            if why not in found:
                found.append(why)
    return tuple(found)


@dataclass
class _ServiceFeeCaps:
    cap: _Candidate  # the lowest cap that surely applies
    cap_amount: Decimal
    lower: Optional[_Candidate]  # a lower cap that may apply
    lower_amount: Optional[Decimal]
    maybes: List[_Candidate]  # every "maybe" cap below the sure one


def _service_fee_caps(request: CheckRequest, rules: RuleBook) -> Optional[_ServiceFeeCaps]:
    sure: List[Tuple[Decimal, _Candidate]] = []
    maybe: List[Tuple[Decimal, _Candidate]] = []
    for rule in rules.values():
        if rule.service_fee_cap is None:
            continue
        level, whys = match(rule, request)
        if level == NO:
            continue
        amount = cents(request.monthly_salary * cap_months(rule.service_fee_cap, request.contract_months))
        (sure if level == YES else maybe).append((amount, _Candidate(rule, level, whys)))
    if not sure:
        return None
    cap_amount, cap = min(sure, key=lambda item: item[0])
    below = sorted((item for item in maybe if item[0] < cap_amount), key=lambda item: item[0])
    if not below:
        return _ServiceFeeCaps(cap, cap_amount, None, None, [])
    return _ServiceFeeCaps(cap, cap_amount, below[0][1], below[0][0], [item[1] for item in below])


def _describe_cap(candidate: _Candidate, amount: Decimal, request: CheckRequest) -> str:
    cap = candidate.rule.service_fee_cap
    text = (
        f"Service-fee cap ({candidate.rule.id}): {_number(cap.months_per_12)} x the monthly salary "
        f"per 12 months of work"
    )
    if cap.max_months_36_plus is not None:
        text += (
            f", at most {_number(cap.max_months_36_plus)} x the monthly salary in total for contracts "
            f"of 36 months or more"
        )
    months = request.contract_months
    salary = money(request.monthly_salary, request.currency)
    total = cap.max_months_36_plus
    if total is not None and months >= 36 and cap_months(cap, months) == total:
        sum_ = f"the total cap applies, {_number(total)} x {salary}"
    else:
        sum_ = f"{_number(cap.months_per_12)} x {_number(months)}/12 x {salary}"
    return f"{text}. For {_number(months)} months at {salary} a month: {sum_} = {money(amount, request.currency)}."


def _pro_rata_note(request: CheckRequest, caps: _ServiceFeeCaps) -> Optional[str]:
    months = request.contract_months
    capped_total = caps.cap.rule.service_fee_cap.max_months_36_plus is not None and months >= 36
    if capped_total or months % 12 == 0:
        return None
    return (
        f"The caps are set per 12 months of work; for a {_number(months)}-month contract the checker takes "
        f"them pro rata ({_number(months)}/12 of the yearly figure). That is the project's reading of "
        f"'per 12 months', not a figure written in the law."
    )


def _service_fee_finding(request: CheckRequest, caps: _ServiceFeeCaps) -> Optional[Finding]:
    fee = request.service_fee
    if fee is None:
        return None
    cur = request.currency
    shown = money(fee, cur)
    lowest = caps.lower_amount if caps.lower is not None else caps.cap_amount
    all_ids = (caps.cap.rule.id,) + tuple(c.rule.id for c in caps.maybes)
    paid_in = request.currency_of("service_fee")
    if paid_in != cur and fee > 0:
        reason = (
            f"The service fee of {money(fee, paid_in)} was paid in {paid_in} and the salary is in {cur}; "
            f"the checker never converts currencies, so it cannot compare it with the cap of "
            f"{money(caps.cap_amount, cur)}."
        )
        return Finding("service_fee", "unknown", all_ids, (reason,), ("charge_currency",))
    if fee <= lowest:
        if caps.lower is None:
            reason = f"The service fee of {shown} is within the cap of {money(caps.cap_amount, cur)}."
        else:
            reason = (
                f"The service fee of {shown} is within even the lowest cap that could apply, "
                f"{money(lowest, cur)} ({caps.lower.rule.id})."
            )
        return Finding("service_fee", "legal", all_ids, (reason,))
    if fee > caps.cap_amount:
        over = money(fee - caps.cap_amount, cur)
        if caps.lower is None:
            reason = f"The service fee of {shown} is more than the cap of {money(caps.cap_amount, cur)}, by {over}."
        else:
            reason = (
                f"The service fee of {shown} is more than the highest cap that could apply, "
                f"{money(caps.cap_amount, cur)} ({caps.cap.rule.id}), by {over}."
            )
        return Finding("service_fee", "over_cap", (caps.cap.rule.id, "no-unlawful-service-fee"), (reason,))
    reason = (
        f"The service fee of {shown} is within the cap of {money(caps.cap_amount, cur)} ({caps.cap.rule.id}), "
        f"but more than the cap of {money(lowest, cur)} that applies if "
        f"{_condition(caps.lower, request)} ({caps.lower.rule.id})."
    )
    return Finding("service_fee", "unknown", all_ids, (reason,), _asks(caps.maybes))


def _deposit_outcome(rule: FeeRule, request: CheckRequest) -> Tuple[str, str]:
    limit = rule.deposit
    cur = request.currency_of("deposit")
    charged = money(request.deposit, cur)
    if limit.kind == "none":
        return "prohibited", f"No deposit is allowed here ({rule.id}), but {charged} was charged."
    if limit.kind == "air_ticket":
        return "unknown", (
            f"The deposit cap is the price of one economy-class air ticket from the workplace back to "
            f"Vietnam ({rule.id}); the checker does not know that price, so it cannot judge {charged}."
        )
    cap = money(limit.amount, limit.currency)
    if limit.currency != cur:
        return "unknown", (
            f"The deposit cap is {cap} ({rule.id}), but the deposit is in {cur}; the checker never "
            f"converts currencies, so it cannot compare {charged} with it."
        )
    if request.deposit > limit.amount:
        return "over_cap", f"The deposit of {charged} is more than the cap of {cap} ({rule.id})."
    return "legal", f"The deposit of {charged} is within the cap of {cap} ({rule.id})."


def _deposit_finding(request: CheckRequest, rules: RuleBook) -> Optional[Finding]:
    if request.deposit is None or request.deposit == 0:
        return None
    candidates = []
    for rule in rules.values():
        if rule.deposit is None:
            continue
        level, whys = match(rule, request)
        if level != NO:
            candidates.append((_Candidate(rule, level, whys), *_deposit_outcome(rule, request)))
    if not candidates:
        return Finding(
            "deposit", "unknown", ("deposit-rules",),
            (f"No deposit rule in the facts covers this case; the deposit of {money(request.deposit, request.currency_of('deposit'))} cannot be judged.",),
        )
    sure = [item for item in candidates if item[0].level == YES]
    maybe = [item for item in candidates if item[0].level == MAYBE]
    reasons = [reason for _, _, reason in sure]
    reasons += [f"If {_condition(c, request)}: {reason[0].lower()}{reason[1:]}" for c, _, reason in maybe]
    if sure:
        outcome = max((o for _, o, _ in sure), key=_SEVERITY.get)
        if outcome == "legal" and any(_SEVERITY[o] > _SEVERITY["legal"] for _, o, _ in maybe):
            outcome = "unknown"
    else:
        outcomes = {o for _, o, _ in maybe}
        outcome = outcomes.pop() if len(outcomes) == 1 else "unknown"
    ids = tuple(c.rule.id for c, _, _ in sure + maybe) + ("deposit-rules",)
    asks: Tuple[str, ...] = ()
    if outcome == "unknown":
        asks = _asks(c for c, _, _ in maybe)
        limits = [c.rule.deposit for c, o, _ in candidates if o == "unknown"]
        if any(limit.kind == "max" and limit.currency != request.currency_of("deposit") for limit in limits):
            asks += ("deposit_in_vnd",)
        if any(limit.kind == "air_ticket" for limit in limits):
            asks += ("air_ticket_price",)
    return Finding("deposit", outcome, ids, tuple(reasons), asks)


def _brokerage_finding(request: CheckRequest, rules: RuleBook) -> Optional[Finding]:
    fee = request.brokerage_fee
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


def _other_finding(request: CheckRequest, rules: RuleBook) -> Optional[Finding]:
    other = request.other
    if other is None or other == 0:
        return None
    fund = rules["fund-contribution"]
    shown = money(other, request.currency_of("other"))
    if request.currency_of("other") == fund.amount.currency and other <= fund.amount.value:
        return Finding(
            "other", "legal", (fund.id,),
            (
                f"The other charge of {shown} is no more than the {money(fund.amount.value, fund.amount.currency)} "
                f"Overseas Employment Support Fund contribution, which the worker pays by law; that is legal "
                f"if that is what it was for. Ask for a receipt ({fund.id}).",
            ),
        )
    reasons = [
        f"An other charge of {shown} was made: ask what it was for. Besides the service fee and the deposit, "
        f"the law names only the {money(fund.amount.value, fund.amount.currency)} Fund contribution; a selection "
        f"fee is prohibited, training fees only as the law allows, and the contract must list every cost."
    ]
    ids = [fund.id, "no-selection-fee", "training-fees-lawful-only", "contract-lists-all-costs"]
    for rule in _market_terms(request, rules):
        reasons.append(f"{rule.statement.en} ({rule.id})")
        ids.append(rule.id)
    return Finding("other", "unknown", tuple(i for i in ids if i in rules), tuple(reasons), ("other_purpose",))


# ---------------------------------------------------------------------------------------------
# The verdict
# ---------------------------------------------------------------------------------------------


def check(request: CheckRequest, rules: Optional[RuleBook] = None) -> Verdict:
    rules = rules if rules is not None else default_rules()
    if request.country == HOME_COUNTRY:
        return Verdict(
            "unknown", None, request.currency,
            ["VN is Vietnam: this checker covers fees for work abroad. Give the country where she works."],
            [], [Finding(None, "unknown", (), (), ("not_abroad",))], [], ["not_abroad"],
        )

    reasons: List[str] = []
    findings: List[Finding] = []
    info_ids: List[str] = []

    caps = _service_fee_caps(request, rules)
    cap_value: Optional[Decimal] = None
    cap_ids: Tuple[str, ...] = ()
    if caps is None:
        reasons.append("No service-fee cap in the facts covers this case.")
        if request.service_fee:
            findings.append(Finding("service_fee", "unknown", (), ("The service fee cannot be judged.",)))
    else:
        reasons.append(_describe_cap(caps.cap, caps.cap_amount, request))
        cap_ids = (caps.cap.rule.id,)
        if caps.lower is None:
            cap_value = caps.cap_amount
        else:
            for candidate in caps.maybes:
                amount = cents(
                    request.monthly_salary * cap_months(candidate.rule.service_fee_cap, request.contract_months)
                )
                reasons.append(
                    f"A lower cap may apply if {_condition(candidate, request)}. "
                    + _describe_cap(candidate, amount, request)
                )
            cap_ids += tuple(c.rule.id for c in caps.maybes)
        note = _pro_rata_note(request, caps)
        if note:
            reasons.append(note)
        total = caps.cap.rule.service_fee_cap.max_months_36_plus
        allowed = cap_months(caps.cap.rule.service_fee_cap, request.contract_months)
        if total is not None and request.contract_months < 36 and allowed > total:
            reasons.append(
                f"For this contract of under 36 months the pro-rata cap ({_number(cents(allowed))} x the "
                f"monthly salary) is higher than the {_number(total)}-month total that applies from 36 months; "
                f"that is how {caps.cap.rule.citation} reads, and the checker follows its words."
            )
        if request.country == "JP" and caps.cap.rule.id in ("service-fee-general-cap", "service-fee-sea-transport-crew", "service-fee-extension-cap"):
            rule = rules.get("jp-other-categories-general-cap")
            if rule is not None:
                reasons.append(
                    "Japan categories not listed in Annex XI fall under the general cap: an inference, "
                    "medium confidence (jp-other-categories-general-cap)."
                )
                info_ids.append(rule.id)
        if request.sender is None and request.effective_sender and request.service_fee:
            reasons.append(
                "The checker assumed a licensed service enterprise sent her; a public service unit may "
                "charge no service fee at all (public-service-unit-no-fee)."
            )
        finding = _service_fee_finding(request, caps)
        if finding:
            findings.append(finding)

    for build in (_brokerage_finding, _deposit_finding, _other_finding):
        finding = build(request, rules)
        if finding:
            findings.append(finding)

    if findings:
        verdict = max((f.outcome for f in findings), key=_SEVERITY.get)
    else:
        verdict = "legal"
        reasons.append("No charge above 0 was given, so there is nothing to object to.")
    for finding in findings:
        reasons.extend(finding.reasons)

    decisive: List[str] = []
    for finding in findings:
        if finding.outcome == verdict:
            decisive.extend(i for i in finding.rule_ids if i not in decisive)
    if not decisive:
        decisive = list(cap_ids)

    ordered: List[str] = []
    for rule_id in list(decisive) + list(cap_ids) + [i for f in findings for i in f.rule_ids] + info_ids:
        if rule_id in rules and rule_id not in ordered:
            ordered.append(rule_id)
    citations = [rules[rule_id] for rule_id in ordered]

    for rule in (rules[i] for i in decisive if i in rules):
        if rule.confidence.value != "high" and rule.caveats:
            reasons.append(f"Caveat ({rule.id}, {rule.confidence.value} confidence): {rule.caveats[0]}")

    asks: List[str] = []
    for finding in findings:
        if finding.outcome == "unknown":
            asks.extend(a for a in finding.asks if a not in asks)
    return Verdict(verdict, cap_value, request.currency, reasons, citations, findings, decisive, asks)


def check_json(data: Mapping[str, Any], rules: Optional[RuleBook] = None) -> Dict[str, Any]:
    """Convenience for callers holding a parsed JSON object: validate, check, serialise."""
    return check(parse_request(dict(data)), rules).to_dict()
