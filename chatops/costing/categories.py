"""Groups of resources for charts and summaries (the stacks of the HTML chart)."""

from __future__ import annotations

from decimal import Decimal
from typing import Sequence

from chatops.costing.estimate import CostEstimate

#: Pulumi type token -> category, in chart order.
CATEGORY_BY_TYPE: dict[str, str] = {
    "aws:ec2/natGateway:NatGateway": "network",
    "aws:ec2/eip:Eip": "network",
    "aws:lb/loadBalancer:LoadBalancer": "load balancer",
    "aws:wafv2/webAcl:WebAcl": "waf",
    "aws:ecs/cluster:Cluster": "compute",
    "aws:ecs/service:Service": "compute",
    "aws:ecr/repository:Repository": "compute",
    "aws:rds/instance:Instance": "database",
    "aws:rds/proxy:Proxy": "database",
    "aws:backup/vault:Vault": "database",
    "aws:elasticache/replicationGroup:ReplicationGroup": "cache",
    "aws:sqs/queue:Queue": "messaging",
    "aws:sns/topic:Topic": "messaging",
    "aws:secretsmanager/secret:Secret": "security",
    "aws:cloudwatch/logGroup:LogGroup": "observability",
    "aws:cloudwatch/metricAlarm:MetricAlarm": "observability",
    "aws:cloudwatch/dashboard:Dashboard": "observability",
    "aws:s3/bucket:Bucket": "observability",
}
CATEGORIES: tuple[str, ...] = ("compute", "database", "cache", "network", "load balancer", "waf", "messaging",
                               "observability", "security", "other")


def natural_order(*name_lists: Sequence[str]) -> list[str]:
    """Resource names of several estimates merged in stack order, the longest list first: a name the
    merged order lacks goes right before its successor in its own list, so related rows stay together
    across tiers (database, replica, proxy, then every cache group) instead of trailing at the end."""
    order: list[str] = []
    for names in sorted(name_lists, key=len, reverse=True):
        for i, name in enumerate(names):
            if name in order:
                continue
            successor = next((n for n in names[i + 1:] if n in order), None)
            order.insert(order.index(successor) if successor is not None else len(order), name)
    return order


def by_category(estimate: CostEstimate) -> dict[str, Decimal]:
    """Monthly cost per category, every category present (zero when unused)."""
    totals = {c: Decimal(0) for c in CATEGORIES}
    for r in estimate.resources:
        totals[CATEGORY_BY_TYPE.get(r.resource_type, "other")] += r.monthly_cost
    return totals
