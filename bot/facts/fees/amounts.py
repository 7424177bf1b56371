"""Money and months as the checker computes and shows them: exact Decimals, never rounded up.

``cents`` cuts an amount down to the cent, so that a cap shown is never above the exact cap;
``money`` writes it with its currency ("20,000 TWD"); ``cap_months`` is how many months' salary
a service-fee cap allows for a contract.
"""
from __future__ import annotations

from decimal import ROUND_DOWN, Decimal
from typing import Optional, Union

from bot.facts.fees.models import ServiceFeeCap

CENT = Decimal("0.01")


def cents(amount: Decimal) -> Decimal:
    """Down to the cent: the cap shown is never above the exact cap."""
    value = amount.quantize(CENT, rounding=ROUND_DOWN)
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value


def money(amount: Decimal, currency: str) -> str:
    return f"{cents(amount):,} {currency}"


def figure(value: Decimal) -> str:
    """Decimal("0.40") -> "0.4", Decimal("36") -> "36"."""
    return format(value.normalize(), "f")


def json_number(value: Optional[Decimal]) -> Union[int, float, None]:
    """An amount for a JSON answer: whole numbers as integers, the rest to the cent."""
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
