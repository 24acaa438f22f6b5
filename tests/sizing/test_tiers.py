"""The built-in tiers against the sizing rules at their own design DAU: no warnings, a year of storage,
and small tiers that fit a new AWS account."""

from __future__ import annotations

import pytest

from chatops.aws.doctor import FARGATE_DEFAULT_VCPU, fargate_need
from chatops.model.demand import UsageAssumptions
from chatops.model.loading import load_builtin_profiles, load_profile
from chatops.sizing import database as db
from chatops.sizing.capacity import profile_capacity
from chatops.sizing.demand import estimate_demand
from chatops.sizing.figures import STORAGE_RUNWAY_MONTHS

PRODUCTION = [p for p in load_builtin_profiles() if p.is_production]


@pytest.mark.parametrize("tier", PRODUCTION, ids=lambda p: p.name)
def test_every_tier_at_its_design_dau_has_no_warning(tier):
    report = profile_capacity(tier, estimate_demand(UsageAssumptions(dau=tier.design.dau)))
    assert report.warnings == ()


@pytest.mark.parametrize("tier", PRODUCTION, ids=lambda p: p.name)
def test_every_tier_has_a_year_of_storage_runway_at_its_design_dau(tier):
    demand = estimate_demand(UsageAssumptions(dau=tier.design.dau))
    assert db.runway_months(tier.database.max_allocated_storage_gb, demand) >= STORAGE_RUNWAY_MONTHS


@pytest.mark.parametrize("tier", ["1k-dau", "5k-dau"])
def test_small_tiers_pass_doctors_quota_check_on_a_new_accounts_default_fargate_quota(tier):
    # doctor passes (not even a warning) when the autoscaling maximum, deployments included, fits the quota.
    need = fargate_need(load_profile(tier))
    assert need.on_demand_surge_vcpu <= FARGATE_DEFAULT_VCPU and need.spot_surge_vcpu <= FARGATE_DEFAULT_VCPU


@pytest.mark.parametrize("dau", ["1000", "5000"])
def test_plan_for_the_small_tiers_prints_no_warning(run, dau):
    result = run("plan", "--dau", dau)
    assert result.exit_code == 0 and "Warning" not in result.stdout


def test_a_tier_whose_storage_runs_out_within_a_year_is_warned_about():
    tier = load_profile("100k-dau")
    demand = estimate_demand(UsageAssumptions(dau=200_000))
    (warning,) = [w for w in profile_capacity(tier, demand).warnings if "max_allocated_storage_gb" in w]
    assert "10.1 months" in warning and "2,372 GB" in warning
