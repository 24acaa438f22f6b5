"""CloudWatch alarm evaluation on one-minute datapoints: "M out of N" windows.

An alarm is in ALARM when at least `datapoints_to_alarm` of the last `evaluation_periods` datapoints breach
its threshold (CloudWatch User Guide, "Evaluating an alarm"). A missing datapoint (no task published one)
breaches only under treat_missing_data=breaching; "missing" and "ignore" are approximated as not breaching.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from typing import Callable, Optional, Sequence

COMPARISONS: dict[str, Callable[[float, float], bool]] = {
    "GreaterThanThreshold": operator.gt,
    "GreaterThanOrEqualToThreshold": operator.ge,
    "LessThanThreshold": operator.lt,
    "LessThanOrEqualToThreshold": operator.le,
}


@dataclass(frozen=True)
class Episodes:
    """When an alarm was in ALARM: minutes in total, how many separate times, and the first minute."""

    minutes: int
    count: int
    first_minute: Optional[int]


def alarm_states(values: Sequence[Optional[float]], threshold: float, comparison: str, evaluation_periods: int,
                 datapoints_to_alarm: int, treat_missing_data: str = "missing") -> list[bool]:
    """ALARM (True) or not after each one-minute datapoint of `values` (None = missing)."""
    breaches = COMPARISONS[comparison]
    missing_breaches = treat_missing_data == "breaching"
    full, mask, states = (1 << evaluation_periods) - 1, 0, []
    for value in values:  # the last N breach flags as the bits of an int
        mask = ((mask << 1) | (missing_breaches if value is None else breaches(value, threshold))) & full
        states.append(mask.bit_count() >= datapoints_to_alarm)
    return states


def episodes(states: Sequence[bool]) -> Episodes:
    count, first, previous = 0, None, False
    for minute, state in enumerate(states):
        if state and not previous:
            count += 1
            first = minute if first is None else first
        previous = state
    return Episodes(sum(states), count, first)
