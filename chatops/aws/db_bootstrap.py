"""Run the stack's one-off database bootstrap task (chatops/infra/db_bootstrap.py) and report its outcome.

ECS RunTask in the task subnets with the `db-admin` security group (from the stack output
`dbBootstrap`), then DescribeTasks until the task stops, then the last lines of its log
(awslogs stream `<prefix>/<container>/<task id>`). A timeout or Ctrl-C stops the task first, so no
process holding the master credentials keeps running unattended.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from chatops.aws.session import Aws, AwsError
from chatops.errors import ChatopsError

STARTED_BY = "chatops-db-bootstrap"
DEFAULT_TIMEOUT_SECONDS = 600
DEFAULT_POLL_SECONDS = 5.0
DEFAULT_LOG_LINES = 20


@dataclass(frozen=True)
class BootstrapSpec:
    """The stack output `dbBootstrap`."""

    cluster: str
    task_definition: str
    subnets: list[str]
    security_groups: list[str]
    assign_public_ip: bool
    container: str
    log_group: str
    log_stream_prefix: str

    @classmethod
    def from_outputs(cls, outputs: dict[str, Any]) -> "BootstrapSpec":
        spec = outputs.get("dbBootstrap")
        if not isinstance(spec, dict):
            raise ChatopsError("the stack has no dbBootstrap output: it was deployed by an older chatops; run "
                               "`chatops up` first, then `chatops db bootstrap` again")
        try:
            return cls(cluster=spec["cluster"], task_definition=spec["taskDefinition"],
                       subnets=list(spec["subnets"]), security_groups=list(spec["securityGroups"]),
                       assign_public_ip=bool(spec["assignPublicIp"]), container=spec["container"],
                       log_group=spec["logGroup"], log_stream_prefix=spec["logStreamPrefix"])
        except (KeyError, TypeError) as exc:
            raise ChatopsError(f"the stack output dbBootstrap is incomplete ({exc}); run `chatops up` to "
                               "refresh it") from None


@dataclass
class BootstrapResult:
    task_arn: str
    exit_code: Optional[int]
    stopped_reason: str
    container_reason: str
    duration_seconds: float
    log_tail: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.exit_code == 0

    def problems(self) -> list[str]:
        if self.ok:
            return []
        if self.exit_code is None:
            why = self.container_reason or self.stopped_reason or "no exit code"
            return [f"the task stopped before its container ran to the end: {why}"]
        return [f"the bootstrap container exited with {self.exit_code}"
                + (f" ({self.container_reason})" if self.container_reason else "")]

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "problems": self.problems(), "task_arn": self.task_arn, "exit_code": self.exit_code,
                "stopped_reason": self.stopped_reason, "duration_seconds": round(self.duration_seconds, 1),
                "log_tail": self.log_tail}


Progress = Callable[[str], None]


def run_bootstrap(aws: Aws, spec: BootstrapSpec, *, timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
                  poll_seconds: float = DEFAULT_POLL_SECONDS, log_lines: int = DEFAULT_LOG_LINES,
                  progress: Progress = lambda _line: None, sleep: Callable[[float], None] = time.sleep,
                  clock: Callable[[], float] = time.monotonic) -> BootstrapResult:
    started = clock()
    task_arn = start_task(aws, spec)
    progress(f"task {task_id(task_arn)} started on {spec.cluster}")
    try:
        task = wait_until_stopped(aws, spec.cluster, task_arn, deadline=started + timeout_seconds,
                                  poll_seconds=poll_seconds, progress=progress, sleep=sleep, clock=clock)
    except KeyboardInterrupt:
        stop_task(aws, spec.cluster, task_arn, "chatops db bootstrap interrupted")
        progress(f"task {task_id(task_arn)} stopped (interrupted)")
        raise
    result = outcome(task, spec.container, duration=clock() - started)
    result.log_tail = log_tail(aws, spec, task_arn, log_lines)
    return result


def start_task(aws: Aws, spec: BootstrapSpec) -> str:
    response = aws.call("ecs", "run_task", cluster=spec.cluster, taskDefinition=spec.task_definition,
                        launchType="FARGATE", platformVersion="LATEST", count=1, startedBy=STARTED_BY,
                        networkConfiguration={"awsvpcConfiguration": {
                            "subnets": spec.subnets, "securityGroups": spec.security_groups,
                            "assignPublicIp": "ENABLED" if spec.assign_public_ip else "DISABLED"}})
    failures = response.get("failures") or []
    tasks = response.get("tasks") or []
    if failures or not tasks:
        reasons = "; ".join(f"{f.get('reason', '?')}{' (' + f['detail'] + ')' if f.get('detail') else ''}"
                            for f in failures) or "no task started"
        raise ChatopsError(f"ecs RunTask could not start the bootstrap task: {reasons}")
    return tasks[0]["taskArn"]


def wait_until_stopped(aws: Aws, cluster: str, task_arn: str, *, deadline: float, poll_seconds: float,
                       progress: Progress, sleep: Callable[[float], None],
                       clock: Callable[[], float]) -> dict[str, Any]:
    last_status = ""
    while True:
        tasks = aws.call("ecs", "describe_tasks", cluster=cluster, tasks=[task_arn]).get("tasks") or []
        if not tasks:
            raise ChatopsError(f"ecs DescribeTasks no longer knows task {task_id(task_arn)}; look for it in the "
                               f"ECS console of cluster {cluster}")
        task = tasks[0]
        status = task.get("lastStatus", "")
        if status != last_status:
            progress(f"task {task_id(task_arn)}: {status}")
            last_status = status
        if status == "STOPPED":
            return task
        if clock() >= deadline:
            stop_task(aws, cluster, task_arn, "chatops db bootstrap timed out")
            raise ChatopsError(f"the bootstrap task did not finish in time (last status {status}); it was "
                               "stopped. Its log may say why; rerun with a longer --timeout")
        sleep(poll_seconds)


def stop_task(aws: Aws, cluster: str, task_arn: str, reason: str) -> None:
    try:
        aws.call("ecs", "stop_task", cluster=cluster, task=task_arn, reason=reason)
    except AwsError:
        pass  # best effort: the caller is already reporting the failure that made it stop the task


def outcome(task: dict[str, Any], container_name: str, *, duration: float) -> BootstrapResult:
    """The exit code of the bootstrap container (None when it never ran to the end) and the reasons."""
    container = next((c for c in task.get("containers", []) if c.get("name") == container_name), {})
    exit_code = container.get("exitCode")
    return BootstrapResult(task_arn=task["taskArn"], exit_code=int(exit_code) if exit_code is not None else None,
                           stopped_reason=task.get("stoppedReason", ""), container_reason=container.get("reason", ""),
                           duration_seconds=duration)


def log_tail(aws: Aws, spec: BootstrapSpec, task_arn: str, lines: int) -> list[str]:
    """The last `lines` lines of the task's awslogs stream; empty when the container never logged (an image
    pull or secret failure stops the task before the log stream exists)."""
    stream = f"{spec.log_stream_prefix}/{spec.container}/{task_id(task_arn)}"
    try:
        events = aws.call("logs", "get_log_events", logGroupName=spec.log_group, logStreamName=stream,
                          limit=lines, startFromHead=False).get("events", [])
    except AwsError as exc:
        if exc.code == "ResourceNotFoundException":
            return []
        raise
    return [event["message"].rstrip("\n") for event in events]


def task_id(task_arn: str) -> str:
    return task_arn.rsplit("/", 1)[-1]
