"""Images in the synthesized graph: task definitions run `repo@digest` once chatops has resolved it, so a new
image is a new task definition; the first `up` targets exactly the registry component's URNs."""

from __future__ import annotations

import json

import pytest

from chatops.infra.registry import registry_urns
from chatops.infra.synth import synthesize_with_outputs
from chatops.model.loading import load_profile
from chatops.model.settings import DeploymentSettings, Images

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

DIGEST_A = "sha256:" + "a" * 64
DIGEST_B = "sha256:" + "b" * 64
TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"


def _synth(images: Images):
    settings = DeploymentSettings.placeholder(project="chat", stack="prod").model_copy(update={"images": images})
    return synthesize_with_outputs(load_profile("dev"), settings)


def _task(s, service: str) -> dict:
    (task,) = [r for r in s.resources if r["type"] == TASK_DEFINITION and r["urn"].endswith(f"::{service}")]
    return task


def _image(s, service: str) -> str:
    (container,) = json.loads(_task(s, service)["inputs"]["containerDefinitions"])
    return container["image"]


@pytest.fixture(scope="module")
def by_digest():
    return _synth(Images().with_tag("v1", ["api", "realtime", "workers"]).with_digests(
        {"api": DIGEST_A, "realtime": DIGEST_A, "workers": DIGEST_A}))


def test_resolved_digest_is_what_the_task_definition_runs(by_digest):
    for service in ("api", "realtime", "workers"):
        repository = by_digest.outputs[f"{service}RepositoryUrl"]
        assert _image(by_digest, service) == f"{repository}@{DIGEST_A}"


def test_a_new_digest_is_a_new_task_definition(by_digest):
    moved = _synth(Images().with_tag("v1", ["api", "realtime", "workers"]).with_digests(
        {"api": DIGEST_B, "realtime": DIGEST_A, "workers": DIGEST_A}))
    assert _task(moved, "api")["inputs"]["containerDefinitions"] != _task(by_digest, "api")["inputs"]["containerDefinitions"]
    assert _task(moved, "realtime")["inputs"] == _task(by_digest, "realtime")["inputs"]


def test_other_registries_by_pinned_digest_or_tag():
    s = _synth(Images(api={"repository": "ghcr.io/acme/api", "tag": "v1.2.3"},
                      realtime={"repository": "ghcr.io/acme/rt", "tag": "v7", "digest": DIGEST_B}))
    assert _image(s, "api") == "ghcr.io/acme/api:v1.2.3"
    assert _image(s, "realtime") == f"ghcr.io/acme/rt@{DIGEST_B}"
    assert _image(s, "workers").endswith("/chat-prod/workers:unreleased")  # never released: synth shows so


def test_task_definition_arns_are_outputs(by_digest):
    for service in ("api", "realtime", "workers"):
        arn = by_digest.outputs[f"{service}TaskDefinitionArn"]
        assert arn.startswith("arn:aws:ecs:") and "task-definition/" in arn


def test_registry_urns_are_the_registry_component_and_its_children(by_digest):
    component = [r for r in by_digest.resources if r["type"] == "chatops:registry:Registries"]
    assert len(component) == 1
    children = [r["urn"] for r in by_digest.resources if r["parent"] == component[0]["urn"]]
    assert sorted(registry_urns("chat", "prod")) == sorted([component[0]["urn"], *children])
    assert {r["type"] for r in by_digest.resources if r["urn"] in children} == {
        "aws:ecr/repository:Repository", "aws:ecr/lifecyclePolicy:LifecyclePolicy"}
