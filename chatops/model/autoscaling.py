"""The autoscaling of a profile as data: scalable targets, target-tracking and step-scaling policies.

One description, three readers: chatops/infra/services.py creates exactly these policies (names, targets,
cooldowns, alarm windows, steps), costing counts their alarms, and chatops/simulate runs traffic through
them. The infra layer only adds what is AWS plumbing: which CloudWatch metric each `metric` kind is.
tests/costing/test_consistency.py and tests/infra/test_program.py check the synthesized graph against it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Optional, Union

from chatops.model.profile import Profile

#: Scale-in waits the 300 s Application Auto Scaling defaults to for ECS services (API reference,
#: TargetTrackingScalingPolicyConfiguration.ScaleInCooldown); scale-out may follow after one minute.
SCALE_OUT_COOLDOWN_SECONDS = 60
SCALE_IN_COOLDOWN_SECONDS = 300
#: Step policies wait two minutes between their scale-outs: about a new Fargate task's start time.
STEP_COOLDOWN_SECONDS = 2 * SCALE_OUT_COOLDOWN_SECONDS

#: Target tracking keeps the average connections per task at this share of max_connections_per_task,
#: leaving headroom for a reconnect storm while new tasks start.
CONNECTION_UTILISATION_TARGET = 0.7
#: The same share of what one API task serves for its ALBRequestCountPerTarget policy: a profile's
#: `api.requests_per_target` (chatops.sizing.capacity.api_requests_target derives it, plan warns when it
#: is far from it: too low runs tasks that idle, above what a task serves lets tasks saturate first).
REQUEST_UTILISATION_TARGET = CONNECTION_UTILISATION_TARGET

#: The percentile of the event-loop lag the realtime step policy watches.
EVENT_LOOP_LAG_STATISTIC = "p95"

#: Alarms AWS creates for each target-tracking policy (AlarmHigh and AlarmLow).
ALARMS_PER_TARGET_TRACKING_POLICY = 2

SERVICES: tuple[str, ...] = ("api", "realtime", "workers")

#: What a policy measures; chatops/infra/services.py maps each kind to its CloudWatch metric.
Metric = Literal[
    "cpu_percent",                 # ECSServiceAverageCPUUtilization
    "memory_percent",              # ECSServiceAverageMemoryUtilization
    "requests_per_target",         # ALBRequestCountPerTarget (requests per target per minute)
    "connections_per_task",        # the app's ActiveConnections, Average over tasks
    "backlog_per_task",            # visible messages of both queues / running workers (Container Insights)
    "event_loop_lag_ms",           # the app's EventLoopLagMs, p95
    "visible_messages",            # visible messages of both queues (no per-task metric available)
    "oldest_message_age_seconds",  # the older of the two queues' oldest message
]


@dataclass(frozen=True)
class ScalableTarget:
    service: str
    min_capacity: int
    max_capacity: int


@dataclass(frozen=True)
class TargetTracking:
    """A target-tracking policy: Application Auto Scaling creates and owns its two alarms."""

    name: str
    service: str
    metric: Metric
    target_value: float
    scale_out_cooldown_seconds: int = SCALE_OUT_COOLDOWN_SECONDS
    scale_in_cooldown_seconds: int = SCALE_IN_COOLDOWN_SECONDS
    disable_scale_in: bool = False


@dataclass(frozen=True)
class StepAdjustment:
    """Bounds are relative to the alarm threshold; None is open-ended."""

    lower_bound: Optional[float]
    upper_bound: Optional[float]
    scaling_adjustment: int


@dataclass(frozen=True)
class StepScaling:
    """A step policy and the CloudWatch alarm of ours that triggers it. The program's step policies add
    tasks on a GreaterThanOrEqualToThreshold alarm (scale-in comes from target tracking); a negative step
    on a LessThanOrEqualToThreshold alarm would remove them, and the simulator follows either."""

    name: str
    service: str
    metric: Metric
    threshold: float
    evaluation_periods: int
    datapoints_to_alarm: int
    steps: tuple[StepAdjustment, ...]
    period_seconds: int = 60
    comparison: str = "GreaterThanOrEqualToThreshold"
    treat_missing_data: str = "notBreaching"
    metric_aggregation_type: str = "Maximum"
    adjustment_type: str = "ChangeInCapacity"
    cooldown_seconds: int = STEP_COOLDOWN_SECONDS


Policy = Union[TargetTracking, StepScaling]


def step_adjustments(threshold: float) -> tuple[StepAdjustment, ...]:
    """Two contiguous steps relative to the alarm threshold: +1 task from the threshold up to twice it,
    +2 tasks beyond. No gaps, no overlap, the last step open-ended."""
    return (StepAdjustment(0.0, float(threshold), 1), StepAdjustment(float(threshold), None, 2))


def scalable_targets(profile: Profile) -> dict[str, ScalableTarget]:
    return {s: ScalableTarget(s, getattr(profile, s).autoscaling.min_count, getattr(profile, s).autoscaling.max_count)
            for s in SERVICES}


def connection_target(profile: Profile) -> int:
    """ActiveConnections per task the realtime target-tracking policy aims for."""
    return round(profile.realtime.max_connections_per_task * CONNECTION_UTILISATION_TARGET)


def scaling_policies(profile: Profile) -> list[Policy]:
    """Every scaling policy of the stack, in the order the program creates them."""
    api, realtime, workers = profile.api, profile.realtime, profile.workers
    policies: list[Policy] = []
    for service, spec in (("api", api), ("realtime", realtime)):
        policies.append(TargetTracking(f"{service}-cpu", service, "cpu_percent", spec.autoscaling.cpu_target_percent))
        policies.append(TargetTracking(f"{service}-memory", service, "memory_percent",
                                       spec.autoscaling.memory_target_percent))
    policies.append(TargetTracking("api-requests", "api", "requests_per_target", api.requests_per_target))
    if realtime.scale_on_connections:
        policies.append(TargetTracking("realtime-connections", "realtime", "connections_per_task",
                                       connection_target(profile)))
        lag = realtime.scale_on_event_loop_lag_ms
        policies.append(StepScaling("realtime-lag", "realtime", "event_loop_lag_ms", lag, evaluation_periods=3,
                                    datapoints_to_alarm=3, steps=step_adjustments(lag)))
    # CPU sizes the fleet for the load it carries. The backlog empties as soon as the workers keep up, so
    # a backlog policy alone would scale in to min_count and out again for as long as the load lasts (the
    # simulator showed it flapping every 20-30 minutes under a steady load). With two target-tracking
    # policies Application Auto Scaling "scales in only if all of the target tracking policies ... are
    # ready to scale in" (Application Auto Scaling User Guide, "Target tracking scaling policies",
    # considerations): the CPU policy holds the tasks the load keeps busy.
    policies.append(TargetTracking("workers-cpu", "workers", "cpu_percent", workers.autoscaling.cpu_target_percent))
    if profile.compute.container_insights:
        # Backlog per running task, the metric AWS recommends for queue workers; needs Container
        # Insights' RunningTaskCount.
        policies.append(TargetTracking("workers-backlog", "workers", "backlog_per_task", workers.scale_on_queue_depth))
    else:
        # Without a running-task metric: scale out on the total backlog of the minimum fleet; the CPU policy
        # scales in (a step scale-out policy never removes a task).
        backlog = workers.scale_on_queue_depth * workers.autoscaling.min_count
        policies.append(StepScaling("workers-backlog", "workers", "visible_messages", backlog, evaluation_periods=2,
                                    datapoints_to_alarm=2, steps=step_adjustments(backlog)))
    age = workers.scale_on_oldest_message_age_seconds
    policies.append(StepScaling("workers-age", "workers", "oldest_message_age_seconds", age, evaluation_periods=2,
                                datapoints_to_alarm=2, steps=step_adjustments(age)))
    return policies


def target_tracking_policies(profile: Profile) -> list[str]:
    """Names of the target-tracking policies. AWS creates and bills two alarms (high and low) for each."""
    return [p.name for p in scaling_policies(profile) if isinstance(p, TargetTracking)]


def step_scaling_policies(profile: Profile) -> list[str]:
    """Names of the step-scaling policies; each has one CloudWatch alarm of ours that triggers it."""
    return [p.name for p in scaling_policies(profile) if isinstance(p, StepScaling)]
