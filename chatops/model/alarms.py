"""Every CloudWatch alarm a stack gets, as data: one list that the program, the cost and the runbook share.

Pure (no pulumi): `alarm_specs(profile)` is what `Observability` creates one alarm for, what costing
prices (`len(...)`), and what `chatops runbook` documents. Each spec says which resource it watches
(`dimension_kind` + `target`/`member`); the infra layer turns that into real CloudWatch dimensions.

Thresholds come from `profile.observability.alarms`, converted to the metric's own unit (RDS latency is
in seconds, memory and storage in bytes).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Optional

from chatops.model.postgres import max_connections
from chatops.model.profile import Profile

#: Custom metrics the realtime app publishes (namespace = profile.observability.metrics_namespace, one
#: dimension `Stack` = Names(project, stack).prefix). Must equal chatops/infra/metrics.py (a test checks);
#: kept here too because model/ may not import infra/.
ACTIVE_CONNECTIONS_METRIC = "ActiveConnections"
EVENT_LOOP_LAG_METRIC = "EventLoopLagMs"
STACK_DIMENSION = "Stack"

Comparison = Literal["GreaterThanOrEqualToThreshold", "GreaterThanThreshold", "LessThanThreshold",
                     "LessThanOrEqualToThreshold"]
TreatMissing = Literal["missing", "ignore", "breaching", "notBreaching"]

#: Which resource an alarm watches; the infra layer maps each kind to CloudWatch dimensions.
DimensionKind = Literal[
    "ecs_service",       # ClusterName + ServiceName; target = api | realtime | workers
    "rds_instance",      # DBInstanceIdentifier of the primary
    "rds_replica",       # DBInstanceIdentifier of the read replica
    "redis_member",      # CacheClusterId; member = position in Cache.member_cluster_ids
    "alb",               # LoadBalancer
    "alb_target_group",  # LoadBalancer + TargetGroup; target = api | realtime
    "sqs_queue",         # QueueName; target = push | offline | push_dlq | offline_dlq
    "custom_stack",      # Stack (the app's custom metrics)
]

SERVICES: tuple[str, ...] = ("api", "realtime", "workers")
WEB_SERVICES: tuple[str, ...] = ("api", "realtime")
MiB = 1024 * 1024
GiB = 1024 * MiB


@dataclass(frozen=True)
class AlarmSpec:
    key: str                       # unique per stack; the alarm name is Names.of("alarm", key)
    description: str
    namespace: str
    metric_name: str
    period_seconds: int
    evaluation_periods: int
    datapoints_to_alarm: int
    threshold: float
    comparison: Comparison
    dimension_kind: DimensionKind
    runbook: str                   # what to check and do first
    target: Optional[str] = None   # service / queue / redis group the alarm watches
    member: Optional[int] = None   # redis: index into the flat member cluster list
    statistic: Optional[str] = None           # exactly one of statistic / extended_statistic
    extended_statistic: Optional[str] = None  # e.g. "p95"
    treat_missing_data: TreatMissing = "missing"
    threshold_display: str = ""    # the threshold in the profile's unit, for humans (e.g. "20 ms")

    def __post_init__(self) -> None:
        # Invalid CloudWatch configurations fail here, not at deploy time.
        if (self.statistic is None) == (self.extended_statistic is None):
            raise ValueError(f"{self.key}: set exactly one of statistic and extended_statistic")
        if self.period_seconds < 60 or self.period_seconds % 60:
            raise ValueError(f"{self.key}: period must be a multiple of 60 seconds")
        if not 1 <= self.datapoints_to_alarm <= self.evaluation_periods:
            raise ValueError(f"{self.key}: need 1 <= datapoints_to_alarm <= evaluation_periods")
        if self.period_seconds * self.evaluation_periods > 86400:
            raise ValueError(f"{self.key}: evaluation window exceeds one day")

    @property
    def stat_label(self) -> str:
        return self.statistic or self.extended_statistic or ""


# ---------------------------------------------------------------------------------------------------
# Shared pure helpers
# ---------------------------------------------------------------------------------------------------

def redis_groups(profile: Profile) -> list[tuple[str, int]]:
    """(group, node count) per replication group, in the order Cache creates them."""
    c = profile.cache
    if c.split.enabled and c.split.adapter is not None and c.split.state is not None:
        return [("adapter", c.split.adapter.replicas + 1), ("state", c.split.state.replicas + 1)]
    return [("redis", c.num_cache_nodes)]


def redis_members(profile: Profile) -> list[tuple[str, int]]:
    """(group, 1-based node number) for every member cluster, in Cache.member_cluster_ids order."""
    return [(group, n) for group, count in redis_groups(profile) for n in range(1, count + 1)]


# ---------------------------------------------------------------------------------------------------
# The alarms
# ---------------------------------------------------------------------------------------------------

def alarm_specs(profile: Profile) -> list[AlarmSpec]:
    """Every alarm the program creates for `profile`, per-service and per-node alarms expanded."""
    return [*_ecs(profile), *_rds(profile), *_redis(profile), *_alb(profile), *_sqs(profile),
            *_realtime(profile)]


def _ecs(p: Profile) -> list[AlarmSpec]:
    t = p.observability.alarms
    return [AlarmSpec(
        key=f"{service}-cpu-high", target=service, dimension_kind="ecs_service",
        description=f"{service} service average CPU above {t.ecs_cpu_percent}% for 3 of 5 minutes",
        namespace="AWS/ECS", metric_name="CPUUtilization", statistic="Average",
        period_seconds=60, evaluation_periods=5, datapoints_to_alarm=3,
        threshold=float(t.ecs_cpu_percent), comparison="GreaterThanThreshold",
        threshold_display=f"{t.ecs_cpu_percent} %",
        runbook=f"Check whether autoscaling is at max ({getattr(p, service).autoscaling.max_count} tasks) "
                "and for a hot loop in recent deploys; raise max_count or task CPU.",
    ) for service in SERVICES]


def _rds(p: Profile) -> list[AlarmSpec]:
    t = p.observability.alarms
    max_conn = max_connections(p.database.instance_class)
    conn_threshold = max(1, max_conn * t.rds_connections_percent // 100)
    specs = [
        AlarmSpec(key="rds-cpu-high", dimension_kind="rds_instance",
                  description=f"Database CPU above {t.rds_cpu_percent}% for 3 of 5 minutes",
                  namespace="AWS/RDS", metric_name="CPUUtilization", statistic="Average",
                  period_seconds=60, evaluation_periods=5, datapoints_to_alarm=3,
                  threshold=float(t.rds_cpu_percent), comparison="GreaterThanThreshold",
                  threshold_display=f"{t.rds_cpu_percent} %",
                  runbook="Open Performance Insights / the postgresql log for slow queries "
                          "(log_min_duration_statement); add indexes or move to a larger class."),
        AlarmSpec(key="rds-connections-high", dimension_kind="rds_instance",
                  description=f"Database connections above {t.rds_connections_percent}% of max_connections "
                              f"({conn_threshold} of {max_conn})",
                  namespace="AWS/RDS", metric_name="DatabaseConnections", statistic="Maximum",
                  period_seconds=60, evaluation_periods=5, datapoints_to_alarm=3,
                  threshold=float(conn_threshold), comparison="GreaterThanThreshold",
                  threshold_display=f"{conn_threshold} connections",
                  runbook="Look for connection leaks (idle in transaction) and pool sizes per task; "
                          + ("the RDS Proxy pools connections: check its ClientConnections."
                             if p.database.proxy.enabled else "consider enabling the RDS Proxy.")),
        AlarmSpec(key="rds-freeable-memory-low", dimension_kind="rds_instance",
                  description=f"Database freeable memory below {t.rds_free_memory_mb} MiB",
                  namespace="AWS/RDS", metric_name="FreeableMemory", statistic="Average",
                  period_seconds=300, evaluation_periods=3, datapoints_to_alarm=3,
                  threshold=float(t.rds_free_memory_mb * MiB), comparison="LessThanThreshold",
                  threshold_display=f"{t.rds_free_memory_mb} MiB",
                  runbook="Too many connections or large work_mem sorts; reduce connections or move to a "
                          "class with more memory."),
        AlarmSpec(key="rds-read-latency-high", dimension_kind="rds_instance",
                  description=f"Database read latency above {t.rds_latency_ms} ms",
                  namespace="AWS/RDS", metric_name="ReadLatency", statistic="Average",
                  period_seconds=60, evaluation_periods=5, datapoints_to_alarm=3,
                  threshold=t.rds_latency_ms / 1000, comparison="GreaterThanThreshold",
                  threshold_display=f"{t.rds_latency_ms} ms",
                  runbook="Check ReadIOPS against the gp3 baseline (3000 IOPS) and missing indexes."),
        AlarmSpec(key="rds-write-latency-high", dimension_kind="rds_instance",
                  description=f"Database write latency above {t.rds_latency_ms} ms",
                  namespace="AWS/RDS", metric_name="WriteLatency", statistic="Average",
                  period_seconds=60, evaluation_periods=5, datapoints_to_alarm=3,
                  threshold=t.rds_latency_ms / 1000, comparison="GreaterThanThreshold",
                  threshold_display=f"{t.rds_latency_ms} ms",
                  runbook="Check WriteIOPS and WriteThroughput against gp3 limits; batch writes."),
        AlarmSpec(key="rds-free-storage-low", dimension_kind="rds_instance",
                  description=f"Database free storage below {t.rds_free_storage_gb} GiB",
                  namespace="AWS/RDS", metric_name="FreeStorageSpace", statistic="Minimum",
                  period_seconds=300, evaluation_periods=1, datapoints_to_alarm=1,
                  threshold=float(t.rds_free_storage_gb * GiB), comparison="LessThanThreshold",
                  threshold_display=f"{t.rds_free_storage_gb} GiB",
                  runbook=f"Storage autoscaling stops at {p.database.max_allocated_storage_gb} GiB; raise "
                          "database.max_allocated_storage_gb or clean up old data."),
    ]
    if p.database.read_replica.enabled:
        specs.append(AlarmSpec(
            key="rds-replica-lag-high", dimension_kind="rds_replica",
            description=f"Read replica lag above {t.rds_replica_lag_seconds} s",
            namespace="AWS/RDS", metric_name="ReplicaLag", statistic="Maximum",
            period_seconds=60, evaluation_periods=5, datapoints_to_alarm=3,
            threshold=float(t.rds_replica_lag_seconds), comparison="GreaterThanThreshold",
            threshold_display=f"{t.rds_replica_lag_seconds} s",
            runbook="Heavy writes on the primary or an undersized replica class; reads may be stale."))
    return specs


def _redis(p: Profile) -> list[AlarmSpec]:
    t = p.observability.alarms
    specs: list[AlarmSpec] = []
    for index, (group, node) in enumerate(redis_members(p)):
        where = f"{group} node {node}"
        common = dict(dimension_kind="redis_member", target=group, member=index, namespace="AWS/ElastiCache",
                      period_seconds=60, evaluation_periods=5, datapoints_to_alarm=3)
        specs += [
            AlarmSpec(key=f"{group}-{node}-memory-high", **common,
                      description=f"Redis {where}: memory used above {t.redis_memory_percent}% of maxmemory",
                      metric_name="DatabaseMemoryUsagePercentage", statistic="Maximum",
                      threshold=float(t.redis_memory_percent), comparison="GreaterThanThreshold",
                      threshold_display=f"{t.redis_memory_percent} %",
                      runbook="Check keys without TTL (presence, sessions) and pub/sub client output buffers; "
                              "move to a larger node type."),
            AlarmSpec(key=f"{group}-{node}-engine-cpu-high", **common,
                      description=f"Redis {where}: engine CPU above {t.redis_cpu_percent}%",
                      metric_name="EngineCPUUtilization", statistic="Average",
                      threshold=float(t.redis_cpu_percent), comparison="GreaterThanThreshold",
                      threshold_display=f"{t.redis_cpu_percent} %",
                      runbook="Redis is single-threaded: look for slow commands (SLOWLOG GET) and large "
                              "broadcast fan-out; split adapter/state or use a bigger node."),
            AlarmSpec(key=f"{group}-{node}-connections-high", **common,
                      description=f"Redis {where}: more than {t.redis_connections} client connections",
                      metric_name="CurrConnections", statistic="Maximum",
                      threshold=float(t.redis_connections), comparison="GreaterThanThreshold",
                      threshold_display=f"{t.redis_connections} connections",
                      runbook="Each task should hold a few pooled connections; a rise means a leak or "
                              "per-socket subscriptions."),
        ]
    return specs


def _alb(p: Profile) -> list[AlarmSpec]:
    t = p.observability.alarms
    five_xx = dict(period_seconds=300, evaluation_periods=1, datapoints_to_alarm=1, statistic="Sum",
                   namespace="AWS/ApplicationELB", threshold=float(t.alb_5xx_per_5min),
                   comparison="GreaterThanThreshold", treat_missing_data="notBreaching",
                   threshold_display=f"{t.alb_5xx_per_5min} per 5 min")
    specs = [AlarmSpec(key="alb-5xx-high", dimension_kind="alb", metric_name="HTTPCode_ELB_5XX_Count",
                       description=f"Load balancer generated more than {t.alb_5xx_per_5min} 5xx in 5 minutes",
                       runbook="502/503 from the ALB itself: no healthy targets or targets closing "
                               "connections; check UnHealthyHostCount and ECS service events.", **five_xx)]
    for service in WEB_SERVICES:
        specs.append(AlarmSpec(
            key=f"{service}-target-5xx-high", dimension_kind="alb_target_group", target=service,
            metric_name="HTTPCode_Target_5XX_Count",
            description=f"{service} targets returned more than {t.alb_5xx_per_5min} 5xx in 5 minutes",
            runbook=f"Application errors in {service}: read its log group for stack traces.", **five_xx))
        specs.append(AlarmSpec(
            key=f"{service}-unhealthy-hosts", dimension_kind="alb_target_group", target=service,
            description=f"{service} target group has unhealthy targets for 3 minutes",
            namespace="AWS/ApplicationELB", metric_name="UnHealthyHostCount", statistic="Maximum",
            period_seconds=60, evaluation_periods=3, datapoints_to_alarm=3, threshold=0.0,
            comparison="GreaterThanThreshold", treat_missing_data="notBreaching", threshold_display="0 hosts",
            runbook=f"Health check {getattr(p, service).health_check.path} fails: check the task logs, "
                    "database/Redis reachability and the security groups."))
    return specs


def _sqs(p: Profile) -> list[AlarmSpec]:
    t = p.observability.alarms
    specs = [AlarmSpec(
        key=f"{queue}-dlq-not-empty", dimension_kind="sqs_queue", target=f"{queue}_dlq",
        description=f"{queue} dead-letter queue holds {t.dlq_messages} or more messages",
        namespace="AWS/SQS", metric_name="ApproximateNumberOfMessagesVisible", statistic="Maximum",
        period_seconds=300, evaluation_periods=1, datapoints_to_alarm=1, threshold=float(t.dlq_messages),
        comparison="GreaterThanOrEqualToThreshold", treat_missing_data="notBreaching",
        threshold_display=f"{t.dlq_messages} messages",
        runbook="Messages failed 3 receives: read the workers log, fix the cause, then redrive them "
                "(aws sqs start-message-move-task).") for queue in ("push", "offline")]
    specs += [AlarmSpec(
        key=f"{queue}-oldest-message-old", dimension_kind="sqs_queue", target=queue,
        description=f"{queue} queue's oldest message is older than {t.oldest_message_age_seconds} s",
        namespace="AWS/SQS", metric_name="ApproximateAgeOfOldestMessage", statistic="Maximum",
        period_seconds=60, evaluation_periods=5, datapoints_to_alarm=5,
        threshold=float(t.oldest_message_age_seconds), comparison="GreaterThanThreshold",
        treat_missing_data="notBreaching", threshold_display=f"{t.oldest_message_age_seconds} s",
        runbook=f"Workers are not keeping up or are down: check running tasks (max "
                f"{p.workers.autoscaling.max_count}) and the workers log.") for queue in ("push", "offline")]
    return specs


def _realtime(p: Profile) -> list[AlarmSpec]:
    t = p.observability.alarms
    r = p.realtime
    per_task = max(1, r.max_connections_per_task * t.connections_percent_of_capacity // 100)
    namespace = p.observability.metrics_namespace
    return [
        AlarmSpec(key="realtime-connections-near-capacity", dimension_kind="custom_stack",
                  description=f"Average connections per realtime task above {t.connections_percent_of_capacity}% "
                              f"of the {r.max_connections_per_task} a task is sized for ({per_task})",
                  namespace=namespace, metric_name=ACTIVE_CONNECTIONS_METRIC, statistic="Average",
                  period_seconds=60, evaluation_periods=5, datapoints_to_alarm=3, threshold=float(per_task),
                  comparison="GreaterThanThreshold", treat_missing_data="missing",
                  threshold_display=f"{per_task} connections per task",
                  runbook=f"Autoscaling should add tasks (max {r.autoscaling.max_count}); if it is at max, "
                          "raise realtime.autoscaling.max_count or move to the next tier."),
        AlarmSpec(key="realtime-event-loop-lag-high", dimension_kind="custom_stack",
                  description=f"Realtime event-loop lag p95 above {t.event_loop_lag_ms} ms for 3 minutes",
                  namespace=namespace, metric_name=EVENT_LOOP_LAG_METRIC, extended_statistic="p95",
                  period_seconds=60, evaluation_periods=3, datapoints_to_alarm=3,
                  threshold=float(t.event_loop_lag_ms), comparison="GreaterThanThreshold",
                  treat_missing_data="missing", threshold_display=f"{t.event_loop_lag_ms} ms (p95)",
                  runbook="CPU-bound work on the event loop (large payloads, sync JSON); check realtime CPU "
                          "and the Redis adapter's engine CPU."),
    ]
