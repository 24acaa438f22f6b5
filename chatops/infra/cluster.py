"""The ECS cluster: Container Insights and the FARGATE / FARGATE_SPOT capacity providers."""

from __future__ import annotations

from typing import Optional

import pulumi
import pulumi_aws as aws

from chatops.model.naming import Names
from chatops.model.profile import Profile

CAPACITY_PROVIDERS = ["FARGATE", "FARGATE_SPOT"]


class Cluster(pulumi.ComponentResource):
    name: pulumi.Output[str]
    arn: pulumi.Output[str]
    capacity_providers: aws.ecs.ClusterCapacityProviders

    def __init__(self, name: str, *, profile: Profile, names: Names,
                 opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__("chatops:cluster:Cluster", name, None, opts)
        cluster = aws.ecs.Cluster(
            "cluster", name=names.of("ecs_cluster", "cluster"),
            settings=[{"name": "containerInsights",
                       "value": "enabled" if profile.compute.container_insights else "disabled"}],
            opts=pulumi.ResourceOptions(parent=self))
        # Services choose their own strategy; the default only applies to tasks run by hand.
        self.capacity_providers = aws.ecs.ClusterCapacityProviders(
            "cluster", cluster_name=cluster.name, capacity_providers=CAPACITY_PROVIDERS,
            default_capacity_provider_strategies=[{"capacity_provider": "FARGATE", "weight": 1, "base": 0}],
            opts=pulumi.ResourceOptions(parent=self))
        self.name = cluster.name
        self.arn = cluster.arn
        self.register_outputs({"name": self.name})
