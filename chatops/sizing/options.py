"""The choices `plan --optimize` searches, one component at a time, and whether each holds the demand.

A component option is the smallest version of it that carries the peak with the headroom: a task size
with the task count it needs, a database class with or without RDS Proxy and a read replica, a cache
node type (one group, or split into adapter and state groups). What one option cannot know alone
(pooled connections depend on every service's task count, pub/sub work on the realtime task count) is
checked when options are combined (`pool_shortfall`, `realtime_max_on`). The rules are the ones
capacity.py reports: an option that passes here holds the matching dimensions of `plan --tier FILE`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Optional

from chatops.model import catalog
from chatops.model.demand import DemandEstimate
from chatops.model.profile import Autoscaling
from chatops.sizing import capacity as cap
from chatops.sizing import database as db
from chatops.sizing.availability import Availability

#: Task sizes searched for every service, with the least memory Fargate allows at each CPU size. One
#: Node.js process uses at most one vCPU (figures.NODE_USABLE_VCPU), so larger tasks add cost, not capacity.
TASK_SIZES: tuple[tuple[int, int], ...] = ((256, 512), (512, 1024), (1024, 2048))

#: Spot shares searched for the workers (queue consumers retry, so Spot is safe for them; the API and
#: realtime services stay on-demand: a Spot reclaim drops requests and sockets).
WORKER_SPOT_PERCENTS = (0, 50, 100)

#: Autoscaling maximum over the desired count: the seed's concurrency range (10-30 % of DAU) reaches
#: twice the 15 % the default assumptions plan for.
AUTOSCALING_MAX_FACTOR = 2

#: Tasks one ECS service runs at most (the profile model's limit).
MAX_TASKS = 1000

SERVICE_LOADS: dict[str, Callable[[DemandEstimate], float]] = {
    "realtime": lambda d: d.peak_concurrent_connections,
    "api": lambda d: d.peak_api_requests_per_second,
    "workers": lambda d: d.peak_worker_jobs_per_second,
}
SERVICE_UNITS = {"realtime": "connections", "api": "req/s", "workers": "jobs/s"}


@dataclass(frozen=True)
class ServiceOption:
    service: str
    cpu_units: int
    memory_mb: int
    per_task: float  # connections, requests/s or jobs/s one task carries
    desired: int
    max_count: int
    spot_percent: int = 0

    @property
    def label(self) -> str:
        spot = f", {self.spot_percent}% Spot" if self.spot_percent else ""
        return f"{self.desired} x {self.cpu_units / 1024:g} vCPU / {self.memory_mb:,} MB{spot}"


@dataclass(frozen=True)
class DatabaseOption:
    instance_class: str
    proxy: bool
    replica: Optional[str] = None

    @property
    def label(self) -> str:
        extras = [("RDS Proxy" if self.proxy else "no proxy"),
                  (f"read replica {self.replica}" if self.replica else "no replica")]
        return f"{self.instance_class}, {', '.join(extras)}"


@dataclass(frozen=True)
class CacheOption:
    node_type: str  # the only group, or the adapter group when split
    state_node_type: Optional[str]  # the state group when split
    nodes: int  # nodes per group: primary + replicas

    @property
    def label(self) -> str:
        if self.state_node_type is None:
            return f"{self.nodes} x {self.node_type}"
        return f"split: adapter {self.nodes} x {self.node_type}, state {self.nodes} x {self.state_node_type}"

    @property
    def state(self) -> str:
        return self.state_node_type or self.node_type


@dataclass(frozen=True)
class Rejection:
    """An option that cannot hold the demand, and why (one phrase per failing check)."""

    label: str
    problems: tuple[str, ...]


# --- services --------------------------------------------------------------------------------------------

def service_options(service: str, d: DemandEstimate, headroom: float, policy: Availability,
                    targets: Autoscaling) -> tuple[list[ServiceOption], list[Rejection]]:
    """Every task size of `service` with the count it needs, and the sizes that would need too many tasks.

    The count holds the peak with `headroom`, and below the point where the service's own target-tracking
    policies (`targets`: its CPU and memory targets; requests and connections at 70 %) would scale it out:
    a profile that scales out at its design peak every evening costs more than it says, and has spent its
    autoscaling range before anything unexpected happens."""
    load = SERVICE_LOADS[service](d)
    minimum = policy.min_workers if service == "workers" else policy.min_web_tasks
    spots = [s for s in WORKER_SPOT_PERCENTS if s <= policy.max_worker_spot_percent] if service == "workers" else [0]
    options, rejected = [], []
    for cpu, memory in TASK_SIZES:
        per_task = _per_task(service, cpu, memory)
        scale_out = cap.scale_out_point(service, cpu, memory, targets.cpu_target_percent, targets.memory_target_percent)
        desired = max(minimum, math.ceil(load * headroom / per_task), math.ceil(load / scale_out))
        for spot in spots:
            option = ServiceOption(service, cpu, memory, per_task, desired,
                                   min(MAX_TASKS, desired * AUTOSCALING_MAX_FACTOR), spot)
            if desired > MAX_TASKS:
                rejected.append(Rejection(option.label, (f"needs {desired:,} tasks, over the {MAX_TASKS:,} an ECS "
                                                         "service runs",)))
            else:
                options.append(option)
    return options, rejected


def _per_task(service: str, cpu: int, memory: int) -> float:
    if service == "realtime":
        return cap.task_connection_limit(cpu, memory)
    return cap.api_task_capacity(cpu) if service == "api" else cap.worker_task_capacity(cpu)


# --- database --------------------------------------------------------------------------------------------

def database_problems(option: DatabaseOption, d: DemandEstimate, headroom: float,
                      proxy_percent: int) -> list[str]:
    """What `option` cannot carry whatever the task counts (working set, writes, CPU, proxy connections)."""
    c, h = option.instance_class, headroom
    replica = option.replica is not None
    need = db.working_set(d).total_gib * h
    problems = []
    if db.cache_gib(c) < need:
        problems.append(f"working set needs {need:,.1f} GiB of cache, {c} has {db.cache_gib(c):,.1f}")
    if db.write_capacity(c) < d.peak_db_writes_per_second * h:
        problems.append(f"{d.peak_db_writes_per_second * h:,.0f} writes/s needed, {c} sustains "
                        f"{db.write_capacity(c):,.0f}")
    if db.sustained_vcpu(c) < db.primary_cpu_demand(d, replica) * h:
        problems.append(f"{db.primary_cpu_demand(d, replica) * h:,.2f} vCPU needed, {c} sustains "
                        f"{db.sustained_vcpu(c):,.2f}")
    if option.proxy and db.usable_connections(c, proxy_percent) < db.busy_connections(d) * h:
        problems.append(f"{db.busy_connections(d) * h:,.0f} busy connections, the proxy gets "
                        f"{db.usable_connections(c, proxy_percent):,}")
    if option.replica is not None:
        problems += replica_problems(option.replica, d, headroom)
    return problems


def replica_problems(instance_class: str, d: DemandEstimate, headroom: float) -> list[str]:
    need = db.working_set(d).total_gib * headroom
    problems = []
    if db.cache_gib(instance_class) < need:
        problems.append(f"the replica's working set needs {need:,.1f} GiB of cache, {instance_class} has "
                        f"{db.cache_gib(instance_class):,.1f}")
    if db.sustained_vcpu(instance_class) < db.replica_cpu_demand(d) * headroom:
        problems.append(f"replica reads need {db.replica_cpu_demand(d) * headroom:,.2f} vCPU, {instance_class} "
                        f"sustains {db.sustained_vcpu(instance_class):,.2f}")
    return problems


def pool_shortfall(option: DatabaseOption, tasks: int, tasks_at_max: int, headroom: float) -> Optional[str]:
    """Without a proxy every task pins its pool: the desired count with headroom, and the autoscaling
    maximum at all, must fit the class's connections. The read replica is always reached directly
    (DATABASE_READ_URL; RDS Proxy has read-only endpoints for Aurora only), so its pools always pin."""
    pinned = [(option.instance_class, "without RDS Proxy")] if not option.proxy else []
    if option.replica is not None:
        pinned.append((option.replica, "on the read replica"))
    for instance_class, where in pinned:
        usable = db.usable_connections(instance_class, None)
        if usable < db.pooled_connections(tasks) * headroom or usable < db.pooled_connections(tasks_at_max):
            return (f"{db.pooled_connections(tasks_at_max):,} pooled connections at the autoscaling maximum, "
                    f"{instance_class} allows {usable:,} {where}")
    return None


# --- cache -----------------------------------------------------------------------------------------------

def cache_memory_problem(node_type: str, d: DemandEstimate, headroom: float) -> Optional[str]:
    need = cap.redis_memory_demand_mb(d) * headroom
    have = cap.redis_usable_memory_mb(node_type)
    return None if have >= need else f"state needs {need:,.0f} MB, {node_type} has {have:,.0f} MB usable"


def realtime_max_on(option: CacheOption, d: DemandEstimate, realtime: ServiceOption, headroom: float,
                    engine_version: str) -> tuple[Optional[int], Optional[str]]:
    """The realtime autoscaling maximum the adapter node carries, or why it cannot carry `realtime` at all.

    The adapter must carry pub/sub at the desired realtime count with the headroom; every task added by
    autoscaling adds a delivery per publish, so the maximum is lowered (never below the desired count)
    where the node would saturate before the service reaches its own maximum.
    """
    ops = cap.redis_ops_capacity(option.node_type, engine_version)
    need = cap.pubsub_ops(d, realtime.desired) * headroom
    if need > ops:
        return None, (f"pub/sub needs {need:,.0f} ops/s with {realtime.desired} realtime tasks, {option.node_type} "
                      f"sustains {ops:,.0f}")
    publishes = d.peak_redis_pubsub_per_second
    carried = realtime.max_count if publishes <= 0 else math.floor(ops / publishes) - 1
    return max(realtime.desired, min(realtime.max_count, carried)), None


def cache_options(node_types: list[str], d: DemandEstimate, headroom: float,
                  policy: Availability) -> tuple[list[CacheOption], list[Rejection]]:
    """One group of each node type holding the state; split groups with the cheapest-first state node
    that holds the state under each adapter node type. `node_types` are ordered cheapest first."""
    nodes = 1 + policy.cache_replicas
    holds_state = [n for n in node_types if cache_memory_problem(n, d, headroom) is None]
    options, rejected = [], []
    for node in node_types:
        problem = cache_memory_problem(node, d, headroom)
        if problem is None:
            options.append(CacheOption(node, None, nodes))
        else:
            rejected.append(Rejection(CacheOption(node, None, nodes).label, (problem,)))
        if holds_state:
            options.append(CacheOption(node, holds_state[0], nodes))
    return options, rejected


def class_fits_architecture(name: str, graviton: bool) -> bool:
    """With Graviton tasks every database and cache class must be Graviton too (profile_rules)."""
    known = catalog.RDS_POSTGRES_CLASSES.get(name) or catalog.CACHE_NODE_TYPES[name]
    return known.graviton or not graviton
