"""`chatops release`, `up --image-tag` and the first deploy, through click's CliRunner.

ECR and ECS are a real moto server (reached through AWS_ENDPOINT_URL, as a user would point chatops at an
emulator). Pulumi is faked at the driver boundary (chatops/deploy/driver.py: open_stack, run_preview,
run_up): the driver's Pulumi CLI double is not on main yet. The fake run_up does to moto what the
targeted update would do in AWS (create the stack's ECR repositories) and returns the stack outputs.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from types import SimpleNamespace

import boto3
import pytest
import yaml
from pulumi import automation as auto

from chatops.deploy import driver
from chatops.deploy.errors import DeployError
from chatops.infra.registry import registry_urns
from tests.support.aws_servers import REGION, aws_env, moto_url, push_image  # noqa: F401 (fixtures)
from tests.support.engine_events import pre

TASK_DEF_URN = "urn:pulumi:{stack}::chat::chatops:services:Services$aws:ecs/taskDefinition:TaskDefinition::api"

CONFIG = """# deployment settings
project: chat
stacks:
  {stack}:
    profile: 10k-dau   # the tier
    region: us-east-1
    domain: chat.example.com
    hosted_zone_id: Z1
    images:   # released by chatops
      api: {{}}
      realtime: {{}}
      workers: {{}}
"""


class FakeStack:
    """The reads `preview_stack` and `up` make of an opened stack: no history, no resources, no outputs."""

    def history(self, **_):
        return []

    def export_stack(self):
        return SimpleNamespace(deployment={"resources": []})

    def outputs(self):
        return {}


class Pulumi:
    """What the fakes saw: the settings each program was built with, and each update's targets."""

    def __init__(self, moto: str, stack: str) -> None:
        self.moto, self.stack = moto, stack
        self.settings: list = []
        self.updates: list = []
        self.previews = 0
        self.outputs: dict = {}
        self.fail_update = False

    def load_program(self, profile, settings):
        self.settings.append(settings)
        return lambda: None

    def open_stack(self, target, program, profile, apply_immediately=False):
        return driver.Session(target, FakeStack(), SimpleNamespace(created=False, path=None))

    def run_preview(self, session, on_event):
        self.previews += 1
        on_event(pre(1, 1, "replace", TASK_DEF_URN.format(stack=self.stack), "aws:ecs/taskDefinition:TaskDefinition",
                     planning=True, diffs=["containerDefinitions"]))

    def run_up(self, session, on_event, targets=None):
        self.updates.append(targets)
        if self.fail_update:
            raise DeployError("pulumi failed on stack prod: update failed")
        if targets is not None:  # the targeted first update creates the stack's repositories
            ecr = boto3.client("ecr", endpoint_url=self.moto, region_name=REGION)
            for service in ("api", "realtime", "workers"):
                ecr.create_repository(repositoryName=f"chat-{self.stack}/{service}")
        return SimpleNamespace(outputs={k: auto.OutputValue(v, False) for k, v in self.outputs.items()})


@pytest.fixture
def stack() -> str:
    return "s" + uuid.uuid4().hex[:8]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, moto_url: str, stack: str):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "chatops.yaml").write_text(CONFIG.format(stack=stack))
    fake = Pulumi(moto_url, stack)
    for name in ("load_program", "open_stack", "run_preview", "run_up"):
        monkeypatch.setattr(driver, name, getattr(fake, name))
    return fake


def _run(run, moto_url, *args):
    return run(*args, env={"AWS_ENDPOINT_URL": moto_url, "CHATOPS_STACK": None, "CI": "1"})


def _config(tmp_path: Path) -> str:
    return (tmp_path / "chatops.yaml").read_text()


def _push_all(moto_url: str, stack: str, tag: str, **kwargs) -> dict[str, str]:
    return {s: push_image(moto_url, f"chat-{stack}/{s}", tag, **kwargs) for s in ("api", "realtime", "workers")}


def _ecs_services(moto_url: str, stack: str, task_definition_for=lambda service, registered: registered) -> dict:
    """The cluster and services the update would have created, as stack outputs; moto keeps a service that
    wants no tasks COMPLETED, so `desiredCount=0` is a service that reached its steady state."""
    ecs = boto3.client("ecs", endpoint_url=moto_url, region_name=REGION)
    cluster = f"chat-{stack}"
    ecs.create_cluster(clusterName=cluster)
    outputs = {"ecsClusterName": cluster}
    for service in ("api", "realtime", "workers"):
        registered = ecs.register_task_definition(
            family=f"chat-{stack}-{service}", requiresCompatibilities=["FARGATE"], networkMode="awsvpc", cpu="256",
            memory="512", containerDefinitions=[{"name": service, "image": "x", "essential": True}],
        )["taskDefinition"]["taskDefinitionArn"]
        ecs.create_service(cluster=cluster, serviceName=f"chat-{stack}-{service}", desiredCount=0,
                           taskDefinition=registered, launchType="FARGATE")
        outputs[f"{service}ServiceName"] = f"chat-{stack}-{service}"
        outputs[f"{service}TaskDefinitionArn"] = task_definition_for(service, registered)
    return outputs


# -- first deploy ------------------------------------------------------------------------------------------

def test_first_up_creates_the_repositories_prints_the_push_commands_and_stops(run, project, moto_url, stack, tmp_path):
    before = _config(tmp_path)
    result = _run(run, moto_url, "up", "--yes")
    assert result.exit_code == 1
    assert project.updates == [registry_urns("chat", stack)]  # only the targeted update
    assert project.previews == 0  # no preview of a stack whose tasks could not pull
    registry = f"123456789012.dkr.ecr.{REGION}.amazonaws.com"
    out = result.stdout
    assert "TAG=$(git rev-parse --short HEAD)" in out
    assert (f"aws ecr get-login-password --region {REGION} | docker login --username AWS --password-stdin "
            f"{registry}") in out
    for service in ("api", "realtime", "workers"):
        image = f"{registry}/chat-{stack}/{service}:$TAG"
        assert f"docker tag <your {service} image> {image} && docker push {image}" in out
    assert "build for linux/amd64" in out  # 10k-dau runs x86 tasks
    assert f"chatops release --stack {stack} --tag $TAG" in result.stderr
    assert _config(tmp_path) == before


def test_second_up_without_a_release_only_prints_the_commands(run, project, moto_url, stack):
    for service in ("api", "realtime", "workers"):
        boto3.client("ecr", endpoint_url=moto_url, region_name=REGION).create_repository(
            repositoryName=f"chat-{stack}/{service}")
    result = _run(run, moto_url, "up", "--yes")
    assert result.exit_code == 1 and project.updates == [] and "docker push" in result.stdout


def test_then_release_deploys_the_pushed_images_by_digest_and_records_the_tag(run, project, moto_url, stack, tmp_path):
    _run(run, moto_url, "up", "--yes")
    digests = _push_all(moto_url, stack, "v1")
    project.outputs = _ecs_services(moto_url, stack)
    result = _run(run, moto_url, "release", "--tag", "v1", "--yes")
    assert result.exit_code == 0, result.stderr
    images = project.settings[-1].images
    assert {s: getattr(images, s).digest for s in digests} == digests  # the program deploys repo@digest
    assert project.updates[-1] is None  # a full update this time
    recorded = yaml.safe_load(_config(tmp_path))["stacks"][stack]["images"]
    assert recorded == {"api": {"tag": "v1"}, "realtime": {"tag": "v1"}, "workers": {"tag": "v1"}}
    assert "# the tier" in _config(tmp_path) and "# released by chatops" in _config(tmp_path)
    assert "All services are steady" in result.stdout


def test_up_with_a_configured_tag_missing_from_ecr_says_to_push_it(run, project, moto_url, stack, tmp_path):
    (tmp_path / "chatops.yaml").write_text(CONFIG.format(stack=stack).replace("api: {}", "api: {tag: v7}"))
    _push_all(moto_url, stack, "v1")
    result = _run(run, moto_url, "up", "--yes")
    assert result.exit_code == 1 and project.previews == 0
    assert f"chat-{stack}/api:v7 && docker push" in result.stdout
    assert "no image tagged v7" in result.stdout and "its latest tags: v1" in result.stdout


# -- release -----------------------------------------------------------------------------------------------

def test_release_of_a_tag_that_was_not_pushed_changes_nothing(run, project, moto_url, stack, tmp_path):
    _push_all(moto_url, stack, "v1")
    before = _config(tmp_path)
    result = _run(run, moto_url, "release", "--tag", "v2", "--yes")
    assert result.exit_code == 1 and project.previews == 0 and project.updates == []
    assert f"chat-{stack}/api:v2" in result.stdout and "TAG=" not in result.stdout
    assert f"chatops release --stack {stack} --tag v2" in result.stderr
    assert _config(tmp_path) == before


def test_release_of_one_service(run, project, moto_url, stack, tmp_path):
    _push_all(moto_url, stack, "v1")
    _run(run, moto_url, "release", "--tag", "v1", "--yes", "--no-wait")
    new_api = push_image(moto_url, f"chat-{stack}/api", "v2")
    result = _run(run, moto_url, "release", "--tag", "v2", "--service", "api", "--yes", "--no-wait")
    assert result.exit_code == 0, result.stderr
    assert project.settings[-1].images.api.digest == new_api
    recorded = yaml.safe_load(_config(tmp_path))["stacks"][stack]["images"]
    assert recorded == {"api": {"tag": "v2"}, "realtime": {"tag": "v1"}, "workers": {"tag": "v1"}}
    assert "--no-wait" in result.stderr and "chatops status" in result.stderr


def test_a_failed_update_leaves_chatops_yaml_unchanged(run, project, moto_url, stack, tmp_path):
    _push_all(moto_url, stack, "v1")
    before = _config(tmp_path)
    project.fail_update = True
    result = _run(run, moto_url, "release", "--tag", "v1", "--yes")
    assert result.exit_code == 1 and _config(tmp_path) == before


def test_a_rollback_fails_the_release_with_the_reason(run, project, moto_url, stack, tmp_path):
    _push_all(moto_url, stack, "v1")
    # The update registered revision 2, but ECS still runs revision 1: what a rollback leaves behind.
    project.outputs = _ecs_services(moto_url, stack, lambda service, registered: registered[:-1] + "2")
    result = _run(run, moto_url, "release", "--tag", "v1", "--yes", "--wait-timeout", "60s")
    assert result.exit_code == 1
    assert "3 service(s) did not roll out" in result.stderr and f"ECS runs chat-{stack}-api:1, not" in result.stderr
    assert "api: FAILED" in result.stdout  # one line per change outside a terminal
    assert "tag: v1" in _config(tmp_path)  # what the stack's state now holds


def test_release_refuses_a_pinned_digest_and_a_bad_tag_before_aws(run, project, moto_url, stack, tmp_path):
    pinned = CONFIG.format(stack=stack).replace("api: {}", "api: {repository: ghcr.io/acme/api, tag: '1', "
                                                             f"digest: 'sha256:{'a' * 64}'}}")
    (tmp_path / "chatops.yaml").write_text(pinned)
    result = _run(run, moto_url, "release", "--tag", "2", "--yes")
    assert result.exit_code == 2 and "images.api.digest pins an exact image" in result.stderr
    result = _run(run, moto_url, "up", "--image-tag", "-bad", "--yes")
    assert result.exit_code == 2 and "image tag '-bad'" in result.stderr
    result = _run(run, moto_url, "release", "--tag", "v1", "--wait-timeout", "soon")
    assert result.exit_code == 2 and "900s, 20m or 1h" in result.stderr
    assert project.previews == 0 and project.updates == []


def test_release_refuses_when_chatops_yaml_cannot_record_the_tag(run, project, moto_url, stack, tmp_path):
    shared = (f"project: chat\nstacks:\n  other: {{profile: dev, region: us-east-1, domain: a.example.com, "
              f"hosted_zone_id: Z1, images: &images {{api: {{tag: v0}}}}}}\n  {stack}: {{profile: 10k-dau, "
              f"region: us-east-1, domain: chat.example.com, hosted_zone_id: Z1, images: *images}}\n")
    (tmp_path / "chatops.yaml").write_text(shared)
    result = _run(run, moto_url, "release", "--tag", "v1", "--stack", stack, "--yes")
    assert result.exit_code == 1 and "shared with another stack" in result.stderr
    assert project.previews == 0 and _config(tmp_path) == shared


def test_up_image_tag_is_a_release_of_every_service(run, project, moto_url, stack, tmp_path):
    digests = _push_all(moto_url, stack, "2024.1", platforms=("linux/amd64", "linux/arm64"))
    result = _run(run, moto_url, "up", "--image-tag", "2024.1", "--yes", "--no-wait")
    assert result.exit_code == 0, result.stderr
    assert project.settings[-1].images.workers.digest == digests["workers"]
    assert yaml.safe_load(_config(tmp_path))["stacks"][stack]["images"]["workers"] == {"tag": "2024.1"}


def test_preview_shows_images_by_digest_and_says_what_is_missing(run, project, moto_url, stack, tmp_path):
    (tmp_path / "chatops.yaml").write_text(CONFIG.format(stack=stack).replace("api: {}", "api: {tag: v1}"))
    digest = push_image(moto_url, f"chat-{stack}/api", "v1")
    result = _run(run, moto_url, "preview")
    assert result.exit_code == 0, result.stderr
    assert project.settings[-1].images.api.digest == digest and project.settings[-1].images.realtime.digest is None
    assert "Images not ready" in result.stderr and "images.realtime" in result.stderr


def test_scale_to_keeps_the_running_images_by_digest_and_waits(run, project, moto_url, stack, tmp_path):
    (tmp_path / "chatops.yaml").write_text(CONFIG.format(stack=stack).replace("{}", "{tag: v1}"))
    digests = _push_all(moto_url, stack, "v1")
    project.outputs = _ecs_services(moto_url, stack)
    result = _run(run, moto_url, "scale-to", "25k", "--yes", "--wait-timeout", "60s")
    assert result.exit_code == 0, result.stderr
    assert {s: getattr(project.settings[-1].images, s).digest for s in digests} == digests
    assert "All services are steady" in result.stdout
    assert yaml.safe_load(_config(tmp_path))["stacks"][stack]["profile"] == "25k-dau"


def test_wait_timeout_durations():
    from chatops.cli.deploy_steps import DEFAULT_WAIT_TIMEOUT_SECONDS, Duration

    duration = Duration()
    assert duration.convert("20m", None, None) == DEFAULT_WAIT_TIMEOUT_SECONDS  # the --wait-timeout default
    assert [duration.convert(v, None, None) for v in ("900", "90s", "1.5h")] == [900, 90, 5400]
