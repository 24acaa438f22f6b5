"""The AWS account a deployed stack lives in, for the deploy tests: a moto server of their own (reset before
each test, so names such as `chat-prod/api` and task definition revisions start fresh), reached by chatops
through AWS_ENDPOINT_URL as a user would point it at an emulator.

The Pulumi CLI double keeps the stack's state but creates nothing in AWS. What the pulumi-aws provider would
create is put into moto here: by `DeployAws` when a test seeds a stack "as a successful `up` left it", or by
the double itself during an update, through the scenario's `effects` (`effects_for`), which run this file as
a script:

    python deploy_aws.py ecr-repository NAME
    python deploy_aws.py ecs-service CLUSTER SERVICE TASK_DEFINITION_ARN

moto does not model ECS deployments (moto/ecs/models.py: a service's one deployment is fixed when it is
created, COMPLETED when its desired count is reached, and UpdateService starts none), so a service is
created wanting no tasks: the steady state a finished rollout leaves. The rollout's phases, the circuit
breaker and its rollback are tested on recorded ECS answers (tests/aws/test_rollout.py).
"""

from __future__ import annotations

import json
import os
import sys
import urllib.request
from pathlib import Path
from typing import Any, Iterable, Optional

if __name__ == "__main__":  # run by the Pulumi CLI double as a provider's effect: find the tests package
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.support.aws_servers import REGION, create_repository, push_image  # noqa: E402

SERVICES = ("api", "realtime", "workers")


def _client(service: str, url: Optional[str] = None) -> Any:
    import boto3

    return boto3.client(service, endpoint_url=url or os.environ["AWS_ENDPOINT_URL"], region_name=REGION)


def register_task_definition(arn: str, url: Optional[str] = None) -> None:
    """Register the family the ARN names up to the revision it names."""
    ecs = _client("ecs", url)
    family, revision = arn.rsplit("/", 1)[-1].split(":")
    registered = 0
    while registered < int(revision):
        registered = int(ecs.register_task_definition(
            family=family, requiresCompatibilities=["FARGATE"], networkMode="awsvpc", cpu="256", memory="512",
            containerDefinitions=[{"name": family, "image": "x", "essential": True}],
        )["taskDefinition"]["revision"])
    if registered != int(revision):
        raise SystemExit(f"moto holds revision {registered} of {family} already, past {arn}")


def create_service(cluster: str, service: str, task_definition_arn: str, url: Optional[str] = None,
                   desired: int = 0) -> None:
    """The cluster (if missing), the task definition the ARN names, and the service running it; moto starts
    no task, so a service wanting some stays IN_PROGRESS."""
    ecs = _client("ecs", url)
    ecs.create_cluster(clusterName=cluster)
    register_task_definition(task_definition_arn, url)
    ecs.create_service(cluster=cluster, serviceName=service, taskDefinition=task_definition_arn,
                       desiredCount=desired, launchType="FARGATE")


class DeployAws:
    """The deploy tests' moto server (URL `url`)."""

    def __init__(self, url: str) -> None:
        self.url = url

    def reset(self) -> None:
        urllib.request.urlopen(urllib.request.Request(f"{self.url}/moto-api/reset", method="POST")).read()

    def push(self, tag: str, services: Iterable[str] = SERVICES, stack: str = "prod", **kwargs: Any) -> dict[str, str]:
        """`docker push` of each service's image to the stack's ECR repository; service -> digest."""
        return {s: push_image(self.url, f"chat-{stack}/{s}", tag, **kwargs) for s in services}

    def seed_services(self, outputs: dict[str, Any], desired: Optional[dict[str, int]] = None) -> None:
        """The ECS cluster and services a stack's outputs name, running the task definitions they name
        (steady: wanting no task, unless `desired` says service name -> tasks)."""
        for service in SERVICES:
            name = outputs.get(f"{service}ServiceName")
            if name:
                create_service(outputs["ecsClusterName"], name, outputs[f"{service}TaskDefinitionArn"], self.url,
                               (desired or {}).get(name, 0))

    def register_revision(self, arn: str) -> None:
        register_task_definition(arn, self.url)

    def repositories(self) -> list[str]:
        return sorted(r["repositoryName"] for r in _client("ecr", self.url).describe_repositories()["repositories"])

    def services(self, cluster: str) -> list[dict[str, Any]]:
        ecs = _client("ecs", self.url)
        names = ecs.list_services(cluster=cluster)["serviceArns"]
        return ecs.describe_services(cluster=cluster, services=names)["services"] if names else []


def effects_for(resources: list[dict[str, Any]], outputs: dict[str, Any]) -> list[dict[str, Any]]:
    """The double's `effects` for an update converging to `resources`: creating an ECR repository creates it
    in moto, creating an ECS service creates it there with the task definition the outputs name."""
    script = [sys.executable, str(Path(__file__).resolve())]
    services = {outputs.get(f"{s}ServiceName"): s for s in SERVICES}
    effects = []
    for resource in resources:
        inputs = resource.get("inputs") or {}
        if resource["type"] == "aws:ecr/repository:Repository":
            effects.append({"urn": resource["urn"], "argv": [*script, "ecr-repository", inputs["name"]]})
        elif resource["type"] == "aws:ecs/service:Service" and inputs.get("name") in services:
            role = services[inputs["name"]]
            effects.append({"urn": resource["urn"], "argv": [*script, "ecs-service", outputs["ecsClusterName"],
                                                             inputs["name"], outputs[f"{role}TaskDefinitionArn"]]})
    return effects


def main(argv: list[str]) -> int:
    if argv[:1] == ["ecr-repository"]:
        create_repository(os.environ["AWS_ENDPOINT_URL"], argv[1])
    elif argv[:1] == ["ecs-service"]:
        create_service(*argv[1:4])
    else:
        print(f"unknown effect {json.dumps(argv)}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
