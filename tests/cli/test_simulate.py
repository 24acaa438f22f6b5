"""`chatops simulate` and `cost-report --simulate` through the CLI: JSON, terminal, chart, inputs, errors."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest

from tests.cli.test_plan import _modules_plan_imports

CHROMIUM = next((p for p in (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")) if p), None)


@pytest.fixture(autouse=True)
def _bundled_prices(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "empty-cache"))


def _json(result) -> dict:
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_json_report_with_series(run):
    data = _json(run("simulate", "--profile", "50k-dau", "--json"))
    assert data["schema_version"] == 1 and data["profile"] == "50k-dau" and data["dau"] == 50_000
    assert data["days"] == 1 and data["traffic"] == {"source": "shape", "name": "evening", "filled_minutes": 0,
                                                     "notes": [], "spikes": []}
    assert set(data["services"]) == {"api", "realtime", "workers"} and len(data["series"]["api"]["demand"]) == 1440
    assert data["ok"] is True and data["problems"] == []
    assert data["fargate"]["desired_monthly"] <= data["fargate"]["simulated_monthly"] <= data["fargate"]["max_monthly"]
    assert "series" not in _json(run("simulate", "-p", "50k", "--json", "--no-series"))


def test_usage_flags_and_file_shape_the_demand(run, tmp_path):
    usage = tmp_path / "usage.yaml"
    usage.write_text("dau: 20000\npeak_concurrency: 0.3\n")
    data = _json(run("simulate", "-p", "25k", "--usage-file", str(usage), "--peak-concurrency", "0.2", "--json",
                     "--no-series"))
    assert data["dau"] == 20_000
    assert data["services"]["realtime"]["peak_demand"] == pytest.approx(20_000 * 0.2)


def test_spike_saturates_fires_alarms_and_recommends(run):
    data = _json(run("simulate", "-p", "50k", "--spike", "5x@20:00/1m+30m", "--json", "--no-series"))
    assert data["ok"] is False and any(p.startswith("realtime saturated") for p in data["problems"])
    assert data["traffic"]["spikes"][0]["start_minute"] == 1200
    assert any(a["name"] == "chat-prod-realtime-connections-near-capacity" for a in data["alarms"])
    recs = data["recommendations"]
    realtime = next(r for r in recs["services"] if r["service"] == "realtime")
    assert realtime["options"]
    assert recs["verified"]["ok"] is True
    assert "recommendations" not in _json(run("simulate", "-p", "50k", "--spike", "5x@20:00/1m", "--json",
                                              "--no-series", "--no-recommend"))


def test_fail_on_saturation_exits_3_after_the_report(run):
    result = run("simulate", "-p", "50k", "--spike", "5x@20:00/1m", "--fail-on-saturation", "--json", "--no-series",
                 "--no-recommend")
    assert result.exit_code == 3 and json.loads(result.stdout)["ok"] is False
    assert "realtime saturated" in result.stderr.strip().splitlines()[-1]
    assert run("simulate", "-p", "50k", "--fail-on-saturation", "--json", "--no-series").exit_code == 0


def test_longer_task_start_saturates_longer(run):
    def saturated(pull: str) -> int:
        data = _json(run("simulate", "-p", "50k", "--spike", "5x@20:00/1m", "--image-pull-seconds", pull, "--json",
                         "--no-series", "--no-recommend"))
        return data["services"]["realtime"]["saturated_minutes"]

    assert saturated("300") > saturated("40")


def test_traffic_csv_from_cloudwatch(run, tmp_path):
    csv_file = tmp_path / "day.csv"
    rows = [f"2024-05-01T{m // 60:02d}:{m % 60:02d}:00Z,{2000 + 30 * m},{40 + m / 10:.1f}" for m in range(0, 240, 5)]
    csv_file.write_text("timestamp,connections,requests_per_second\n" + "\n".join(rows) + "\n")
    data = _json(run("simulate", "-p", "25k", "--traffic", str(csv_file), "--json"))
    assert data["traffic"]["source"] == "csv" and data["traffic"]["filled_minutes"] == 47 * 4
    assert data["days"] == 1 and data["series"]["realtime"]["demand"][:5] == [2000.0] * 5
    two = _json(run("simulate", "-p", "25k", "--traffic", str(csv_file), "--days", "2", "--json", "--no-series"))
    assert two["minutes"] == 2880


def test_terminal_report(run):
    result = run("simulate", "-p", "50k", "--spike", "5x@20:00/1m")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    for text in ("Per service", "Over time", "Alarms that would have fired", "Fargate per month",
                 "verified options, cheapest first", "realtime", "saturated"):
        assert text in out
    assert "Simulating 1 day(s)" in result.stderr


def test_chart_is_one_self_contained_html_file(run, tmp_path):
    page = tmp_path / "day.html"
    result = run("simulate", "-p", "50k", "--spike", "5x@20:00/1m", "--chart", str(page), "--json", "--no-series")
    assert result.exit_code == 0 and f"Wrote {page}" in result.stderr
    html = page.read_text()
    assert html.startswith("<!DOCTYPE html>") and html.count("<svg") == 3
    assert not re.search(r"https?://|<script|<link|@import|url\(", html)  # nothing fetched, nothing run
    for svg in re.findall(r"<svg.*?</svg>", html, flags=re.S):
        root = ET.fromstring(svg)  # well-formed
        assert root.find("polyline") is not None and root.find("polygon") is not None
    assert 'fill="#fecaca"' in html  # the saturated minutes are marked


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary on PATH")
def test_chart_renders_in_headless_chromium(run, tmp_path):
    page = tmp_path / "day.html"
    assert run("simulate", "-p", "10k", "--chart", str(page), "--json", "--no-series").exit_code == 0
    base = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
            f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run(base + ["--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert dom.stdout.count("<svg") == 3 and dom.stdout.count("<polyline") == 9
    shot = tmp_path / "shot.png"
    snap = subprocess.run(base + [f"--screenshot={shot}", "--window-size=1000,1100", page.as_uri()],
                          capture_output=True, text=True, timeout=120)
    assert snap.returncode == 0 and shot.stat().st_size > 5_000


def test_stack_reads_profile_region_and_names_from_chatops_yaml(run, tmp_path):
    config = tmp_path / "chatops.yaml"
    config.write_text("project: acme\nstacks:\n  live:\n    profile: 50k-dau\n    region: eu-central-1\n"
                      "    domain: example.com\n    hosted_zone_id: Z123ABC\n")
    data = _json(run("simulate", "--stack", "live", "--config", str(config), "--spike", "5x@20:00/1m", "--json",
                     "--no-series", "--no-recommend"))
    assert data["region"] == "eu-central-1" and data["names"] == {"project": "acme", "stack": "live"}
    assert any(a["name"] == "acme-live-realtime-connections-near-capacity" for a in data["alarms"])
    eu = data["fargate"]["desired_monthly"]
    us = _json(run("simulate", "-p", "50k", "--json", "--no-series"))["fargate"]["desired_monthly"]
    assert eu > us  # Frankfurt's Fargate prices


@pytest.mark.parametrize("args, flag", [
    ([], "--profile"),
    (["-p", "50k", "--stack", "prod"], "--stack"),
    (["-p", "50k", "--shape", "evening", "--traffic", "x.csv"], "--traffic"),
    (["-p", "50k", "--shape", "lunch"], "--shape"),
    (["-p", "50k", "--spike", "5x@25:00"], "--spike"),
    (["-p", "50k", "--spike", "fast"], "--spike"),
    (["-p", "50k", "--days", "0"], "--days"),
    (["-p", "50k", "--dau", "-3"], "--dau"),
    (["-p", "50k", "--image-pull-seconds", "-1"], "--image-pull-seconds"),
])
def test_bad_input_is_a_one_line_usage_error(run, args, flag):
    result = run("simulate", *args, "--json")
    assert result.exit_code == 2, result.stderr
    assert flag in result.stderr and "Traceback" not in result.stderr and result.stdout == ""


def test_unknown_tier_is_one_line_as_in_every_command(run):
    result = run("simulate", "-p", "70k", "--json")
    assert result.exit_code == run("cost-report", "-p", "70k", "--json").exit_code == 2  # a usage error everywhere
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error")]
    assert len(errors) == 1 and "70k: unknown tier" in errors[0]


def test_bad_csv_is_one_line_naming_the_row(run, tmp_path):
    csv_file = tmp_path / "bad.csv"
    csv_file.write_text("connections\n10\nlots\n")
    result = run("simulate", "-p", "50k", "--traffic", str(csv_file))
    assert result.exit_code == 1 and "row 3" in result.stderr and str(csv_file) in result.stderr
    missing = run("simulate", "-p", "50k", "--traffic", str(tmp_path / "nope.csv"))
    assert missing.exit_code == 1 and "cannot read" in missing.stderr


def test_help_has_examples(run):
    out = run("simulate", "--help").stdout
    assert "chatops simulate --profile 50k-dau" in out.split("Examples:")[-1]
    assert "simulate" in run("--help").stdout


def test_plan_does_not_import_the_simulator():
    assert "chatops.simulate" not in _modules_plan_imports("chatops")


def test_cost_report_simulate_sits_between_desired_and_max(run):
    data = _json(run("cost-report", "-p", "50k", "--simulate", "--json"))
    sim = data["simulated_fargate"]
    assert sim["traffic"] == "evening" and sim["days"] == 30
    services = {r["name"]: r for r in data["resources"] if r["resource_type"] == "aws:ecs/service:Service"}
    assert sim["desired_monthly"] == pytest.approx(sum(r["cost_monthly"] for r in services.values()), abs=0.01)
    assert sim["max_monthly"] == pytest.approx(sum(r["max_monthly"] for r in services.values()), abs=0.01)
    assert sim["desired_monthly"] <= sim["simulated_monthly"] <= sim["max_monthly"]
    table = run("cost-report", "-p", "50k", "--simulate")
    assert table.exit_code == 0 and "Fargate per month" in table.stdout and "simulated" in table.stdout
    assert "simulated_fargate" not in _json(run("cost-report", "-p", "50k", "--json"))


@pytest.mark.parametrize("args", [["--all"], ["--compare", "10k", "25k"], ["-p", "50k", "--format", "csv"],
                                  ["-p", "50k", "--pricing", "commitment"]])
def test_cost_report_simulate_needs_one_profile_table_or_json_and_on_demand_prices(run, args):
    result = run("cost-report", *args, "--simulate")
    assert result.exit_code == 2 and "--simulate" in result.stderr
