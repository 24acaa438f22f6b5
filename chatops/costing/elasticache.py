"""ElastiCache Redis: one replication group (primary + replicas = num_cache_nodes), or two when split
(Socket.IO adapter and state, each primary + replicas). Billed per node-hour; with commitment pricing,
1-year no-upfront reserved nodes."""

from __future__ import annotations

from chatops.costing.components import Pricer, ResourceCost, resource
from chatops.costing.money import HOURS_PER_MONTH
from chatops.model.profile import Profile

GROUP_TYPE = "aws:elasticache/replicationGroup:ReplicationGroup"


def node_key(node_type: str) -> str:
    return f"elasticache.node.{node_type}"


def reserved_key(node_type: str) -> str:
    return f"elasticache.reserved.{node_type}"


RESERVED_FACTOR_KEY = "elasticache.reserved_factor"


def cache_groups(profile: Profile) -> list[tuple[str, str, int]]:
    """(name, node type, nodes) per replication group the program creates."""
    cache = profile.cache
    if cache.split.enabled and cache.split.adapter and cache.split.state:
        return [("redis adapter", cache.split.adapter.node_type, 1 + cache.split.adapter.replicas),
                ("redis state", cache.split.state.node_type, 1 + cache.split.state.replicas)]
    return [("redis", cache.node_type, cache.num_cache_nodes)]


def price_cache(pricer: Pricer, profile: Profile) -> list[ResourceCost]:
    return [resource(name, GROUP_TYPE, 1, [
        pricer.instance_line(f"nodes ({nodes} x {node_type})", "node-hours", HOURS_PER_MONTH * nodes, node_key(node_type),
                             reserved_key(node_type), RESERVED_FACTOR_KEY),
    ]) for name, node_type, nodes in cache_groups(profile)]
