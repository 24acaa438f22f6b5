"""The database rules: working set, write rate, CPU, connections and storage runway of RDS for PostgreSQL.

Pure arithmetic over a DemandEstimate and the instance class catalog. capacity.py turns these into
headroom dimensions; optimize.py searches instance classes with them. Every per-unit figure, with its
source, is in figures.py; docs/sizing.md ("Database") works examples through these functions and
tests/sizing/test_database.py checks the docs' table against them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from chatops.model import catalog, postgres
from chatops.model.demand import DemandEstimate
from chatops.sizing import figures as f

GIB = 1024**3
GB = 1_000_000_000
DAYS_PER_MONTH = 730 / 24


@dataclass(frozen=True)
class WorkingSet:
    """What PostgreSQL must keep in memory at the peak, in GiB, by where it comes from."""

    recent_heap_gib: float  # the last DB_RECENT_HOURS of message rows
    index_pages_gib: float  # their index entries, each active conversation's leaf page, inner pages
    metadata_gib: float  # users, devices, memberships, sessions of the daily actives

    @property
    def total_gib(self) -> float:
        return self.recent_heap_gib + self.index_pages_gib + self.metadata_gib


def working_set(d: DemandEstimate, runway_months: float = f.STORAGE_RUNWAY_MONTHS) -> WorkingSet:
    """The working set at `d`, with the inner index pages of `runway_months` of messages."""
    u = d.usage
    daily_messages = u.dau * u.messages_per_user
    recent_rows = daily_messages * f.DB_RECENT_HOURS / 24
    heap = recent_rows * (u.message_bytes + f.MESSAGE_ROW_OVERHEAD_BYTES)
    # A conversation has the sender and `fanout` recipients as members.
    active_conversations = u.dau * f.CONVERSATIONS_PER_USER_PER_DAY / (u.fanout + 1)
    stored_rows = daily_messages * DAYS_PER_MONTH * runway_months
    index = (recent_rows * f.MESSAGE_INDEX_BYTES + active_conversations * f.DB_PAGE_BYTES
             + stored_rows * f.MESSAGE_INDEX_BYTES / f.BTREE_INNER_FANOUT)
    metadata = u.dau * f.DB_METADATA_BYTES_PER_DAU
    return WorkingSet(heap / GIB, index / GIB, metadata / GIB)


def cache_gib(instance_class: str) -> float:
    """Memory of the class that caches data pages (RDS's effective_cache_size)."""
    return catalog.RDS_POSTGRES_CLASSES[instance_class].memory_gib * f.DB_CACHE_SHARE


def sustained_vcpu(instance_class: str) -> float:
    """vCPUs the class sustains through the busiest hour: burstable classes at their CPU baseline."""
    cls = catalog.RDS_POSTGRES_CLASSES[instance_class]
    return cls.vcpu * (f.BURSTABLE_BASELINE.get(cls.size, 1.0) if cls.burstable else 1.0)


def write_capacity(instance_class: str) -> float:
    """Single-row write transactions per second the class sustains."""
    return sustained_vcpu(instance_class) * f.DB_WRITES_PER_VCPU


def reads_on_primary(d: DemandEstimate, replica: bool) -> float:
    return d.peak_db_reads_per_second * ((1 - f.DB_REPLICA_READ_SHARE) if replica else 1.0)


def reads_on_replica(d: DemandEstimate) -> float:
    return d.peak_db_reads_per_second * f.DB_REPLICA_READ_SHARE


def primary_cpu_demand(d: DemandEstimate, replica: bool) -> float:
    """vCPUs the primary needs at the peak: every write, and the reads a replica does not take."""
    return d.peak_db_writes_per_second / f.DB_WRITES_PER_VCPU + reads_on_primary(d, replica) / f.DB_READS_PER_VCPU


def replica_cpu_demand(d: DemandEstimate) -> float:
    return reads_on_replica(d) / f.DB_READS_PER_VCPU


def usable_connections(instance_class: str, proxy_percent: int | None) -> int:
    """Connections the application can open; through RDS Proxy (`proxy_percent`), the proxy's share."""
    usable = postgres.max_connections(instance_class) - f.RDS_RESERVED_CONNECTIONS
    return usable if proxy_percent is None else usable * proxy_percent // 100


def busy_connections(d: DemandEstimate) -> float:
    """Connections busy at once at the peak (Little's law): what the database sees through a proxy."""
    return max(1.0, (d.peak_db_reads_per_second + d.peak_db_writes_per_second) * f.DB_QUERY_SECONDS)


def pooled_connections(tasks: int) -> int:
    """Connections pinned by `tasks` application tasks without a proxy (each keeps its pool)."""
    return tasks * f.DB_POOL_PER_TASK


# --- storage ---------------------------------------------------------------------------------------------

def runway_months(max_allocated_storage_gb: int, d: DemandEstimate) -> float:
    """Months until the data reaches the storage autoscaling ceiling at this demand's growth."""
    growth = d.storage_growth_gb_per_month
    return math.inf if growth <= 0 else max_allocated_storage_gb / growth


def required_ceiling_gb(d: DemandEstimate, headroom: float) -> float:
    """Storage the ceiling must allow: STORAGE_RUNWAY_MONTHS of growth, with the headroom."""
    return d.storage_growth_gb_per_month * f.STORAGE_RUNWAY_MONTHS * headroom


@dataclass(frozen=True)
class StoragePlan:
    allocated_gb: int
    max_allocated_gb: int


def plan_storage(d: DemandEstimate, headroom: float, storage_months: float) -> StoragePlan:
    """allocated_storage for `storage_months` of growth and a ceiling for the required runway.

    Raises ValueError when even the largest gp3 volume cannot hold the runway (the caller says what to do).
    """
    growth = d.storage_growth_gb_per_month
    allocated = min(max(f.RDS_STORAGE_MIN_GB, math.ceil(growth * storage_months)), f.RDS_STORAGE_MAX_GB)
    ceiling = max(math.ceil(required_ceiling_gb(d, headroom)), math.ceil(allocated * f.RDS_MAX_STORAGE_OVER_ALLOCATED))
    if ceiling > f.RDS_STORAGE_MAX_GB:
        raise ValueError(f"{f.STORAGE_RUNWAY_MONTHS} months of message growth ({growth:,.0f} GB a month, with "
                         f"{headroom:g}x headroom) need {ceiling:,} GB, over RDS's {f.RDS_STORAGE_MAX_GB:,} GB")
    return StoragePlan(allocated, _round_ceiling(ceiling))


def _round_ceiling(gb: int) -> int:
    """A readable ceiling: up to the next 10 GB below 1 TB, the next 100 GB above (never past the maximum)."""
    step = 10 if gb < 1000 else 100
    return min(math.ceil(gb / step) * step, f.RDS_STORAGE_MAX_GB)
