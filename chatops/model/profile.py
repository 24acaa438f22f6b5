"""A scale tier as data: the pydantic model of profiles/*.yaml.

Strict (no string-to-number coercion, unknown keys are errors) and frozen. Field types and ranges are
checked by pydantic; the rules that relate several fields live in `profile_rules.py`, which reports
every violation with its field path at once.
"""

from __future__ import annotations

from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, model_validator

Environment = Literal["dev", "prod"]
TaskSubnets = Literal["public", "private"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class DesignPoint(_Strict):
    """What the tier is built for."""

    dau: int = Field(gt=0, description="daily active users the tier is designed for")
    peak_concurrent_connections: int = Field(gt=0, description="peak concurrent socket connections it is sized for")


class Network(_Strict):
    availability_zones: int = Field(ge=2, le=6, description="zones used in the region (the ALB needs two)")
    nat_gateways: int = Field(ge=0, le=6)
    task_subnets: TaskSubnets = Field(description="public: tasks get public IPs (dev, no NAT); private: via NAT")
    flow_logs_retention_days: int = 14


class HealthCheck(_Strict):
    path: str = Field(pattern=r"^/")
    interval_seconds: int = Field(ge=5, le=300, default=30)
    timeout_seconds: int = Field(ge=2, le=120, default=5)
    healthy_threshold: int = Field(ge=2, le=10, default=2)
    unhealthy_threshold: int = Field(ge=2, le=10, default=3)


class Autoscaling(_Strict):
    min_count: int = Field(ge=0)
    max_count: int = Field(ge=1, le=1000)
    cpu_target_percent: int = Field(ge=10, le=95, default=60)
    memory_target_percent: int = Field(ge=10, le=95, default=70)


class _Service(_Strict):
    desired_count: int = Field(ge=0, le=1000)
    cpu_units: int = Field(description="Fargate CPU units: 1024 = 1 vCPU")
    memory_mb: int
    spot_share_percent: int = Field(ge=0, le=100, description="share of tasks on FARGATE_SPOT")
    stop_timeout_seconds: int = Field(ge=2, le=120)
    deployment_min_healthy_percent: int = Field(ge=0, le=100)
    deployment_max_percent: int = Field(ge=100, le=400)
    autoscaling: Autoscaling


class _WebService(_Service):
    container_port: int = Field(ge=1, le=65535)
    deregistration_delay_seconds: int = Field(ge=0, le=3600)
    health_check: HealthCheck


class ApiService(_WebService):
    requests_per_target: int = Field(gt=0, description="ALB requests per target per minute to scale on")


class RealtimeService(_WebService):
    max_connections_per_task: int = Field(gt=0)
    scale_on_connections: bool
    scale_on_event_loop_lag_ms: int = Field(gt=0)
    sticky_duration_seconds: int = Field(ge=1, le=604800)


class WorkersService(_Service):
    scale_on_queue_depth: int = Field(gt=0, description="visible messages per worker to scale on")
    scale_on_oldest_message_age_seconds: int = Field(gt=0)


class Compute(_Strict):
    graviton: bool = Field(description="ARM64 tasks (needs multi-arch images)")
    health_check_grace_period_seconds: int = Field(ge=0, le=2147483647)
    enable_execute_command: bool = Field(description="ECS Exec shell access")
    container_insights: bool = True


class RdsProxy(_Strict):
    enabled: bool
    max_connections_percent: int = Field(ge=1, le=100)
    idle_client_timeout_seconds: int = Field(ge=1, le=28800)


class ReadReplica(_Strict):
    enabled: bool
    instance_class: Optional[str] = None


class Database(_Strict):
    instance_class: str
    engine_version: str = Field(pattern=r"^\d+(\.\d+)?$", description="PostgreSQL major (e.g. '16') or major.minor")
    allocated_storage_gb: int = Field(ge=20, le=65536)
    max_allocated_storage_gb: int = Field(ge=20, le=65536, description="storage autoscaling ceiling")
    multi_az: bool
    performance_insights: bool
    deletion_protection: bool
    backup_retention_days: int = Field(ge=0, le=35, description="RDS automated backups")
    proxy: RdsProxy
    read_replica: ReadReplica


class RedisGroup(_Strict):
    node_type: str
    replicas: int = Field(ge=0, le=5)


class RedisSplit(_Strict):
    enabled: bool
    adapter: Optional[RedisGroup] = None
    state: Optional[RedisGroup] = None


class Cache(_Strict):
    engine_version: str = Field(pattern=r"^7(\.\d+)?$")
    node_type: str
    num_cache_nodes: int = Field(ge=1, le=6, description="primary plus replicas when not split")
    automatic_failover: bool
    snapshot_retention_days: int = Field(ge=0, le=35)
    split: RedisSplit


class Waf(_Strict):
    enabled: bool
    api_rate_limit_per_5min: int
    socket_rate_limit_per_5min: int
    global_rate_limit_per_5min: int
    bot_control: bool


class CrossRegionCopy(_Strict):
    enabled: bool
    destination_region: str = Field(pattern=r"^[a-z]{2}(-[a-z]+)+-\d$")


class Backup(_Strict):
    daily_schedule: str = Field(pattern=r"^cron\(.+\)$")
    daily_retention_days: int = Field(ge=1, le=36500)
    weekly_schedule: Optional[str] = Field(default=None, pattern=r"^cron\(.+\)$")
    weekly_retention_days: int = Field(ge=0, le=36500, description="0 = no weekly backups")
    point_in_time_recovery: bool
    cross_region_copy: CrossRegionCopy


class AlarmThresholds(_Strict):
    ecs_cpu_percent: int = Field(ge=1, le=100)
    rds_cpu_percent: int = Field(ge=1, le=100)
    rds_connections_percent: int = Field(ge=1, le=100, description="of the instance's max_connections")
    rds_free_memory_mb: int = Field(ge=1)
    rds_free_storage_gb: int = Field(ge=1)
    rds_latency_ms: int = Field(ge=1)
    rds_replica_lag_seconds: int = Field(ge=1)
    redis_memory_percent: int = Field(ge=1, le=100)
    redis_cpu_percent: int = Field(ge=1, le=100)
    redis_connections: int = Field(ge=1)
    alb_5xx_per_5min: int = Field(ge=1)
    dlq_messages: int = Field(ge=1)
    oldest_message_age_seconds: int = Field(ge=1)
    event_loop_lag_ms: int = Field(ge=1)
    connections_percent_of_capacity: int = Field(ge=1, le=100)


class Observability(_Strict):
    log_retention_days: int
    metrics_namespace: str = Field(pattern=r"^[A-Za-z0-9/_.#:-]{1,255}$")
    alarms: AlarmThresholds


class Profile(_Strict):
    """One scale tier. Region independent: zones are a count, not names."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,31}$")
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

    @model_validator(mode="after")
    def _cross_field_rules(self, info: ValidationInfo) -> "Profile":
        # The loader runs the rules itself to report each with its field path; direct construction
        # (e.g. a right-sized custom profile) gets them here.
        if info.context and info.context.get("skip_rules"):
            return self
        from chatops.model.profile_rules import rule_violations

        problems = rule_violations(self)
        if problems:
            raise ValueError("; ".join(f"{p.path}: {p.message}" for p in problems))
        return self

    @property
    def is_production(self) -> bool:
        return self.environment == "prod"
