"""Every configuration value of the seed's stacks has a home in our profiles, with the same meaning.

The seed stack files are copied into tests/data/seed so CI does not depend on anything outside the repo.
Values that cannot deploy were replaced (documented in the profile files); they are listed in FIXED.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import pytest
import yaml

from chatops.model.catalog import CACHE_NODE_TYPES, RDS_POSTGRES_CLASSES
from chatops.model.loading import BUILTIN_TIERS, load_profile
from chatops.model.profile_diff import flatten
from chatops.model.loading import profile_to_data

SEED_DIR = Path(__file__).parents[1] / "data" / "seed"
PREFIX = "realtime-chat-aws:"

# seed key -> (profile field path, how to read the seed's string)
as_int: Callable[[str], Any] = int
as_bool: Callable[[str], Any] = lambda v: v == "true"
as_str: Callable[[str], Any] = str
zone_count: Callable[[str], Any] = lambda v: len(json.loads(v))

SEED_TO_PROFILE: dict[str, tuple[str, Callable[[str], Any]]] = {
    "environment": ("environment", as_str),
    "availabilityZones": ("network.availability_zones", zone_count),
    "natGateways": ("network.nat_gateways", as_int),
    "apiServiceDesiredCount": ("api.desired_count", as_int),
    "apiServiceCpu": ("api.cpu_units", as_int),
    "apiServiceMemory": ("api.memory_mb", as_int),
    "apiDeregistrationDelaySeconds": ("api.deregistration_delay_seconds", as_int),
    "apiStopTimeoutSeconds": ("api.stop_timeout_seconds", as_int),
    "realtimeServiceDesiredCount": ("realtime.desired_count", as_int),
    "realtimeServiceCpu": ("realtime.cpu_units", as_int),
    "realtimeServiceMemory": ("realtime.memory_mb", as_int),
    "realtimeMaxConnectionsPerTask": ("realtime.max_connections_per_task", as_int),
    "realtimeScaleOnEventLoopLagMs": ("realtime.scale_on_event_loop_lag_ms", as_int),
    "realtimeScaleOnConnections": ("realtime.scale_on_connections", as_bool),
    "realtimeDeregistrationDelaySeconds": ("realtime.deregistration_delay_seconds", as_int),
    "realtimeStopTimeoutSeconds": ("realtime.stop_timeout_seconds", as_int),
    "realtimeMinHealthyPercent": ("realtime.deployment_min_healthy_percent", as_int),
    "realtimeMaxPercent": ("realtime.deployment_max_percent", as_int),
    "realtimeStickyDurationSeconds": ("realtime.sticky_duration_seconds", as_int),
    "workerServiceDesiredCount": ("workers.desired_count", as_int),
    "workerServiceCpu": ("workers.cpu_units", as_int),
    "workerServiceMemory": ("workers.memory_mb", as_int),
    "workerScaleOnQueueDepth": ("workers.scale_on_queue_depth", as_int),
    "workerScaleOnOldestMessageAge": ("workers.scale_on_oldest_message_age_seconds", as_int),
    "enableGraviton": ("compute.graviton", as_bool),
    "rdsInstanceClass": ("database.instance_class", as_str),
    "rdsAllocatedStorage": ("database.allocated_storage_gb", as_int),
    "rdsMultiAz": ("database.multi_az", as_bool),
    "enableRdsProxy": ("database.proxy.enabled", as_bool),
    "rdsProxyMaxConnectionsPercent": ("database.proxy.max_connections_percent", as_int),
    "rdsProxyIdleClientTimeout": ("database.proxy.idle_client_timeout_seconds", as_int),
    "enableRdsReadReplica": ("database.read_replica.enabled", as_bool),
    "rdsReadReplicaInstanceClass": ("database.read_replica.instance_class", as_str),
    "redisNodeType": ("cache.node_type", as_str),
    "redisNumCacheNodes": ("cache.num_cache_nodes", as_int),
    "enableRedisSplit": ("cache.split.enabled", as_bool),
    "redisAdapterNodeType": ("cache.split.adapter.node_type", as_str),
    "redisAdapterReplicas": ("cache.split.adapter.replicas", as_int),
    "redisStateNodeType": ("cache.split.state.node_type", as_str),
    "redisStateReplicas": ("cache.split.state.replicas", as_int),
    "enableWaf": ("waf.enabled", as_bool),
    "wafApiRateLimitPer5Min": ("waf.api_rate_limit_per_5min", as_int),
    "wafSocketRateLimitPer5Min": ("waf.socket_rate_limit_per_5min", as_int),
    "enableCrossRegionBackup": ("backup.cross_region_copy.enabled", as_bool),
    "backupCrossRegionDestination": ("backup.cross_region_copy.destination_region", as_str),
}

# Deployment settings, not tier properties: they live in chatops.yaml (chatops init).
DEPLOYMENT_KEYS = {"domainName", "hostedZoneId", "auth0Domain", "auth0Audience"}

# (tier, seed key) -> the value we ship instead, because the seed's does not exist in AWS.
FIXED: dict[tuple[str, str], Any] = {
    ("50k-dau", "redisNodeType"): "cache.m6g.large",         # cache.t3.large does not exist
    ("50k-dau", "redisAdapterNodeType"): "cache.m6g.large",  # cache.t3.large does not exist
    ("100k-dau", "redisStateNodeType"): "cache.m6g.large",   # cache.m6g.medium does not exist
}


def seed_config(tier: str) -> dict[str, str]:
    raw = yaml.safe_load((SEED_DIR / f"Pulumi.{tier}.yaml").read_text())["config"]
    return {k[len(PREFIX):]: str(v) for k, v in raw.items() if k.startswith(PREFIX)}


CASES = [(tier, key) for tier in BUILTIN_TIERS for key in seed_config(tier)]


@pytest.mark.parametrize("tier,key", CASES, ids=[f"{t}:{k}" for t, k in CASES])
def test_seed_value_has_a_home(tier, key):
    if key in DEPLOYMENT_KEYS:
        return
    assert key in SEED_TO_PROFILE, f"seed key {key} has no home in the profile"
    path, read = SEED_TO_PROFILE[key]
    actual = dict(flatten(profile_to_data(load_profile(tier))))[path]
    expected = FIXED.get((tier, key), read(seed_config(tier)[key]))
    assert actual == expected, f"{tier} {key} -> {path}"


@pytest.mark.parametrize("tier,key", sorted(FIXED))
def test_replaced_seed_values_really_do_not_exist(tier, key):
    seed_value = seed_config(tier)[key]
    assert seed_value not in CACHE_NODE_TYPES and seed_value not in RDS_POSTGRES_CLASSES


def test_seed_region_is_not_in_profiles():
    # Profiles are region independent: zones are a count; the region is a deployment setting.
    for tier in BUILTIN_TIERS:
        data = dict(flatten(profile_to_data(load_profile(tier))))
        assert not [p for p in data if p.endswith("region") and p != "backup.cross_region_copy.destination_region"]
        assert isinstance(data["network.availability_zones"], int)
