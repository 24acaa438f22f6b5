"""A scale tier as data: the records of profiles/*.yaml.

Frozen records (see records.py). Files are validated by pydantic in strict mode (no string-to-number
coercion, unknown keys are errors) through chatops.model.loading; the rules that relate several fields
live in `profile_rules.py`, which reports every violation with its field path at once.
"""

from __future__ import annotations

from typing import Annotated, Literal, Optional

from chatops.model.records import Limits, Record, record

Environment = Literal["dev", "prod"]
TaskSubnets = Literal["public", "private"]


@record
class DesignPoint(Record):
    """What the tier is built for."""

    dau: Annotated[int, Limits(gt=0, description="daily active users the tier is designed for")]
    peak_concurrent_connections: Annotated[
        int, Limits(gt=0, description="peak concurrent socket connections it is sized for")]


@record
class Network(Record):
    availability_zones: Annotated[int, Limits(ge=2, le=6, description="zones used in the region (the ALB needs two)")]
    nat_gateways: Annotated[int, Limits(ge=0, le=6)]
    task_subnets: Annotated[
        TaskSubnets, Limits(description="public: tasks get public IPs (dev, no NAT); private: via NAT")]
    flow_logs_retention_days: int = 14


@record
class HealthCheck(Record):
    path: Annotated[str, Limits(pattern=r"^/")]
    interval_seconds: Annotated[int, Limits(ge=5, le=300)] = 30
    timeout_seconds: Annotated[int, Limits(ge=2, le=120)] = 5
    healthy_threshold: Annotated[int, Limits(ge=2, le=10)] = 2
    unhealthy_threshold: Annotated[int, Limits(ge=2, le=10)] = 3


@record
class Autoscaling(Record):
    min_count: Annotated[int, Limits(ge=0)]
    max_count: Annotated[int, Limits(ge=1, le=1000)]
    cpu_target_percent: Annotated[int, Limits(ge=10, le=95)] = 60
    memory_target_percent: Annotated[int, Limits(ge=10, le=95)] = 70


@record
class _Service(Record):
    desired_count: Annotated[int, Limits(ge=0, le=1000)]
    cpu_units: Annotated[int, Limits(description="Fargate CPU units: 1024 = 1 vCPU")]
    memory_mb: int
    spot_share_percent: Annotated[int, Limits(ge=0, le=100, description="share of tasks on FARGATE_SPOT")]
    stop_timeout_seconds: Annotated[int, Limits(ge=2, le=120)]
    deployment_min_healthy_percent: Annotated[int, Limits(ge=0, le=100)]
    deployment_max_percent: Annotated[int, Limits(ge=100, le=400)]
    autoscaling: Autoscaling


@record
class _WebService(_Service):
    container_port: Annotated[int, Limits(ge=1, le=65535)]
    deregistration_delay_seconds: Annotated[int, Limits(ge=0, le=3600)]
    health_check: HealthCheck


@record
class ApiService(_WebService):
    requests_per_target: Annotated[int, Limits(gt=0, description="ALB requests per target per minute to scale on")]


@record
class RealtimeService(_WebService):
    max_connections_per_task: Annotated[int, Limits(gt=0)]
    scale_on_connections: bool
    scale_on_event_loop_lag_ms: Annotated[int, Limits(gt=0)]
    sticky_duration_seconds: Annotated[int, Limits(ge=1, le=604800)]


@record
class WorkersService(_Service):
    scale_on_queue_depth: Annotated[int, Limits(gt=0, description="visible messages per worker to scale on")]
    scale_on_oldest_message_age_seconds: Annotated[int, Limits(gt=0)]


@record
class Compute(Record):
    graviton: Annotated[bool, Limits(description="ARM64 tasks (needs multi-arch images)")]
    health_check_grace_period_seconds: Annotated[int, Limits(ge=0, le=2147483647)]
    enable_execute_command: Annotated[bool, Limits(description="ECS Exec shell access")]
    container_insights: bool = True


@record
class RdsProxy(Record):
    enabled: bool
    max_connections_percent: Annotated[int, Limits(ge=1, le=100)]
    idle_client_timeout_seconds: Annotated[int, Limits(ge=1, le=28800)]


@record
class ReadReplica(Record):
    enabled: bool
    instance_class: Optional[str] = None


@record
class Database(Record):
    instance_class: str
    engine_version: Annotated[
        str, Limits(pattern=r"^\d+(\.\d+)?$", description="PostgreSQL major (e.g. '16') or major.minor")]
    allocated_storage_gb: Annotated[int, Limits(ge=20, le=65536)]
    max_allocated_storage_gb: Annotated[int, Limits(ge=20, le=65536, description="storage autoscaling ceiling")]
    multi_az: bool
    performance_insights: bool
    deletion_protection: bool
    backup_retention_days: Annotated[int, Limits(
        ge=0, le=35, description="RDS automated backups; with AWS Backup point-in-time recovery, equal to "
        "backup.daily_retention_days (AWS Backup owns it)")]
    proxy: RdsProxy
    read_replica: ReadReplica
    log_connections: Annotated[bool, Limits(
        description="log_connections/log_disconnections in the PostgreSQL log; off behind the RDS Proxy")] = False


@record
class RedisGroup(Record):
    node_type: str
    replicas: Annotated[int, Limits(ge=0, le=5)]


@record
class RedisSplit(Record):
    enabled: bool
    adapter: Optional[RedisGroup] = None
    state: Optional[RedisGroup] = None


@record
class Cache(Record):
    engine_version: Annotated[str, Limits(
        pattern=r"^7\.\d+$", description="Redis 7 as major.minor, e.g. '7.1' (the provider rejects a bare '7')")]
    node_type: str
    num_cache_nodes: Annotated[int, Limits(ge=1, le=6, description="primary plus replicas when not split")]
    automatic_failover: bool
    snapshot_retention_days: Annotated[int, Limits(ge=0, le=35)]
    split: RedisSplit


@record
class Waf(Record):
    enabled: bool
    api_rate_limit_per_5min: int
    socket_rate_limit_per_5min: int
    global_rate_limit_per_5min: int
    bot_control: Annotated[bool, Limits(description="AWS WAF Bot Control (Common inspection level)")]
    bot_control_non_browser: Annotated[Literal["count", "block"], Limits(
        description="what Bot Control does with non-browser clients (SignalNonBrowserUserAgent, "
        "CategoryHttpLibrary): count (mobile apps, Node/Socket.IO clients pass) or block (browser-only products)"
    )] = "count"


@record
class CrossRegionCopy(Record):
    enabled: bool
    destination_region: Annotated[str, Limits(pattern=r"^[a-z]{2}(-[a-z]+)+-\d$")]


@record
class Backup(Record):
    daily_schedule: Annotated[str, Limits(pattern=r"^cron\(.+\)$")]
    daily_retention_days: Annotated[int, Limits(ge=1, le=36500)]
    weekly_schedule: Annotated[Optional[str], Limits(pattern=r"^cron\(.+\)$")] = None
    weekly_retention_days: Annotated[int, Limits(ge=0, le=36500, description="0 = no weekly backups")]
    point_in_time_recovery: bool
    cross_region_copy: CrossRegionCopy


@record
class AlarmThresholds(Record):
    ecs_cpu_percent: Annotated[int, Limits(ge=1, le=100)]
    rds_cpu_percent: Annotated[int, Limits(ge=1, le=100)]
    rds_connections_percent: Annotated[int, Limits(ge=1, le=100, description="of the instance's max_connections")]
    rds_free_memory_mb: Annotated[int, Limits(ge=1)]
    rds_free_storage_gb: Annotated[int, Limits(ge=1)]
    rds_latency_ms: Annotated[int, Limits(ge=1)]
    rds_replica_lag_seconds: Annotated[int, Limits(ge=1)]
    redis_memory_percent: Annotated[int, Limits(ge=1, le=100)]
    redis_cpu_percent: Annotated[int, Limits(ge=1, le=100)]
    redis_connections: Annotated[int, Limits(ge=1)]
    alb_5xx_per_5min: Annotated[int, Limits(ge=1)]
    dlq_messages: Annotated[int, Limits(ge=1)]
    oldest_message_age_seconds: Annotated[int, Limits(ge=1)]
    event_loop_lag_ms: Annotated[int, Limits(ge=1)]
    connections_percent_of_capacity: Annotated[int, Limits(ge=1, le=100)]


@record
class Observability(Record):
    log_retention_days: int
    metrics_namespace: Annotated[str, Limits(pattern=r"^[A-Za-z0-9/_.#:-]{1,255}$")]
    alarms: AlarmThresholds


@record
class Profile(Record):
    """One scale tier. Region independent: zones are a count, not names."""

    name: Annotated[str, Limits(pattern=r"^[a-z0-9][a-z0-9-]{0,31}$")]
    description: str
    environment: Environment
    design: DesignPoint
    network: Network
    compute: Compute
    api: ApiService
    realtime: RealtimeService
    workers: WorkersService
    database: Database
    cache: Cache
    waf: Waf
    backup: Backup
    observability: Observability

    @property
    def is_production(self) -> bool:
        return self.environment == "prod"
