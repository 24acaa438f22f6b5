"""The offline replacement rules the provider's plans showed missing (tests/infra/test_provider_scale.py)."""

from __future__ import annotations

from chatops.deploy.replacements import plan_between

SERVICE = "aws:ecs/service:Service"
URN = "urn:pulumi:prod::chat::x"


def _step(type_token: str, before: dict, after: dict):
    old = [{"urn": URN, "type": type_token, "inputs": before}]
    new = [{"urn": URN, "type": type_token, "inputs": after}]
    return plan_between(old, new).changes[URN]


def test_a_task_definition_is_a_new_revision_for_any_change_but_its_tags():
    change = _step("aws:ecs/taskDefinition:TaskDefinition", {"cpu": "256", "tags": {"tier": "dev"}},
                   {"cpu": "512", "tags": {"tier": "1k-dau"}})
    assert (change.op, change.keys) == ("replace", ("cpu",))
    assert _step("aws:ecs/taskDefinition:TaskDefinition", {"tags": {"tier": "dev"}}, {"tags": {}}).op == "update"


def test_a_new_secret_value_is_a_new_secret_version():
    change = _step("aws:secretsmanager/secretVersion:SecretVersion", {"secretString": "a"}, {"secretString": "b"})
    assert change.op == "replace"


FARGATE = [{"capacityProvider": "FARGATE", "weight": 1, "base": 1}]
SPOT = [{"capacityProvider": "FARGATE_SPOT", "weight": 1, "base": 0}]


def test_a_strategy_change_replaces_a_service_without_force_new_deployment():
    assert _step(SERVICE, {"capacityProviderStrategies": SPOT}, {"capacityProviderStrategies": FARGATE}).op == "replace"


def test_with_force_new_deployment_a_strategy_change_updates_the_service():
    before = {"capacityProviderStrategies": SPOT, "forceNewDeployment": True}
    after = {"capacityProviderStrategies": FARGATE, "forceNewDeployment": True}
    assert _step(SERVICE, before, after).op == "update"
    assert _step(SERVICE, {"forceNewDeployment": True}, after).op == "replace"   # from no strategy at all
