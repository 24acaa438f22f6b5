"""What a profile can carry, dimension by dimension, at its desired counts and at its autoscaling maximum.

Headroom = capacity / demand. A dimension whose demand is zero has unbounded headroom (None in JSON).
Per-unit figures and their sources are in figures.py.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional

from chatops.model import catalog, postgres
from chatops.model.demand import DemandEstimate
from chatops.model.profile import Profile
from chatops.sizing import figures as f


@dataclass(frozen=True)
class Dimension:
    """One thing the stack must carry: the peak demand and what the profile provides."""

    key: str
    label: str
    unit: str
    demand: float
    capacity: float
    demand_at_max: float
    capacity_at_max: float

    @property
    def headroom(self) -> float:
        return _ratio(self.capacity, self.demand)

    @property
    def headroom_at_max(self) -> float:
        return _ratio(self.capacity_at_max, self.demand_at_max)


def _ratio(capacity: float, demand: float) -> float:
    return math.inf if demand <= 0 else capacity / demand


@dataclass(frozen=True)
class CapacityReport:
    profile_name: str
    dimensions: tuple[Dimension, ...]
    alb_lcu_at_peak: float
    warnings: tuple[str, ...]

    @property
    def tightest(self) -> Dimension:
        return min(self.dimensions, key=lambda d: d.headroom)

    def holds(self, required_headroom: float) -> bool:
        return all(d.headroom >= required_headroom for d in self.dimensions)

    def short_of(self, required_headroom: float) -> list[Dimension]:
        return [d for d in self.dimensions if d.headroom < required_headroom]


# --- per-unit capacities ---------------------------------------------------------------------------------

def usable_vcpu(cpu_units: int) -> float:
    """vCPU a single Node.js process can use in a task of `cpu_units` (1024 = 1 vCPU)."""
    return min(cpu_units / 1024, f.NODE_USABLE_VCPU)


def connections_by_cpu(cpu_units: int) -> float:
    """Sockets the event loop of a task of `cpu_units` carries at full load."""
    return usable_vcpu(cpu_units) * f.CONNECTIONS_PER_VCPU


def connections_by_memory(memory_mb: int) -> float:
    """Sockets that fit in `memory_mb` next to the Node process itself."""
    return max(0, memory_mb - f.NODE_BASELINE_MB) * 1024 / f.SOCKET_MEMORY_KB


def node_task_memory_mb(sockets: float) -> float:
    """Memory a Node.js task uses holding `sockets` connections (the process alone with none)."""
    return f.NODE_BASELINE_MB + sockets * f.SOCKET_MEMORY_KB / 1024


def task_connection_limit(cpu_units: int, memory_mb: int) -> int:
    """Sockets a realtime task of this size holds, by CPU and by memory (whichever binds first)."""
    return int(min(connections_by_cpu(cpu_units), connections_by_memory(memory_mb)))


def realtime_connections_per_task(profile: Profile) -> int:
    """What one realtime task carries: its size's limit, capped by the profile's max_connections_per_task."""
    rt = profile.realtime
    return min(rt.max_connections_per_task, task_connection_limit(rt.cpu_units, rt.memory_mb))


def api_requests_per_task(profile: Profile) -> float:
    """Requests/s one API task serves."""
    return usable_vcpu(profile.api.cpu_units) * f.API_REQUESTS_PER_VCPU


def worker_jobs_per_task(profile: Profile) -> float:
    """SQS jobs/s one worker task completes."""
    return usable_vcpu(profile.workers.cpu_units) * f.WORKER_JOBS_PER_VCPU


def rds_max_connections(instance_class: str) -> int:
    """max_connections of the chat parameter group for this class (RDS's default formula)."""
    return postgres.max_connections(instance_class)


def db_usable_connections(profile: Profile) -> int:
    """Connections the application can open; through RDS Proxy, the proxy's share of the pool."""
    usable = rds_max_connections(profile.database.instance_class) - f.RDS_RESERVED_CONNECTIONS
    if profile.database.proxy.enabled:
        return usable * profile.database.proxy.max_connections_percent // 100
    return usable


def db_write_capacity(instance_class: str) -> float:
    return catalog.RDS_POSTGRES_CLASSES[instance_class].vcpu * f.DB_WRITES_PER_VCPU


def redis_ops_capacity(node_type: str) -> float:
    """Operations/s a node's main thread sustains (burstable types at their CPU baseline)."""
    node = catalog.CACHE_NODE_TYPES[node_type]
    share = f.REDIS_BURSTABLE_BASELINE.get(node.size, 1.0) if node.burstable else 1.0
    return f.REDIS_OPS_PER_NODE * share


def redis_usable_memory_mb(node_type: str) -> float:
    return catalog.CACHE_NODE_TYPES[node_type].memory_gib * 1024 * f.REDIS_USABLE_MEMORY_SHARE


def adapter_node_type(profile: Profile) -> str:
    """The node type carrying Socket.IO pub/sub (the adapter group when the cache is split)."""
    split = profile.cache.split
    return split.adapter.node_type if split.enabled and split.adapter else profile.cache.node_type


def state_node_type(profile: Profile) -> str:
    """The node type holding sessions and presence (the state group when the cache is split)."""
    split = profile.cache.split
    return split.state.node_type if split.enabled and split.state else profile.cache.node_type


# --- dimensions ------------------------------------------------------------------------------------------

def profile_capacity(profile: Profile, demand: DemandEstimate) -> CapacityReport:
    """Every dimension of `profile` against `demand`, plus the profile's own configuration warnings."""
    dimensions = (
        _realtime(profile, demand),
        _api(profile, demand),
        _workers(profile, demand),
        _db_connections(profile, demand),
        _db_writes(profile, demand),
        _db_memory(profile, demand),
        _redis_memory(profile, demand),
        _redis_pubsub(profile, demand),
    )
    warnings = (*profile_warnings(profile), *_unreachable_warnings(dimensions))
    return CapacityReport(profile.name, dimensions, alb_lcu(demand), tuple(warnings))


def _scaled(key: str, label: str, unit: str, demand: float, desired: int, maximum: int, per_task: float) -> Dimension:
    return Dimension(key, label, unit, demand, desired * per_task, demand, maximum * per_task)


def _realtime(p: Profile, d: DemandEstimate) -> Dimension:
    rt = p.realtime
    return _scaled("realtime_connections", "Realtime connections", "connections", d.peak_concurrent_connections,
                   rt.desired_count, rt.autoscaling.max_count, realtime_connections_per_task(p))


def _api(p: Profile, d: DemandEstimate) -> Dimension:
    api = p.api
    return _scaled("api_requests_per_second", "API requests/s", "req/s", d.peak_api_requests_per_second,
                   api.desired_count, api.autoscaling.max_count, api_requests_per_task(p))


def _workers(p: Profile, d: DemandEstimate) -> Dimension:
    w = p.workers
    return _scaled("worker_jobs_per_second", "Worker jobs/s", "jobs/s", d.peak_worker_jobs_per_second,
                   w.desired_count, w.autoscaling.max_count, worker_jobs_per_task(p))


def _task_count(p: Profile, at_max: bool) -> int:
    services = (p.api, p.realtime, p.workers)
    return sum(s.autoscaling.max_count if at_max else s.desired_count for s in services)


def _db_connections(p: Profile, d: DemandEstimate) -> Dimension:
    capacity = db_usable_connections(p)
    if p.database.proxy.enabled:
        # The proxy multiplexes client pools: the database sees only the connections busy at once.
        busy = max(1.0, (d.peak_db_reads_per_second + d.peak_db_writes_per_second) * f.DB_QUERY_SECONDS)
        return Dimension("db_connections", "DB connections (via RDS Proxy)", "connections", busy, capacity, busy,
                         capacity)
    # Without a proxy every task's pool is pinned to the database.
    return Dimension("db_connections", "DB connections", "connections",
                     _task_count(p, False) * f.DB_POOL_PER_TASK, capacity,
                     _task_count(p, True) * f.DB_POOL_PER_TASK, capacity)


def _db_writes(p: Profile, d: DemandEstimate) -> Dimension:
    capacity = db_write_capacity(p.database.instance_class)
    return Dimension("db_writes_per_second", "DB writes/s", "writes/s", d.peak_db_writes_per_second, capacity,
                     d.peak_db_writes_per_second, capacity)


def db_hot_set_gib(d: DemandEstimate) -> float:
    """The last DB_HOT_DAYS of message storage, in GiB."""
    days_per_month = 730 / 24
    return d.storage_growth_gb_per_month * f.DB_HOT_DAYS / days_per_month * 1e9 / 1024**3


def _db_memory(p: Profile, d: DemandEstimate) -> Dimension:
    hot = db_hot_set_gib(d)
    memory = catalog.RDS_POSTGRES_CLASSES[p.database.instance_class].memory_gib
    return Dimension("db_memory_gib", "DB memory vs hot set (GiB)", "GiB", hot, memory, hot, memory)


def _redis_memory(p: Profile, d: DemandEstimate) -> Dimension:
    used = f.REDIS_BASE_MB + d.peak_concurrent_connections * f.REDIS_BYTES_PER_CONNECTION / 1024**2
    capacity = redis_usable_memory_mb(state_node_type(p))
    return Dimension("redis_memory_mb", "Redis memory (MB)", "MB", used, capacity, used, capacity)


def _redis_pubsub(p: Profile, d: DemandEstimate) -> Dimension:
    # Each publish costs one operation plus one delivery per subscribed realtime task (the Redis adapter
    # subscribes every server), so more realtime tasks mean more pub/sub work.
    rt = p.realtime
    capacity = redis_ops_capacity(adapter_node_type(p))
    return Dimension("redis_pubsub_per_second", "Redis pub/sub ops/s", "ops/s",
                     d.peak_redis_pubsub_per_second * (1 + rt.desired_count), capacity,
                     d.peak_redis_pubsub_per_second * (1 + rt.autoscaling.max_count), capacity)


def alb_lcu(d: DemandEstimate) -> float:
    """Load balancer capacity units at peak: the highest of the four LCU dimensions."""
    new_connections = d.peak_new_connections_per_second + d.peak_api_requests_per_second
    peak_gb_per_hour = d.monthly_processed_gb / 730 * d.usage.peak_factor
    return max(new_connections / f.ALB_NEW_CONNECTIONS_PER_LCU,
               d.peak_concurrent_connections / f.ALB_ACTIVE_CONNECTIONS_PER_LCU,
               peak_gb_per_hour / f.ALB_GB_PER_HOUR_PER_LCU,
               new_connections / f.ALB_RULE_EVALUATIONS_PER_LCU)


# --- warnings --------------------------------------------------------------------------------------------

def profile_warnings(profile: Profile) -> list[str]:
    """Settings the profile asks for that its own resources cannot deliver."""
    return [w for w in (_connections_per_task_warning(profile), _pinned_pool_warning(profile)) if w]


def _connections_per_task_warning(p: Profile) -> Optional[str]:
    rt = p.realtime
    limit = task_connection_limit(rt.cpu_units, rt.memory_mb)
    if rt.max_connections_per_task <= limit:
        return None
    return (f"{p.name}: realtime.max_connections_per_task is {rt.max_connections_per_task:,} but a "
            f"{rt.cpu_units / 1024:g} vCPU / {rt.memory_mb} MB task holds about {limit:,}; lower it to {limit:,} or "
            "give the realtime task more CPU (capacity is counted at the lower figure)")


def _pinned_pool_warning(p: Profile) -> Optional[str]:
    if p.database.proxy.enabled:
        return None
    pooled = _task_count(p, True) * f.DB_POOL_PER_TASK
    usable = db_usable_connections(p)
    if pooled <= usable:
        return None
    return (f"{p.name}: at the autoscaling maximum {_task_count(p, True)} tasks x {f.DB_POOL_PER_TASK} pooled "
            f"connections = {pooled:,} exceed {p.database.instance_class}'s {usable:,} usable connections; enable "
            "database.proxy or lower the autoscaling max_count values")


def _unreachable_warnings(dimensions: tuple[Dimension, ...]) -> list[str]:
    return [f"{d.label}: even at the autoscaling maximum the capacity ({d.capacity_at_max:,.0f} {d.unit}) is below "
            f"the peak ({d.demand_at_max:,.0f} {d.unit})" for d in dimensions if d.headroom_at_max < 1]
