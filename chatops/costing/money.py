"""Money arithmetic: Decimal everywhere, a month is 730 hours (AWS's own convention)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Union

Number = Union[int, float, str, Decimal]

HOURS_PER_MONTH = Decimal(730)
CENT = Decimal("0.01")


def dec(value: Number) -> Decimal:
    """A Decimal from any number; floats go through str() so 0.1 stays 0.1."""
    if isinstance(value, Decimal):
        return value
    return Decimal(str(value))


def cents(value: Decimal) -> Decimal:
    """Rounded to cents, for display and totals in reports."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def fmt_usd(value: Decimal | None) -> str:
    """'$1,234.56', or the missing-price marker."""
    if value is None:
        return "price not found"
    return f"${cents(value):,.2f}"


def fmt_total(value: Decimal, complete: bool) -> str:
    """A total: '$1,234.56', or 'at least $1,234.56' when some line of it has no price."""
    return fmt_usd(value) if complete else f"at least {fmt_usd(value)}"
