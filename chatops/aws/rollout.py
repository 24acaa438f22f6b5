"""After an update, wait until the ECS services run what was deployed and are steady; a rollback is a failure.

Pure part (no I/O; tested with recorded DescribeServices / DescribeTasks payloads): `judge` reads one
service of a DescribeServices answer, `RolloutWatch` keeps what was already reported and returns what is
new (state changes, service events, stopped tasks with their reasons). Polling part: `observe` and
`wait_for_rollout`, the only functions that call AWS.

The rules, from the ECS API reference (Deployment.rolloutState, DeploymentCircuitBreaker):
- "our" deployment is the one running the task definition the update registered (the stack output
  `<service>TaskDefinitionArn`);
- failed: our deployment's rolloutState is FAILED (the circuit breaker stopped it: "ECS deployment circuit
  breaker: tasks failed to start."), or the PRIMARY deployment runs another task definition (ECS rolled
  back to the last completed deployment and removed ours). A service that is steady again after a rollback
  is NOT a success: that is the trap of waiting for "services stable" alone
  (aws-actions/amazon-ecs-deploy-task-definition#494, fabfuel/ecs-deploy#185);
- steady: the PRIMARY deployment runs our task definition, is the only deployment, its rolloutState is
  COMPLETED (services that do not report one: the `services-stable` waiter's rule, one deployment and
  runningCount == desiredCount);
- otherwise in progress. Steady and failed are final for this wait.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Iterable, Literal, Mapping, Optional

from chatops.aws.session import Aws, AwsError

Phase = Literal["in_progress", "steady", "failed"]
Outcome = Literal["steady", "failed", "timeout"]
FINAL: frozenset[str] = frozenset({"steady", "failed"})

POLL_SECONDS = 10.0
#: Polls that may fail in a row (throttling, a network blip) before the wait gives up.
MAX_FAILED_POLLS = 3
#: ListTasks/DescribeTasks take at most 100 tasks per call.
MAX_TASKS = 100
#: Service events shown when a service is first seen (DescribeServices returns up to 100).
FIRST_EVENTS = 5


@dataclass(frozen=True)
class ServiceTarget:
    """A service to wait for and the task definition the update gave it (None: unknown, judge by PRIMARY)."""

    role: str  # api / realtime / workers
    name: str  # the ECS service name
    task_definition: Optional[str] = None


@dataclass(frozen=True)
class ServiceRollout:
    """One service at one poll."""

    role: str
    name: str
    phase: Phase
    running: int = 0
    desired: int = 0
    pending: int = 0
    rollout_state: Optional[str] = None
    reason: str = ""
    failed_tasks: int = 0

    def progress_key(self) -> tuple[Any, ...]:
        """What a new progress line is printed for."""
        return (self.phase, self.running, self.desired, self.pending, self.rollout_state)


@dataclass(frozen=True)
class StoppedTask:
    task_id: str
    stop_code: str
    reason: str
    containers: tuple[tuple[str, Optional[int], str], ...]  # (name, exit code, reason)


@dataclass(frozen=True)
class Change:
    """Something to show: a service's new state, a new service event, or a newly stopped task."""

    role: str
    kind: Literal["state", "event", "stopped", "poll_error"]
    state: Optional[ServiceRollout] = None
    message: str = ""
    task: Optional[StoppedTask] = None


def short_task_definition(arn: Optional[str]) -> str:
    """`arn:...:task-definition/chat-prod-api:7` -> `chat-prod-api:7`."""
    return (arn or "?").rsplit("/", 1)[-1]


def judge(target: ServiceTarget, service: Optional[Mapping[str, Any]]) -> ServiceRollout:
    """The state of one service, from its entry in a DescribeServices answer (None: not returned)."""
    if service is None:
        return ServiceRollout(target.role, target.name, "failed", reason="the service was not found in the cluster")
    counts = {"running": service.get("runningCount", 0), "desired": service.get("desiredCount", 0),
              "pending": service.get("pendingCount", 0)}
    if service.get("status") != "ACTIVE":
        return ServiceRollout(target.role, target.name, "failed", reason=f"the service is {service.get('status')}",
                              **counts)
    deployments = service.get("deployments") or []
    primary = next((d for d in deployments if d.get("status") == "PRIMARY"), {})
    ours = [d for d in deployments if d.get("taskDefinition") == target.task_definition] if target.task_definition \
        else [primary]
    tripped = next((d for d in ours if d.get("rolloutState") == "FAILED"), None)
    state = primary.get("rolloutState")
    failed_tasks = sum(d.get("failedTasks", 0) for d in ours)

    def rollout(phase: Phase, reason: str = "") -> ServiceRollout:
        return ServiceRollout(target.role, target.name, phase, rollout_state=state, reason=reason,
                              failed_tasks=failed_tasks, **counts)

    if tripped is not None:
        reason = tripped.get("rolloutStateReason") or "the deployment failed"
        if primary and primary.get("taskDefinition") != tripped.get("taskDefinition"):
            reason += f"; ECS is rolling back to {short_task_definition(primary.get('taskDefinition'))}"
        return rollout("failed", reason)
    if target.task_definition and primary.get("taskDefinition") != target.task_definition:
        reason = _failure_event(service) or "the deployment was replaced"
        return rollout("failed", f"ECS runs {short_task_definition(primary.get('taskDefinition'))}, not "
                                 f"{short_task_definition(target.task_definition)} ({reason})")
    if len(deployments) == 1 and state in (None, "COMPLETED") and counts["running"] == counts["desired"]:
        return rollout("steady", primary.get("rolloutStateReason") or "")
    return rollout("in_progress", primary.get("rolloutStateReason") or "")


def _failure_event(service: Mapping[str, Any]) -> str:
    """The newest service event about a failed or rolled-back deployment (events come newest first)."""
    for event in service.get("events") or []:
        message = event.get("message", "")
        if "deployment failed" in message or "rolling back" in message:
            return message
    return ""


def stopped_task(task: Mapping[str, Any]) -> StoppedTask:
    containers = tuple((c.get("name", "?"), c.get("exitCode"), c.get("reason", ""))
                       for c in task.get("containers") or [])
    return StoppedTask(task.get("taskArn", "?").rsplit("/", 1)[-1], task.get("stopCode", ""),
                       task.get("stoppedReason", ""), containers)


@dataclass
class RolloutWatch:
    """What has been reported so far; `update` returns only what is new."""

    targets: list[ServiceTarget]
    states: dict[str, ServiceRollout] = field(default_factory=dict)
    seen_events: set[str] = field(default_factory=set)
    seen_tasks: set[str] = field(default_factory=set)

    @property
    def done(self) -> bool:
        return len(self.states) == len(self.targets) and all(s.phase in FINAL for s in self.states.values())

    def failed(self) -> list[ServiceRollout]:
        return [s for s in self.states.values() if s.phase == "failed"]

    def pending_targets(self) -> list[ServiceTarget]:
        return [t for t in self.targets if t.role not in self.states or self.states[t.role].phase not in FINAL]

    def update(self, services: Iterable[Mapping[str, Any]], stopped: Mapping[str, list[Mapping[str, Any]]]) -> list[Change]:
        by_name = {s.get("serviceName"): s for s in services}
        changes: list[Change] = []
        for target in self.pending_targets():
            service = by_name.get(target.name)
            events = self._new_events(target, service)
            changes += events if target.role in self.states else events[-FIRST_EVENTS:]
            changes += self._new_stopped(target, stopped.get(target.role, []))
            state = judge(target, service)
            previous = self.states.get(target.role)
            if previous is None or previous.progress_key() != state.progress_key():
                changes.append(Change(target.role, "state", state=state))
            self.states[target.role] = state
        return changes

    def _new_events(self, target: ServiceTarget, service: Optional[Mapping[str, Any]]) -> list[Change]:
        if service is None:
            return []
        since = _deployment_start(target, service)
        fresh = []
        for event in reversed(service.get("events") or []):  # oldest first
            key = event.get("id") or f"{event.get('createdAt')}{event.get('message')}"
            if key in self.seen_events:
                continue
            self.seen_events.add(key)
            created = event.get("createdAt")
            if since is not None and isinstance(created, datetime) and created < since:
                continue  # from before this deployment
            fresh.append(Change(target.role, "event", message=event.get("message", "")))
        return fresh

    def _new_stopped(self, target: ServiceTarget, tasks: list[Mapping[str, Any]]) -> list[Change]:
        fresh = []
        for task in sorted(tasks, key=lambda t: _timestamp(t.get("stoppedAt"))):
            arn = task.get("taskArn", "")
            if arn in self.seen_tasks:
                continue
            self.seen_tasks.add(arn)
            if target.task_definition and task.get("taskDefinitionArn") != target.task_definition:
                continue  # the previous deployment's tasks, drained as planned
            fresh.append(Change(target.role, "stopped", task=stopped_task(task)))
        return fresh


def _deployment_start(target: ServiceTarget, service: Mapping[str, Any]) -> Optional[datetime]:
    deployments = service.get("deployments") or []
    ours = [d for d in deployments if d.get("taskDefinition") == target.task_definition] if target.task_definition \
        else [d for d in deployments if d.get("status") == "PRIMARY"]
    starts = [d["createdAt"] for d in ours if isinstance(d.get("createdAt"), datetime)]
    return min(starts) if starts else None


def _timestamp(value: Any) -> float:
    return value.timestamp() if isinstance(value, datetime) else 0.0


# ---- polling -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RolloutResult:
    outcome: Outcome
    services: list[ServiceRollout]
    elapsed_seconds: float

    @property
    def failed(self) -> list[ServiceRollout]:
        return [s for s in self.services if s.phase == "failed"]


def observe(aws: Aws, cluster: str, targets: list[ServiceTarget],
            seen_tasks: set[str]) -> tuple[list[dict[str, Any]], dict[str, list[dict[str, Any]]]]:
    """One poll: DescribeServices for the targets, and the stopped tasks of each not seen before."""
    services = aws.call("ecs", "describe_services", cluster=cluster, services=[t.name for t in targets])["services"]
    stopped: dict[str, list[dict[str, Any]]] = {}
    for target in targets:
        arns = aws.call("ecs", "list_tasks", cluster=cluster, serviceName=target.name, desiredStatus="STOPPED",
                        maxResults=MAX_TASKS)["taskArns"]
        fresh = [arn for arn in arns if arn not in seen_tasks]
        if fresh:
            tasks = aws.call("ecs", "describe_tasks", cluster=cluster, tasks=fresh[:MAX_TASKS])["tasks"]
            # ListTasks filters by service; the group says so again (emulators may not filter).
            stopped[target.role] = [t for t in tasks if t.get("group") in (None, f"service:{target.name}")]
    return services, stopped


def wait_for_rollout(aws: Aws, cluster: str, targets: list[ServiceTarget],
                     on_changes: Callable[[list[Change], RolloutWatch], None], timeout_seconds: float,
                     poll_seconds: float = POLL_SECONDS, clock: Callable[[], float] = time.monotonic,
                     sleep: Callable[[float], None] = time.sleep) -> RolloutResult:
    """Poll until every service is steady or failed, or the timeout; `on_changes` sees every poll's news."""
    watch = RolloutWatch(targets)
    start = clock()
    failed_polls = 0
    while True:
        try:
            services, stopped = observe(aws, cluster, watch.pending_targets(), watch.seen_tasks)
            failed_polls = 0
            on_changes(watch.update(services, stopped), watch)
        except AwsError as exc:
            failed_polls += 1
            if failed_polls >= MAX_FAILED_POLLS:
                raise
            on_changes([Change("", "poll_error", message=f"{exc} (poll {failed_polls} of {MAX_FAILED_POLLS} "
                                                            "allowed to fail in a row)")], watch)
        elapsed = clock() - start
        if watch.done:
            outcome: Outcome = "failed" if watch.failed() else "steady"
            return RolloutResult(outcome, _ordered(watch), elapsed)
        if elapsed >= timeout_seconds:
            return RolloutResult("timeout", _ordered(watch), elapsed)
        sleep(min(poll_seconds, max(0.0, timeout_seconds - elapsed)))


def _ordered(watch: RolloutWatch) -> list[ServiceRollout]:
    return [watch.states[t.role] if t.role in watch.states else ServiceRollout(t.role, t.name, "in_progress")
            for t in watch.targets]
