"""Cache under the mock engine: groups per tier, encryption, failover, AUTH secret, member ids."""

from __future__ import annotations

import pytest

from chatops.model.alarms import redis_members
from chatops.model.loading import BUILTIN_TIERS, load_profile
from chatops.model.naming import LIMITS, Names
from tests.support.infra_data_harness import MOCK_PASSWORD, plaintext_paths, synth

RG = "aws:elasticache/replicationGroup:ReplicationGroup"


def build(tier: str):
    from chatops.infra.cache import Cache

    def _program():
        cache = Cache("cache", profile=load_profile(tier), names=Names("chat", "test", "us-east-1"),
                      subnet_ids=["subnet-a", "subnet-b"], security_group_id="sg-redis")
        import pulumi

        return pulumi.Output.all(cache.adapter_endpoint, cache.state_endpoint, cache.member_cluster_ids,
                                 cache.auth_secret_arn, *cache.replication_group_ids)

    return synth(_program)


@pytest.fixture(scope="module")
def graphs():
    return {tier: build(tier) for tier in BUILTIN_TIERS}


@pytest.mark.parametrize("tier", BUILTIN_TIERS)
def test_groups_nodes_and_member_ids(graphs, tier):
    p, g = load_profile(tier), graphs[tier]
    groups = g.of_type(RG)
    assert len(groups) == (2 if p.cache.split.enabled else 1)
    adapter, state, members, secret_arn, *ids = g.value
    assert len(members) == len(redis_members(p)) == sum(int(x.plain("numCacheClusters")) for x in groups)
    assert len(ids) == len(groups)
    assert (adapter != state) is p.cache.split.enabled
    assert secret_arn.endswith("redis-auth")


@pytest.mark.parametrize("tier", BUILTIN_TIERS)
def test_every_group_is_encrypted_with_auth_and_failover_when_multi_node(graphs, tier):
    p = load_profile(tier)
    for group in graphs[tier].of_type(RG):
        assert group.plain("atRestEncryptionEnabled") is True
        assert group.plain("transitEncryptionEnabled") is True
        assert group.plain("authToken") == MOCK_PASSWORD
        multi = group.plain("numCacheClusters") > 1
        assert group.plain("automaticFailoverEnabled") is multi
        assert group.plain("multiAzEnabled") is multi
        assert group.plain("engineVersion") == p.cache.engine_version
        assert group.plain("snapshotRetentionLimit") == p.cache.snapshot_retention_days
        assert group.plain("securityGroupIds") == ["sg-redis"]
        assert len(group.plain("replicationGroupId")) <= LIMITS["elasticache_group"]


def test_split_groups_use_their_own_node_types(graphs):
    p = load_profile("100k-dau")
    by_name = {g.name: g for g in graphs["100k-dau"].of_type(RG)}
    assert set(by_name) == {"redis-adapter", "redis-state"}
    assert by_name["redis-adapter"].plain("nodeType") == p.cache.split.adapter.node_type
    assert by_name["redis-state"].plain("numCacheClusters") == p.cache.split.state.replicas + 1


def test_parameter_group_is_redis7(graphs):
    group = graphs["dev"].one("aws:elasticache/parameterGroup:ParameterGroup")
    assert group.plain("family") == "redis7"
    assert {x["name"] for x in group.plain("parameters")} >= {"timeout", "notify-keyspace-events"}


@pytest.mark.parametrize("tier", ["dev", "100k-dau"])
def test_token_only_as_a_secret(graphs, tier):
    for r in graphs[tier].resources:
        if r.type != "random:index/randomPassword:RandomPassword":
            assert plaintext_paths(r.inputs, MOCK_PASSWORD) == [], f"{r.type} {r.name}"


def test_protect_in_prod(graphs):
    assert all(r.protect for r in graphs["100k-dau"].of_type(RG))
    assert all(r.protect for r in graphs["100k-dau"].of_type("aws:secretsmanager/secret:Secret"))
    assert not any(r.protect for r in graphs["dev"].of_type(RG))


def test_long_names_stay_within_limits():
    from chatops.infra.cache import Cache

    g = synth(lambda: Cache("cache", profile=load_profile("100k-dau"),
                            names=Names("a-rather-long-project", "production-west"),
                            subnet_ids=["s"], security_group_id="sg"))
    ids = [r.plain("replicationGroupId") for r in g.of_type(RG)]
    assert all(len(i) <= 40 for i in ids) and len(set(ids)) == 2


def test_apply_immediately_can_be_forced_in_prod(graphs):
    from chatops.infra.cache import Cache

    assert all(g.plain("applyImmediately") is False for g in graphs["100k-dau"].of_type(RG))
    forced = synth(lambda: Cache("cache", profile=load_profile("100k-dau"), names=Names("chat", "test", "us-east-1"),
                                 subnet_ids=["s"], security_group_id="sg", apply_immediately=True).adapter_endpoint)
    assert all(g.plain("applyImmediately") is True for g in forced.of_type(RG))
