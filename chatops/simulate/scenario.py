"""The whole stack through a traffic scenario: three services, their task start times, the alarms that fire.

`simulate(profile, demand, timing)` runs api, realtime and workers independently (in this model their
loads do not depend on one another) with the policies of chatops.model.autoscaling, then evaluates the
program's own CloudWatch alarms (chatops.model.alarms) on the simulated metrics.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Optional

from chatops.model import alarms as alarm_model
from chatops.model import autoscaling
from chatops.model.naming import Names
from chatops.model.profile import Profile
from chatops.simulate.cloudwatch import Episodes, alarm_states, episodes
from chatops.simulate.demand import ServiceDemand
from chatops.simulate.engine import DEFAULT_SCALE_IN_THRESHOLD, ServiceRun, TaskTimes, run_service
from chatops.simulate.load import load_model

SERVICES = autoscaling.SERVICES
WEB_SERVICES = ("api", "realtime")

#: Placement and ENI attachment before the image pull starts (ECS task lifecycle: PROVISIONING; "awsvpc
#: ... adds an overhead of several seconds", ECS Developer Guide, "Optimize Amazon ECS task launch time").
DEFAULT_PROVISIONING_SECONDS = 20.0
#: Image pull and container start of a few-hundred-MB Node image from ECR (a 413 MB image took 53-62 s from
#: task creation to start on Fargate, elasticscale.com "Reduce AWS Fargate pull times with SOCI", 2024;
#: minus provisioning).
DEFAULT_IMAGE_PULL_SECONDS = 40.0


@dataclass(frozen=True)
class Timing:
    """Start-time figures and the scale-in threshold; `health_check_seconds` None means each web service's
    ALB health check: healthy_threshold x interval_seconds (workers have no load balancer)."""

    provisioning_seconds: float = DEFAULT_PROVISIONING_SECONDS
    image_pull_seconds: float = DEFAULT_IMAGE_PULL_SECONDS
    health_check_seconds: Optional[float] = None
    scale_in_threshold: float = DEFAULT_SCALE_IN_THRESHOLD


def task_times(profile: Profile, service: str, timing: Timing) -> TaskTimes:
    spec = getattr(profile, service)
    if service in WEB_SERVICES:
        check = spec.health_check
        health = (timing.health_check_seconds if timing.health_check_seconds is not None
                  else check.healthy_threshold * check.interval_seconds)
        drain = float(spec.deregistration_delay_seconds)
    else:
        health, drain = 0.0, 0.0
    return TaskTimes(timing.provisioning_seconds, timing.image_pull_seconds, float(health), drain)


@dataclass(frozen=True)
class FiredAlarm:
    """An alarm that would have been in ALARM: `kind` scaling (a policy's alarm) or monitoring (chatops's
    own alarms that notify people)."""

    name: str
    key: str
    kind: Literal["scaling", "monitoring"]
    service: str
    episodes: Episodes
    description: str
    policy: Optional[str] = None  # the scaling policy's name, as the program creates it


@dataclass
class StackRun:
    profile: Profile
    timing: Timing
    names: Names
    runs: dict[str, ServiceRun]
    alarms: list[FiredAlarm] = field(default_factory=list)
    #: Alarms the program creates whose metric this model does not produce (databases, cache, 5xx, DLQs).
    not_simulated: list[str] = field(default_factory=list)

    @property
    def minutes(self) -> int:
        return self.runs["api"].minutes

    @property
    def saturated(self) -> bool:
        return any(r.saturated_minutes for r in self.runs.values())


def simulate_service(profile: Profile, service: str, demand: list[float], timing: Timing,
                     stop_when_saturated: bool = False) -> ServiceRun:
    policies = [p for p in autoscaling.scaling_policies(profile) if p.service == service]
    target = autoscaling.scalable_targets(profile)[service]
    return run_service(load_model(profile, service), demand, policies, target, getattr(profile, service).desired_count,
                       task_times(profile, service, timing), timing.scale_in_threshold, stop_when_saturated)


def simulate(profile: Profile, demand: ServiceDemand, timing: Timing = Timing(),
             names: Optional[Names] = None) -> StackRun:
    """Every service through `demand`, then the alarms that would have fired."""
    names = names or default_names(profile)
    runs = {s: simulate_service(profile, s, demand.of(s), timing) for s in SERVICES}
    stack = StackRun(profile, timing, names, runs)
    stack.alarms = [*_scaling_alarms(stack), *_monitoring_alarms(stack)]
    stack.not_simulated = [spec.key for spec in alarm_model.alarm_specs(profile) if _simulated_metric(spec) is None]
    return stack


def default_names(profile: Profile, project: str = "chat") -> Names:
    """The names `runbook` and `synth` use when no chatops.yaml stack is given."""
    return Names(project, "prod" if profile.is_production else "dev")


# --- alarms --------------------------------------------------------------------------------------------

def _scaling_alarms(stack: StackRun) -> list[FiredAlarm]:
    cluster = stack.names.of("ecs_cluster", "cluster")
    fired = []
    for service, run in stack.runs.items():
        for label, spans in run.policy_alarms.items():
            if not spans.minutes:
                continue
            policy, _, side = label.partition(" ")
            policy_name = stack.names.of("alarm", policy)
            if side:  # AWS names target-tracking alarms itself and appends a generated id
                name = f"TargetTracking-service/{cluster}/{stack.names.of('ecs_service', service)}-{side}-*"
                what = (f"{policy}: above its target (scale out)" if side == "AlarmHigh" else
                        f"{policy}: below {stack.timing.scale_in_threshold:.0%} of its target (ready to scale in)")
            else:
                name, what = policy_name, f"{policy}: step scale-out alarm"
            fired.append(FiredAlarm(name, label, "scaling", service, spans, what, policy_name))
    return fired


def _simulated_metric(spec: alarm_model.AlarmSpec) -> Optional[tuple[str, str]]:
    """(service, metric series) that stands for the alarm's CloudWatch metric, when the model has one."""
    if spec.period_seconds != 60:
        return None
    if spec.dimension_kind == "ecs_service" and spec.metric_name == "CPUUtilization":
        return spec.target or "", "cpu_percent"
    if spec.dimension_kind == "custom_stack" and spec.metric_name == alarm_model.ACTIVE_CONNECTIONS_METRIC:
        return "realtime", "connections_per_task"
    if spec.dimension_kind == "custom_stack" and spec.metric_name == alarm_model.EVENT_LOOP_LAG_METRIC:
        return "realtime", "event_loop_lag_ms"
    if spec.dimension_kind == "sqs_queue" and spec.metric_name == "ApproximateAgeOfOldestMessage":
        return "workers", "oldest_message_age_seconds"  # both queues carry the same share of the backlog
    return None


def _monitoring_alarms(stack: StackRun) -> list[FiredAlarm]:
    fired = []
    for spec in alarm_model.alarm_specs(stack.profile):
        source = _simulated_metric(spec)
        if source is None:
            continue
        service, metric = source
        states = alarm_states(stack.runs[service].metrics[metric], spec.threshold, spec.comparison,
                              spec.evaluation_periods, spec.datapoints_to_alarm, spec.treat_missing_data)
        spans = episodes(states)
        if spans.minutes:
            fired.append(FiredAlarm(stack.names.of("alarm", spec.key), spec.key, "monitoring", service, spans,
                                    spec.description))
    return fired
