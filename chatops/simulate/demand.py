"""Per-minute demand of each service: plan's peak demand shaped over time, or measured values.

realtime carries connections, api requests/s, workers SQS jobs/s (push + offline messages). The peaks
come from the same DemandEstimate as `chatops plan`, so a simulated peak minute is plan's peak.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from chatops.model.demand import DemandEstimate
from chatops.simulate.traffic import MeasuredTraffic, cycled

#: Which measured column drives each service, and in what unit.
SERVICE_UNITS = {"api": "req/s", "realtime": "connections", "workers": "jobs/s"}
_COLUMN_OF = {"api": "requests_per_second", "realtime": "connections", "workers": "messages_per_second"}


@dataclass(frozen=True)
class ServiceDemand:
    """Demand per minute, by service (same length for all three)."""

    api: list[float]
    realtime: list[float]
    workers: list[float]

    @property
    def minutes(self) -> int:
        return len(self.api)

    def of(self, service: str) -> list[float]:
        return getattr(self, service)

    def scaled(self, multipliers: Sequence[float]) -> "ServiceDemand":
        """Every service's demand times the same per-minute multipliers (spikes)."""
        return ServiceDemand(*([d * m for d, m in zip(self.of(s), multipliers)] for s in SERVICE_UNITS))


def peaks(estimate: DemandEstimate) -> dict[str, float]:
    """Plan's busiest-minute demand of each service."""
    return {"api": estimate.peak_api_requests_per_second,
            "realtime": float(estimate.peak_concurrent_connections),
            "workers": estimate.peak_worker_jobs_per_second}


def shaped(estimate: DemandEstimate, multipliers: Sequence[float]) -> ServiceDemand:
    """Plan's peak of each service times the shape's multiplier, minute by minute."""
    top = peaks(estimate)
    return ServiceDemand(*([top[s] * m for m in multipliers] for s in SERVICE_UNITS))


def jobs_per_message(estimate: DemandEstimate) -> float:
    """SQS jobs one sent message causes (offline recipients' push and offline entries), from the demand model."""
    if estimate.peak_messages_per_second <= 0:
        return 0.0
    return estimate.peak_worker_jobs_per_second / estimate.peak_messages_per_second


def measured(estimate: DemandEstimate, traffic: MeasuredTraffic, minutes: int) -> ServiceDemand:
    """Services with a measured column get its values (messages/s become worker jobs by the demand model's
    ratio); the others follow the `load` column, else the shape of the first measured column, scaled to
    plan's peak. Values repeat to fill `minutes`."""
    top = peaks(estimate)
    columns = traffic.columns
    if "load" in columns:
        reference = columns["load"]
    else:
        first = next(c for c in ("connections", "requests_per_second", "messages_per_second") if c in columns)
        highest = max(columns[first])
        reference = [v / highest if highest > 0 else 0.0 for v in columns[first]]
    series = {}
    for service, column in _COLUMN_OF.items():
        if column in columns:
            factor = jobs_per_message(estimate) if service == "workers" else 1.0
            series[service] = [v * factor for v in columns[column]]
        else:
            series[service] = [top[service] * m for m in reference]
    return ServiceDemand(*(cycled(series[s], minutes) for s in SERVICE_UNITS))
