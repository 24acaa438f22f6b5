"""`chatops cost-report`: every mode and format, the golden --all markdown, errors as one line."""

from __future__ import annotations

import csv
import io
import json
import os
import sys
import types
from pathlib import Path

import pytest

GOLDEN = Path(__file__).parents[1] / "golden" / "cost_report_all.md"


@pytest.fixture(autouse=True)
def _no_user_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "empty-cache"))


def test_table_shows_tree_and_totals(run):
    result = run("cost-report", "--profile", "50k-dau")
    assert result.exit_code == 0, result.output
    for text in ("nat gateways", "├─ NAT gateway hours", "database proxy", "Fixed $", "usage $", "/month",
                 "autoscaling maximum"):
        assert text in result.stdout


def test_json_contract(run):
    result = run("cost-report", "--profile", "50k-dau", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["currency"] == "USD" and data["region"] == "us-east-1" and data["profile"] == "50k-dau"
    assert data["total_monthly"] == pytest.approx(data["fixed_monthly"] + data["usage_monthly"])
    for r in data["resources"]:
        for c in r["components"]:
            assert set(c) >= {"name", "unit", "monthly_quantity", "unit_price", "cost_monthly", "usage_based"}
    assert data == json.loads(run("cost-report", "-p", "50k", "--format", "json").stdout)


def test_dau_and_usage_options_change_usage_only(run):
    base = json.loads(run("cost-report", "-p", "25k-dau", "--json").stdout)
    more = json.loads(run("cost-report", "-p", "25k-dau", "--dau", "80000", "--messages-per-user", "80",
                          "--json").stdout)
    assert more["dau"] == 80000
    assert more["fixed_monthly"] == base["fixed_monthly"]
    assert more["usage_monthly"] > base["usage_monthly"]


def test_region_changes_prices(run):
    use1 = json.loads(run("cost-report", "-p", "10k", "--json").stdout)
    euc1 = json.loads(run("cost-report", "-p", "10k", "--region", "eu-central-1", "--json").stdout)
    assert euc1["region"] == "eu-central-1" and euc1["total_monthly"] > use1["total_monthly"]


def test_all_golden_markdown(run):
    result = run("cost-report", "--all", "--format", "markdown")
    assert result.exit_code == 0
    if os.environ.get("CHATOPS_UPDATE_GOLDEN") == "1":
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(result.stdout)
    assert GOLDEN.exists(), "no golden file: run once with CHATOPS_UPDATE_GOLDEN=1"
    assert result.stdout == GOLDEN.read_text(), (
        "cost-report --all --format markdown drifted from tests/golden/cost_report_all.md; if the change is "
        "intended, rerun with CHATOPS_UPDATE_GOLDEN=1 and review the diff")


def test_all_table_and_json(run):
    table = run("cost-report", "--all")
    assert table.exit_code == 0 and "per 1,000 DAU" in table.stdout and "100k-dau" in table.stdout
    data = json.loads(run("cost-report", "--all", "--json").stdout)
    assert [t["profile"] for t in data["profiles"]] == ["dev", "1k-dau", "5k-dau", "10k-dau", "25k-dau", "50k-dau",
                                                        "100k-dau"]
    assert all("per_1000_dau_monthly" in t for t in data["profiles"])


def test_csv_formats(run):
    rows = list(csv.DictReader(io.StringIO(run("cost-report", "-p", "dev", "--format", "csv").stdout)))
    assert rows and {"resource", "component", "cost_monthly", "usage_based"} <= set(rows[0])
    matrix = list(csv.reader(io.StringIO(run("cost-report", "--all", "--format", "csv").stdout)))
    assert matrix[0][0] == "resource" and [r[0] for r in matrix[-2:]] == ["per_1000_dau_monthly", "complete"]
    assert matrix[-1][1:] == ["true"] * 7
    cmp = list(csv.reader(io.StringIO(run("cost-report", "--compare", "dev", "1k", "--format", "csv").stdout)))
    assert cmp[0] == ["change", "resource", "component", "before_monthly", "after_monthly", "delta_monthly"]
    assert [r[1] for r in cmp[-2:]] == ["total", "complete"]


def test_compare(run):
    result = run("cost-report", "--compare", "25k-dau", "50k-dau")
    assert result.exit_code == 0 and "Monthly change" in result.stdout and "+$" in result.stdout
    data = json.loads(run("cost-report", "--compare", "25k", "50k", "--json").stdout)
    assert data["before"]["profile"] == "25k-dau" and data["after"]["profile"] == "50k-dau"
    # Each amount is rounded to cents on its own: the delta may differ by a cent from the rounded totals' difference.
    assert data["delta_monthly"] == pytest.approx(data["after"]["total_monthly"] - data["before"]["total_monthly"],
                                                  abs=0.011)
    md = run("cost-report", "--compare", "25k", "50k", "--format", "markdown").stdout
    assert md.startswith("## Cost change: 25k-dau -> 50k-dau")


def test_html_is_self_contained(run, tmp_path):
    out = tmp_path / "costs.html"
    result = run("cost-report", "--all", "--format", "html", "--output", str(out))
    assert result.exit_code == 0, result.output
    html = out.read_text()
    assert html.startswith("<!DOCTYPE html>") and "<svg" in html and 'class="bar"' in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in html and "<script" not in html and "<link" not in html


def test_output_to_file_for_table(run, tmp_path):
    out = tmp_path / "t.txt"
    assert run("cost-report", "-p", "dev", "--output", str(out)).exit_code == 0
    assert "load balancer" in out.read_text()


@pytest.mark.parametrize("args,message", [
    ((), "give exactly one of"),
    (("--all", "--profile", "dev"), "give exactly one of"),
    (("--all", "--dau", "5"), "--all prices each tier"),
    (("-p", "dev", "--format", "pdf"), "Invalid value for '--format'"),
    (("-p", "dev", "--dau", "0"), "Invalid value for '--dau'"),
    (("-p", "nope-tier"), "unknown tier"),
    (("--compare", "dev", "nope"), "unknown tier"),
    (("-p", "dev", "--format", "csv", "--json"), "--json and --format csv"),
    (("--actual", "--stack", "prod", "--format", "html"), "--actual prints a table or JSON"),
    (("--actual", "--all"), "--actual reports a deployed stack's real spend; drop --all"),
    (("--all", "--fail-above", "100"), "--fail-above judges one total"),
])
def test_usage_errors_exit_2(run, args, message):
    result = run("cost-report", *args)
    assert result.exit_code == 2 and message in result.stderr and "Traceback" not in result.output


@pytest.mark.parametrize("args,message", [
    (("-p", "dev", "--region", "ap-east-1"), "no price catalog for region ap-east-1"),
    (("-p", "missing.yaml"), "missing.yaml: file not found"),
])
def test_user_errors_are_one_line_exit_1(run, args, message):
    result = run("cost-report", *args)
    assert result.exit_code == 1 and message in result.stderr
    assert "Traceback" not in result.output and len(result.stderr.strip().splitlines()) == 1


def test_actual_delegates_to_cost_actual(run, monkeypatch):
    calls = []
    fake = types.ModuleType("chatops.cli.cost_actual")
    fake.run_actual_report = lambda **kw: calls.append(kw)
    monkeypatch.setitem(sys.modules, "chatops.cli.cost_actual", fake)
    result = run("cost-report", "--actual", "--stack", "prod", "--json", "--region", "eu-west-1",
                 env={"AWS_PROFILE": "billing", "AWS_ENDPOINT_URL": "http://127.0.0.1:5000"})
    assert result.exit_code == 0, result.output
    assert calls == [{"stack": "prod", "config_path": None, "as_json": True, "aws_profile": "billing",
                      "endpoint_url": "http://127.0.0.1:5000", "region": "eu-west-1"}]


def test_help_ends_with_examples(run):
    result = run("cost-report", "--help")
    assert result.exit_code == 0 and "Examples:" in result.stdout and "--compare" in result.stdout


def test_stack_uses_its_profile_and_region(run, tmp_path):
    config = tmp_path / "chatops.yaml"
    config.write_text("project: chat\nstacks:\n  prod:\n    profile: 10k-dau\n    region: eu-central-1\n"
                      "    domain: example.com\n    hosted_zone_id: Z123ABC\n")
    data = json.loads(run("cost-report", "--stack", "prod", "--config", str(config), "--json").stdout)
    assert data["profile"] == "10k-dau" and data["region"] == "eu-central-1"
    other = json.loads(run("cost-report", "--stack", "prod", "--config", str(config), "--region", "us-east-1",
                           "--json").stdout)
    assert other["region"] == "us-east-1"
    missing = run("cost-report", "--stack", "prod", "--config", str(tmp_path / "nope.yaml"))
    assert missing.exit_code == 1 and "not found" in missing.stderr


def test_actual_without_cost_explorer_module_is_one_line(run, monkeypatch):
    monkeypatch.setitem(sys.modules, "chatops.cli.cost_actual", None)  # import fails
    result = run("cost-report", "--actual", "--stack", "prod")
    assert result.exit_code == 1 and "--actual" in result.stderr and "Traceback" not in result.output
