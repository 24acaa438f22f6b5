"""Capacity model: per-unit figures, RDS max_connections, warnings, tier calibration."""

from __future__ import annotations

import dataclasses

import pytest

from chatops.model.demand import UsageAssumptions
from chatops.model.loading import load_builtin_profiles, load_profile
from chatops.sizing import capacity
from chatops.sizing.capacity import profile_capacity, rds_max_connections, task_connection_limit
from chatops.sizing.demand import estimate_demand
from chatops.sizing.selection import select_tier

TIERS = [("1k-dau", 1000), ("5k-dau", 5000), ("10k-dau", 10000), ("25k-dau", 25000), ("50k-dau", 50000),
         ("100k-dau", 100000)]


@pytest.mark.parametrize("instance_class, measured", [("db.t3.small", 198), ("db.t3.medium", 413),
                                                      ("db.t3.large", 856)])
def test_rds_max_connections_matches_measured_defaults_within_two_percent(instance_class, measured):
    assert abs(rds_max_connections(instance_class) - measured) / measured < 0.02


def test_rds_max_connections_is_capped_at_5000():
    assert rds_max_connections("db.r6g.16xlarge") == 5000


def test_task_connection_limit_follows_cpu_and_memory():
    assert task_connection_limit(256, 512) == 2500  # 0.25 vCPU binds
    assert task_connection_limit(1024, 2048) == 10000
    assert task_connection_limit(2048, 4096) == 10000  # one Node.js thread uses one vCPU


def test_dev_warns_that_its_task_cannot_hold_3000_connections():
    dev = load_profile("dev")
    report = profile_capacity(dev, estimate_demand(UsageAssumptions(dau=300)))
    assert any("max_connections_per_task is 3,000" in w and "0.25 vCPU / 512 MB" in w for w in report.warnings)


def test_a_profile_without_proxy_warns_when_pooled_connections_at_max_pass_the_limit():
    tier = load_profile("1k-dau")
    wide = dataclasses.replace(tier, api=dataclasses.replace(
        tier.api, autoscaling=dataclasses.replace(tier.api.autoscaling, max_count=20)))
    report = profile_capacity(wide, estimate_demand(UsageAssumptions(dau=1000)))
    assert any("enable database.proxy" in w for w in report.warnings)


@pytest.mark.parametrize("tier, dau", TIERS)
def test_each_tier_holds_its_own_dau_with_default_headroom(tier, dau):
    report = profile_capacity(load_profile(tier), estimate_demand(UsageAssumptions(dau=dau)))
    assert report.holds(1.3), [(d.key, d.headroom) for d in report.short_of(1.3)]


@pytest.mark.parametrize("tier, dau", TIERS)
def test_default_assumptions_select_each_tier_at_its_dau(tier, dau):
    choice = select_tier(estimate_demand(UsageAssumptions(dau=dau)), load_builtin_profiles())
    assert choice.chosen is not None and choice.chosen.profile.name == tier


@pytest.mark.parametrize("dau, tier", [(1001, "5k-dau"), (3000, "5k-dau"), (5001, "10k-dau"), (7500, "10k-dau"),
                                       (10001, "25k-dau"), (17000, "25k-dau"), (25001, "50k-dau"),
                                       (35000, "50k-dau"), (50001, "100k-dau"), (75000, "100k-dau"),
                                       (1, "1k-dau"), (999, "1k-dau")])
def test_dau_between_tiers_selects_the_next_tier_up(dau, tier):
    choice = select_tier(estimate_demand(UsageAssumptions(dau=dau)), load_builtin_profiles())
    assert choice.chosen.profile.name == tier


@pytest.mark.parametrize("lower, dau", [("25k-dau", 50000), ("50k-dau", 100000)])
def test_the_tier_below_runs_out_of_capacity_at_the_next_design_point(lower, dau):
    report = profile_capacity(load_profile(lower), estimate_demand(UsageAssumptions(dau=dau)))
    assert not report.holds(1.3)


def test_dev_is_never_selected():
    choice = select_tier(estimate_demand(UsageAssumptions(dau=10)), load_builtin_profiles())
    assert "dev" not in [c.profile.name for c in choice.candidates]


def test_above_the_largest_tier_nothing_is_chosen_and_optimize_is_offered():
    choice = select_tier(estimate_demand(UsageAssumptions(dau=100001)), load_builtin_profiles())
    assert choice.chosen is None and "--optimize" in choice.reason


def test_heavier_usage_pushes_selection_up():
    usage = UsageAssumptions(dau=10000, peak_concurrency=0.5)
    choice = select_tier(estimate_demand(usage), load_builtin_profiles())
    assert choice.chosen.profile.name != "10k-dau"
    assert "headroom" in choice.reason


def test_api_request_target_follows_what_a_task_serves():
    # 0.5 vCPU serves 100 requests/s = 6,000 a minute; the policy aims at 70 % of it.
    assert capacity.api_requests_target(512) == 4200
    profile = load_profile("50k-dau")
    assert profile.api.requests_per_target == capacity.api_requests_target(profile.api.cpu_units)
    assert not [w for w in capacity.profile_warnings(profile) if "requests_per_target" in w]
    low = dataclasses.replace(profile, api=dataclasses.replace(profile.api, requests_per_target=1000))
    [warning] = [w for w in capacity.profile_warnings(low) if "requests_per_target" in w]
    assert "4.2x the API tasks" in warning and "set it to 4,200" in warning
    high = dataclasses.replace(profile, api=dataclasses.replace(profile.api, requests_per_target=7000))
    [warning] = [w for w in capacity.profile_warnings(high) if "requests_per_target" in w]
    assert "saturate before the policy adds any" in warning


def test_read_pools_pin_connections_on_the_replica_even_behind_the_proxy():
    # DATABASE_READ_URL reaches the replica directly: every task's read pool counts there.
    profile = load_profile("100k-dau")
    assert profile.database.proxy.enabled and profile.database.read_replica.enabled
    small = dataclasses.replace(profile.database.read_replica, instance_class="db.t4g.micro")
    tight = dataclasses.replace(profile, database=dataclasses.replace(profile.database, read_replica=small))
    demand = estimate_demand(UsageAssumptions(dau=100_000))
    dim = next(d for d in profile_capacity(tight, demand).dimensions if d.key == "db_connections")
    assert dim.label == "DB connections (replica)" and dim.headroom_at_max < 1
    roomy = next(d for d in profile_capacity(profile, demand).dimensions if d.key == "db_connections")
    assert roomy.headroom_at_max >= 1  # the tier's own replica class holds every read pool
