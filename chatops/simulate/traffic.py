"""Traffic over time, one value per minute: built-in shapes, spikes, and measured values from a CSV.

A shape is a list of multipliers of plan's peak (1.0 = the busiest minute of `plan`'s demand model).
Built-in shapes are smooth daily curves whose mean over their cycle is 1 / peak_factor, so a simulated
day carries the same traffic as the demand model's daily totals (peak factor = busiest hour over the
daily average; docs/sizing.md). docs/simulate.md documents the CSV columns and the spike syntax.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Sequence

from chatops.errors import ChatopsError

MINUTES_PER_DAY = 1440
MINUTES_PER_HOUR = 60


@dataclass(frozen=True)
class Bump:
    """A Gaussian bump of traffic: its centre (hours into the cycle), width and relative height."""

    centre_hour: float
    sigma_hours: float
    height: float


#: Weekday chat: a lunchtime and a larger evening peak. Evening: one peak at 20:30 (consumer chat).
_EVENING = (Bump(20.5, 2.5, 1.0),)
_TWO_PEAKS = (Bump(12.5, 1.5, 0.75), Bump(20.5, 2.0, 1.0))
_WEEKEND = (Bump(18.0, 3.5, 0.8),)

#: name -> (days in the cycle, bumps per day of the cycle)
SHAPES: dict[str, tuple[tuple[Bump, ...], ...]] = {
    "evening": (_EVENING,),
    "two-peaks": (_TWO_PEAKS,),
    "week": (_TWO_PEAKS,) * 5 + (_WEEKEND,) * 2,  # Monday to Friday, then the weekend
}


def shape_days(name: str) -> int:
    """The shape's natural length in days (one cycle)."""
    return len(SHAPES[name])


def shape_multipliers(name: str, peak_factor: float, days: int) -> list[float]:
    """`days` x 1,440 multipliers of the peak for the built-in shape `name`, repeating its cycle."""
    cycle = _with_mean(_bumps(SHAPES[name]), 1 / peak_factor)
    minutes = days * MINUTES_PER_DAY
    return [cycle[i % len(cycle)] for i in range(minutes)]


def _bumps(days: tuple[tuple[Bump, ...], ...]) -> list[float]:
    """Sum of the bumps over the cycle (wrapping around its end), scaled to a maximum of 1."""
    length = len(days) * MINUTES_PER_DAY
    values = [0.0] * length
    for d, bumps in enumerate(days):
        for b in bumps:
            centre = (24 * d + b.centre_hour) * MINUTES_PER_HOUR
            sigma = b.sigma_hours * MINUTES_PER_HOUR
            reach = int(6 * sigma)  # beyond six sigmas a Gaussian adds nothing a float can hold
            for minute in range(int(centre) - reach, int(centre) + reach + 1):
                values[minute % length] += b.height * math.exp(-((minute - centre) ** 2) / (2 * sigma * sigma))
    top = max(values)
    return [v / top for v in values]


def _with_mean(bumps: list[float], mean: float) -> list[float]:
    """The bumps lifted onto a constant floor (quiet hours) so that their mean is `mean`; when the bumps
    alone are already too broad for that mean (a very peaky day), sharpened instead (floor 0)."""
    current = sum(bumps) / len(bumps)
    if current <= mean:
        floor = 1.0 if current >= 1 else (mean - current) / (1 - current)
        return [floor + (1 - floor) * b for b in bumps]
    low, high = 1.0, 64.0  # mean(b ** k) falls as k grows; bisect the exponent
    for _ in range(60):
        k = (low + high) / 2
        if sum(b ** k for b in bumps) / len(bumps) > mean:
            low = k
        else:
            high = k
    return [b ** high for b in bumps]


# --- spikes ----------------------------------------------------------------------------------------

_SPIKE = re.compile(r"^(?P<factor>\d+(?:\.\d+)?)x?@(?:d(?P<day>\d+)[tT])?(?P<hh>\d{1,2}):(?P<mm>\d{2})"
                    r"(?:/(?P<ramp>\d+[mh]?))?(?:\+(?P<hold>\d+[mh]?))?$")
DEFAULT_SPIKE_HOLD_MINUTES = 60
SPIKE_SYNTAX = "FACTORx@[dDAYT]HH:MM[/RAMP][+HOLD], e.g. 5x@20:00/10m or 3x@d2T09:00/5m+2h"


@dataclass(frozen=True)
class Spike:
    """`factor` times the load from `start_minute`: it rises over `ramp_minutes`, holds for `hold_minutes`,
    and falls back over `ramp_minutes` again."""

    factor: float
    start_minute: int
    ramp_minutes: int = 0
    hold_minutes: int = DEFAULT_SPIKE_HOLD_MINUTES
    text: str = ""

    def multiplier(self, minute: int) -> float:
        offset = minute - self.start_minute
        ramp, hold = self.ramp_minutes, self.hold_minutes
        if offset < 0 or offset >= 2 * ramp + hold:
            return 1.0
        if offset < ramp:
            share = (offset + 1) / ramp
        elif offset < ramp + hold:
            share = 1.0
        else:
            share = (2 * ramp + hold - offset - 1) / ramp
        return 1 + (self.factor - 1) * share

    @property
    def end_minute(self) -> int:
        return self.start_minute + 2 * self.ramp_minutes + self.hold_minutes


def parse_spike(text: str) -> Spike:
    """`5x@20:00/10m`: five times the load from 20:00 of day 1, ramping up over 10 minutes; raises
    ValueError naming the problem."""
    match = _SPIKE.match(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a spike; use {SPIKE_SYNTAX}")
    factor = float(match["factor"])
    if not 0 < factor <= 1000:
        raise ValueError(f"{text!r}: the factor must be in (0, 1000]")
    hour, minute = int(match["hh"]), int(match["mm"])
    if hour > 23 or minute > 59:
        raise ValueError(f"{text!r}: {match['hh']}:{match['mm']} is not a time of day (00:00-23:59)")
    day = int(match["day"] or 1)
    if day < 1:
        raise ValueError(f"{text!r}: days count from d1")
    ramp = _minutes(match["ramp"]) if match["ramp"] else 0
    hold = _minutes(match["hold"]) if match["hold"] else DEFAULT_SPIKE_HOLD_MINUTES
    start = (day - 1) * MINUTES_PER_DAY + hour * MINUTES_PER_HOUR + minute
    return Spike(factor, start, ramp, hold, text.strip())


def _minutes(text: str) -> int:
    return int(text[:-1]) * MINUTES_PER_HOUR if text.endswith("h") else int(text.rstrip("m"))


def spike_multipliers(spikes: Sequence[Spike], minutes: int) -> list[float]:
    """The product of every spike's multiplier, minute by minute (overlapping spikes compound)."""
    out = [1.0] * minutes
    for spike in spikes:
        for i in range(max(0, spike.start_minute), min(minutes, spike.end_minute)):
            out[i] *= spike.multiplier(i)
    return out


# --- measured traffic (CSV) -------------------------------------------------------------------------

#: Columns a traffic CSV may have (at least one value column); docs/simulate.md explains each.
VALUE_COLUMNS = ("connections", "requests_per_second", "messages_per_second", "load")
TIME_COLUMN = "timestamp"


class TrafficFileError(ChatopsError):
    """A traffic CSV that cannot be used; the message names the row or column and the fix."""


@dataclass(frozen=True)
class MeasuredTraffic:
    """Per-minute values by column (absolute: connections, requests/s, messages/s; or `load`, a share of
    plan's peak). `filled_minutes` counts minutes missing from the timestamps, repeated from the row before."""

    columns: dict[str, list[float]]
    filled_minutes: int = 0

    @property
    def minutes(self) -> int:
        return len(next(iter(self.columns.values())))


def parse_traffic_csv(text: str, source: str = "traffic CSV") -> MeasuredTraffic:
    """Rows of per-minute values under a header naming the columns; raises TrafficFileError."""
    rows = list(csv.reader(io.StringIO(text)))
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if not rows:
        raise TrafficFileError(f"{source}: empty; it needs a header ({', '.join(VALUE_COLUMNS)}) and one row per "
                               "minute")
    header = [h.strip().lower() for h in rows[0]]
    known = (TIME_COLUMN, *VALUE_COLUMNS)
    unknown = [h for h in header if h not in known]
    if unknown:
        raise TrafficFileError(f"{source}: unknown column {unknown[0]!r}; columns are {', '.join(known)}")
    values = [h for h in header if h in VALUE_COLUMNS]
    if not values:
        raise TrafficFileError(f"{source}: no value column; add at least one of {', '.join(VALUE_COLUMNS)}")
    if len(set(header)) != len(header):
        raise TrafficFileError(f"{source}: a column appears twice in the header")
    if len(rows) < 2:
        raise TrafficFileError(f"{source}: a header but no rows")
    columns: dict[str, list[float]] = {name: [] for name in values}
    times: list[datetime] = []
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise TrafficFileError(f"{source}: row {number} has {len(row)} cells, the header {len(header)}")
        for name, cell in zip(header, row):
            if name == TIME_COLUMN:
                times.append(_timestamp(cell, source, number))
            else:
                columns[name].append(_value(cell, name, source, number))
    if not times:
        return MeasuredTraffic(columns)
    return _fill_gaps(columns, times, source)


def _value(cell: str, column: str, source: str, row: int) -> float:
    try:
        value = float(cell)
    except ValueError:
        raise TrafficFileError(f"{source}: row {row}, {column}: {cell!r} is not a number") from None
    if not math.isfinite(value) or value < 0:
        raise TrafficFileError(f"{source}: row {row}, {column}: {cell!r} must be a finite number >= 0")
    return value


def _timestamp(cell: str, source: str, row: int) -> datetime:
    try:
        return datetime.fromisoformat(cell.strip().replace("Z", "+00:00"))
    except ValueError:
        raise TrafficFileError(f"{source}: row {row}, timestamp: {cell!r} is not ISO 8601 "
                               "(e.g. 2024-05-01T20:00:00Z)") from None


def _fill_gaps(columns: dict[str, list[float]], times: list[datetime], source: str) -> MeasuredTraffic:
    """One value per minute: rows must be whole minutes apart and increasing; a gap (CloudWatch leaves out
    minutes without data, or exports at a longer period) repeats the row before it."""
    filled: dict[str, list[float]] = {name: [values[0]] for name, values in columns.items()}
    added = 0
    for i in range(1, len(times)):
        step = (times[i] - times[i - 1]).total_seconds()
        if step <= 0 or step % 60:
            raise TrafficFileError(f"{source}: row {i + 2}: timestamps must increase by whole minutes "
                                   f"({times[i - 1].isoformat()} -> {times[i].isoformat()})")
        gap = int(step // 60) - 1
        added += gap
        for name, values in columns.items():
            filled[name].extend([values[i - 1]] * gap + [values[i]])
    return MeasuredTraffic(filled, added)


def cycled(values: Sequence[float], minutes: int) -> list[float]:
    """`values` repeated (or cut) to `minutes` values."""
    return [values[i % len(values)] for i in range(minutes)]


def days_to_cover(minutes: int) -> int:
    return max(1, math.ceil(minutes / MINUTES_PER_DAY))


def clock(minute: int) -> str:
    """'d1 20:03' for a minute index (day 1 is the first simulated day)."""
    day, rest = divmod(minute, MINUTES_PER_DAY)
    return f"d{day + 1} {rest // 60:02d}:{rest % 60:02d}"
