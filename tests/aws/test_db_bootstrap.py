"""`chatops db bootstrap` against a real moto server: RunTask, the wait for STOPPED, the log tail, the CLI."""

from __future__ import annotations

import json
import time
import urllib.request
from typing import Any

import boto3
import pytest

from chatops.aws.db_bootstrap import BootstrapSpec, outcome, run_bootstrap, task_id
from chatops.aws.session import make_aws
from chatops.errors import ChatopsError
from tests.support.aws_servers import REGION, write_config

LOG_GROUP = "/chatops/chat-prod/db-bootstrap"


def _client(moto_url: str, service: str) -> Any:
    return boto3.client(service, region_name=REGION, endpoint_url=moto_url)


def _transition(moto_url: str, times: int | None) -> None:
    """How many DescribeTasks calls each task state lasts on the moto server (None: moto's default)."""
    path = "unset-transition" if times is None else "set-transition"
    body = {"model_name": "ecs::task"}
    if times is not None:
        body["transition"] = {"progression": "manual", "times": times}
    request = urllib.request.Request(f"{moto_url}/moto-api/state-manager/{path}", data=json.dumps(body).encode(),
                                     method="POST")
    urllib.request.urlopen(request, timeout=5).read()


@pytest.fixture
def stack(moto_url) -> dict[str, Any]:
    """What `chatops up` leaves behind for the bootstrap: network, cluster, task definition, log group."""
    ec2, ecs, logs = _client(moto_url, "ec2"), _client(moto_url, "ecs"), _client(moto_url, "logs")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})  # as the program's VPC
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.100.0/24")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName="chat-prod-db-admin", Description="db bootstrap",
                                      VpcId=vpc)["GroupId"]
    ecs.create_cluster(clusterName="chat-prod-cluster")
    task_definition = ecs.register_task_definition(
        family="chat-prod-db-bootstrap", networkMode="awsvpc", requiresCompatibilities=["FARGATE"], cpu="256",
        # Container-level memory only because moto's RunTask sums it (Fargate needs just the task's).
        memory="512", containerDefinitions=[{"name": "db-bootstrap", "image": "postgres:17-alpine", "memory": 512,
                                             "essential": True}])["taskDefinition"]["taskDefinitionArn"]
    try:
        logs.create_log_group(logGroupName=LOG_GROUP)
    except logs.exceptions.ResourceAlreadyExistsException:
        pass
    spec = {"cluster": "chat-prod-cluster", "taskDefinition": task_definition, "subnets": [subnet],
            "securityGroups": [group], "assignPublicIp": False, "container": "db-bootstrap", "logGroup": LOG_GROUP,
            "logStreamPrefix": "db-bootstrap"}
    yield {"region": REGION, "ecsClusterName": "chat-prod-cluster", "dbBootstrap": spec}
    _transition(moto_url, None)


def _container_logs(moto_url: str, lines: list[str]):
    """Progress callback that, when the task starts, writes its log as the awslogs driver would."""
    logs = _client(moto_url, "logs")

    def on_progress(line: str) -> None:
        if line.startswith("task ") and line.endswith("started on chat-prod-cluster"):
            stream = f"db-bootstrap/db-bootstrap/{line.split()[1]}"
            logs.create_log_stream(logGroupName=LOG_GROUP, logStreamName=stream)
            now = int(time.time() * 1000)  # CloudWatch Logs refuses events older than 14 days
            logs.put_log_events(logGroupName=LOG_GROUP, logStreamName=stream, logEvents=[
                {"timestamp": now + i, "message": f"line {i}"} for i in range(30)])
        lines.append(line)

    return on_progress


def test_runs_the_task_in_the_stack_network_and_reports_exit_code_and_log_tail(moto_url, stack):
    progress: list[str] = []
    aws = make_aws(REGION, None, moto_url)
    result = run_bootstrap(aws, BootstrapSpec.from_outputs(stack), poll_seconds=0, log_lines=5,
                           progress=_container_logs(moto_url, progress))
    assert result.ok and result.exit_code == 0 and result.problems() == []
    # Each state the task went through was reported once, ending with STOPPED.
    statuses = [line.split(": ", 1)[1] for line in progress if ": " in line]
    assert statuses[-1] == "STOPPED" and len(statuses) >= 3 and len(set(statuses)) == len(statuses)
    assert result.log_tail == [f"line {i}" for i in range(25, 30)]
    task = _client(moto_url, "ecs").describe_tasks(cluster="chat-prod-cluster", tasks=[result.task_arn])["tasks"][0]
    assert task["startedBy"] == "chatops-db-bootstrap"
    eni_subnet = {d["name"]: d["value"] for d in task["attachments"][0]["details"]}["subnetId"]
    assert eni_subnet == stack["dbBootstrap"]["subnets"][0]


def test_a_task_that_does_not_finish_in_time_is_stopped(moto_url, stack):
    _transition(moto_url, 10_000)  # the task stays RUNNING
    ticks = iter(range(0, 10_000, 60))
    aws = make_aws(REGION, None, moto_url)
    with pytest.raises(ChatopsError, match="did not finish in time .* it was stopped"):
        run_bootstrap(aws, BootstrapSpec.from_outputs(stack), timeout_seconds=300, poll_seconds=0,
                      clock=lambda: next(ticks))
    ecs = _client(moto_url, "ecs")
    arns = ecs.list_tasks(cluster="chat-prod-cluster", desiredStatus="STOPPED")["taskArns"]
    stopped = ecs.describe_tasks(cluster="chat-prod-cluster", tasks=arns)["tasks"]
    assert any(t.get("stoppedReason") == "chatops db bootstrap timed out" for t in stopped)


def test_a_cluster_that_is_gone_is_one_line(moto_url, stack):
    stack["dbBootstrap"]["cluster"] = "no-such-cluster"
    with pytest.raises(ChatopsError, match=r"^ecs RunTask: ClusterNotFoundException"):
        run_bootstrap(make_aws(REGION, None, moto_url), BootstrapSpec.from_outputs(stack), poll_seconds=0)


def test_outputs_without_the_bootstrap_say_what_to_do():
    with pytest.raises(ChatopsError, match="run `chatops up` first"):
        BootstrapSpec.from_outputs({"ecsClusterName": "x"})


# DescribeTasks answers as AWS documents them (the shapes moto cannot produce: failed containers).
@pytest.mark.parametrize("container,problem", [
    ({"name": "db-bootstrap", "exitCode": 3}, "exited with 3"),
    ({"name": "db-bootstrap", "reason": "CannotPullContainerError: pull access denied"},
     "stopped before its container ran to the end: CannotPullContainerError"),
])
def test_failed_tasks_are_failures_with_their_reason(container, problem):
    task = {"taskArn": "arn:aws:ecs:us-east-1:123456789012:task/c/abc", "lastStatus": "STOPPED",
            "stoppedReason": "Essential container in task exited", "containers": [container]}
    result = outcome(task, "db-bootstrap", duration=12.0)
    assert not result.ok and problem in result.problems()[0]
    assert result.to_json()["ok"] is False and task_id(result.task_arn) == "abc"


def test_cli_reports_json_and_exit_code(run, moto_url, stack, tmp_path):
    config = write_config(tmp_path, stack="prod", zone_id="Z0EXAMPLE")
    outputs = tmp_path / "outputs.json"
    outputs.write_text(json.dumps(stack))
    result = run("db", "bootstrap", "--config", str(config), "--outputs-file", str(outputs),
                 "--endpoint-url", moto_url, "--poll", "0", "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    from tests.support.json_schemas import assert_valid

    assert_valid("db-bootstrap", report)
    assert report["ok"] is True and report["exit_code"] == 0 and report["stack"] == "prod"
    assert report["schema_version"] == 1 and report["problems"] == []
    assert "db bootstrap: task" in result.stderr and "STOPPED" in result.stderr


def test_cli_without_the_output_is_one_line(run, moto_url, tmp_path):
    config = write_config(tmp_path, stack="prod", zone_id="Z0EXAMPLE")
    outputs = tmp_path / "outputs.json"
    outputs.write_text(json.dumps({"ecsClusterName": "chat-prod-cluster", "region": REGION}))
    result = run("db", "bootstrap", "--config", str(config), "--outputs-file", str(outputs),
                 "--endpoint-url", moto_url)
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip().startswith("Error: the stack has no dbBootstrap output")
