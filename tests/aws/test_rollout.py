"""The ECS rollout wait.

The state machine (judge, RolloutWatch) is driven with DescribeServices / DescribeTasks answers in the ECS
wire format, parsed by botocore (tests/support/ecs_responses.py): moto does not model deployments, rollout
states, the circuit breaker or rollbacks. The polling (observe, wait_for_rollout) runs against a real moto
server for what moto does model: services, their single deployment, stopped tasks with their reasons.
"""

from __future__ import annotations

import uuid

import boto3
import pytest

from chatops.aws.rollout import RolloutWatch, ServiceTarget, judge, wait_for_rollout
from chatops.aws.session import AwsError, make_aws
from tests.support import ecs_responses as ecs
from tests.support.aws_servers import REGION

API = "chat-prod-api"
OLD, NEW = ecs.task_definition("api", 6), ecs.task_definition("api", 7)
TARGET = ServiceTarget("api", API, NEW)
CIRCUIT_BREAKER = "ECS deployment circuit breaker: tasks failed to start."
PULL_ERROR = (f"CannotPullContainerError: pull image manifest has been retried 7 time(s): failed to resolve ref "
              f"123456789012.dkr.ecr.us-east-1.amazonaws.com/chat-prod/api@sha256:{'e' * 64}: not found")


def _services(*services):
    return ecs.describe_services(*services)["services"]


def _one(*args, **kwargs):
    return _services(ecs.service(API, *args, **kwargs))[0]


# -- judge: one DescribeServices answer -----------------------------------------------------------------

def test_new_deployment_in_progress_next_to_the_old_one():
    svc = _one([ecs.deployment("ecs-svc/2", NEW, "PRIMARY", "IN_PROGRESS", running=1, pending=1),
                ecs.deployment("ecs-svc/1", OLD, "ACTIVE", "COMPLETED", running=2)], [], running=3)
    state = judge(TARGET, svc)
    assert state.phase == "in_progress" and state.rollout_state == "IN_PROGRESS" and state.running == 3


def test_steady_when_ours_completed_alone():
    svc = _one([ecs.deployment("ecs-svc/2", NEW, "PRIMARY", "COMPLETED", running=2)], [], running=2)
    assert judge(TARGET, svc).phase == "steady"


def test_completed_but_old_tasks_still_draining_is_not_steady():
    svc = _one([ecs.deployment("ecs-svc/2", NEW, "PRIMARY", "COMPLETED", running=2),
                ecs.deployment("ecs-svc/1", OLD, "ACTIVE", "COMPLETED", running=1)], [], running=3)
    assert judge(TARGET, svc).phase == "in_progress"


def test_circuit_breaker_tripped_while_rolling_back():
    svc = _one([ecs.deployment("ecs-svc/3", OLD, "PRIMARY", "IN_PROGRESS", running=1, pending=1),
                ecs.deployment("ecs-svc/2", NEW, "ACTIVE", "FAILED", failed=3, reason=CIRCUIT_BREAKER)],
               [], running=1, pending=1)
    state = judge(TARGET, svc)
    assert state.phase == "failed" and state.failed_tasks == 3
    assert state.reason == f"{CIRCUIT_BREAKER}; ECS is rolling back to chat-prod-api:6"


def test_rolled_back_and_steady_again_is_a_failure():
    # What a service looks like once ECS finished the rollback: steady, on the OLD task definition.
    svc = _one([ecs.deployment("ecs-svc/3", OLD, "PRIMARY", "COMPLETED", running=2)], [
        ecs.event(4, ecs.T0 + 400, f"(service {API}) has reached a steady state."),
        ecs.event(3, ecs.T0 + 300, f"(service {API}) rolling back to deployment ecs-svc/1."),
        ecs.event(2, ecs.T0 + 290, f"(service {API}) (deployment ecs-svc/2) deployment failed: tasks failed to start."),
    ], running=2)
    state = judge(TARGET, svc)
    assert state.phase == "failed"
    assert "ECS runs chat-prod-api:6, not chat-prod-api:7" in state.reason and "rolling back" in state.reason


def test_circuit_breaker_without_rollback():
    svc = _one([ecs.deployment("ecs-svc/2", NEW, "PRIMARY", "FAILED", failed=3, reason=CIRCUIT_BREAKER)], [], running=0)
    state = judge(TARGET, svc)
    assert state.phase == "failed" and state.reason == CIRCUIT_BREAKER


def test_without_rollout_state_the_waiter_rule_applies():
    svc = _one([ecs.deployment("ecs-svc/2", NEW, "PRIMARY", None, running=2)], [], running=2)
    assert judge(TARGET, svc).phase == "steady"
    svc = _one([ecs.deployment("ecs-svc/2", NEW, "PRIMARY", None, running=1)], [], running=1)
    assert judge(TARGET, svc).phase == "in_progress"


def test_unknown_expected_task_definition_judges_the_primary():
    svc = _one([ecs.deployment("ecs-svc/2", NEW, "PRIMARY", "FAILED", reason=CIRCUIT_BREAKER)], [], running=0)
    assert judge(ServiceTarget("api", API), svc).phase == "failed"


def test_missing_or_draining_service_fails():
    assert judge(TARGET, None).phase == "failed"
    svc = _one([ecs.deployment("ecs-svc/2", NEW, "PRIMARY", "COMPLETED", running=0)], [], running=0,
               status="DRAINING")
    assert judge(TARGET, svc).reason == "the service is DRAINING"


# -- RolloutWatch: a sequence of polls ------------------------------------------------------------------

def test_a_failing_rollout_reports_each_change_once_then_fails():
    watch = RolloutWatch([TARGET])
    before = ecs.event(1, ecs.T0 - 600, f"(service {API}) has reached a steady state.")  # the previous deployment
    started = ecs.event(2, ecs.T0 + 5, f"(service {API}) has started 2 tasks: (task a1) (task b2).")
    poll1 = _one([ecs.deployment("ecs-svc/2", NEW, "PRIMARY", "IN_PROGRESS", pending=2),
                  ecs.deployment("ecs-svc/1", OLD, "ACTIVE", "COMPLETED", running=2)], [started, before],
                 running=2, pending=2)
    changes = watch.update([poll1], {})
    assert [c.kind for c in changes] == ["event", "state"] and changes[0].message == started["message"]
    assert not watch.done

    pull_failed = ecs.describe_tasks(
        ecs.stopped_task("a1", NEW, API, "TaskFailedToStart", PULL_ERROR, at=ecs.T0 + 60),
        ecs.stopped_task("0ld", OLD, API, "ServiceSchedulerInitiated", "Scaling activity initiated by (deployment "
                         "ecs-svc/2)", at=ecs.T0 + 50))
    changes = watch.update([poll1], {"api": pull_failed})
    assert [c.kind for c in changes] == ["stopped"]  # no new state, no repeated event, not the old task
    assert changes[0].task.task_id == "a1" and changes[0].task.stop_code == "TaskFailedToStart"
    assert changes[0].task.reason.startswith("CannotPullContainerError")
    assert watch.update([poll1], {"api": pull_failed}) == []  # nothing new

    tripped = _one([ecs.deployment("ecs-svc/3", OLD, "PRIMARY", "IN_PROGRESS", running=2),
                    ecs.deployment("ecs-svc/2", NEW, "ACTIVE", "FAILED", failed=3, reason=CIRCUIT_BREAKER)],
                   [ecs.event(3, ecs.T0 + 300, f"(service {API}) rolling back to deployment ecs-svc/1."), started,
                    before], running=2)
    changes = watch.update([tripped], {})
    assert [c.kind for c in changes] == ["event", "state"] and changes[1].state.phase == "failed"
    assert watch.done and [s.role for s in watch.failed()] == ["api"]


def test_crashing_container_shows_its_exit_code():
    watch = RolloutWatch([TARGET])
    svc = _one([ecs.deployment("ecs-svc/2", NEW, "PRIMARY", "IN_PROGRESS", running=1)], [], running=1, desired=2)
    crashed = ecs.describe_tasks(ecs.stopped_task("c3", NEW, API, "EssentialContainerExited",
                                                  "Essential container in task exited", at=ecs.T0 + 90, exit_code=1))
    (stopped,) = [c for c in watch.update([svc], {"api": crashed}) if c.kind == "stopped"]
    assert stopped.task.containers == (("api", 1, ""),)


def test_services_finish_independently():
    realtime = ServiceTarget("realtime", "chat-prod-realtime", ecs.task_definition("realtime", 3))
    watch = RolloutWatch([TARGET, realtime])
    api_done = ecs.service(API, [ecs.deployment("ecs-svc/2", NEW, "PRIMARY", "COMPLETED", running=2)], [], running=2)
    rt_busy = ecs.service("chat-prod-realtime", [ecs.deployment("ecs-svc/9", realtime.task_definition, "PRIMARY",
                                                                "IN_PROGRESS", running=1)], [], running=1)
    watch.update(_services(api_done, rt_busy), {})
    assert [t.role for t in watch.pending_targets()] == ["realtime"] and not watch.done
    rt_done = ecs.service("chat-prod-realtime", [ecs.deployment("ecs-svc/9", realtime.task_definition, "PRIMARY",
                                                                "COMPLETED", running=2)], [], running=2)
    watch.update(_services(rt_done), {})
    assert watch.done and not watch.failed()


def test_a_missing_service_in_the_answer_fails():
    watch = RolloutWatch([TARGET])
    (change,) = watch.update(ecs.describe_services(missing=(API,))["services"], {})
    assert change.state.phase == "failed" and "not found" in change.state.reason


# -- polling against moto -------------------------------------------------------------------------------

@pytest.fixture
def cluster(moto_url):
    """A moto cluster with one task definition per service; moto keeps a service's single deployment at
    COMPLETED when it wants no tasks (desiredCount 0) and IN_PROGRESS otherwise."""
    name = "c" + uuid.uuid4().hex[:8]
    ecs_client = boto3.client("ecs", endpoint_url=moto_url, region_name=REGION)
    ecs_client.create_cluster(clusterName=name)
    return name, ecs_client


def _register(ecs_client, family: str) -> str:
    return ecs_client.register_task_definition(
        family=family, requiresCompatibilities=["FARGATE"], networkMode="awsvpc", cpu="256", memory="512",
        containerDefinitions=[{"name": "api", "image": "api@sha256:" + "1" * 64, "essential": True, "memory": 512}],
    )["taskDefinition"]["taskDefinitionArn"]


def test_wait_returns_when_every_service_is_steady(moto_url, cluster):
    name, ecs_client = cluster
    td = _register(ecs_client, f"{name}-api")
    ecs_client.create_service(cluster=name, serviceName="api", taskDefinition=td, desiredCount=0, launchType="FARGATE")
    seen = []
    result = wait_for_rollout(make_aws(REGION, endpoint_url=moto_url), name, [ServiceTarget("api", "api", td)],
                              lambda changes, watch: seen.extend(changes), timeout_seconds=30, sleep=lambda s: None)
    assert result.outcome == "steady" and result.services[0].phase == "steady"
    assert [c.kind for c in seen] == ["state"]


def test_wait_times_out_and_reports_where_each_service_is(moto_url, cluster):
    name, ecs_client = cluster
    td = _register(ecs_client, f"{name}-api")
    ecs_client.create_service(cluster=name, serviceName="api", taskDefinition=td, desiredCount=2, launchType="FARGATE")
    result = wait_for_rollout(make_aws(REGION, endpoint_url=moto_url), name, [ServiceTarget("api", "api", td)],
                              lambda changes, watch: None, timeout_seconds=0, sleep=lambda s: None)
    assert result.outcome == "timeout"
    assert (result.services[0].phase, result.services[0].running, result.services[0].desired) == ("in_progress", 0, 2)


def test_a_service_on_another_task_definition_fails(moto_url, cluster):
    name, ecs_client = cluster
    old = _register(ecs_client, f"{name}-api")
    new = _register(ecs_client, f"{name}-api")
    ecs_client.create_service(cluster=name, serviceName="api", taskDefinition=old, desiredCount=0, launchType="FARGATE")
    result = wait_for_rollout(make_aws(REGION, endpoint_url=moto_url), name, [ServiceTarget("api", "api", new)],
                              lambda changes, watch: None, timeout_seconds=30, sleep=lambda s: None)
    assert result.outcome == "failed" and "not " + new.rsplit("/", 1)[-1] in result.failed[0].reason


def test_stopped_tasks_of_the_new_task_definition_are_reported(moto_url, cluster):
    name, ecs_client = cluster
    td = _register(ecs_client, f"{name}-api")
    ecs_client.create_service(cluster=name, serviceName="api", taskDefinition=td, desiredCount=1, launchType="FARGATE")
    # moto cannot start an awsvpc task (its ENI lacks private_dns_name); a bridge-mode task of another family
    # stands in as the service's stopped task: the group names the service, the task definition is ours.
    runnable = ecs_client.register_task_definition(
        family=f"{name}-runnable", networkMode="bridge", cpu="256", memory="512",
        containerDefinitions=[{"name": "api", "image": "api", "essential": True, "memory": 512}],
    )["taskDefinition"]["taskDefinitionArn"]
    (task,) = ecs_client.run_task(cluster=name, taskDefinition=runnable, launchType="FARGATE",
                                  group="service:api")["tasks"]
    ecs_client.stop_task(cluster=name, task=task["taskArn"], reason="Essential container in task exited")
    seen = []
    wait_for_rollout(make_aws(REGION, endpoint_url=moto_url), name, [ServiceTarget("api", "api", runnable)],
                     lambda changes, watch: seen.extend(changes), timeout_seconds=0, sleep=lambda s: None)
    (stopped,) = [c for c in seen if c.kind == "stopped"]
    assert stopped.task.reason == "Essential container in task exited"
    assert stopped.task.task_id == task["taskArn"].rsplit("/", 1)[-1]
    other = []
    wait_for_rollout(make_aws(REGION, endpoint_url=moto_url), name, [ServiceTarget("api", "api", td)],
                     lambda changes, watch: other.extend(changes), timeout_seconds=0, sleep=lambda s: None)
    assert not [c for c in other if c.kind == "stopped"]  # another task definition's task is not ours


def test_failing_polls_are_reported_then_raised(fault_server):
    seen = []
    # (An error botocore does not retry itself keeps the test fast; throttling takes the same path after
    # botocore's own retries.)
    aws = make_aws(REGION, endpoint_url=fault_server(400, "AccessDeniedException"))
    with pytest.raises(AwsError, match="grant ecs:DescribeServices"):
        wait_for_rollout(aws, "c", [TARGET], lambda changes, watch: seen.extend(changes), timeout_seconds=600,
                         poll_seconds=0, sleep=lambda s: None)
    assert [c.kind for c in seen] == ["poll_error", "poll_error"]  # the third failure in a row raises
