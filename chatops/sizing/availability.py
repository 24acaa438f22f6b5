"""Availability policies (`plan --optimize --availability standard|high`): what a failure may cost.

The optimiser never trades availability for price on its own: the policy fixes how many zones, NAT
gateways, database and cache copies and web tasks a profile must have, and the search is cheapest
within it. Multi-AZ is a policy, not a size: a small product may need it and a large one may not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from chatops.model.profile import Profile

AvailabilityName = Literal["standard", "high"]
DEFAULT_AVAILABILITY: AvailabilityName = "standard"


@dataclass(frozen=True)
class Availability:
    name: AvailabilityName
    summary: str
    zones: int
    nat_per_zone: bool  # one NAT gateway per zone, or one shared
    multi_az_database: bool
    cache_replicas: int  # per replication group, each with automatic failover when > 0
    min_web_tasks: int  # api and realtime, spread over the zones
    min_workers: int
    max_worker_spot_percent: int  # 100: workers may run on Spot alone

    @property
    def nat_gateways(self) -> int:
        return self.zones if self.nat_per_zone else 1


POLICIES: dict[str, Availability] = {
    # Survives the loss of a task or of one zone's tasks without anyone acting; the stateful single-zone
    # parts (NAT gateway, database instance, cache node) are replaced by AWS (minutes; the database from
    # its storage or a backup), which is what the 1k-5k tiers accept.
    "standard": Availability("standard", "2 zones, one shared NAT gateway, single-AZ database, one cache node, "
                             "2 tasks per web service, workers may run on Spot alone",
                             zones=2, nat_per_zone=False, multi_az_database=False, cache_replicas=0,
                             min_web_tasks=2, min_workers=1, max_worker_spot_percent=100),
    # Survives the loss of a zone: standby database and cache replicas in other zones fail over by
    # themselves, each zone has its own NAT gateway and web tasks, and one worker always runs on-demand.
    "high": Availability("high", "3 zones, a NAT gateway per zone, Multi-AZ database, cache primary + 2 replicas, "
                         "3 tasks per web service, one on-demand worker under Spot",
                         zones=3, nat_per_zone=True, multi_az_database=True, cache_replicas=2,
                         min_web_tasks=3, min_workers=2, max_worker_spot_percent=50),
}


def shortfalls(profile: Profile, policy: Availability) -> list[str]:
    """Where `profile` offers less availability than `policy` asks (empty: it meets the policy)."""
    p = profile
    web = min(p.api.desired_count, p.realtime.desired_count)
    replicas = min(_cache_replicas(p))
    checks = [
        (p.network.availability_zones >= policy.zones, f"{p.network.availability_zones} of {policy.zones} zones"),
        (p.network.nat_gateways >= policy.nat_gateways,
         f"{p.network.nat_gateways} of {policy.nat_gateways} NAT gateways"),
        (p.database.multi_az or not policy.multi_az_database, "a single-AZ database"),
        (replicas >= policy.cache_replicas, f"{replicas} of {policy.cache_replicas} cache replicas"),
        (web >= policy.min_web_tasks, f"{web} of {policy.min_web_tasks} tasks in a web service"),
        (p.workers.desired_count >= policy.min_workers, f"{p.workers.desired_count} of {policy.min_workers} workers"),
        (p.workers.spot_share_percent <= policy.max_worker_spot_percent,
         f"{p.workers.spot_share_percent}% of workers on Spot (at most {policy.max_worker_spot_percent}%)"),
    ]
    return [what for ok, what in checks if not ok]


def _cache_replicas(p: Profile) -> list[int]:
    split = p.cache.split
    if split.enabled and split.adapter and split.state:
        return [split.adapter.replicas, split.state.replicas]
    return [p.cache.num_cache_nodes - 1]
