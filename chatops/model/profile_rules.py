"""Rules that relate several fields of a profile; every violation comes back with its field path."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterator

from chatops.model import catalog

if TYPE_CHECKING:
    from chatops.model.profile import Profile, _Service


@dataclass(frozen=True)
class Problem:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


def rule_violations(p: "Profile") -> list[Problem]:
    return [
        *_network(p),
        *(problem for name in ("api", "realtime", "workers") for problem in _service(name, getattr(p, name))),
        *_database(p),
        *_cache(p),
        *_waf(p),
        *_backup(p),
        *_observability(p),
    ]


def _network(p: "Profile") -> Iterator[Problem]:
    n = p.network
    if n.nat_gateways > n.availability_zones:
        yield Problem("network.nat_gateways", f"{n.nat_gateways} NAT gateways but only {n.availability_zones} "
                      "availability zones; use at most one per zone")
    if n.nat_gateways == 0 and n.task_subnets != "public":
        yield Problem("network.nat_gateways", "0 NAT gateways leaves private-subnet tasks without internet "
                      "access; set task_subnets: public (dev) or add a NAT gateway")
    if n.nat_gateways > 0 and n.task_subnets == "public":
        yield Problem("network.nat_gateways", "tasks in public subnets do not use NAT gateways; set 0 or use "
                      "task_subnets: private")
    if n.flow_logs_retention_days not in catalog.LOG_RETENTION_DAYS:
        yield _retention_problem("network.flow_logs_retention_days", n.flow_logs_retention_days)


def _service(name: str, s: "_Service") -> Iterator[Problem]:
    allowed = catalog.FARGATE_MEMORY_MB.get(s.cpu_units)
    if allowed is None:
        yield Problem(f"{name}.cpu_units", f"{s.cpu_units} is not a Fargate CPU size; use one of "
                      f"{', '.join(map(str, catalog.FARGATE_MEMORY_MB))}")
    elif s.memory_mb not in allowed:
        yield Problem(f"{name}.memory_mb", f"{s.memory_mb} MB is not valid with {s.cpu_units} CPU units on "
                      f"Fargate; use {allowed[0]}..{allowed[-1]} in steps of {_step(allowed)}")
    a = s.autoscaling
    if not a.min_count <= s.desired_count <= a.max_count:
        yield Problem(f"{name}.autoscaling", f"need min_count <= desired_count <= max_count, got "
                      f"{a.min_count} <= {s.desired_count} <= {a.max_count}")


def _step(allowed: tuple[int, ...]) -> int:
    return allowed[1] - allowed[0] if len(allowed) > 1 else allowed[0]


def _database(p: "Profile") -> Iterator[Problem]:
    db = p.database
    yield from _rds_class("database.instance_class", db.instance_class)
    major = int(db.engine_version.split(".")[0])
    if major not in catalog.POSTGRES_MAJOR_VERSIONS:
        yield Problem("database.engine_version", f"PostgreSQL {major} is not supported; use 13 to 17")
    if db.log_connections and db.proxy.enabled:
        yield Problem("database.log_connections", "behind the RDS Proxy every logged connection is one of the "
                      "proxy's pooled connections (and the pool churn fills the log); set false")
    if db.max_allocated_storage_gb < db.allocated_storage_gb:
        yield Problem("database.max_allocated_storage_gb", "must be >= allocated_storage_gb")
    if db.read_replica.enabled:
        if db.read_replica.instance_class is None:
            yield Problem("database.read_replica.instance_class", "required when the read replica is enabled")
        if db.backup_retention_days == 0:
            yield Problem("database.backup_retention_days", "a read replica needs automated backups (>= 1 day)")
    if db.read_replica.instance_class is not None:
        yield from _rds_class("database.read_replica.instance_class", db.read_replica.instance_class)
    if p.compute.graviton:
        for path, name in (("database.instance_class", db.instance_class),
                           ("database.read_replica.instance_class", db.read_replica.instance_class)):
            known = catalog.RDS_POSTGRES_CLASSES.get(name or "")
            if known and not known.graviton:
                yield Problem(path, f"{name} is x86 but compute.graviton is on; use the Graviton class "
                              f"(e.g. db.{_graviton_family(known.family)}.{known.size})")


def _rds_class(path: str, name: str) -> Iterator[Problem]:
    if name not in catalog.RDS_POSTGRES_CLASSES:
        hint = catalog.closest_names(name, catalog.RDS_POSTGRES_CLASSES)
        yield Problem(path, f"{name!r} is not an RDS for PostgreSQL instance class"
                      + (f"; did you mean {', '.join(hint)}?" if hint else ""))


def _cache(p: "Profile") -> Iterator[Problem]:
    c = p.cache
    yield from _cache_node(p, "cache.node_type", c.node_type)
    multi_node = c.num_cache_nodes > 1
    if multi_node and not c.automatic_failover:
        yield Problem("cache.automatic_failover", "must be true with more than one node")
    if not multi_node and c.automatic_failover:
        yield Problem("cache.automatic_failover", "needs at least 2 nodes (primary and replica)")
    split = c.split
    for group in ("adapter", "state"):
        settings = getattr(split, group)
        if split.enabled and settings is None:
            yield Problem(f"cache.split.{group}", "required when split is enabled (node_type and replicas)")
        if settings is not None:
            yield from _cache_node(p, f"cache.split.{group}.node_type", settings.node_type)


def _cache_node(p: "Profile", path: str, name: str) -> Iterator[Problem]:
    known = catalog.CACHE_NODE_TYPES.get(name)
    if known is None:
        hint = catalog.closest_names(name, catalog.CACHE_NODE_TYPES)
        yield Problem(path, f"{name!r} is not an ElastiCache node type for Redis 7"
                      + (f"; did you mean {', '.join(hint)}?" if hint else ""))
    elif p.compute.graviton and not known.graviton:
        yield Problem(path, f"{name} is x86 but compute.graviton is on; use a Graviton node type "
                      f"(e.g. cache.{_graviton_family(known.family)}.{known.size})")


def _graviton_family(family: str) -> str:
    return {"t3": "t4g", "m5": "m6g", "m6i": "m6g", "r5": "r6g", "r6i": "r6g"}.get(family, family)


def _waf(p: "Profile") -> Iterator[Problem]:
    if p.waf.bot_control_non_browser == "block" and not p.waf.bot_control:
        yield Problem("waf.bot_control_non_browser", "applies to Bot Control, which is off; remove it or set "
                      "waf.bot_control: true")
    for field in ("api_rate_limit_per_5min", "socket_rate_limit_per_5min", "global_rate_limit_per_5min"):
        value = getattr(p.waf, field)
        if not catalog.WAF_RATE_LIMIT_MIN <= value <= catalog.WAF_RATE_LIMIT_MAX:
            yield Problem(f"waf.{field}", f"{value} is outside AWS WAF's rate limit range "
                          f"{catalog.WAF_RATE_LIMIT_MIN}..{catalog.WAF_RATE_LIMIT_MAX:,}")


def _backup(p: "Profile") -> Iterator[Problem]:
    b = p.backup
    if b.point_in_time_recovery and b.daily_retention_days > catalog.CONTINUOUS_BACKUP_MAX_DAYS:
        yield Problem("backup.daily_retention_days", f"point-in-time recovery keeps at most "
                      f"{catalog.CONTINUOUS_BACKUP_MAX_DAYS} days; lower it or turn point_in_time_recovery off")
    retention = p.database.backup_retention_days
    if b.point_in_time_recovery and retention != b.daily_retention_days:
        # AWS Backup's continuous backup takes over the instance's retention; a different value in the
        # program makes every update after a refresh fail (hashicorp/terraform-provider-aws#33465).
        yield Problem("database.backup_retention_days", f"AWS Backup's point-in-time recovery sets the "
                      f"instance's retention to backup.daily_retention_days ({b.daily_retention_days}); set "
                      f"{b.daily_retention_days} here too, or turn point_in_time_recovery off")
    if b.weekly_retention_days > 0 and b.weekly_schedule is None:
        yield Problem("backup.weekly_schedule", "required when weekly_retention_days > 0")
    if b.weekly_retention_days == 0 and b.weekly_schedule is not None:
        yield Problem("backup.weekly_retention_days", "a weekly schedule needs a retention (> 0 days)")


def _observability(p: "Profile") -> Iterator[Problem]:
    if p.observability.log_retention_days not in catalog.LOG_RETENTION_DAYS:
        yield _retention_problem("observability.log_retention_days", p.observability.log_retention_days)


def _retention_problem(path: str, value: int) -> Problem:
    nearest = min(catalog.LOG_RETENTION_DAYS, key=lambda d: abs(d - value))
    return Problem(path, f"CloudWatch Logs does not accept {value} days; the nearest allowed value is {nearest}")
