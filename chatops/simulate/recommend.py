"""Profile changes that remove a service's saturation, cheapest first, each verified by re-running it.

For each saturated service, every knob is searched for its smallest change that leaves no saturated
minute: the autoscaling maximum, the minimum (the desired count follows it), each scaling target or
step threshold the profile sets (lower = earlier), realtime's connections per task (up to what the task
size holds) and larger Fargate task sizes. A knob's search assumes "more is never worse" (binary search);
the value it returns is always one that was simulated and found free of saturation. The options are ranked
by the service's simulated Fargate month. Services are independent in the model, so a change to one
service is verified by re-running that service; `combined` re-runs the whole stack with the cheapest
option of every service applied together.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable, Iterator, Optional

from chatops.costing.components import Pricer
from chatops.model import catalog
from chatops.model.autoscaling import scaling_policies
from chatops.model.profile import Autoscaling, Profile
from chatops.model.profile_rules import rule_violations
from chatops.model.records import limits_of
from chatops.sizing.capacity import task_connection_limit
from chatops.simulate.cost import service_cost
from chatops.simulate.demand import ServiceDemand
from chatops.simulate.engine import ServiceRun
from chatops.simulate.scenario import StackRun, simulate, simulate_service

MAX_TASKS = limits_of(Autoscaling, "max_count").arguments["le"]
#: Task sizes tried: up to 4 vCPU (a Node.js process uses one; more helps only a clustered app).
MAX_TASK_CPU_UNITS = 4096

#: Target values and step thresholds a profile sets, per service: (field, the policy it drives).
TARGET_FIELDS: dict[str, tuple[tuple[str, str], ...]] = {
    "api": (("api.autoscaling.cpu_target_percent", "api-cpu"),
            ("api.autoscaling.memory_target_percent", "api-memory"),
            ("api.requests_per_target", "api-requests")),
    "realtime": (("realtime.autoscaling.cpu_target_percent", "realtime-cpu"),
                 ("realtime.autoscaling.memory_target_percent", "realtime-memory"),
                 ("realtime.scale_on_event_loop_lag_ms", "realtime-lag")),
    "workers": (("workers.autoscaling.cpu_target_percent", "workers-cpu"),
                ("workers.scale_on_queue_depth", "workers-backlog"),
                ("workers.scale_on_oldest_message_age_seconds", "workers-age")),
}


@dataclass(frozen=True)
class Change:
    field: str
    old: Any
    new: Any


@dataclass(frozen=True)
class Option:
    """One verified way to remove a service's saturation."""

    service: str
    knob: str
    changes: tuple[Change, ...]
    saturated_minutes: int
    peak_tasks: int
    task_hours: float
    simulated_monthly: Decimal
    delta_monthly: Decimal


@dataclass(frozen=True)
class Advice:
    service: str
    saturated_minutes: int
    options: tuple[Option, ...]    # cheapest first; empty when no knob removes the saturation
    not_enough: tuple[str, ...]    # knobs searched to their limit without removing it

    @property
    def best(self) -> Optional[Option]:
        return self.options[0] if self.options else None


@dataclass(frozen=True)
class Recommendations:
    advice: tuple[Advice, ...]
    combined: Optional[StackRun]   # the stack re-run with every service's best option


def get_field(profile: Any, path: str) -> Any:
    for part in path.split("."):
        profile = getattr(profile, part)
    return profile


def set_field(record: Any, path: str, value: Any) -> Any:
    head, _, rest = path.partition(".")
    inner = set_field(getattr(record, head), rest, value) if rest else value
    return dataclasses.replace(record, **{head: inner})


def apply(profile: Profile, changes: tuple[Change, ...]) -> Profile:
    for change in changes:
        profile = set_field(profile, change.field, change.new)
    return profile


def recommend(baseline: StackRun, demand: ServiceDemand, pricer: Pricer,
              progress: Callable[[str], None] = lambda message: None) -> Recommendations:
    """Advice for every saturated service of `baseline`, and the stack re-run with the best of each.
    `progress` hears one line per service searched (searches re-run the service many times)."""
    advice = []
    for service, run in baseline.runs.items():
        if run.saturated_minutes:
            progress(f"Searching the cheapest changes that remove {service}'s {run.saturated_minutes} saturated "
                     "minute(s) ...")
            advice.append(_advise(baseline, service, demand.of(service), pricer))
    best = [a.best for a in advice if a.best is not None]
    if not best:
        return Recommendations(tuple(advice), None)
    improved = baseline.profile
    for option in best:
        improved = apply(improved, option.changes)
    return Recommendations(tuple(advice), simulate(improved, demand, baseline.timing, baseline.names))


class _Search:
    """Re-runs one service with candidate changes and keeps each verified result."""

    def __init__(self, baseline: StackRun, service: str, demand: list[float], pricer: Pricer):
        self.profile, self.service, self.demand, self.timing = baseline.profile, service, demand, baseline.timing
        self.pricer = pricer
        self.baseline_cost = service_cost(pricer, self.profile, baseline.runs[service]).simulated_monthly
        self.runs: dict[tuple[Change, ...], Optional[ServiceRun]] = {}

    def run(self, changes: tuple[Change, ...]) -> Optional[ServiceRun]:
        """The service re-run with `changes`, to its end when it never saturates and to its first saturated
        minute otherwise; None when the changed profile breaks a profile rule."""
        if changes not in self.runs:
            candidate = apply(self.profile, changes)
            self.runs[changes] = (None if rule_violations(candidate) else
                                  simulate_service(candidate, self.service, self.demand, self.timing,
                                                   stop_when_saturated=True))
        return self.runs[changes]

    def free(self, changes: tuple[Change, ...]) -> bool:
        run = self.run(changes)
        return run is not None and run.saturated_minutes == 0 and run.minutes == len(self.demand)

    def option(self, knob: str, changes: tuple[Change, ...]) -> Option:
        run = self.run(changes)
        assert run is not None and self.free(changes)  # a complete run: every minute simulated, none saturated
        monthly = service_cost(self.pricer, apply(self.profile, changes), run).simulated_monthly
        return Option(self.service, knob, changes, run.saturated_minutes, run.peak_tasks, run.task_hours, monthly,
                      monthly - self.baseline_cost)

    def smallest(self, low: int, high: int, changes_at: Callable[[int], tuple[Change, ...]]) -> Optional[int]:
        """The smallest value in [low, high] whose changes remove the saturation (None if even `high` does not)."""
        if low > high or not self.free(changes_at(high)):
            return None
        while low < high:
            middle = (low + high) // 2
            if self.free(changes_at(middle)):
                high = middle
            else:
                low = middle + 1
        return high

    def largest(self, low: int, high: int, changes_at: Callable[[int], tuple[Change, ...]]) -> Optional[int]:
        """The largest value in [low, high] whose changes remove the saturation (lower values scale earlier)."""
        if low > high or not self.free(changes_at(low)):
            return None
        while low < high:
            middle = (low + high + 1) // 2
            if self.free(changes_at(middle)):
                low = middle
            else:
                high = middle - 1
        return low


def _advise(baseline: StackRun, service: str, demand: list[float], pricer: Pricer) -> Advice:
    search = _Search(baseline, service, demand, pricer)
    options, not_enough = [], []
    for knob, changes in _knobs(search):
        if changes is None:
            not_enough.append(knob)
        else:
            options.append(search.option(knob, changes))
    options.sort(key=lambda o: (o.simulated_monthly, o.knob))
    return Advice(service, baseline.runs[service].saturated_minutes, tuple(options), tuple(not_enough))


def _knobs(search: _Search) -> Iterator[tuple[str, Optional[tuple[Change, ...]]]]:
    """(knob, the smallest verified changes or None) for every knob of the service."""
    p, service = search.profile, search.service
    spec = getattr(p, service)
    scaling = spec.autoscaling
    prefix = f"{service}.autoscaling"

    def max_count(value: int) -> tuple[Change, ...]:
        return (Change(f"{prefix}.max_count", scaling.max_count, value),)

    found = search.smallest(scaling.max_count + 1, MAX_TASKS, max_count)
    yield "max_count", None if found is None else max_count(found)

    def min_count(value: int) -> tuple[Change, ...]:
        changes = [Change(f"{prefix}.min_count", scaling.min_count, value)]
        if value > spec.desired_count:
            changes.append(Change(f"{service}.desired_count", spec.desired_count, value))
        if value > scaling.max_count:
            changes.append(Change(f"{prefix}.max_count", scaling.max_count, value))
        return tuple(changes)

    found = search.smallest(scaling.min_count + 1, MAX_TASKS, min_count)
    yield "min_count", None if found is None else min_count(found)

    policies = {policy.name for policy in scaling_policies(p)}
    for field, policy in TARGET_FIELDS[service]:
        if policy not in policies:
            continue
        current, lowest = get_field(p, field), _lowest_allowed(p, field)

        def target(value: int, field: str = field, current: int = current) -> tuple[Change, ...]:
            return (Change(field, current, value),)

        found = search.largest(lowest, current - 1, target)
        yield f"target:{field}", None if found is None else target(found)

    if service == "realtime":
        rt = p.realtime
        limit = task_connection_limit(rt.cpu_units, rt.memory_mb)

        def per_task(value: int) -> tuple[Change, ...]:
            return (Change("realtime.max_connections_per_task", rt.max_connections_per_task, value),)

        if rt.max_connections_per_task < limit:
            found = search.smallest(rt.max_connections_per_task + 1, limit, per_task)
            yield "max_connections_per_task", None if found is None else per_task(found)

    sizes = [_size_changes(service, spec.cpu_units, spec.memory_mb, cpu, memory) for cpu, memory in _larger_sizes(spec)]
    free = [changes for changes in sizes if search.free(changes)]
    if sizes:
        cheapest = min(free, key=lambda c: search.option("task_size", c).simulated_monthly) if free else None
        yield "task_size", cheapest


def _lowest_allowed(profile: Profile, path: str) -> int:
    """The smallest whole value the field's declared limits accept."""
    parent, _, name = path.rpartition(".")
    limits = limits_of(type(get_field(profile, parent)), name).arguments
    return int(limits["ge"]) if "ge" in limits else int(limits.get("gt", 0)) + 1


def _larger_sizes(spec: Any) -> list[tuple[int, int]]:
    """Valid Fargate sizes above the current one: per CPU level, the smallest memory that is not less than
    today's, and at today's CPU every larger memory (realtime sockets can be memory-bound)."""
    out = []
    for cpu, memories in catalog.FARGATE_MEMORY_MB.items():
        if cpu < spec.cpu_units or cpu > MAX_TASK_CPU_UNITS:
            continue
        larger = [m for m in memories if m >= spec.memory_mb]
        if cpu == spec.cpu_units:
            out += [(cpu, m) for m in larger if m > spec.memory_mb]
        elif larger:
            out.append((cpu, larger[0]))
    return out


def _size_changes(service: str, cpu: int, memory: int, new_cpu: int, new_memory: int) -> tuple[Change, ...]:
    changes = []
    if new_cpu != cpu:
        changes.append(Change(f"{service}.cpu_units", cpu, new_cpu))
    if new_memory != memory:
        changes.append(Change(f"{service}.memory_mb", memory, new_memory))
    return tuple(changes)

