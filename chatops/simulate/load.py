"""What a service's serving tasks carry in one minute, and the metrics they publish (the sizing model).

Each model answers `observe(demand, serving)`: capacity, shortfall (demand above capacity), whether the
minute is saturated, and the values of the metrics its scaling policies and alarms watch, in the order of
`metric_names` (None when no task publishes one). Per-task capacities are chatops.sizing's functions, so
a change to the sizing figures flows into the simulation.

Saturation:
- api: requests/s above what the serving tasks serve (requests queue and time out).
- realtime: connections above what the serving tasks hold (refused, or queued in reconnect loops); an event
  loop loaded past one CPU falls behind by the excess work: lag = (load - 1) x 60 s per minute.
- workers: the oldest message older than its CloudWatch alarm (observability.alarms.oldest_message_age_seconds).
"""

from __future__ import annotations

from typing import Protocol, Union

from chatops.model.profile import Profile
from chatops.sizing import capacity

#: Relative tolerance: demand equal to capacity up to float rounding is not saturation.
_TOLERANCE = 1e-9

#: (capacity, shortfall, saturated, *metric values): one flat tuple per minute, cheap to build and transpose.
Observation = tuple
#: Where the metric values start in an observation.
METRICS_AT = 3


class LoadModel(Protocol):
    service: str
    unit: str
    per_task: float
    metric_names: tuple[str, ...]

    def observe(self, demand: float, serving: int) -> Observation: ...


def _short(demand: float, supply: float) -> tuple[float, bool]:
    shortfall = demand - supply
    if shortfall <= 0:
        return 0.0, False
    return shortfall, shortfall > _TOLERANCE * (demand if demand > 1 else 1.0)


class ApiLoad:
    service, unit = "api", "req/s"
    metric_names = ("cpu_percent", "memory_percent", "requests_per_target")

    def __init__(self, profile: Profile):
        api = profile.api
        self.per_task = capacity.api_task_capacity(profile.api.cpu_units)
        self._busy_cpu = capacity.busy_cpu_percent(api.cpu_units)
        # The sizing model has no per-request memory: an API task holds the Node process's baseline.
        self._memory = capacity.node_task_memory_mb(0) / api.memory_mb * 100

    def observe(self, demand: float, serving: int) -> Observation:
        if serving == 0:
            return 0.0, demand, demand > 0, None, None, None
        supply = serving * self.per_task
        shortfall, saturated = _short(demand, supply)
        per_task = demand / serving
        busy = per_task / self.per_task
        cpu = (busy if busy < 1.0 else 1.0) * self._busy_cpu
        # ALBRequestCountPerTarget counts every request routed to a target, served in time or not.
        return supply, shortfall, saturated, cpu, self._memory, per_task * 60


class RealtimeLoad:
    service, unit = "realtime", "connections"
    metric_names = ("cpu_percent", "memory_percent", "connections_per_task", "event_loop_lag_ms")

    def __init__(self, profile: Profile):
        rt = profile.realtime
        self.per_task = float(capacity.realtime_connections_per_task(profile))
        # Assumption: the app accepts sockets up to its configured maximum and refuses the rest.
        self._accepts = rt.max_connections_per_task
        self._by_cpu = capacity.connections_by_cpu(rt.cpu_units)
        self._busy_cpu = capacity.busy_cpu_percent(rt.cpu_units)
        self._memory_mb = rt.memory_mb

    def observe(self, demand: float, serving: int) -> Observation:
        if serving == 0:
            return 0.0, demand, demand > 0, None, None, None, None
        supply = serving * self.per_task
        shortfall, saturated = _short(demand, supply)
        offered = demand / serving
        held = offered if offered < self._accepts else self._accepts
        loop = held / self._by_cpu
        memory = capacity.node_task_memory_mb(held) / self._memory_mb * 100
        if loop < 1.0:
            cpu, lag = loop * self._busy_cpu, 0.0
        else:
            cpu, lag = self._busy_cpu, (loop - 1.0) * 60_000
        return supply, shortfall, saturated, cpu, (memory if memory < 100.0 else 100.0), held, lag


class WorkersLoad:
    """SQS consumers: the two queues as one backlog (push and offline grow alike in the demand model)."""

    service, unit = "workers", "jobs/s"
    metric_names = ("cpu_percent", "backlog_per_task", "visible_messages", "oldest_message_age_seconds")

    def __init__(self, profile: Profile):
        self.per_task = capacity.worker_task_capacity(profile.workers.cpu_units)
        self._busy_cpu = capacity.busy_cpu_percent(profile.workers.cpu_units)
        self.age_limit_seconds = float(profile.observability.alarms.oldest_message_age_seconds)
        self.backlog = 0.0
        self.age = 0.0

    def observe(self, demand: float, serving: int) -> Observation:
        supply = serving * self.per_task
        work = self.backlog + demand * 60
        done = work if work < supply * 60 else supply * 60
        backlog, age = work - done, self.age
        if backlog <= _TOLERANCE * (work if work > 1 else 1.0):
            backlog, age = 0.0, 0.0
        elif demand > 0:
            # FIFO-ish: the messages behind the oldest arrived at the demand rate (Little's law).
            wait = backlog / demand
            age = age + 60 if age + 60 < wait else wait
        else:
            age += 60
        self.backlog, self.age = backlog, age
        cpu = done / 60 / serving / self.per_task * self._busy_cpu if serving else None
        shortfall = demand - supply if demand > supply else 0.0
        # Container Insights' metric math divides by IF(tasks < 1, 1, tasks).
        backlog_per_task = backlog / serving if serving > 1 else backlog
        return supply, shortfall, age > self.age_limit_seconds, cpu, backlog_per_task, backlog, age


AnyLoad = Union[ApiLoad, RealtimeLoad, WorkersLoad]
LOAD_MODELS = {"api": ApiLoad, "realtime": RealtimeLoad, "workers": WorkersLoad}


def load_model(profile: Profile, service: str) -> AnyLoad:
    """A fresh model (workers keep queue state across minutes)."""
    return LOAD_MODELS[service](profile)
