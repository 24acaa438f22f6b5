"""The month's Fargate cost from simulated task time, recommendations (each re-verified here independently)
and the JSON report's conventions (docs/json.md)."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest

from chatops.costing.catalog import load_catalog
from chatops.costing.components import Pricer
from chatops.costing.estimate import estimate_cost
from chatops.model.demand import UsageAssumptions
from chatops.model.loading import load_profile
from chatops.model.profile_rules import rule_violations
from chatops.simulate.cost import fargate_costs, with_count
from chatops.simulate.recommend import apply, recommend
from chatops.simulate.run import Inputs, run, service_demand_of
from chatops.simulate.scenario import simulate
from chatops.simulate.traffic import parse_spike
from chatops.sizing.demand import estimate_demand


@pytest.fixture(autouse=True)
def _bundled_prices(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "empty-cache"))


def _spiky(tier: str = "50k-dau", spike: str = "5x@20:00/1m+30m", days: int = 1) -> Inputs:
    profile = load_profile(tier)
    return Inputs(profile, estimate_demand(UsageAssumptions(dau=profile.design.dau)), days,
                  spikes=(parse_spike(spike),))


def _service_cost(profile, service: str, count: int) -> Decimal:
    """cost-report's monthly figure for `service` running `count` tasks."""
    estimate = estimate_cost(with_count(profile, service, count))
    return next(r.monthly_cost for r in estimate.resources if r.name == f"{service} service")


@pytest.mark.parametrize("tier", ["dev", "50k-dau", "100k-dau"])  # Spot + public IPv4; on-demand; Graviton
def test_simulated_month_weights_cost_reports_figure_at_each_task_count_by_time(tier):
    inputs = _spiky(tier)
    stack = simulate(inputs.profile, service_demand_of(inputs))
    costs = fargate_costs(inputs.profile, stack.runs, load_catalog("us-east-1"))
    for service, service_run in stack.runs.items():
        seconds = sum(service_run.billed_seconds.values())
        assert seconds == pytest.approx(inputs.days * 86_400)
        expected = sum(_service_cost(inputs.profile, service, n) * Decimal(str(s)) / Decimal(str(seconds))
                       for n, s in service_run.billed_seconds.items())
        assert costs[service].simulated_monthly == pytest.approx(expected, rel=Decimal("1e-12"))
        assert costs[service].desired_monthly <= costs[service].max_monthly
        assert costs[service].simulated_monthly <= costs[service].max_monthly * 2  # draining tasks may exceed max


def test_recommendations_remove_saturation_and_each_one_holds_when_rerun_independently():
    inputs = _spiky()
    demand = service_demand_of(inputs)
    stack = simulate(inputs.profile, demand)
    assert stack.runs["realtime"].saturated_minutes > 0
    advice = recommend(stack, demand, Pricer(load_catalog("us-east-1")))
    (realtime,) = [a for a in advice.advice if a.service == "realtime"]
    assert realtime.options, "some change must remove a spike's saturation"
    costs = [o.simulated_monthly for o in realtime.options]
    assert costs == sorted(costs)
    for option in realtime.options:
        changed = apply(inputs.profile, option.changes)
        assert rule_violations(changed) == []
        rerun = simulate(changed, demand)  # the whole stack, not the recommender's own re-run
        assert rerun.runs["realtime"].saturated_minutes == 0, option.knob
        assert option.peak_tasks == rerun.runs["realtime"].peak_tasks
    # A knob reported as not enough really is not: at its limit the saturation stays.
    if "max_count" in realtime.not_enough:
        from chatops.simulate.recommend import set_field

        at_limit = set_field(inputs.profile, "realtime.autoscaling.max_count", 1000)
        assert simulate(at_limit, demand).runs["realtime"].saturated_minutes > 0
    assert advice.combined is not None and not advice.combined.saturated


def test_when_the_maximum_binds_raising_it_is_an_option_and_the_cheapest_is_first():
    from chatops.simulate.recommend import set_field

    profile = set_field(load_profile("10k-dau"), "realtime.autoscaling.max_count", 2)  # 2 x 3,000 sockets
    inputs = Inputs(profile, estimate_demand(UsageAssumptions(dau=60_000)), 1)  # 9,000 at the peak
    report = run(inputs, load_catalog("us-east-1"), "us-east-1")
    assert report.stack.runs["realtime"].saturated_minutes > 0
    assert report.stack.runs["realtime"].peak_tasks == 2
    advice = next(a for a in report.recommendations.advice if a.service == "realtime")
    by_knob = {o.knob: o for o in advice.options}
    assert by_knob["max_count"].changes[0].new >= 3
    # Fuller tasks (up to what 0.5 vCPU / 1 GB holds) need no more of them: cheaper than more tasks.
    assert advice.best.knob == "max_connections_per_task"
    assert advice.best.simulated_monthly <= by_knob["max_count"].simulated_monthly


def test_no_saturation_no_recommendations():
    profile = load_profile("50k-dau")
    report = run(Inputs(profile, estimate_demand(UsageAssumptions(dau=50_000)), 1), load_catalog("us-east-1"),
                 "us-east-1")
    assert report.problems == [] and report.recommendations is None
    data = report.to_json()
    assert data["ok"] is True and "recommendations" not in data


def test_json_follows_the_conventions():
    report = run(_spiky(days=2), load_catalog("us-east-1"), "us-east-1")
    data = json.loads(json.dumps(report.to_json()))
    assert data["schema_version"] == 1 and data["currency"] == "USD" and data["profile"] == "50k-dau"
    assert data["days"] == 2 and data["minutes"] == 2880
    assert data["ok"] is False and data["problems"] and all(isinstance(p, str) for p in data["problems"])

    def walk(node, path=""):
        if isinstance(node, dict):
            for key, value in node.items():
                assert re.fullmatch(r"[a-z][a-z0-9_]*", key) or path.endswith("services") or \
                    path.endswith("series"), f"{path}.{key}"
                if key.endswith("_monthly"):
                    assert value == round(value, 2), f"{path}.{key}"
                walk(value, f"{path}.{key}")
        elif isinstance(node, list):
            for item in node:
                walk(item, path)

    walk(data)
    for service in ("api", "realtime", "workers"):
        series = data["series"][service]
        assert all(len(v) == 2880 for k, v in series.items() if k != "metrics")
        assert all(len(v) == 2880 for v in series["metrics"].values())
        summary = data["services"][service]
        assert summary["saturated_minutes"] == sum(series["saturated"])
        assert summary["peak_tasks"] == max(series["desired_tasks"])
    assert data["fargate"]["simulated_monthly"] == pytest.approx(
        sum(data["services"][s]["fargate"]["simulated_monthly"] for s in data["services"]), abs=0.02)
    assert "series" not in report.to_json(series=False)
    names = {a["name"] for a in data["alarms"]}
    assert "chat-prod-realtime-connections-near-capacity" in names
    assert "rds-cpu-high" in data["alarms_not_simulated"]
