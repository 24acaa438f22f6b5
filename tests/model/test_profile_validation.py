"""Every validation rule has a failing example; errors name the file and the field path."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from chatops.errors import ProfileError
from chatops.model.loading import builtin_profiles_dir, load_profile_file


def tier_data(tier: str) -> dict[str, Any]:
    return yaml.safe_load((builtin_profiles_dir() / f"{tier}.yaml").read_text())


def set_path(data: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    data = copy.deepcopy(data)
    node = data
    keys = path.split(".")
    for key in keys[:-1]:
        node = node[key]
    if value is _DELETE:
        del node[keys[-1]]
    else:
        node[keys[-1]] = value
    return data


_DELETE = object()


def problems_for(tmp_path: Path, data: dict[str, Any]) -> list[str]:
    path = tmp_path / "my.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(ProfileError) as caught:
        load_profile_file(path)
    return caught.value.problems


# (tier, field to change, new value, expected "field.path: message fragment")
CASES = [
    # structure and types (pydantic)
    ("10k-dau", "database.bogus", 1, "database.bogus: unknown key"),
    ("10k-dau", "api.desired_count", "2", "api.desired_count: Input should be a valid integer"),
    ("10k-dau", "waf.enabled", "yes", "waf.enabled: Input should be a valid boolean"),
    # strict: no coercion between numbers, booleans and strings, nested records only from mappings
    ("10k-dau", "api.desired_count", 3.0, "api.desired_count: Input should be a valid integer"),
    ("10k-dau", "database.multi_az", 1, "database.multi_az: Input should be a valid boolean"),
    ("10k-dau", "database.engine_version", 16, "database.engine_version: Input should be a valid string"),
    ("10k-dau", "database.proxy.colour", "blue", "database.proxy.colour: unknown key (check its spelling"),
    ("10k-dau", "api.autoscaling", "on", "api.autoscaling: Input should be a dictionary"),
    ("10k-dau", "database.instance_class", _DELETE, "database.instance_class: required key is missing"),
    ("10k-dau", "environment", "staging", "environment: Input should be 'dev' or 'prod'"),
    ("10k-dau", "network.availability_zones", 1, "network.availability_zones: Input should be greater than or equal to 2"),
    # Fargate CPU/memory pairs
    ("10k-dau", "api.cpu_units", 300, "api.cpu_units: 300 is not a Fargate CPU size"),
    ("10k-dau", "realtime.memory_mb", 512, "realtime.memory_mb: 512 MB is not valid with 512 CPU units"),
    ("10k-dau", "workers.memory_mb", 4096, "workers.memory_mb: 4096 MB is not valid with 256 CPU units"),
    # NAT gateways and zones
    ("10k-dau", "network.nat_gateways", 3, "network.nat_gateways: 3 NAT gateways but only 2 availability zones"),
    ("10k-dau", "network.nat_gateways", 0, "network.nat_gateways: 0 NAT gateways leaves private-subnet tasks"),
    ("dev", "network.nat_gateways", 1, "network.nat_gateways: tasks in public subnets do not use NAT gateways"),
    # Redis split needs its settings; failover with several nodes
    ("10k-dau", "cache.split", {"enabled": True}, "cache.split.adapter: required when split is enabled"),
    ("10k-dau", "cache.automatic_failover", False, "cache.automatic_failover: must be true with more than one node"),
    ("1k-dau", "cache.automatic_failover", True, "cache.automatic_failover: needs at least 2 nodes"),
    # the provider accepts Redis 7 only as major.minor
    ("10k-dau", "cache.engine_version", "7", "cache.engine_version: String should match pattern"),
    # blocking non-browser clients needs Bot Control
    ("1k-dau", "waf.bot_control_non_browser", "block", "waf.bot_control_non_browser: applies to Bot Control"),
    # connection logging shows only the proxy's pool behind the proxy
    ("10k-dau", "database.log_connections", True, "database.log_connections: behind the RDS Proxy"),
    # AWS Backup continuous backup owns the instance's backup retention
    ("10k-dau", "database.backup_retention_days", 7, "database.backup_retention_days: AWS Backup's point-in-time"),
    # read replica needs its class
    ("100k-dau", "database.read_replica", {"enabled": True}, "database.read_replica.instance_class: required when"),
    # classes exist and fit the engine
    ("10k-dau", "database.instance_class", "db.t3.mega", "database.instance_class: 'db.t3.mega' is not an RDS for PostgreSQL"),
    ("10k-dau", "database.instance_class", "cache.t3.medium", "database.instance_class: 'cache.t3.medium' is not an RDS"),
    ("50k-dau", "cache.node_type", "cache.t3.large", "cache.node_type: 'cache.t3.large' is not an ElastiCache node type"),
    ("100k-dau", "cache.split.state.node_type", "cache.m6g.medium", "cache.split.state.node_type: 'cache.m6g.medium' is not"),
    # Graviton settings and classes agree
    ("100k-dau", "database.instance_class", "db.r5.xlarge", "database.instance_class: db.r5.xlarge is x86 but compute.graviton is on"),
    ("100k-dau", "cache.split.adapter.node_type", "cache.t3.medium", "cache.split.adapter.node_type: cache.t3.medium is x86"),
    # PostgreSQL major 13 to 17
    ("10k-dau", "database.engine_version", "12", "database.engine_version: PostgreSQL 12 is not supported"),
    ("10k-dau", "database.engine_version", "18.1", "database.engine_version: PostgreSQL 18 is not supported"),
    # WAF limits within AWS's range
    ("10k-dau", "waf.api_rate_limit_per_5min", 5, "waf.api_rate_limit_per_5min: 5 is outside AWS WAF's rate limit range"),
    ("10k-dau", "waf.global_rate_limit_per_5min", 3_000_000_000, "waf.global_rate_limit_per_5min: 3000000000 is outside"),
    # autoscaling min <= desired <= max
    ("10k-dau", "api.autoscaling.max_count", 1, "api.autoscaling: need min_count <= desired_count <= max_count"),
    ("10k-dau", "realtime.autoscaling.min_count", 5, "realtime.autoscaling: need min_count <= desired_count"),
    # retention values CloudWatch and AWS Backup accept
    ("10k-dau", "observability.log_retention_days", 31, "observability.log_retention_days: CloudWatch Logs does not accept 31"),
    ("10k-dau", "backup.daily_retention_days", 60, "backup.daily_retention_days: point-in-time recovery keeps at most 35"),
    ("10k-dau", "backup.weekly_schedule", _DELETE, "backup.weekly_schedule: required when weekly_retention_days > 0"),
    ("10k-dau", "database.max_allocated_storage_gb", 30, "database.max_allocated_storage_gb: must be >= allocated_storage_gb"),
]


@pytest.mark.parametrize("tier,path,value,expected", CASES, ids=[c[3].split(":")[0] + "/" + str(i) for i, c in enumerate(CASES)])
def test_rule_has_failing_example(tmp_path, tier, path, value, expected):
    problems = problems_for(tmp_path, set_path(tier_data(tier), path, value))
    assert any(p.startswith(f"{tmp_path / 'my.yaml'}: ") and expected in p for p in problems), problems


def test_every_problem_is_reported_at_once(tmp_path):
    data = set_path(tier_data("10k-dau"), "network.nat_gateways", 3)
    data = set_path(data, "api.cpu_units", 300)
    data = set_path(data, "waf.api_rate_limit_per_5min", 1)
    problems = problems_for(tmp_path, data)
    assert len(problems) == 3
    assert {p.split(": ")[1] for p in problems} == {"network.nat_gateways", "api.cpu_units", "waf.api_rate_limit_per_5min"}


def test_structural_errors_are_all_reported(tmp_path):
    data = set_path(tier_data("10k-dau"), "api.desired_count", "two")
    data = set_path(data, "database.colour", "blue")
    problems = problems_for(tmp_path, data)
    assert len(problems) == 2


def test_structural_errors_do_not_hide_rule_violations(tmp_path):
    """An unknown key or a wrong type used to stop validation before the rules (classes, NAT per zone)."""
    data = set_path(tier_data("10k-dau"), "databse", {"instance_class": "db.t3.large"})  # a typo'd section
    data = set_path(data, "api.desired_count", "two")
    data = set_path(data, "database.instance_class", "db.t3.huge")
    data = set_path(data, "network.nat_gateways", 3)
    problems = problems_for(tmp_path, data)
    fields = [p.split(": ")[1] for p in problems]
    assert fields == ["api.desired_count", "databse", "network.nat_gateways", "database.instance_class"], problems


def test_a_rule_about_a_faulty_value_is_not_guessed(tmp_path):
    # availability_zones is wrong in type: whether 2 NAT gateways are too many cannot be said, so it is not.
    data = set_path(tier_data("10k-dau"), "network.availability_zones", "two")
    assert [p.split(": ")[1] for p in problems_for(tmp_path, data)] == ["network.availability_zones"]


@pytest.mark.parametrize("content,expected", [
    (b"", "the file is empty"),
    (b"name: [unclosed", "malformed YAML (line "),
    (b"\x00\x01\x02binary", "is a binary file"),
    (b"- just\n- a list\n", "expected a mapping"),
    (b"\xff\xfe bad", "is not UTF-8 text"),
])
def test_unreadable_files(tmp_path, content, expected):
    path = tmp_path / "bad.yaml"
    path.write_bytes(content)
    with pytest.raises(ProfileError) as caught:
        load_profile_file(path)
    assert caught.value.problems == [f"{path}: {caught.value.problems[0].split(': ', 1)[1]}"]
    assert expected in caught.value.problems[0]


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(ProfileError, match="file not found"):
        load_profile_file(tmp_path / "absent.yaml")
    with pytest.raises(ProfileError, match="is a directory"):
        load_profile_file(tmp_path)


def test_profiles_are_frozen():
    from dataclasses import FrozenInstanceError

    from chatops.model.loading import load_profile

    profile = load_profile("10k-dau")
    with pytest.raises(FrozenInstanceError):
        profile.api.desired_count = 5  # type: ignore[misc]


def test_profiles_from_data_run_the_rules():
    from chatops.model.loading import profile_from_data

    data = set_path(tier_data("10k-dau"), "network.nat_gateways", 3)
    with pytest.raises(ProfileError, match="network.nat_gateways"):
        profile_from_data(data, source="custom")
