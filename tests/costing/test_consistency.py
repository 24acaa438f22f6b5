"""One source of truth: the cost estimate prices exactly what the inline program creates.

For every tier, every billable resource in the synthesized graph has cost lines and the counts agree
(tasks' services, NAT gateways, EIPs, instances, replication groups, alarms, queues, secrets ...).
"""

from __future__ import annotations

from collections import Counter

import pytest

from chatops.costing.estimate import estimate_cost
from chatops.model.autoscaling import step_scaling_policies, target_tracking_policies
from chatops.model.loading import BUILTIN_TIERS, load_profile

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

#: Resource types that cost money by existing (or carry metered usage we price).
BILLABLE = {
    "aws:ecs/cluster:Cluster", "aws:ecs/service:Service", "aws:ec2/natGateway:NatGateway", "aws:ec2/eip:Eip",
    "aws:lb/loadBalancer:LoadBalancer", "aws:rds/instance:Instance", "aws:rds/proxy:Proxy",
    "aws:elasticache/replicationGroup:ReplicationGroup", "aws:wafv2/webAcl:WebAcl",
    "aws:cloudwatch/metricAlarm:MetricAlarm", "aws:cloudwatch/dashboard:Dashboard",
    "aws:cloudwatch/logGroup:LogGroup", "aws:secretsmanager/secret:Secret", "aws:sqs/queue:Queue",
    "aws:sns/topic:Topic", "aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2", "aws:backup/vault:Vault",
    "aws:ecr/repository:Repository", "aws:kms/key:Key", "aws:ec2/vpcEndpoint:VpcEndpoint",
}
#: Billable types whose price is zero or folded into another line, and why.
FREE = {
    "aws:ec2/vpcEndpoint:VpcEndpoint": "the S3 gateway endpoint is free",
}


def _priced_counts(tier: str) -> Counter:
    counts: Counter = Counter()
    for resource in estimate_cost(load_profile(tier)).resources:
        counts[resource.resource_type] += resource.count
    return counts


@pytest.mark.parametrize("tier", BUILTIN_TIERS)
def test_every_billable_resource_is_priced_with_the_same_count(graphs, tier):
    graph = Counter(r["type"] for r in graphs[tier].resources)
    priced = _priced_counts(tier)
    for typ in sorted(BILLABLE - set(FREE)):
        assert priced.get(typ, 0) == graph.get(typ, 0), f"{tier}: {typ}: priced {priced.get(typ, 0)}, " \
                                                        f"program creates {graph.get(typ, 0)}"


@pytest.mark.parametrize("tier", BUILTIN_TIERS)
def test_costing_prices_nothing_the_program_does_not_create(graphs, tier):
    graph = Counter(r["type"] for r in graphs[tier].resources)
    for typ, count in _priced_counts(tier).items():
        assert graph.get(typ, 0) == count, f"{tier}: {typ} priced x{count}, program creates {graph.get(typ, 0)}"


@pytest.mark.parametrize("tier", BUILTIN_TIERS)
def test_autoscaling_policies_match_the_shared_list(graphs, tier):
    profile = load_profile(tier)
    policies = [r for r in graphs[tier].resources if r["type"] == "aws:appautoscaling/policy:Policy"]
    kinds = Counter(r["inputs"]["policyType"] for r in policies)
    assert kinds["TargetTrackingScaling"] == len(target_tracking_policies(profile))
    assert kinds["StepScaling"] == len(step_scaling_policies(profile))


@pytest.mark.parametrize("tier", BUILTIN_TIERS)
def test_services_run_the_strategy_the_estimate_splits_tasks_with(graphs, tier):
    """Spot pricing follows chatops.model.capacity_providers; the program creates exactly that strategy."""
    from chatops.model.capacity_providers import capacity_provider_strategy

    profile = load_profile(tier)
    services = {r["urn"].rsplit("::", 1)[-1]: r for r in graphs[tier].resources if r["type"] == "aws:ecs/service:Service"}
    assert set(services) == {"api", "realtime", "workers"}
    for name, svc in services.items():
        created = [{"capacity_provider": s["capacityProvider"], "weight": s.get("weight", 0), "base": s.get("base", 0)}
                   for s in svc["inputs"]["capacityProviderStrategies"]]
        assert created == capacity_provider_strategy(getattr(profile, name).spot_share_percent), (tier, name)
