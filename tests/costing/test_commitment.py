"""--pricing commitment: RDS and ElastiCache 1-year no-upfront reserved, Fargate's steady on-demand hours on a
1-year Compute Savings Plan, from the catalog, shown beside on-demand (cost-report and plan)."""

from __future__ import annotations

import json
from decimal import Decimal as D

import pytest

from chatops.costing.catalog import bundled_path
from chatops.costing.estimate import estimate_cost
from chatops.model.loading import load_profile
from chatops.model.records import record_to_data, validate_record


@pytest.fixture(autouse=True)
def _no_user_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "empty-cache"))


def _line(estimate, resource, start):
    r = next(r for r in estimate.resources if r.name == resource)
    return next(c for c in r.components if c.name.startswith(start))


# (tier, resource, component, unit price under commitment, pricing): us-east-1 bundled catalog
PRICES = [
    # db.r6g.large Multi-AZ 0.45 on-demand x the RDS reserved factor 0.7037
    ("50k-dau", "database", "instance", D("0.45") * D("0.7037"), "reserved"),
    # cache.m6g.large 0.149 x the ElastiCache reserved factor 0.6826
    ("50k-dau", "redis", "nodes", D("0.149") * D("0.6826"), "reserved"),
    # read replica: Single-AZ db.r6g.large 0.225 x 0.7037
    ("100k-dau", "database read replica", "instance", D("0.225") * D("0.7037"), "reserved"),
    # storage has no reservation; Fargate has no Savings Plan rate in the bundled catalog: on-demand
    ("50k-dau", "database", "gp3 storage", D("0.23"), "on-demand"),
    ("50k-dau", "api service", "vCPU, x86 (on-demand)", D("0.04048"), "on-demand"),
]


@pytest.mark.parametrize("tier,resource,component,price,pricing", PRICES)
def test_commitment_unit_prices(tier, resource, component, price, pricing):
    line = _line(estimate_cost(load_profile(tier), pricing="commitment"), resource, component)
    assert line.unit_price == price and line.pricing == pricing


def test_a_class_with_its_own_reserved_price_uses_it():
    base = load_profile("50k-dau")
    data = record_to_data(base)
    data["cache"]["node_type"] = "cache.m6g.12xlarge"
    line = _line(estimate_cost(validate_record(type(base), data), pricing="commitment"), "redis", "nodes")
    assert line.unit_price == D("2.428") and line.price_status == "confirmed"  # Infracost golden 1yr no upfront


def test_commitment_comes_beside_on_demand():
    committed = estimate_cost(load_profile("100k-dau"), pricing="commitment")
    on_demand = estimate_cost(load_profile("100k-dau"))
    assert committed.pricing == "commitment" and committed.on_demand.to_json() == on_demand.to_json()
    assert committed.commitment_savings == on_demand.total_monthly - committed.total_monthly > 0
    fargate = _line(committed, "api service", "vCPU")
    assert fargate.note == "no Savings Plan rate in the catalog: on-demand"
    data = committed.to_json()
    assert data["pricing"] == "commitment" and data["on_demand"]["total_monthly"] == on_demand.total_monthly
    db = next(r for r in data["resources"] if r["name"] == "database")
    assert db["on_demand_monthly"] > db["cost_monthly"]
    assert "on_demand" not in on_demand.to_json() and on_demand.to_json()["pricing"] == "on-demand"


@pytest.fixture
def savings_plan_catalog(tmp_path, monkeypatch):
    """A refreshed us-east-1 catalog that has the Fargate Compute Savings Plan rates."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    doc = json.loads(bundled_path("us-east-1").read_text())
    for key, rate in (("x86.vcpu_hour", "0.03"), ("x86.gb_hour", "0.003"), ("arm.vcpu_hour", "0.024"),
                      ("arm.gb_hour", "0.0026")):
        doc["prices"][f"fargate.savings_plan.{key}"].update(price=rate, status="price-list")
    target = tmp_path / "chatops" / "prices" / "us-east-1.json"
    target.parent.mkdir(parents=True)
    target.write_text(json.dumps(doc))


def test_savings_plan_covers_the_steady_on_demand_tasks_only(savings_plan_catalog):
    base = load_profile("50k-dau")
    data = record_to_data(base)
    data["workers"].update(spot_share_percent=50, desired_count=3)  # 2 on-demand + 1 Spot at desired
    data["workers"]["autoscaling"].update(min_count=3, max_count=10)  # 6 on-demand + 4 Spot at max
    profile = validate_record(type(base), data)
    service = next(r for r in estimate_cost(profile, pricing="commitment").resources if r.name == "workers service")
    names = {c.name: c for c in service.components}
    committed = names["vCPU, x86 (Savings Plan)"]
    assert committed.pricing == "savings-plan" and committed.unit_price == D("0.03")
    assert committed.monthly_quantity == 2 * D("0.5") * 730
    assert names["vCPU, x86 (Spot)"].pricing == "spot"  # a Savings Plan does not cover Spot
    assert "vCPU, x86 (on-demand)" not in names
    task = lambda vcpu, gb: (D("0.5") * vcpu + 1 * gb) * 730  # noqa: E731  one 0.5 vCPU / 1 GB task-month
    spot = task(D("0.04048"), D("0.004445")) * D("0.4")
    assert service.monthly_cost == 2 * task(D("0.03"), D("0.003")) + spot
    # at max: the 2 committed tasks at the plan's rate, the 4 more on-demand tasks at list price, 4 Spot
    assert service.max_monthly_cost == 2 * task(D("0.03"), D("0.003")) + 4 * task(D("0.04048"), D("0.004445")) + 4 * spot


def test_cost_report_and_plan_show_commitment_beside_on_demand(run):
    data = json.loads(run("cost-report", "-p", "50k-dau", "--pricing", "commitment", "--json").stdout)
    assert data["pricing"] == "commitment" and data["commitment_savings_monthly"] > 0
    assert data["on_demand"]["total_monthly"] > data["total_monthly"] and data["on_demand"]["complete"] is True
    # the bundled catalog has no Fargate Savings Plan rate: the JSON names it, the lines stay on-demand
    assert data["commitment_unpriced"] == ["fargate.savings_plan.x86.vcpu_hour", "fargate.savings_plan.x86.gb_hour"]
    text = run("cost-report", "-p", "50k-dau", "--pricing", "commitment").stdout
    total, od = f"${D(str(data['total_monthly'])):,.2f}", f"${D(str(data['on_demand']['total_monthly'])):,.2f}"
    assert f"1-year commitments {total} a month beside {od} on-demand" in text
    assert "(reserved)" in text and "No commitment price in the catalog (fargate.savings_plan.x86.vcpu_hour" in text
    markdown = run("cost-report", "--all", "--pricing", "commitment", "--format", "markdown").stdout
    assert "1-year commitment prices" in markdown and "100k-dau: 1-year commitments" in markdown
    tiers = json.loads(run("cost-report", "--all", "--pricing", "commitment", "--json").stdout)
    assert tiers["pricing"] == "commitment" and all(t["on_demand"]["total_monthly"] > t["total_monthly"]
                                                    for t in tiers["profiles"] if t["profile"] != "dev")
    plan = json.loads(run("plan", "--dau", "50000", "--pricing", "commitment", "--json").stdout)
    assert plan["cost"]["pricing"] == "commitment" and plan["cost"]["on_demand"]["total_monthly"] > plan["cost"]["total_monthly"]
    assert "1-year commitments" in run("plan", "--dau", "50000", "--pricing", "commitment").stdout


def test_unknown_pricing_is_a_usage_error(run):
    result = run("cost-report", "-p", "dev", "--pricing", "spot")
    assert result.exit_code == 2 and "--pricing" in result.stderr
    with pytest.raises(ValueError, match="pricing must be one of"):
        estimate_cost(load_profile("dev"), pricing="reserved")
