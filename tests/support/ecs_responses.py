"""ECS answers as the API sends them, for the rollout state machine (chatops/aws/rollout.py).

moto does not model deployments: a service's rolloutState is fixed when it is created (from the server's
MOTO_ECS_SERVICE_RUNNING) and UpdateService starts no new deployment (moto/ecs/models.py). So the phases
of a rollout, the circuit breaker and the rollback are driven with DescribeServices / DescribeTasks bodies
written here in the wire format (JSON, timestamps in epoch seconds) with the field names of the ECS API
reference (Service, Deployment, ServiceEvent, Task, Container) and the texts ECS uses: the circuit
breaker's rolloutStateReason ("ECS deployment circuit breaker: tasks failed to start.", quoted in
aws/containers-roadmap#1488), the service event messages of the developer guide ("Amazon ECS service
event messages"), and stop codes/reasons of stopped tasks ("Amazon ECS stopped task error messages").

`parsed` runs a body through botocore's own JSON parser against the ECS service model, so the tests see
exactly what boto3 returns (datetimes, defaults), and refuses any key the model does not have.
"""

from __future__ import annotations

import json
from typing import Any, Optional

import botocore.session
from botocore.model import Shape, StructureShape
from botocore.parsers import create_parser

REGION = "us-east-1"
ACCOUNT = "123456789012"
CLUSTER = "chat-prod"
T0 = 1_767_225_600  # 2026-01-01T00:00:00Z, epoch seconds as ECS sends them


def task_definition(service: str, revision: int) -> str:
    return f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/chat-prod-{service}:{revision}"


def deployment(deployment_id: str, task_def: str, status: str, rollout: Optional[str], *, running: int = 0,
               desired: int = 2, pending: int = 0, failed: int = 0, created: int = T0,
               reason: Optional[str] = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": deployment_id, "status": status, "taskDefinition": task_def, "desiredCount": desired,
        "pendingCount": pending, "runningCount": running, "failedTasks": failed, "createdAt": created,
        "updatedAt": created + 30,
        "capacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": 1, "base": 1}],
        "platformVersion": "1.4.0", "platformFamily": "Linux",
        "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-0a1b2c3d"],
                                                         "securityGroups": ["sg-0a1b2c3d"],
                                                         "assignPublicIp": "DISABLED"}}}
    if rollout is not None:
        body["rolloutState"] = rollout
        body["rolloutStateReason"] = reason or {
            "IN_PROGRESS": f"ECS deployment {deployment_id} in progress.",
            "COMPLETED": f"ECS deployment {deployment_id} completed."}.get(rollout, "")
    return body


def event(number: int, at: int, message: str) -> dict[str, Any]:
    return {"id": f"4b7c9e2a-0000-4000-8000-{number:012d}", "createdAt": at, "message": message}


def service(name: str, deployments: list[dict[str, Any]], events: list[dict[str, Any]], *, running: int,
            desired: int = 2, pending: int = 0, status: str = "ACTIVE") -> dict[str, Any]:
    """A Service; `events` newest first, as ECS lists them."""
    primary = next(d for d in deployments if d["status"] == "PRIMARY")
    return {
        "serviceArn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/{CLUSTER}/{name}", "serviceName": name,
        "clusterArn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/{CLUSTER}", "status": status,
        "desiredCount": desired, "runningCount": running, "pendingCount": pending,
        "taskDefinition": primary["taskDefinition"], "schedulingStrategy": "REPLICA",
        "deploymentController": {"type": "ECS"},
        "deploymentConfiguration": {"deploymentCircuitBreaker": {"enable": True, "rollback": True},
                                    "maximumPercent": 200, "minimumHealthyPercent": 100},
        "deployments": deployments, "events": events, "createdAt": T0 - 86_400}


def describe_services(*services: dict[str, Any], missing: tuple[str, ...] = ()) -> dict[str, Any]:
    return parsed("DescribeServices", {"services": list(services), "failures": [
        {"arn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/{CLUSTER}/{name}", "reason": "MISSING"} for name in missing]})


def stopped_task(task_id: str, task_def: str, service_name: str, stop_code: str, reason: str, *, at: int,
                 exit_code: Optional[int] = None, container_reason: Optional[str] = None) -> dict[str, Any]:
    container: dict[str, Any] = {"containerArn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:container/{CLUSTER}/{task_id}/c1",
                                 "taskArn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:task/{CLUSTER}/{task_id}",
                                 "name": service_name.rsplit("-", 1)[-1], "lastStatus": "STOPPED"}
    if exit_code is not None:
        container["exitCode"] = exit_code
    if container_reason is not None:
        container["reason"] = container_reason
    return {"taskArn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:task/{CLUSTER}/{task_id}",
            "clusterArn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/{CLUSTER}", "taskDefinitionArn": task_def,
            "group": f"service:{service_name}", "lastStatus": "STOPPED", "desiredStatus": "STOPPED",
            "launchType": "FARGATE", "cpu": "512", "memory": "1024", "stopCode": stop_code, "stoppedReason": reason,
            "createdAt": at - 90, "stoppingAt": at - 5, "stoppedAt": at, "containers": [container]}


def describe_tasks(*tasks: dict[str, Any]) -> list[dict[str, Any]]:
    return parsed("DescribeTasks", {"tasks": list(tasks), "failures": []})["tasks"]


def parsed(operation: str, body: dict[str, Any]) -> dict[str, Any]:
    model = botocore.session.get_session().get_service_model("ecs").operation_model(operation)
    _only_model_keys(body, model.output_shape, operation)
    response = {"body": json.dumps(body).encode(), "headers": {}, "status_code": 200}
    return create_parser(model.metadata["protocol"]).parse(response, model.output_shape)


def _only_model_keys(value: Any, shape: Shape, path: str) -> None:
    if isinstance(shape, StructureShape) and isinstance(value, dict):
        for key, item in value.items():
            assert key in shape.members, f"{path}.{key} is not in the ECS model"
            _only_model_keys(item, shape.members[key], f"{path}.{key}")
    elif shape.type_name == "list" and isinstance(value, list):
        for item in value:
            _only_model_keys(item, shape.member, f"{path}[]")
