"""Health of a running stack, read from its outputs and AWS: one JSON-ready snapshot per refresh.

Names come from the stack outputs (the contract of the program), except alarms, which are found by the
stack's name prefix, and the custom realtime metrics, which carry one dimension `Stack` = that prefix.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Optional

from chatops.aws.session import Aws
from chatops.errors import ChatopsError
from chatops.model.naming import Names
from chatops.model.profile import Profile

#: How far back the observed peak of connections looks (CloudWatch keeps 1-minute data for 15 days).
PEAK_WINDOW = timedelta(hours=24)
#: "Latest" means a datapoint from the last five minutes; older means the app stopped publishing.
LATEST_WINDOW = timedelta(minutes=5)
#: The realtime app publishes ActiveConnections once a minute per task, so the 1-minute Sum is the total.
CONNECTIONS_PERIOD_SECONDS = 60
QUEUE_OUTPUTS = {"push": "pushQueueUrl", "push-dlq": "pushDlqUrl", "offline": "offlineQueueUrl",
                 "offline-dlq": "offlineDlqUrl"}
SERVICE_OUTPUTS = {"api": "apiServiceName", "realtime": "realtimeServiceName", "workers": "workersServiceName"}
TARGET_GROUP_OUTPUTS = {"api": "apiTargetGroupArn", "realtime": "realtimeTargetGroupArn"}


@dataclass(frozen=True)
class StatusContext:
    project: str
    stack: str
    profile: Profile
    outputs: dict[str, Any]
    aws: Aws

    @property
    def prefix(self) -> str:
        return Names(self.project, self.stack).prefix


def read_outputs_file(path: Path) -> dict[str, Any]:
    """The JSON of `chatops outputs --json` or `pulumi stack output --json` (a flat map, or {"outputs": map})."""
    try:
        data = json.loads(path.read_text())
    except OSError as exc:
        raise ChatopsError(f"{path}: cannot read ({exc.strerror}); write it with `chatops outputs --json > "
                           f"{path.name}`") from None
    except json.JSONDecodeError as exc:
        raise ChatopsError(f"{path}: not JSON ({exc.msg}, line {exc.lineno}); write it with "
                           "`chatops outputs --json`") from None
    if isinstance(data, dict) and isinstance(data.get("outputs"), dict):
        data = data["outputs"]
    if not isinstance(data, dict) or "ecsClusterName" not in data:
        raise ChatopsError(f"{path}: not the outputs of a chatops stack (no ecsClusterName); write it with "
                           "`chatops outputs --json`")
    return data


def collect_status(ctx: StatusContext) -> dict[str, Any]:
    """One snapshot; every AWS failure is a one-line ChatopsError (the caller decides to stop or retry)."""
    report: dict[str, Any] = {
        "project": ctx.project, "stack": ctx.stack, "region": ctx.aws.region, "profile": ctx.profile.name,
        "observed_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "services": services_status(ctx), "targets": targets_health(ctx), "alarms": alarms_firing(ctx),
        "queues": queue_depths(ctx), "databases": database_status(ctx), "redis": redis_status(ctx),
        "realtime": realtime_load(ctx),
    }
    report["problems"] = problems(report, ctx.profile)
    report["ok"] = not report["problems"]
    return report


def services_status(ctx: StatusContext) -> list[dict[str, Any]]:
    names = {role: ctx.outputs.get(key) for role, key in SERVICE_OUTPUTS.items() if ctx.outputs.get(key)}
    if not names:
        return []
    answer = ctx.aws.call("ecs", "describe_services", cluster=ctx.outputs["ecsClusterName"],
                          services=list(names.values()))
    by_name = {svc["serviceName"]: svc for svc in answer.get("services", [])}
    rows = []
    for role, name in names.items():
        svc = by_name.get(name)
        if svc is None:
            rows.append({"role": role, "name": name, "status": "MISSING", "running": 0, "desired": 0, "pending": 0,
                         "rollout_state": None, "rollout_reason": "service not found in the cluster"})
            continue
        primary = next((d for d in svc.get("deployments", []) if d.get("status") == "PRIMARY"), {})
        rows.append({"role": role, "name": name, "status": svc.get("status"), "running": svc.get("runningCount", 0),
                     "desired": svc.get("desiredCount", 0), "pending": svc.get("pendingCount", 0),
                     "rollout_state": primary.get("rolloutState"), "rollout_reason": primary.get("rolloutStateReason")})
    return rows


def targets_health(ctx: StatusContext) -> list[dict[str, Any]]:
    rows = []
    for role, key in TARGET_GROUP_OUTPUTS.items():
        arn = ctx.outputs.get(key)
        if not arn:
            continue
        answer = ctx.aws.call("elbv2", "describe_target_health", TargetGroupArn=arn)
        states: dict[str, int] = {}
        for target in answer.get("TargetHealthDescriptions", []):
            state = target.get("TargetHealth", {}).get("State", "unknown")
            states[state] = states.get(state, 0) + 1
        rows.append({"role": role, "target_group": arn.rsplit(":", 1)[-1], "healthy": states.get("healthy", 0),
                     "unhealthy": states.get("unhealthy", 0), "states": states})
    return rows


def alarms_firing(ctx: StatusContext) -> list[dict[str, Any]]:
    """The stack's alarms (names start with `<project>-<stack>-`) that are in ALARM now."""
    prefix = f"{ctx.prefix}-"
    rows = []
    for kind in ("MetricAlarms", "CompositeAlarms"):
        for alarm in ctx.aws.paginate("cloudwatch", "describe_alarms", kind, AlarmNamePrefix=prefix,
                                      StateValue="ALARM"):
            if alarm.get("StateValue") != "ALARM":  # the filter is the server's; check it anyway
                continue
            since = alarm.get("StateUpdatedTimestamp")  # when it went into ALARM
            rows.append({"name": alarm["AlarmName"], "reason": alarm.get("StateReason", ""),
                         "state_updated_at": since.isoformat(timespec="seconds") if isinstance(since, datetime)
                         else since})
    return rows


def queue_depths(ctx: StatusContext) -> list[dict[str, Any]]:
    rows = []
    for role, key in QUEUE_OUTPUTS.items():
        url = ctx.outputs.get(key)
        if not url:
            continue
        attrs = ctx.aws.call("sqs", "get_queue_attributes", QueueUrl=url, AttributeNames=[
            "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
            "ApproximateNumberOfMessagesDelayed"]).get("Attributes", {})
        rows.append({"role": role, "queue": url.rsplit("/", 1)[-1], "dead_letter": role.endswith("-dlq"),
                     "visible": int(attrs.get("ApproximateNumberOfMessages", 0)),
                     "in_flight": int(attrs.get("ApproximateNumberOfMessagesNotVisible", 0)),
                     "delayed": int(attrs.get("ApproximateNumberOfMessagesDelayed", 0))})
    return rows


def database_status(ctx: StatusContext) -> list[dict[str, Any]]:
    rows = []
    for role, key in (("primary", "dbInstanceId"), ("replica", "dbReplicaInstanceId")):
        instance_id = ctx.outputs.get(key)
        if not instance_id:
            continue
        found = ctx.aws.call("rds", "describe_db_instances", DBInstanceIdentifier=instance_id)["DBInstances"]
        db = found[0] if found else {}
        rows.append({"role": role, "id": instance_id, "status": db.get("DBInstanceStatus", "missing"),
                     "class": db.get("DBInstanceClass"), "multi_az": db.get("MultiAZ")})
    return rows


def redis_status(ctx: StatusContext) -> list[dict[str, Any]]:
    rows = []
    for group_id in ctx.outputs.get("redisReplicationGroupIds") or []:
        groups = ctx.aws.call("elasticache", "describe_replication_groups",
                              ReplicationGroupId=group_id)["ReplicationGroups"]
        group = groups[0] if groups else {}
        rows.append({"id": group_id, "status": group.get("Status", "missing"), "node_type": group.get("CacheNodeType"),
                     "nodes": len(group.get("MemberClusters", [])),
                     "automatic_failover": group.get("AutomaticFailover")})
    return rows


def realtime_load(ctx: StatusContext) -> dict[str, Any]:
    """Connections now and at the 24 h peak, event-loop lag p95, against the tier's realtime capacity."""
    namespace = ctx.outputs.get("metricsNamespace") or ctx.profile.observability.metrics_namespace
    now = datetime.now(timezone.utc)
    dimensions = [{"Name": "Stack", "Value": ctx.prefix}]
    points = ctx.aws.call("cloudwatch", "get_metric_statistics", Namespace=namespace, MetricName="ActiveConnections",
                          Dimensions=dimensions, StartTime=now - PEAK_WINDOW, EndTime=now,
                          Period=CONNECTIONS_PERIOD_SECONDS, Statistics=["Sum"])["Datapoints"]
    points.sort(key=lambda p: p["Timestamp"])
    recent = [p for p in points if p["Timestamp"] >= now - LATEST_WINDOW]
    latest = recent[-1]["Sum"] if recent else None
    peak = max((p["Sum"] for p in points), default=None)
    lag, lag_statistic = _event_loop_lag(ctx, namespace, dimensions, now)
    capacity = realtime_capacity(ctx.profile)
    threshold = ctx.profile.observability.alarms.connections_percent_of_capacity
    return {"namespace": namespace, "dimension": {"Stack": ctx.prefix},
            "active_connections": latest, "peak_connections_24h": peak,
            "event_loop_lag_ms": lag, "event_loop_lag_statistic": lag_statistic,
            "event_loop_lag_threshold_ms": ctx.profile.observability.alarms.event_loop_lag_ms,
            **capacity, "alarm_percent_of_capacity": threshold,
            "utilisation_percent": _percent(latest, capacity["capacity_at_max"]),
            "peak_utilisation_percent": _percent(peak, capacity["capacity_at_max"]),
            "suggestion": suggest_tier(peak) if peak is not None else None}


def _event_loop_lag(ctx: StatusContext, namespace: str, dimensions: list[dict[str, str]],
                    now: datetime) -> tuple[Optional[float], Optional[str]]:
    """p95 over the last five minutes; the Maximum when CloudWatch has no percentile for the data (values
    published as statistic sets carry no distribution)."""
    points = ctx.aws.call("cloudwatch", "get_metric_statistics", Namespace=namespace, MetricName="EventLoopLagMs",
                          Dimensions=dimensions, StartTime=now - LATEST_WINDOW, EndTime=now,
                          Period=int(LATEST_WINDOW.total_seconds()), Statistics=["Maximum"],
                          ExtendedStatistics=["p95"])["Datapoints"]
    if not points:
        return None, None
    point = max(points, key=lambda p: p["Timestamp"])
    p95 = point.get("ExtendedStatistics", {}).get("p95")
    if p95 is not None:
        return float(p95), "p95"
    return (float(point["Maximum"]), "max") if "Maximum" in point else (None, None)


def realtime_capacity(profile: Profile) -> dict[str, Any]:
    """Connections the realtime service carries at its desired count and at its autoscaling maximum,
    per task as the sizing model has it (the task size's limit, capped by max_connections_per_task)."""
    from chatops.sizing.capacity import realtime_connections_per_task

    per_task = realtime_connections_per_task(profile)
    return {"connections_per_task": per_task, "capacity": profile.realtime.desired_count * per_task,
            "capacity_at_max": profile.realtime.autoscaling.max_count * per_task,
            "capacity_source": "chatops.sizing: tasks x realtime_connections_per_task"}


def suggest_tier(peak_connections: float) -> dict[str, Any]:
    """The tier the observed peak needs, by the same selection as `chatops plan`: the peak is turned into
    the DAU it implies (peak / the default peak concurrency share), then the smallest production tier
    that is designed for that DAU and holds its load with the default headroom is chosen."""
    from chatops.model.demand import MAX_DAU, UsageAssumptions
    from chatops.model.loading import load_builtin_profiles
    from chatops.model.records import default_of
    from chatops.sizing.demand import estimate_demand
    from chatops.sizing.selection import select_tier

    share = default_of(UsageAssumptions, "peak_concurrency")
    dau = min(MAX_DAU, max(1, round(peak_connections / share)))
    choice = select_tier(estimate_demand(UsageAssumptions(dau=dau)), load_builtin_profiles())
    return {"profile": choice.chosen.profile.name if choice.chosen else None, "implied_dau": dau,
            "peak_concurrency_share": share, "reason": choice.reason}


def _percent(value: Optional[float], whole: int) -> Optional[float]:
    if value is None or whole <= 0:
        return None
    return round(100 * value / whole, 1)


def problems(report: dict[str, Any], profile: Profile) -> list[str]:
    """What needs attention, one line each, in the order a person would look."""
    out = []
    for svc in report["services"]:
        if svc["running"] < svc["desired"]:
            out.append(f"{svc['role']}: {svc['running']}/{svc['desired']} tasks running")
        if svc["rollout_state"] == "FAILED" or svc["status"] == "MISSING":
            out.append(f"{svc['role']}: deployment {svc['rollout_state'] or svc['status']}: {svc['rollout_reason']}")
    out += [f"{t['role']} targets: {t['unhealthy']} unhealthy" for t in report["targets"] if t["unhealthy"]]
    out += [f"alarm {a['name']} is in ALARM" for a in report["alarms"]]
    out += [f"{q['queue']}: {q['visible']} message(s) in the dead-letter queue"
            for q in report["queues"] if q["dead_letter"] and q["visible"]]
    out += [f"database {d['id']}: {d['status']}" for d in report["databases"] if d["status"] != "available"]
    out += [f"redis {r['id']}: {r['status']}" for r in report["redis"] if r["status"] != "available"]
    load = report["realtime"]
    if load["peak_utilisation_percent"] is not None and load["peak_utilisation_percent"] >= load["alarm_percent_of_capacity"]:
        tier = (load["suggestion"] or {}).get("profile") or "a custom profile beyond the largest tier"
        out.append(f"realtime peak {load['peak_connections_24h']:g} connections is {load['peak_utilisation_percent']}% "
                   f"of {profile.name}'s capacity; consider `chatops scale-to {tier}`")
    if load["event_loop_lag_ms"] is not None and load["event_loop_lag_ms"] > load["event_loop_lag_threshold_ms"]:
        out.append(f"realtime event-loop lag {load['event_loop_lag_statistic']} {load['event_loop_lag_ms']:g} ms "
                   f"> {load['event_loop_lag_threshold_ms']} ms")
    return out
