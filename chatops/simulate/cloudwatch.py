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


class AlarmWindow:
    """The last `periods` breach flags as bits of an int; ALARM when enough of them are set."""

    __slots__ = ("datapoints", "full", "mask")

    def __init__(self, periods: int, datapoints: int):
        self.datapoints = datapoints
        self.full = (1 << periods) - 1
        self.mask = 0

    def push(self, breaching: bool) -> bool:
        """Add the newest datapoint; True when the alarm is in ALARM after it."""
        self.mask = ((self.mask << 1) | breaching) & self.full
        return self.mask.bit_count() >= self.datapoints


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
    window = AlarmWindow(evaluation_periods, datapoints_to_alarm)
    return [window.push(missing_breaches if v is None else breaches(v, threshold)) for v in values]


def episodes(states: Sequence[bool]) -> Episodes:
    count, first, previous = 0, None, False
    for minute, state in enumerate(states):
        if state and not previous:
            count += 1
            first = minute if first is None else first
        previous = state
    return Episodes(sum(states), count, first)
