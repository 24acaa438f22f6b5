"""scale-to: tier recorded in place, disruption list, stateful guard, offline plans between tiers."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatops.deploy import scale
from chatops.deploy.record import PendingRecord
from chatops.deploy.replacements import plan_between
from chatops.errors import ChatopsError
from chatops.model.config_file import load_config
from chatops.model.loading import BUILTIN_TIERS, load_profile
from chatops.model.settings import DeploymentSettings

YAML = """# my settings
project: chat
stacks:
  staging:
    profile: 1k-dau   # small
    region: eu-central-1
    domain: staging.example.com
    hosted_zone_id: Z1
  prod:
    region: eu-central-1
    profile: "10k-dau"   # keep this comment
    domain: chat.example.com
    hosted_zone_id: Z1
"""


def test_the_record_is_prepared_before_and_written_after(tmp_path: Path) -> None:
    path = tmp_path / "chatops.yaml"
    path.write_text(YAML)
    record = PendingRecord.prepare(path, "prod", {("profile",): "25k-dau"})
    assert path.read_text() == YAML  # nothing written yet
    assert record.write() is None
    config, _ = load_config(str(path))
    assert config.stacks["prod"].profile == "25k-dau" and config.stacks["staging"].profile == "1k-dau"
    assert "# keep this comment" in path.read_text() and path.read_text().startswith("# my settings")


def test_the_record_follows_a_file_edited_during_the_update(tmp_path: Path) -> None:
    path = tmp_path / "chatops.yaml"
    path.write_text(YAML)
    record = PendingRecord.prepare(path, "prod", {("profile",): "25k-dau"})
    path.write_text(YAML.replace("staging.example.com", "stage.example.com"))  # someone edits meanwhile
    assert record.write() is None
    config, _ = load_config(str(path))
    assert config.stacks["prod"].profile == "25k-dau" and config.stacks["staging"].domain == "stage.example.com"


def test_a_record_that_cannot_be_written_says_what_to_set_by_hand(tmp_path: Path) -> None:
    path = tmp_path / "chatops.yaml"
    path.write_text(YAML)
    record = PendingRecord.prepare(path, "prod", {("profile",): "25k-dau"})
    path.write_text("stacks: [broken")
    warning = record.write()
    assert warning is not None and "set stacks.prod.profile = 25k-dau by hand" in warning


def test_a_missing_stack_cannot_be_recorded(tmp_path: Path) -> None:
    path = tmp_path / "chatops.yaml"
    path.write_text(YAML)
    with pytest.raises(ChatopsError, match="stacks.qa"):
        PendingRecord.prepare(path, "qa", {("profile",): "25k-dau"})


def test_disruptions_between_tiers() -> None:
    for small, big in zip(BUILTIN_TIERS, BUILTIN_TIERS[1:]):
        a, b = load_profile(small), load_profile(big)
        items = scale.disruptions(a, b, apply_immediately=False)
        if a.database.instance_class != b.database.instance_class:
            assert any(i.what.startswith("database class") and i.when == scale.WINDOW for i in items)
        if a.database.multi_az != b.database.multi_az:
            assert any("Multi-AZ" in i.what for i in items)
        # scaling down lists the same kinds of disruption
        assert len(scale.disruptions(b, a, apply_immediately=True)) == len(items)
    assert all(i.when in (scale.NOW, "during the update")
               for i in scale.disruptions(load_profile("dev"), load_profile("100k-dau"), True))


def _graph(db_inputs: dict, queue_name: str = "push") -> list[dict]:
    return [
        {"urn": "urn:pulumi:s::p::pulumi:pulumi:Stack::p-s", "type": "pulumi:pulumi:Stack", "inputs": {}},
        {"urn": "urn:pulumi:s::p::aws:rds/instance:Instance::db", "type": "aws:rds/instance:Instance",
         "inputs": db_inputs, "protect": True},
        {"urn": f"urn:pulumi:s::p::aws:sqs/queue:Queue::{queue_name}", "type": "aws:sqs/queue:Queue",
         "inputs": {"name": queue_name}},
    ]


def test_plan_between_synthetic_graphs() -> None:
    before = _graph({"instanceClass": "db.t4g.medium", "storageEncrypted": True})
    resized = plan_between(before, _graph({"instanceClass": "db.r6g.large", "storageEncrypted": True}))
    [change] = resized.changes.values()
    assert change.op == "update" and change.keys == ("instanceClass",)
    scale.stateful_guard(resized, allow_replace=False)  # an in-place resize passes the guard

    replaced = plan_between(before, _graph({"instanceClass": "db.t4g.medium", "storageEncrypted": False},
                                           queue_name="offline"))
    ops = {c.name: (c.op, c.keys) for c in replaced.changes.values()}
    assert ops == {"db": ("replace", ("storageEncrypted",)), "offline": ("create", ()), "push": ("delete", ())}
    with pytest.raises(ChatopsError, match="--allow-replace") as info:
        scale.stateful_guard(replaced, allow_replace=False)
    assert "db (replace: storageEncrypted" in str(info.value) and "push (delete" in str(info.value)
    scale.stateful_guard(replaced, allow_replace=True)


@pytest.mark.parametrize("type_token,before,after,op", [
    # Forced by the provider schema (terraform-provider-aws ForceNew), as pulumi-aws shows them.
    ("aws:rds/parameterGroup:ParameterGroup", {"description": "a"}, {"description": "b"}, "replace"),
    ("aws:elasticache/parameterGroup:ParameterGroup", {"family": "redis7"}, {"family": "valkey8"}, "replace"),
    ("aws:rds/proxy:Proxy", {"vpcSubnetIds": ["a", "b"]}, {"vpcSubnetIds": ["a", "c"]}, "replace"),
    ("aws:backup/vault:Vault", {"region": "eu-west-1"}, {"region": "eu-central-1"}, "replace"),
    # Updated in place.
    ("aws:rds/proxy:Proxy", {"name": "a"}, {"name": "b"}, "update"),
    ("aws:rds/proxy:Proxy", {"vpcSecurityGroupIds": ["a"]}, {"vpcSecurityGroupIds": ["b"]}, "update"),
    ("aws:rds/subnetGroup:SubnetGroup", {"subnetIds": ["a"]}, {"subnetIds": ["a", "b"]}, "update"),
    ("aws:elasticache/replicationGroup:ReplicationGroup", {"nodeType": "cache.t3.medium"},
     {"nodeType": "cache.m6g.large"}, "update"),
])
def test_replacement_follows_the_provider_schema(type_token: str, before: dict, after: dict, op: str) -> None:
    def graph(inputs: dict) -> list[dict]:
        return [{"urn": f"urn:pulumi:s::p::{type_token}::r", "type": type_token, "inputs": inputs}]

    [change] = plan_between(graph(before), graph(after)).changes.values()
    assert change.op == op


@pytest.mark.parametrize("small,big", list(zip(BUILTIN_TIERS, BUILTIN_TIERS[1:])))
def test_adjacent_tiers_never_replace_the_primary_database(small: str, big: str) -> None:
    pytest.importorskip("chatops.infra.synth", reason="the inline program has not landed yet")
    settings = DeploymentSettings.placeholder(stack="prod")
    a, b = load_profile(small), load_profile(big)
    for before, after in ((a, b), (b, a)):
        plan = scale.offline_plan(before, after, settings)
        primary = [c for c in plan.changes.values()
                   if c.type == "aws:rds/instance:Instance" and "replica" not in c.name]
        assert all(c.op not in ("replace", "delete") for c in primary), (before.name, after.name, primary)
        # something changes between two different tiers
        assert plan.changes


def test_live_recheck_allows_only_accepted_losses() -> None:
    before = _graph({"instanceClass": "db.t4g.medium", "storageEncrypted": True})
    lost = plan_between(before, _graph({"instanceClass": "db.t4g.medium", "storageEncrypted": False},
                                       queue_name="offline"))
    db = "urn:pulumi:s::p::aws:rds/instance:Instance::db"
    push = "urn:pulumi:s::p::aws:sqs/queue:Queue::push"
    scale.live_recheck(lost, {db, push})
    with pytest.raises(ChatopsError, match="did not show: push"):
        scale.live_recheck(lost, {db})
