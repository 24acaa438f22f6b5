"""One number syntax for every count and amount a person types: flags of `plan` and `cost-report`, and
usage files alike.

    50000   50_000   50,000   50k   1.5m   2b   0.25   40

Commas group thousands only (`50,000`; `1,5` is rejected rather than read as 15 or 1.5), underscores
may separate any digits, and a k/m/b suffix multiplies by a thousand, a million or a billion. Values
are parsed as decimals, so `1.5m` is exactly 1,500,000. Pure: no click, no pydantic (plan's start-up
budget), errors are plain ValueErrors whose message is the one line a user sees.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Union

SUFFIXES = {"": 1, "k": 1_000, "m": 1_000_000, "b": 1_000_000_000}
#: The usage assumptions that are whole numbers (users, bytes).
WHOLE_FIELDS = ("dau", "message_bytes")
SYNTAX_HINT = "e.g. 50000, 50_000, 50,000, 50k or 1.5m"

_NUMBER = re.compile(r"""
    (?P<sign>[+-]?)
    (?P<digits>\d{1,3}(?:,\d{3})+|\d+(?:_\d+)*|)      # 50,000 | 50_000 | 50000 | (none: .5)
    (?P<fraction>\.\d+(?:_\d+)*)?
    \s*(?P<suffix>[kmb]?)
    """, re.X | re.I)


class NumberError(ValueError):
    """A value that is not a number in our syntax, or not a whole number where one is needed."""


def parse_number(value: Union[str, int, float], whole: bool = False) -> Union[int, float]:
    """The number `value` spells: an int when `whole` (or when the text is a whole number), else a float.

    Numbers that are already numbers (from YAML) pass through; booleans are not numbers."""
    if isinstance(value, bool):
        raise NumberError(f"{value!r} is not a number ({SYNTAX_HINT})")
    if isinstance(value, (int, float)):
        amount = Decimal(str(value))
    else:
        amount = _parse_text(str(value))
    if not amount.is_finite():
        raise NumberError(f"{value!r} is not a finite number")
    if amount == amount.to_integral_value():
        return int(amount)
    if whole:
        raise NumberError(f"{value!r} is not a whole number")
    return float(amount)


def _parse_text(text: str) -> Decimal:
    match = _NUMBER.fullmatch(text.strip())
    if match is None or not (match["digits"] or match["fraction"]):
        raise NumberError(f"{text!r} is not a number ({SYNTAX_HINT})")
    digits = (match["digits"] or "0").replace(",", "").replace("_", "")
    fraction = (match["fraction"] or "").replace("_", "")
    try:
        amount = Decimal(f"{match['sign']}{digits}{fraction}")
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimal literals
        raise NumberError(f"{text!r} is not a number ({SYNTAX_HINT})") from None
    return amount * SUFFIXES[match["suffix"].lower()]


def check_range(number: float, low: float, high: float, low_open: bool = False, what: str = "") -> None:
    """Raise NumberError unless low <(=) number <= high; the message shows the interval as written."""
    too_low = number <= low if low_open else number < low
    if too_low or number > high:
        bracket = "(" if low_open else "["
        suffix = f" {what}" if what else ""
        raise NumberError(f"{_show(number)} is outside {bracket}{_show(low)}, {_show(high)}]{suffix}")


def _show(number: float) -> str:
    if float(number).is_integer():
        return f"{int(number):,}" if abs(number) >= 10_000 else str(int(number))
    return f"{number:g}"
