"""A total with an unpriced line says so everywhere (complete: false, "at least $X"), and every line says how
its price is known (price_status, derived rule), end to end through cost-report and plan."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest
import yaml

from chatops.costing.estimate import estimate_cost
from chatops.costing.footer import price_footer
from chatops.model.loading import load_profile, profile_to_data


@pytest.fixture(autouse=True)
def _no_user_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "empty-cache"))


@pytest.fixture
def r7g_profile(tmp_path):
    """The 10k tier on db.r7g.large: a real class with no sourced price in any bundled region."""
    data = profile_to_data(load_profile("10k-dau"))
    data["name"] = "10k-r7g"
    data["database"]["instance_class"] = "db.r7g.large"
    data["database"]["read_replica"]["instance_class"] = None
    path = tmp_path / "10k-r7g.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_estimate_with_unpriced_class_is_incomplete(r7g_profile):
    estimate = estimate_cost(load_profile(str(r7g_profile)), "eu-central-1")
    assert not estimate.complete and estimate.missing_prices == ["rds.instance.db.r7g.large.single_az"]
    line = next(c for c in estimate.components if c.price_key == "rds.instance.db.r7g.large.single_az")
    assert line.price_status == "unconfirmed" and line.monthly_cost is None
    data = estimate.to_json()
    assert data["complete"] is False and data["price_status"]["unconfirmed"] == {"lines": 1, "cost_monthly": None}
    assert price_footer(estimate)[0].startswith("Incomplete: no price for rds.instance.db.r7g.large.single_az")


def test_cost_report_says_incomplete_in_every_format(run, r7g_profile):
    ref = str(r7g_profile)
    data = json.loads(run("cost-report", "-p", ref, "--json").stdout)
    assert data["complete"] is False and data["missing_prices"] == ["rds.instance.db.r7g.large.single_az"]
    total = f"${Decimal(str(data['total_monthly'])):,.2f}"
    table = run("cost-report", "-p", ref).stdout
    assert f"at least {total}/month" in table and "Incomplete: no price for rds.instance.db.r7g" in table
    markdown = run("cost-report", "-p", ref, "--format", "markdown").stdout
    assert f"**at least {total} per month**" in markdown
    rows = list(csv.DictReader(io.StringIO(run("cost-report", "-p", ref, "--format", "csv").stdout)))
    db = next(r for r in rows if r["component"].startswith("instance (db.r7g.large"))
    assert db["cost_monthly"] == "" and db["note"] == "price not found" and db["price_status"] == "unconfirmed"
    html = run("cost-report", "-p", ref, "--format", "html").stdout
    assert f"at least {total}" in html and 'class="incomplete"' in html
    cmp = json.loads(run("cost-report", "--compare", "10k-dau", ref, "--json").stdout)
    assert cmp["complete"] is False and cmp["before"]["complete"] is True and cmp["after"]["complete"] is False
    cmp_text = run("cost-report", "--compare", "10k-dau", ref).stdout
    assert "at least" in cmp_text and "Incomplete" in cmp_text


def test_plan_cost_section_says_incomplete(run, r7g_profile):
    data = json.loads(run("plan", "--dau", "10000", "--tier", str(r7g_profile), "--json").stdout)
    assert data["cost"]["complete"] is False
    assert "rds.instance.db.r7g.large.single_az" in data["cost"]["missing_prices"]
    text = run("plan", "--dau", "10000", "--tier", str(r7g_profile)).stdout
    assert "at least $" in text and "Incomplete: no price for rds.instance.db.r7g.large.single_az" in text


def test_complete_estimates_say_so(run):
    data = json.loads(run("cost-report", "-p", "50k-dau", "--json").stdout)
    assert data["complete"] is True and data["missing_prices"] == []
    assert "at least" not in run("cost-report", "-p", "50k-dau").stdout
    plan = json.loads(run("plan", "--dau", "50000", "--json").stdout)
    assert plan["cost"]["complete"] is True and all(n["complete"] for n in plan["neighbours"])


def test_every_line_has_a_price_status_and_the_summary_adds_up():
    estimate = estimate_cost(load_profile("50k-dau"), "us-east-1")
    statuses = {c.price_status for c in estimate.components}
    assert statuses <= {"confirmed", "corroborated", "corroborated-old", "derived"} and "" not in statuses
    summary = estimate.price_status_summary()
    assert sum(row["lines"] for row in summary.values()) == len(estimate.components)
    assert sum(row["cost_monthly"] for row in summary.values()) == estimate.total_monthly
    # Multi-AZ db.r6g.large is 2 x the Single-AZ price: derived, and says by which rule
    db = next(c for c in estimate.components if c.price_key == "rds.instance.db.r6g.large.multi_az")
    assert db.price_status == "derived" and db.price_rule == "multi_az"
    assert estimate.from_other_region() == []


def test_prices_copied_from_another_region_are_labelled(run):
    data = json.loads(run("cost-report", "-p", "50k-dau", "--region", "us-west-2", "--json").stdout)
    lines = [c for r in data["resources"] for c in r["components"]]
    assert {c["price_status"] for c in lines} == {"derived"} and {c["price_rule"] for c in lines} == {"us_west_2"}
    assert data["from_other_region"]["lines"] == len(lines)
    assert data["price_status"]["derived"]["rules"] == {"us_west_2": len(lines)}
    assert data["catalog"]["oldest_source"] == {"date": "2021-08-03", "source": "VANTAGE_RDS_2021"}
    assert data["catalog"]["date"] == "2026-11-30"
    text = run("cost-report", "-p", "50k-dau", "--region", "us-west-2").stdout
    assert f"Derived from another region: {len(lines)} lines" in text and "rule us_west_2" in text
    assert "catalog of 2026-11-30" in text and "oldest source behind them: VANTAGE_RDS_2021 of 2021-08-03" in text
    html = run("cost-report", "--all", "--region", "eu-west-1", "--format", "html").stdout
    assert "Derived from another region" in html and "rule eu_west_1" in html and "VANTAGE_RDS_2021 of 2021-08-03" in html
    # Ireland's own NAT price is not copied
    ireland = json.loads(run("cost-report", "-p", "50k-dau", "--region", "eu-west-1", "--json").stdout)
    nat = next(c for r in ireland["resources"] if r["name"] == "nat gateways" for c in r["components"]
               if c["name"] == "NAT gateway hours")
    assert nat["price_status"] == "corroborated" and "price_rule" not in nat
