"""The first deploy, `chatops release` and `up --image-tag`, end to end: the real Automation API SDK drives the
Pulumi CLI double, ECR and ECS are a real moto server (tests/support/deploy_aws.py).

The double converges to the program's own graph for 50k-dau, synthesized with the images chatops must
deploy (by digest); release goals are selected by the stack config `chatops:images`, so an update only
finds its goal when chatops handed Pulumi exactly the digests moto holds for the released tag. What the
provider would create in AWS (the ECR repositories, the ECS services) the double creates in moto through
the scenario's `effects`.
"""

from __future__ import annotations

import json
from functools import lru_cache

import pytest
import yaml

from chatops.infra.registry import registry_urns
from chatops.model.settings import ImageRef, Images
from tests.cli.test_interrupt import Chatops
from tests.conftest import SYNTH_SETTINGS
from tests.support.deploy_aws import effects_for
from tests.support.deploy_project import chatops_yaml
from tests.support.json_schemas import assert_valid
from tests.support.pulumi_double.harness import goal

SERVICES = ("api", "realtime", "workers")
REGISTRY = "123456789012.dkr.ecr.us-east-1.amazonaws.com"
TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
#: terraform-provider-aws: container_definitions is ForceNew, a new image is a new task definition
REPLACE = {TASK_DEFINITION: ["containerDefinitions"]}
UNRELEASED = chatops_yaml(images="")  # what `init` writes: no tag until the first release


@lru_cache(maxsize=None)
def _graph(images: tuple[tuple[str, str, str], ...]):
    """The program's 50k-dau graph deploying `images` ((service, tag, digest), ...), as chatops.yaml's
    stack prod (the `graphs` settings) with those images."""
    from chatops.infra.synth import synthesize_with_outputs
    from chatops.model.loading import load_profile

    refs = Images(**{s: ImageRef(tag=tag, digest=digest) for s, tag, digest in images})
    return synthesize_with_outputs(load_profile("50k-dau"), SYNTH_SETTINGS.model_copy(update={"images": refs}))


def graph(tags: dict[str, str], digests: dict[str, str]):
    return _graph(tuple((s, tags[s], digests[s]) for s in SERVICES))


def images_config(tags: dict[str, str], digests: dict[str, str]) -> str:
    """The stack config `chatops:images` an update of these images records, written out."""
    return json.dumps({s: f"chat-prod/{s}:{tags[s]}@{digests[s]}" for s in SERVICES}, sort_keys=True)


def release_goal(tags: dict[str, str], digests: dict[str, str], **outputs: str) -> dict:
    g = graph(tags, digests)
    return goal(g.resources, {"chatops:tier": "50k-dau", "chatops:images": images_config(tags, digests)},
                {**g.outputs, **outputs})


def recorded_images(project) -> dict:
    return yaml.safe_load(project.config_path.read_text())["stacks"]["prod"]["images"]


def deployed(project, desired=None):
    """Stack prod deployed with the v1 images (chatops.yaml names them; moto runs its services, steady unless
    `desired` says service name -> tasks, which moto never starts)."""
    v1 = graph(dict.fromkeys(SERVICES, "v1"), project.digests)
    project.seed(v1.resources, "50k-dau", v1.outputs, desired=desired)
    project.double.scenario(replace_keys=REPLACE)
    return project


@pytest.fixture
def prod(deploy_project):
    return deployed(deploy_project)


# -- the first deploy, from an empty account to running tasks -----------------------------------------

def test_first_deploy_creates_the_repositories_then_release_deploys_the_pushed_images(deploy_project) -> None:
    project, aws = deploy_project, deploy_project.aws
    aws.reset()  # an empty account: no repositories, no images
    project.config_path.write_text(UNRELEASED)
    first = graph(dict.fromkeys(SERVICES, "v1"), dict.fromkeys(SERVICES, None))
    project.double.scenario(goals=[goal(first.resources, {"chatops:tier": "50k-dau"}, first.outputs)],
                            effects=effects_for(first.resources, first.outputs))

    result = project.run("up", "--stack", "prod", "--yes")
    assert result.exit_code == 1, result.output
    # Only the registry component and its children, through a targeted preview and a targeted update.
    targeted = [c["argv"] for c in project.double.calls() if {"preview", "up"} & set(c["argv"])]
    assert [c for c in project.double.commands() if c in ("preview", "up")] == ["preview", "up"]
    for argv in targeted:
        assert sorted(argv[i + 1] for i, a in enumerate(argv) if a == "--target") == sorted(
            registry_urns("chat", "prod"))
    assert set(project.state()) == {*registry_urns("chat", "prod"), "urn:pulumi:prod::chat::pulumi:pulumi:Stack::chat-prod"}
    assert aws.repositories() == ["chat-prod/api", "chat-prod/realtime", "chat-prod/workers"]  # the provider's work
    assert "chatops:registry:Registries" in result.stdout and "aws:ecr/repository:Repository" in result.stdout
    out = result.stdout
    assert "TAG=$(git rev-parse --short HEAD)" in out
    assert (f"aws ecr get-login-password --region us-east-1 | docker login --username AWS --password-stdin "
            f"{REGISTRY}") in out
    for service in SERVICES:
        image = f"{REGISTRY}/chat-prod/{service}:$TAG"
        assert f"docker tag <your {service} image> {image} && docker push {image}" in out
    assert "build for linux/amd64" in out  # 50k-dau runs x86 tasks (100k-dau's Graviton ones need arm64)
    assert "then run `chatops release --stack prod --tag $TAG`" in result.stderr
    assert project.config_path.read_text() == UNRELEASED

    # Nothing of the tier runs yet: the preview prices "now" as nothing, and says why `up` would stop.
    preview = project.run("preview", "--stack", "prod", "--json")
    assert json.loads(preview.stdout)["now_monthly"] == 0, preview.output
    assert "Images not ready" in preview.stderr and "images.api: no tag released yet" in preview.stderr

    digests = aws.push("v1", platforms=("linux/amd64", "linux/arm64"))  # what the printed commands do
    tags = dict.fromkeys(SERVICES, "v1")
    project.double.forget_calls()
    project.double.scenario(goals=[release_goal(tags, digests)],
                            effects=effects_for(graph(tags, digests).resources, graph(tags, digests).outputs))
    result = project.run("release", "--stack", "prod", "--tag", "v1", "--yes", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert_valid("release", report)
    assert report["result"] == "succeeded" and report["now_monthly"] == 0 and report["after_monthly"] > 0
    assert report["changes"]["create"] > 100  # the rest of the stack
    assert [(i["service"], i["tag"], i["digest"], i["status"]) for i in report["images"]] == [
        (s, "v1", digests[s], "resolved") for s in SERVICES]
    assert report["rollout"]["outcome"] == "steady"
    assert {s["serviceName"] for s in aws.services("chat-prod-cluster")} == {"chat-prod-api", "chat-prod-realtime",
                                                                       "chat-prod-workers"}
    assert recorded_images(project) == {s: {"tag": "v1"} for s in SERVICES}
    assert "# the tier" in project.config_path.read_text()  # the rest of the file as it was
    config = project.backend.sidecar("prod")["history"][0]["config"]
    assert config["chatops:images"]["value"] == images_config(tags, digests)


def test_first_deploy_json_reports_the_repositories_and_what_is_missing(deploy_project) -> None:
    deploy_project.aws.reset()
    deploy_project.config_path.write_text(UNRELEASED)
    first = graph(dict.fromkeys(SERVICES, "v1"), dict.fromkeys(SERVICES, None))
    deploy_project.double.scenario(goals=[goal(first.resources, {"chatops:tier": "50k-dau"}, first.outputs)],
                                   effects=effects_for(first.resources, first.outputs))
    result = deploy_project.run("up", "--stack", "prod", "--yes", "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)  # the push commands went to stderr
    assert_valid("up", report)
    assert report["result"] == "failed" and "has no image to run yet" in report["problems"][0]
    assert report["changes"]["create"] == 7  # the component, three repositories, three lifecycle policies
    assert [(i["repository"], i["status"]) for i in report["images"]] == [
        (f"{REGISTRY}/chat-prod/{s}", "unreleased") for s in SERVICES]
    assert report["rollout"] is None
    assert "docker push" in result.stderr


def test_ctrl_c_during_the_first_deploy_lets_pulumi_cancel(deploy_project) -> None:
    deploy_project.aws.reset()
    deploy_project.config_path.write_text(UNRELEASED)
    first = graph(dict.fromkeys(SERVICES, "v1"), dict.fromkeys(SERVICES, None))
    deploy_project.double.scenario(goals=[goal(first.resources, {"chatops:tier": "50k-dau"}, first.outputs)],
                                   step_seconds=1.5)
    chatops = Chatops(deploy_project, "up", "--stack", "prod", "--yes")
    chatops.wait_for("create aws:ecr/repository:Repository")
    chatops.ctrl_c()
    assert chatops.finish() == 130, chatops.err
    assert "Pulumi is cancelling the update of stack prod" in chatops.err
    assert "Ctrl-C during the update of stack prod" in chatops.err and "Traceback" not in chatops.err
    assert not deploy_project.backend.locks("prod")
    assert len(deploy_project.state()) < 1 + len(registry_urns("chat", "prod"))  # stopped after what was in flight
    assert "docker push" not in "\n".join(chatops.stdout)


def test_up_with_a_configured_tag_missing_from_ecr_says_to_push_it(prod) -> None:
    prod.config_path.write_text(chatops_yaml().replace("api: {tag: v1}", "api: {tag: v7}"))
    result = prod.run("up", "--stack", "prod", "--yes")
    assert result.exit_code == 1
    assert f"{REGISTRY}/chat-prod/api:v7 && docker push" in result.stdout and "TAG=" not in result.stdout
    assert "no image tagged v7" in result.stdout and "its latest tags: v1" in result.stdout
    assert "then run `chatops up --stack prod`" in result.stderr
    assert not {"preview", "up"} & set(prod.double.commands())


def test_preview_deploys_what_it_can_resolve_by_digest_and_says_what_is_missing(prod) -> None:
    prod.config_path.write_text(chatops_yaml().replace("realtime: {tag: v1}", "realtime: {tag: v9}"))
    v1 = graph(dict.fromkeys(SERVICES, "v1"), prod.digests)
    prod.double.scenario(goals=[goal(v1.resources, {"chatops:tier": "50k-dau"}, v1.outputs)])
    result = prod.run("preview", "--stack", "prod")
    assert result.exit_code == 0, result.output
    assert "Images not ready" in result.stderr and "images.realtime: no image tagged v9" in result.stderr
    config = next(a for c in prod.double.calls() for a in c["argv"] if a.startswith("chatops:images="))
    assert json.loads(config.split("=", 1)[1]) == {
        "api": f"chat-prod/api:v1@{prod.digests['api']}", "realtime": "chat-prod/realtime:v9",
        "workers": f"chat-prod/workers:v1@{prod.digests['workers']}"}


# -- releases ------------------------------------------------------------------------------------------------

def test_release_of_one_service_rolls_out_its_new_digest_and_records_the_tag(prod, monkeypatch) -> None:
    from chatops.deploy import driver

    built = []  # the double never runs the program: check that it is built from the same images as the config
    real = driver.load_program
    monkeypatch.setattr(driver, "load_program", lambda profile, settings: built.append(settings) or real(profile,
                                                                                                          settings))
    v2 = prod.aws.push("v2", services=["api"])["api"]
    tags, digests = {**dict.fromkeys(SERVICES, "v1"), "api": "v2"}, {**prod.digests, "api": v2}
    prod.double.scenario(goals=[release_goal(tags, digests)])
    result = prod.run("release", "--stack", "prod", "--tag", "v2", "--service", "api", "--yes", "--json")
    assert result.exit_code == 0, result.output
    assert [(getattr(built[-1].images, s).tag, getattr(built[-1].images, s).digest) for s in SERVICES] == [
        (tags[s], digests[s]) for s in SERVICES]
    report = json.loads(result.stdout)
    assert_valid("release", report)
    # the new digest is a new task definition: a replacement of the api's alone
    assert [(r["name"], r["type"], r["reasons"]) for r in report["replacements"]] == [
        ("api", TASK_DEFINITION, ["containerDefinitions"])]
    assert report["images"][0]["digest"] == v2 and report["images"][1]["digest"] == prod.digests["realtime"]
    assert report["rollout"]["outcome"] == "steady" and report["ok"]
    assert recorded_images(prod) == {"api": {"tag": "v2"}, "realtime": {"tag": "v1"}, "workers": {"tag": "v1"}}
    assert "released by chatops" in prod.config_path.read_text()  # comments kept


def test_up_image_tag_releases_every_service(prod) -> None:
    digests = prod.aws.push("2024.1", platforms=("linux/amd64", "linux/arm64"))
    tags = dict.fromkeys(SERVICES, "2024.1")
    prod.double.scenario(goals=[release_goal(tags, digests)])
    result = prod.run("up", "--stack", "prod", "--image-tag", "2024.1", "--yes", "--no-wait")
    assert result.exit_code == 0, result.output
    assert recorded_images(prod) == {s: {"tag": "2024.1"} for s in SERVICES}
    assert "--no-wait" in result.stderr and "chatops status --stack prod --watch 10" in result.stderr
    assert "Waiting for the services" not in result.output


def test_a_new_tag_for_the_same_image_changes_nothing_and_is_recorded(prod) -> None:
    same = prod.aws.push("v1.0", build="v1")  # the v1 build, tagged again
    assert same == prod.digests
    tags = dict.fromkeys(SERVICES, "v1.0")
    prod.double.scenario(goals=[release_goal(tags, same)])
    result = prod.run("release", "--stack", "prod", "--tag", "v1.0", "--yes", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["result"] == "no-changes" and report["rollout"] is None
    assert "up" not in prod.double.commands()
    assert recorded_images(prod) == {s: {"tag": "v1.0"} for s in SERVICES}


def test_a_tag_that_was_not_pushed_changes_nothing(prod) -> None:
    before = prod.config_path.read_text()
    result = prod.run("release", "--stack", "prod", "--tag", "v2", "--service", "api", "--yes")
    assert result.exit_code == 1
    assert f"{REGISTRY}/chat-prod/api:v2 && docker push" in result.stdout
    assert "chat-prod/realtime" not in result.stdout.split("Push the images")[1]  # only what is missing
    assert "then run `chatops release --stack prod --tag v2 --service api`" in result.stderr
    assert prod.double.calls() == [] and prod.config_path.read_text() == before


def test_a_failed_update_leaves_chatops_yaml_unchanged(prod) -> None:
    digests = prod.aws.push("v2")
    tags = dict.fromkeys(SERVICES, "v2")
    replaced = f"urn:pulumi:prod::chat::chatops:services:Services${TASK_DEFINITION}::api"
    prod.double.scenario(goals=[release_goal(tags, digests)], failures=[{
        "urn": replaced, "op": "create-replacement", "message": (
            "creating ECS Task Definition (chat-prod-api): operation error ECS: RegisterTaskDefinition, "
            "ClientException: Too many concurrent attempts to create a new revision of the specified family.")}])
    before = prod.config_path.read_text()
    result = prod.run("release", "--stack", "prod", "--tag", "v2", "--yes")
    assert result.exit_code == 1, result.output
    assert "Too many concurrent attempts" in result.stderr and "unchanged" in result.stderr
    assert "rerun `chatops release --stack prod --tag v2`" in result.stderr  # the command that failed, not up
    assert prod.config_path.read_text() == before
    assert "Waiting for the services" not in result.output


# -- the rollout wait -----------------------------------------------------------------------------------------

def test_a_rollback_fails_the_release_with_the_reason(prod) -> None:
    digests = prod.aws.push("v2")
    tags = dict.fromkeys(SERVICES, "v2")
    # The update registered revision 2 of the api's task definition, but ECS runs revision 1: what the
    # circuit breaker's rollback leaves behind (moto does not run deployments; tests/aws/test_rollout.py
    # has the circuit breaker's own answers).
    new_api = "arn:aws:ecs:us-east-1:123456789012:task-definition/chat-prod-api:2"
    prod.aws.register_revision(new_api)
    prod.double.scenario(goals=[release_goal(tags, digests, apiTaskDefinitionArn=new_api)])
    result = prod.run("release", "--stack", "prod", "--tag", "v2", "--yes", "--wait-timeout", "60s", "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert_valid("release", report)
    assert report["result"] == "failed" and report["rollout"]["outcome"] == "failed"
    api = report["rollout"]["services"][0]
    assert api["phase"] == "failed" and "ECS runs chat-prod-api:1, not chat-prod-api:2" in api["reason"]
    assert [s["phase"] for s in report["rollout"]["services"][1:]] == ["steady", "steady"]
    assert "1 service(s) did not roll out" in report["problems"][0]
    assert "api: FAILED" in result.stderr  # progress lines on stderr with --json
    assert recorded_images(prod) == {s: {"tag": "v2"} for s in SERVICES}  # what the stack's state now holds


def test_services_not_steady_in_time_exit_1_with_where_they_are(deploy_project) -> None:
    prod = deployed(deploy_project, desired={"chat-prod-realtime": 2})  # moto starts none: never steady
    digests = prod.aws.push("v2")
    prod.double.scenario(goals=[release_goal(dict.fromkeys(SERVICES, "v2"), digests)])
    result = prod.run("release", "--stack", "prod", "--tag", "v2", "--yes", "--wait-timeout", "1s")
    assert result.exit_code == 1, result.output
    assert "services not steady after 1s (realtime 0/2)" in result.stderr
    assert "chatops status --stack prod --watch 10" in result.stderr
    assert "realtime: 0/2 running" in result.stdout


def test_ctrl_c_during_the_wait_says_the_update_is_applied(deploy_project) -> None:
    prod = deployed(deploy_project, desired={"chat-prod-api": 1})
    digests = prod.aws.push("v2")
    prod.double.scenario(goals=[release_goal(dict.fromkeys(SERVICES, "v2"), digests)])
    chatops = Chatops(prod, "release", "--stack", "prod", "--tag", "v2", "--yes")
    chatops.wait_for("api: 0/1 running")
    chatops.ctrl_c()
    assert chatops.finish() == 130, chatops.err
    assert "stopped waiting for the services of stack prod: the update is applied" in chatops.err
    assert "Traceback" not in chatops.err
    assert recorded_images(prod) == {s: {"tag": "v2"} for s in SERVICES}


# -- refused before anything runs -------------------------------------------------------------------------

def test_a_pinned_digest_or_a_bad_tag_is_refused_before_aws(deploy_project) -> None:
    pinned = chatops_yaml().replace("api: {tag: v1}", f"api: {{repository: ghcr.io/acme/api, digest: 'sha256:{'a' * 64}'}}")
    deploy_project.config_path.write_text(pinned)
    result = deploy_project.run("release", "--stack", "prod", "--tag", "2", "--yes")
    assert result.exit_code == 2 and "images.api.digest pins an exact image" in result.stderr
    result = deploy_project.run("up", "--stack", "prod", "--image-tag", "-bad", "--yes")
    assert result.exit_code == 2 and "image tag '-bad'" in result.stderr
    result = deploy_project.run("release", "--stack", "prod", "--tag", "v1", "--wait-timeout", "soon")
    assert result.exit_code == 2 and "900s, 20m or 1h" in result.stderr
    assert deploy_project.double.calls() == []


def test_chatops_yaml_that_cannot_record_the_tag_stops_before_anything(deploy_project) -> None:
    shared = chatops_yaml().replace("    images:   # released by chatops\n", "    images: &images\n") + (
        "  staging: {profile: dev, region: us-east-1, domain: staging.example.com, hosted_zone_id: Z1, "
        "images: *images}\n")
    deploy_project.config_path.write_text(shared)
    result = deploy_project.run("release", "--stack", "prod", "--tag", "v2", "--yes")
    assert result.exit_code == 1, result.output
    assert "would also change other values" in result.stderr
    assert deploy_project.double.calls() == [] and deploy_project.config_path.read_text() == shared


def test_scale_to_never_takes_the_first_deploy_path(deploy_project, graphs, synth_cache) -> None:
    deploy_project.config_path.write_text(chatops_yaml("25k-dau"))
    deploy_project.seed(graphs["25k-dau"].resources, "25k-dau")
    deploy_project.aws.reset()  # the repositories are gone (or the stack predates them)
    result = deploy_project.run("scale-to", "50k", "--stack", "prod", "--yes")
    assert result.exit_code == 1, result.output
    assert "has no image repositories yet; the first `chatops up --stack prod` creates them" in result.stderr
    assert not {"preview", "up", "stack init"} & set(deploy_project.double.commands())
    assert deploy_project.aws.repositories() == []


def test_wait_timeout_durations() -> None:
    from chatops.cli.deploy_steps import DEFAULT_WAIT_TIMEOUT_SECONDS, Duration

    duration = Duration()
    assert duration.convert("20m", None, None) == DEFAULT_WAIT_TIMEOUT_SECONDS  # the --wait-timeout default
    assert [duration.convert(v, None, None) for v in ("900", "90s", "1.5h")] == [900, 90, 5400]
