"""What a profile can carry, dimension by dimension, at its desired counts and at its autoscaling maximum.

Headroom = capacity / demand. A dimension whose demand is zero has unbounded headroom (None in JSON).
Per-unit figures and their sources are in figures.py.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional

from chatops.model import catalog, postgres
from chatops.model.autoscaling import CONNECTION_UTILISATION_TARGET, REQUEST_UTILISATION_TARGET
from chatops.model.demand import DemandEstimate
from chatops.model.profile import Profile
from chatops.sizing import database as db
from chatops.sizing import figures as f

SECONDS_PER_MINUTE = 60
#: Below this share of what a task serves, the API's request policy scales out long before the tasks are
#: busy (the tiers' old 1,000 a minute ran 12 tasks where 3 carried the 50k-dau peak: chatops simulate).
REQUESTS_TARGET_LOW_SHARE = 0.5


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


def busy_cpu_percent(cpu_units: int) -> float:
    """ECS CPUUtilization of a task whose Node.js event loop is fully busy: one thread uses at most
    `usable_vcpu` of the task's vCPUs (100 % up to 1 vCPU, 50 % on 2 vCPU)."""
    return usable_vcpu(cpu_units) / (cpu_units / 1024) * 100


def scale_out_point(service: str, cpu_units: int, memory_mb: int, cpu_target_percent: int,
                    memory_target_percent: int) -> float:
    """The load per task (requests/s, connections, jobs/s) above which one of the service's target-tracking
    policies (model/autoscaling.py) asks for more tasks. A desired count that keeps the peak below it holds
    the design peak without scaling: the autoscaling range stays for what the plan did not foresee.

    CPU is the busy share of the event loop (busy_cpu_percent at full load); realtime memory grows with the
    sockets held (node_task_memory_mb); api memory does not grow with load in the model. Workers scale out
    on CPU (their backlog stays empty while the tasks keep up)."""
    cpu_share = cpu_target_percent / busy_cpu_percent(cpu_units)
    if service == "api":
        return api_task_capacity(cpu_units) * min(cpu_share, REQUEST_UTILISATION_TARGET)
    if service == "realtime":
        accepts = task_connection_limit(cpu_units, memory_mb)  # the optimiser's max_connections_per_task
        by_memory = (memory_mb * memory_target_percent / 100 - f.NODE_BASELINE_MB) * 1024 / f.SOCKET_MEMORY_KB
        return max(0.0, min(accepts * CONNECTION_UTILISATION_TARGET, connections_by_cpu(cpu_units) * cpu_share,
                            by_memory))
    return worker_task_capacity(cpu_units) * min(cpu_share, 1.0)


def realtime_connections_per_task(profile: Profile) -> int:
    """What one realtime task carries: its size's limit, capped by the profile's max_connections_per_task."""
    rt = profile.realtime
    return min(rt.max_connections_per_task, task_connection_limit(rt.cpu_units, rt.memory_mb))


def api_task_capacity(cpu_units: int) -> float:
    """API requests/s one task of `cpu_units` serves."""
    return usable_vcpu(cpu_units) * f.API_REQUESTS_PER_VCPU


def api_requests_target(cpu_units: int) -> int:
    """ALB requests per target per minute the API's target-tracking policy aims for: what one task of
    `cpu_units` serves, at the utilisation target (the profile's `api.requests_per_target`)."""
    return round(api_task_capacity(cpu_units) * SECONDS_PER_MINUTE * REQUEST_UTILISATION_TARGET)


def worker_task_capacity(cpu_units: int) -> float:
    """Worker jobs/s one task of `cpu_units` completes."""
    return usable_vcpu(cpu_units) * f.WORKER_JOBS_PER_VCPU


def redis_memory_demand_mb(d: DemandEstimate) -> float:
    """Memory the state data needs at the peak: the baseline dataset plus each connected user's keys."""
    return f.REDIS_BASE_MB + d.peak_concurrent_connections * f.REDIS_BYTES_PER_CONNECTION / 1024**2


def pubsub_ops(d: DemandEstimate, realtime_tasks: int) -> float:
    """Redis operations/s of the adapter: each publish, plus one delivery per subscribed realtime task
    (the Redis adapter subscribes every server), so more realtime tasks mean more pub/sub work."""
    return d.peak_redis_pubsub_per_second * (1 + realtime_tasks)


def rds_max_connections(instance_class: str) -> int:
    """max_connections of the chat parameter group for this class (RDS's default formula)."""
    return postgres.max_connections(instance_class)


def db_usable_connections(profile: Profile) -> int:
    """Connections the application can open; through RDS Proxy the proxy's share of the pool."""
    proxy = profile.database.proxy
    return db.usable_connections(profile.database.instance_class,
                                 proxy.max_connections_percent if proxy.enabled else None)


def redis_ops_capacity(node_type: str, engine_version: str = "7.1") -> float:
    """Operations/s a node sustains: its main thread (burstable types at their CPU baseline), with the
    I/O threads ElastiCache runs on nodes of 4 vCPUs and more (figures.py)."""
    node = catalog.CACHE_NODE_TYPES[node_type]
    if node.burstable:
        return f.REDIS_OPS_PER_NODE * f.BURSTABLE_BASELINE.get(node.size, 1.0)
    if node.vcpu >= 8 and _version(engine_version) >= (7, 1):
        return f.REDIS_OPS_PER_NODE * f.REDIS_IO_THREADS_SPEEDUP_8_VCPU_71
    if node.vcpu >= 4:
        return f.REDIS_OPS_PER_NODE * f.REDIS_IO_THREADS_SPEEDUP_4_VCPU
    return f.REDIS_OPS_PER_NODE


def _version(text: str) -> tuple[int, int]:
    major, _, minor = text.partition(".")
    return int(major), int(minor or 0)


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
        _db_cpu(profile, demand),
        _db_memory(profile, demand),
        _db_storage(profile, demand),
        _redis_memory(profile, demand),
        _redis_pubsub(profile, demand),
    )
    warnings = (*profile_warnings(profile), *_unreachable_warnings(dimensions), *_storage_warnings(profile, demand))
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
                   api.desired_count, api.autoscaling.max_count, api_task_capacity(api.cpu_units))


def _workers(p: Profile, d: DemandEstimate) -> Dimension:
    w = p.workers
    return _scaled("worker_jobs_per_second", "Worker jobs/s", "jobs/s", d.peak_worker_jobs_per_second,
                   w.desired_count, w.autoscaling.max_count, worker_task_capacity(w.cpu_units))


def _task_count(p: Profile, at_max: bool) -> int:
    services = (p.api, p.realtime, p.workers)
    return sum(s.autoscaling.max_count if at_max else s.desired_count for s in services)


def _db_connections(p: Profile, d: DemandEstimate) -> Dimension:
    capacity = db_usable_connections(p)
    pooled, pooled_at_max = db.pooled_connections(_task_count(p, False)), db.pooled_connections(_task_count(p, True))
    if p.database.proxy.enabled:
        # The proxy multiplexes client pools: the database sees only the connections busy at once.
        busy = db.busy_connections(d)
        primary = Dimension("db_connections", "DB connections (via RDS Proxy)", "connections", busy, capacity, busy,
                            capacity)
    else:  # without a proxy every task's pool is pinned to the database
        primary = Dimension("db_connections", "DB connections", "connections", pooled, capacity, pooled_at_max,
                            capacity)
    replica = _replica_class(p)
    if replica is None:
        return primary
    # DATABASE_READ_URL reaches the replica directly (RDS Proxy has read-only endpoints for Aurora only):
    # every task's read pool is pinned there, with or without the proxy.
    usable = db.usable_connections(replica, None)
    on_replica = Dimension("db_connections", "DB connections (replica)", "connections", pooled, usable,
                           pooled_at_max, usable)
    return min(primary, on_replica, key=lambda dim: min(_ratio(dim.capacity, dim.demand),
                                                        _ratio(dim.capacity_at_max, dim.demand_at_max)))


def _replica_class(p: Profile) -> Optional[str]:
    replica = p.database.read_replica
    return (replica.instance_class or p.database.instance_class) if replica.enabled else None


def _db_writes(p: Profile, d: DemandEstimate) -> Dimension:
    capacity = db.write_capacity(p.database.instance_class)
    return Dimension("db_writes_per_second", "DB writes/s", "writes/s", d.peak_db_writes_per_second, capacity,
                     d.peak_db_writes_per_second, capacity)


def _tighter(key: str, label: str, unit: str, pairs: list[tuple[str, float, float]]) -> Dimension:
    """The dimension of whichever instance (primary or replica) has the least headroom."""
    name, demand, capacity = min(pairs, key=lambda pair: _ratio(pair[2], pair[1]))
    return Dimension(key, f"{label} ({name})", unit, demand, capacity, demand, capacity)


def _db_cpu(p: Profile, d: DemandEstimate) -> Dimension:
    replica = _replica_class(p)
    pairs = [("primary", db.primary_cpu_demand(d, replica is not None), db.sustained_vcpu(p.database.instance_class))]
    if replica is not None:
        pairs.append(("replica", db.replica_cpu_demand(d), db.sustained_vcpu(replica)))
    return _tighter("db_cpu_vcpu", "DB CPU, vCPU", "vCPU", pairs)


def _db_memory(p: Profile, d: DemandEstimate) -> Dimension:
    # The replica serves history reads from the same recent pages, so it needs the same working set.
    need = db.working_set(d).total_gib
    pairs = [("primary", need, db.cache_gib(p.database.instance_class))]
    replica = _replica_class(p)
    if replica is not None:
        pairs.append(("replica", need, db.cache_gib(replica)))
    return _tighter("db_memory_gib", "DB working set vs cache, GiB", "GiB", pairs)


def _db_storage(p: Profile, d: DemandEstimate) -> Dimension:
    # Demand: the growth of the required runway; capacity: the storage autoscaling ceiling.
    need = d.storage_growth_gb_per_month * f.STORAGE_RUNWAY_MONTHS
    ceiling = p.database.max_allocated_storage_gb
    label = f"DB storage for {f.STORAGE_RUNWAY_MONTHS} months (GB)"
    return Dimension("db_storage_gb", label, "GB", need, ceiling, need, ceiling)


def _redis_memory(p: Profile, d: DemandEstimate) -> Dimension:
    used = redis_memory_demand_mb(d)
    capacity = redis_usable_memory_mb(state_node_type(p))
    return Dimension("redis_memory_mb", "Redis memory (MB)", "MB", used, capacity, used, capacity)


def _redis_pubsub(p: Profile, d: DemandEstimate) -> Dimension:
    rt = p.realtime
    capacity = redis_ops_capacity(adapter_node_type(p), p.cache.engine_version)
    return Dimension("redis_pubsub_per_second", "Redis pub/sub ops/s", "ops/s", pubsub_ops(d, rt.desired_count),
                     capacity, pubsub_ops(d, rt.autoscaling.max_count), capacity)


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
    return [w for w in (_connections_per_task_warning(profile), _pinned_pool_warning(profile),
                        _requests_target_warning(profile)) if w]


def _requests_target_warning(p: Profile) -> Optional[str]:
    """The API scales on ALB requests per target: far below what a task serves, autoscaling runs tasks that
    idle; above it, tasks saturate before the policy adds any."""
    api = p.api
    serves = api_task_capacity(api.cpu_units) * SECONDS_PER_MINUTE
    wanted = api_requests_target(api.cpu_units)
    if serves * REQUESTS_TARGET_LOW_SHARE <= api.requests_per_target <= serves:
        return None
    effect = ("tasks saturate before the policy adds any" if api.requests_per_target > serves else
              f"autoscaling runs about {wanted / api.requests_per_target:.1f}x the API tasks the load needs")
    return (f"{p.name}: api.requests_per_target is {api.requests_per_target:,} requests a minute but a "
            f"{api.cpu_units / 1024:g} vCPU task serves about {serves:,.0f}: {effect}; set it to {wanted:,} "
            f"({REQUEST_UTILISATION_TARGET:.0%} of what a task serves)")


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
            f"the peak ({d.demand_at_max:,.0f} {d.unit})" for d in dimensions
            if d.headroom_at_max < 1 and d.key != "db_storage_gb"]


def _storage_warnings(p: Profile, d: DemandEstimate) -> list[str]:
    runway = db.runway_months(p.database.max_allocated_storage_gb, d)
    if runway >= f.STORAGE_RUNWAY_MONTHS:
        return []
    needed = math.ceil(d.storage_growth_gb_per_month * f.STORAGE_RUNWAY_MONTHS)
    return [f"{p.name}: database storage reaches max_allocated_storage_gb ({p.database.max_allocated_storage_gb:,} GB) "
            f"in {runway:.1f} months at {d.storage_growth_gb_per_month:,.1f} GB a month; raise it to at least "
            f"{needed:,} GB for {f.STORAGE_RUNWAY_MONTHS} months of runway"]
