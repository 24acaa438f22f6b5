"""`chatops cost-report --actual` against moto's Cost Explorer, fed canned results through moto's own API."""

from __future__ import annotations

import json
import urllib.request
from datetime import datetime, timedelta, timezone

import pytest

from tests.support.json_schemas import assert_valid

from tests.support.aws_servers import write_config


def _periods():
    today = datetime.now(timezone.utc).date()
    month_start = today.replace(day=1)
    last_start = (month_start - timedelta(days=1)).replace(day=1)
    return last_start, month_start, today


def _groups(costs: dict[str, str]) -> list[dict]:
    return [{"Keys": [service], "Metrics": {"UnblendedCost": {"Amount": amount, "Unit": "USD"}}}
            for service, amount in costs.items()]


def _queue_ce_result(moto_url: str, results_by_time: list[dict]) -> None:
    body = json.dumps({"results": [{"ResultsByTime": results_by_time, "DimensionValueAttributes": []}]}).encode()
    request = urllib.request.Request(f"{moto_url}/moto-api/static/ce/cost-and-usage-results", data=body,
                                     method="POST", headers={"Content-Type": "application/json"})
    assert urllib.request.urlopen(request).status == 201


def _cost_report(run, config, url, stack, *extra):
    return run("cost-report", "--actual", "--stack", stack, "--config", str(config), "--endpoint-url", url, *extra)


def test_actual_costs_next_to_the_estimate(run, moto_url, tmp_path):
    last_start, month_start, today = _periods()
    periods = [{"TimePeriod": {"Start": last_start.isoformat(), "End": month_start.isoformat()}, "Total": {},
                "Estimated": False,
                "Groups": _groups({"Amazon Elastic Container Service": "80.00", "Amazon Relational Database Service":
                                   "95.50", "EC2 - Other": "70.10", "Amazon ElastiCache": "99.00", "Tax": "12.00"})}]
    if today > month_start:
        periods.append({"TimePeriod": {"Start": month_start.isoformat(), "End": today.isoformat()}, "Total": {},
                        "Estimated": True, "Groups": _groups({"Amazon Elastic Container Service": "20.00"})})
    _queue_ce_result(moto_url, periods)
    config = write_config(tmp_path, stack="prod")
    result = _cost_report(run, config, moto_url, "prod", "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert_valid("cost-report-actual", report)
    rows = {row["service"]: row for row in report["services"]}
    ecs = rows["Amazon Elastic Container Service"]
    assert ecs["last_month_monthly"] == 80.0 and ecs["estimate_monthly"] > 0
    assert ecs["variance_monthly"] == pytest.approx(80.0 - ecs["estimate_monthly"])
    assert rows["Tax"]["estimate_monthly"] is None and rows["Tax"]["last_month_monthly"] == 12.0
    assert rows["AWS WAF"]["last_month_monthly"] is None and rows["AWS WAF"]["estimate_monthly"] > 0  # estimated, not billed
    assert "EC2 - Other" in rows and "Amazon ElastiCache" in rows
    if today > month_start:
        assert ecs["month_to_date_monthly"] == 20.0 and report["estimated_by_aws"] is True
    assert report["totals"]["last_month_monthly"] == pytest.approx(80 + 95.5 + 70.1 + 99 + 12)
    assert report["profile"] == "10k-dau" and report["region"] == "us-east-1"


def test_human_report_is_a_table(run, moto_url, tmp_path):
    last_start, month_start, _ = _periods()
    _queue_ce_result(moto_url, [{"TimePeriod": {"Start": last_start.isoformat(), "End": month_start.isoformat()},
                                 "Total": {}, "Estimated": False,
                                 "Groups": _groups({"Amazon Simple Queue Service": "1.25"})}])
    config = write_config(tmp_path, stack="human")
    result = _cost_report(run, config, moto_url, "human")
    assert result.exit_code == 0, result.stderr
    assert "Amazon Simple Queue Service" in result.stdout and "estimate / month" in result.stdout


def test_untagged_costs_say_how_to_activate_the_tags(run, moto_url, tmp_path):
    # No canned result for this query: Cost Explorer answers with nothing, as it does for inactive tags.
    config = write_config(tmp_path, stack="untagged")
    result = _cost_report(run, config, moto_url, "untagged")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "cost allocation tags" in lines[0] and "Status=Active" in lines[0]


@pytest.mark.parametrize("status,code,message", [
    (400, "DataUnavailableException", "Data is not available."),
    (400, "AccessDeniedException", "User not enabled for cost explorer access"),
])
def test_cost_explorer_not_enabled(run, fault_server, tmp_path, status, code, message):
    config = write_config(tmp_path)
    result = _cost_report(run, config, fault_server(status, code, message), "prod")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Cost Explorer is not enabled" in lines[0] and "Traceback" not in result.output


def test_access_denied_names_the_permission(run, fault_server, tmp_path):
    config = write_config(tmp_path)
    result = _cost_report(run, config, fault_server(400, "AccessDeniedException"), "prod")
    assert result.exit_code == 1 and "ce:GetCostAndUsage" in result.stderr


def test_endpoint_down(run, closed_port_url, tmp_path):
    config = write_config(tmp_path)
    result = _cost_report(run, config, closed_port_url, "prod")
    assert result.exit_code == 1 and "cannot reach" in result.stderr and len(result.stderr.strip().splitlines()) == 1
