"""`plan --custom`: a bespoke profile for exactly this demand, by documented rules.

Built from a built-in tier's data (the smallest production tier designed for the DAU, or the largest)
so every key a profile needs is present and non-sizing choices (backups, alarms, health checks) follow
the nearest tier; then the sized fields are replaced and the result is validated as a Profile, so every
structural and cross-field rule runs. Every rule below is monotone in demand: more DAU never yields a
smaller profile. docs/sizing.md lists the rules.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Sequence

from chatops.errors import ChatopsError, ProfileError
from chatops.model import catalog
from chatops.model.demand import DemandEstimate
from chatops.model.loading import profile_from_data, profile_to_data
from chatops.model.profile import Profile
from chatops.sizing import capacity as cap
from chatops.sizing import database
from chatops.sizing import figures as f
from chatops.sizing.selection import production_tiers

CUSTOM_NAME = "custom"

#: Task sizes of custom profiles: one vCPU is what a single Node.js process uses (figures.NODE_USABLE_VCPU).
REALTIME_TASK = (1024, 2048)
API_TASK = (512, 1024)
WORKER_TASK = (512, 1024)

#: Sockets per custom realtime task: half of what a 1 vCPU task holds, so losing one task during a deploy
#: or a zone failure moves at most 5,000 reconnects onto the others (the seed's largest tier uses 4,000).
CUSTOM_CONNECTIONS_PER_TASK = 5_000

#: Autoscaling ceiling as a multiple of the desired count (room for surges above the planned peak).
AUTOSCALING_MAX_FACTOR = 3
MAX_TASKS = 1000  # ECS service limit used by the profile model

#: Candidate classes, smallest first (memory grows along each list).
#: Graviton families throughout, so the profile is valid whether or not compute.graviton is on.
DB_CLASSES = ("db.t4g.small", "db.t4g.medium", "db.t4g.large", "db.r6g.large", "db.r6g.xlarge", "db.r6g.2xlarge",
              "db.r6g.4xlarge", "db.r6g.8xlarge", "db.r6g.12xlarge", "db.r6g.16xlarge")
CACHE_NODES = ("cache.t4g.small", "cache.t4g.medium", "cache.m6g.large", "cache.m6g.xlarge", "cache.m6g.2xlarge",
               "cache.m6g.4xlarge", "cache.m6g.8xlarge", "cache.m6g.12xlarge", "cache.m6g.16xlarge")

def right_size(demand: DemandEstimate, builtins: Sequence[Profile], headroom: float) -> Profile:
    """A profile named `custom` whose every dimension holds `demand` with `headroom` at desired counts."""
    base = _base_tier(demand.dau, builtins)
    data = profile_to_data(base)
    data["name"] = CUSTOM_NAME
    data["description"] = (f"Right-sized by `chatops plan --custom` for {demand.dau:,} DAU "
                           f"({demand.peak_concurrent_connections:,} peak connections, {headroom:g}x headroom), "
                           f"from {base.name}")
    data["design"] = {"dau": demand.dau, "peak_concurrent_connections": demand.peak_concurrent_connections}
    _size_services(data, demand, headroom)
    _size_database(data, demand, headroom)
    _size_cache(data, demand, headroom)
    _size_waf(data, demand)
    try:
        return profile_from_data(data, source=CUSTOM_NAME)
    except ProfileError as exc:
        raise ChatopsError(f"the right-sized profile is not valid ({'; '.join(exc.problems)}); "
                           "lower --dau or the usage assumptions") from None


def _base_tier(dau: int, builtins: Sequence[Profile]) -> Profile:
    tiers = production_tiers(builtins)
    return next((p for p in tiers if p.design.dau >= dau), tiers[-1])


def _count(load: float, per_task: float, headroom: float, minimum: int, field: str) -> int:
    needed = max(minimum, math.ceil(load * headroom / per_task))
    if needed > MAX_TASKS:
        raise ChatopsError(f"{field} would need {needed:,} tasks, over the {MAX_TASKS} a service can run; this demand "
                           "needs several stacks (lower --dau or the usage assumptions)")
    return needed


def _service(service: dict[str, Any], size: tuple[int, int], desired: int) -> None:
    service["cpu_units"], service["memory_mb"] = size
    service["desired_count"] = desired
    service["autoscaling"]["min_count"] = desired
    service["autoscaling"]["max_count"] = min(MAX_TASKS, desired * AUTOSCALING_MAX_FACTOR)


def _size_services(data: dict[str, Any], d: DemandEstimate, headroom: float) -> None:
    rt_per_task = min(CUSTOM_CONNECTIONS_PER_TASK, cap.task_connection_limit(*REALTIME_TASK))
    # Production keeps two tasks of every web service so one can fail or deploy while the other serves.
    _service(data["realtime"], REALTIME_TASK,
             _count(d.peak_concurrent_connections, rt_per_task, headroom, 2, "realtime"))
    data["realtime"]["max_connections_per_task"] = rt_per_task
    api_per_task = cap.usable_vcpu(API_TASK[0]) * f.API_REQUESTS_PER_VCPU
    _service(data["api"], API_TASK, _count(d.peak_api_requests_per_second, api_per_task, headroom, 2, "api"))
    worker_per_task = cap.usable_vcpu(WORKER_TASK[0]) * f.WORKER_JOBS_PER_VCPU
    _service(data["workers"], WORKER_TASK,
             _count(d.peak_worker_jobs_per_second, worker_per_task, headroom, 1, "workers"))


def _first(names: Sequence[str], fits: Callable[[str], bool], what: str) -> str:
    for name in names:
        if fits(name):
            return name
    raise ChatopsError(f"no {what} is large enough for this demand (largest: {names[-1]}); lower --dau or the "
                       "usage assumptions")


def _size_database(data: dict[str, Any], d: DemandEstimate, headroom: float) -> None:
    db = data["database"]
    working_set = database.working_set(d).total_gib
    busy = database.busy_connections(d)

    def fits(name: str) -> bool:
        usable = database.usable_connections(name, db["proxy"]["max_connections_percent"])
        return (database.write_capacity(name) >= d.peak_db_writes_per_second * headroom
                and database.sustained_vcpu(name) >= database.primary_cpu_demand(d, False) * headroom
                and database.cache_gib(name) >= working_set * headroom
                and usable >= busy * headroom)

    db["instance_class"] = _first(DB_CLASSES, fits, "RDS instance class")
    # RDS Proxy always: pooled connections of every task at the autoscaling maximum would pass the
    # max_connections of the smaller classes (the warning plan prints for the 1k and 5k tiers).
    db["proxy"]["enabled"] = True
    # Multi-AZ from where the built-in tiers turn it on (50k-dau): above 25,000 DAU.
    db["multi_az"] = d.dau > 25_000
    db["read_replica"] = {"enabled": False, "instance_class": db["instance_class"]}
    try:
        storage = database.plan_storage(d, headroom, f.DEFAULT_STORAGE_MONTHS)
    except ValueError as exc:
        raise ChatopsError(f"{exc}; this demand needs several stacks (lower --dau or the usage assumptions)") from None
    db["allocated_storage_gb"], db["max_allocated_storage_gb"] = storage.allocated_gb, storage.max_allocated_gb


def _size_cache(data: dict[str, Any], d: DemandEstimate, headroom: float) -> None:
    memory = cap.redis_memory_demand_mb(d)
    pubsub = max(cap.pubsub_ops(d, data["realtime"]["desired_count"]) * headroom,
                 cap.pubsub_ops(d, data["realtime"]["autoscaling"]["max_count"]))

    def fits(name: str) -> bool:
        return (cap.redis_usable_memory_mb(name) >= memory * headroom
                and cap.redis_ops_capacity(name, data["cache"]["engine_version"]) >= pubsub)

    node = _first(CACHE_NODES, fits, "ElastiCache node type")
    # Replicas as the built-in tiers add them: one from 10k-dau, two at 100k-dau.
    nodes = 1 if d.dau <= 5_000 else 2 if d.dau <= 50_000 else 3
    cache = data["cache"]
    cache.update(node_type=node, num_cache_nodes=nodes, automatic_failover=nodes > 1)
    group = {"node_type": node, "replicas": nodes - 1}
    cache["split"] = {"enabled": False, "adapter": dict(group), "state": dict(group)}


def _size_waf(data: dict[str, Any], d: DemandEstimate) -> None:
    # Per-IP limits: one IP (a corporate NAT, a mobile carrier gateway) may carry 20 % of the peak API
    # traffic in a 5-minute window; sockets 2.5x and the global rule 2x their sum, as the built-in tiers.
    api = max(2_000, _round_up(d.peak_api_requests_per_second * 300 * 0.2, 1_000))
    socket = int(api * 2.5)
    waf = data["waf"]
    waf.update(enabled=d.dau > 1_000, api_rate_limit_per_5min=min(api, catalog.WAF_RATE_LIMIT_MAX),
               socket_rate_limit_per_5min=min(socket, catalog.WAF_RATE_LIMIT_MAX),
               global_rate_limit_per_5min=min(2 * (api + socket), catalog.WAF_RATE_LIMIT_MAX))
    waf["bot_control"] = waf["enabled"]


def _round_up(value: float, step: int) -> int:
    return int(math.ceil(value / step) * step)
