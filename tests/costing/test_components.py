"""Cost arithmetic, table-driven: each resource module against hand-computed values."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chatops.costing.catalog import load_catalog
from chatops.costing.estimate import estimate_cost
from chatops.model.demand import UsageAssumptions
from chatops.model.loading import BUILTIN_TIERS, load_profile
from chatops.model.records import record_to_data, validate_record
from chatops.sizing.demand import estimate_demand

D = Decimal
REGIONS = ("us-east-1", "us-west-2", "eu-west-1", "eu-central-1")


@pytest.fixture(autouse=True)
def _no_user_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "empty-cache"))


def _resource(estimate, name):
    return next(r for r in estimate.resources if r.name == name)


def _line(estimate, resource, component_start):
    return next(c for c in _resource(estimate, resource).components if c.name.startswith(component_start))


def _with(profile, **changes):
    """A copy of a profile with nested fields changed: _with(p, database={"multi_az": False})."""
    data = record_to_data(profile)
    for section, values in changes.items():
        if isinstance(values, dict):
            for k, v in values.items():
                if isinstance(v, dict):
                    data[section][k].update(v)
                else:
                    data[section][k] = v
        else:
            data[section] = values
    return validate_record(type(profile), data)  # structure only: the rules would reject some prices' cases


# (tier, resource, component prefix, expected monthly cost in us-east-1): hand-computed
ARITHMETIC = [
    # 50k api: 3 tasks x 0.5 vCPU x 730 h x 0.04048; memory 3 x 1 GB x 730 x 0.004445
    ("50k-dau", "api service", "vCPU, x86 (on-demand)", D(3) * D("0.5") * 730 * D("0.04048")),
    ("50k-dau", "api service", "memory, x86 (on-demand)", D(3) * 1 * 730 * D("0.004445")),
    # 100k workers: 3 ARM tasks, 50% Spot, base 1 on FARGATE: 2 on-demand + 1 Spot (60% off)
    ("100k-dau", "workers service", "vCPU, ARM (Spot)", D(1) * D("0.5") * 730 * D("0.03238") * D("0.4")),
    ("100k-dau", "workers service", "vCPU, ARM (on-demand)", D(2) * D("0.5") * 730 * D("0.03238")),
    # 100k Graviton realtime: 6 x 1 vCPU x 730 x 0.03238 (ARM price)
    ("100k-dau", "realtime service", "vCPU, ARM (on-demand)", D(6) * 730 * D("0.03238")),
    # dev tasks in public subnets: one IPv4 per task, 730 h x 0.005
    ("dev", "api service", "public IPv4", 730 * D("0.005")),
    # Multi-AZ doubles instance and storage: db.r6g.large 0.45/h; 150 GB x 0.23
    ("50k-dau", "database", "instance", 730 * D("0.45")),
    ("50k-dau", "database", "gp3 storage", 150 * D("0.23")),
    # read replica: Single-AZ db.r6g.large, same 200 GB at 0.115
    ("100k-dau", "database read replica", "instance", 730 * D("0.225")),
    ("100k-dau", "database read replica", "gp3 storage", 200 * D("0.115")),
    # RDS Proxy: r6g.xlarge has 4 vCPU x 730 x 0.015; t3.medium has 2 (the minimum)
    ("100k-dau", "database proxy", "proxy vCPU", 4 * 730 * D("0.015")),
    ("10k-dau", "database proxy", "proxy vCPU", 2 * 730 * D("0.015")),
    # Redis split: adapter group primary + 2 replicas of cache.m6g.large
    ("100k-dau", "redis adapter", "nodes", 3 * 730 * D("0.149")),
    ("50k-dau", "redis", "nodes", 2 * 730 * D("0.149")),
    # NAT: 2 gateways x 730 h x 0.045, and one EIP each
    ("50k-dau", "nat gateways", "NAT gateway hours", 2 * 730 * D("0.045")),
    ("50k-dau", "nat elastic IPs", "public IPv4", 2 * 730 * D("0.005")),
    # ALB: one public IPv4 per zone (3 in 50k)
    ("50k-dau", "load balancer", "public IPv4", 3 * 730 * D("0.005")),
    ("50k-dau", "load balancer", "ALB hours", 730 * D("0.0225")),
    # WAF: 6 rules with Bot Control, $10 Bot Control subscription, $5 ACL
    ("50k-dau", "waf web ACL", "rules", D(6)),
    ("50k-dau", "waf web ACL", "Bot Control (Common) subscription", D(10)),
    ("50k-dau", "waf web ACL", "web ACL", D(5)),
    ("dev", "cloudwatch dashboard", "dashboard", D(3)),
    ("dev", "secrets", "secrets", 5 * D("0.40")),  # master, chat_app, chat_readonly, DATABASE_URL, Redis
]


@pytest.mark.parametrize("tier,resource,component,expected", ARITHMETIC)
def test_component_arithmetic(tier, resource, component, expected):
    line = _line(estimate_cost(load_profile(tier)), resource, component)
    assert line.monthly_cost == expected
    assert line.monthly_cost == line.monthly_quantity * line.unit_price


@pytest.mark.parametrize("region", REGIONS)
@pytest.mark.parametrize("tier", BUILTIN_TIERS)
def test_every_tier_prices_in_every_bundled_region(tier, region):
    estimate = estimate_cost(load_profile(tier), region)
    assert estimate.missing_prices == []
    for r in estimate.resources:
        for c in r.components:
            assert c.unit_price is not None and c.monthly_cost is not None, (r.name, c.name)
    assert estimate.total_monthly == estimate.fixed_monthly + estimate.usage_monthly
    assert estimate.max_monthly >= estimate.total_monthly > 0


def test_missing_price_is_reported_never_zero(monkeypatch, tmp_path):
    # A user's refreshed catalog without the NAT hour price (the cache wins over the bundled snapshot).
    import json

    from chatops.costing.catalog import bundled_path, cache_path

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    data = json.loads(bundled_path("us-east-1").read_text())
    del data["prices"]["nat.hour"]
    cache_path("us-east-1").parent.mkdir(parents=True)
    cache_path("us-east-1").write_text(json.dumps(data))
    estimate = estimate_cost(load_profile("50k-dau"))
    assert load_catalog("us-east-1").origin == "cache"
    line = _line(estimate, "nat gateways", "NAT gateway hours")
    assert line.unit_price is None and line.monthly_cost is None and line.price_missing
    assert estimate.missing_prices == ["nat.hour"]
    data = estimate.to_json()
    nat = next(r for r in data["resources"] if r["name"] == "nat gateways")
    assert nat["components"][0]["note"] == "price not found" and nat["components"][0]["cost_monthly"] is None


def test_unpriced_instance_class_is_price_not_found():
    # db.r7g has a catalog entry, `unconfirmed`: no source was found, so no price
    profile = _with(load_profile("10k-dau"), database={"instance_class": "db.r7g.large"})
    estimate = estimate_cost(profile)
    assert "rds.instance.db.r7g.large.single_az" in estimate.missing_prices


def test_fixed_and_usage_are_separate():
    estimate = estimate_cost(load_profile("50k-dau"))
    usage_names = {c.name for r in estimate.resources for c in r.components if c.usage_based}
    assert {"data processed", "load balancer capacity units", "requests inspected", "standard requests",
            "application logs ingested", "RDS snapshot storage (warm)", "data transfer out to internet"} <= usage_names
    fixed_names = {c.name for r in estimate.resources for c in r.components if not c.usage_based}
    assert "NAT gateway hours" in fixed_names and not (usage_names & fixed_names)


def test_usage_follows_demand_but_fixed_does_not():
    profile = load_profile("25k-dau")
    low = estimate_cost(profile, demand=estimate_demand(UsageAssumptions(dau=1_000)))
    high = estimate_cost(profile, demand=estimate_demand(UsageAssumptions(dau=100_000)))
    assert low.fixed_monthly == high.fixed_monthly
    assert high.usage_monthly > low.usage_monthly


def test_default_demand_is_the_design_dau():
    profile = load_profile("10k-dau")
    assert estimate_cost(profile).to_json() == estimate_cost(
        profile, demand=estimate_demand(UsageAssumptions(dau=profile.design.dau))).to_json()


def test_autoscaling_max_prices_services_at_max_count():
    estimate = estimate_cost(load_profile("50k-dau"))
    api = _resource(estimate, "api service")
    # 20 tasks x (0.5 x 0.04048 + 1 x 0.004445) x 730
    assert api.max_monthly_cost == 20 * (D("0.5") * D("0.04048") + D("0.004445")) * 730
    assert estimate.max_monthly - estimate.total_monthly == sum(
        (r.max_monthly_cost - r.monthly_cost for r in estimate.resources), D(0))


def test_spot_share_and_graviton_lower_the_price():
    base = load_profile("50k-dau")
    spot = _with(base, api={"spot_share_percent": 100})
    arm = _with(base, compute={"graviton": True})
    cost = lambda p: _resource(estimate_cost(p), "api service").monthly_cost  # noqa: E731
    assert cost(spot) == cost(base) * D("0.4")
    assert cost(arm) < cost(base)


def test_to_json_contract():
    data = estimate_cost(load_profile("dev")).to_json()
    assert {"currency", "region", "profile", "fixed_monthly", "usage_monthly", "total_monthly", "max_monthly",
            "resources"} <= set(data)
    for r in data["resources"]:
        assert {"name", "resource_type", "count", "components"} <= set(r)
        for c in r["components"]:
            assert {"name", "unit", "monthly_quantity", "unit_price", "cost_monthly", "usage_based"} <= set(c)


def test_compare_costs_per_component():
    from chatops.costing.compare import compare_costs

    a, b = estimate_cost(load_profile("25k-dau")), estimate_cost(load_profile("50k-dau"))
    cmp = compare_costs(a, b)
    assert cmp.delta_monthly == b.total_monthly - a.total_monthly
    assert sum((r.delta for r in cmp.resources), D(0)) == cmp.delta_monthly
    db = next(r for r in cmp.resources if r.name == "database")
    names = [c.name for c in db.components]
    assert "instance (db.t3.large, Single-AZ)" in names and "instance (db.r6g.large, Multi-AZ)" in names
    gone = next(c for c in db.components if c.name == "instance (db.t3.large, Single-AZ)")
    assert gone.after is None and gone.delta == -gone.before


@settings(max_examples=25, deadline=None)
@given(st.sampled_from(BUILTIN_TIERS), st.integers(1, 500_000), st.integers(1, 500_000))
def test_cost_never_falls_as_dau_grows(tier, a, b):
    profile = load_profile(tier)
    low, high = sorted((a, b))
    cost = lambda dau: estimate_cost(profile, demand=estimate_demand(UsageAssumptions(dau=dau))).total_monthly  # noqa: E731
    assert cost(low) <= cost(high)
