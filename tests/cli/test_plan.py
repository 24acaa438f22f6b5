"""`chatops plan` through the CLI: JSON contract, options, bad input, --optimize --write, import hygiene."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from chatops.model.loading import load_profile


def _json(result) -> dict:
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_json_has_the_documented_keys(run):
    data = _json(run("plan", "--dau", "50000", "--json"))
    assert data["profile"] == "50k-dau" and data["mode"] == "tier" and data["ok"] is True and data["problems"] == []
    assert data["schema_version"] == 1
    assert {"dau", "peak_concurrent_connections", "peak_messages_per_second"} <= set(data["demand"])
    assert data["demand"]["dau"] == 50000
    assert data["tightest"] in data["headroom"]
    assert all(v is None or v >= 1.3 for v in data["headroom"].values())
    assert {c["key"] for c in data["capacity"]} == set(data["headroom"])
    assert [n["profile"] for n in data["neighbours"]] == ["25k-dau", "100k-dau"]
    assert data["reason"].startswith("50k-dau is the smallest tier")


def test_json_includes_cost_of_the_selected_tier_and_neighbour_totals(run):
    data = _json(run("plan", "--dau", "50000", "--json"))
    assert data["cost"]["profile"] == "50k-dau" and data["cost"]["total_monthly"] > 0
    assert all(n["total_monthly"] > 0 for n in data["neighbours"])


@pytest.mark.parametrize("dau, tier", [("1000", "1k-dau"), ("5k", "5k-dau"), ("10,000", "10k-dau"),
                                       ("25_000", "25k-dau"), ("50000", "50k-dau"), ("100k", "100k-dau"),
                                       ("30000", "50k-dau")])
def test_dau_spellings_and_tier_selection(run, dau, tier):
    assert _json(run("plan", "--dau", dau, "--json"))["profile"] == tier


def test_rich_output_names_choice_reason_tightest_and_neighbours(run):
    result = run("plan", "--dau", "50000")
    assert result.exit_code == 0
    out = result.stdout
    for text in ("Selected tier: 50k-dau", "Why:", "← tightest", "Neighbouring tiers", "25k-dau", "100k-dau"):
        assert text in out
    assert "\x1b[" not in run("plan", "--dau", "50000", "--json").stdout


def test_flags_win_over_usage_file(run, tmp_path):
    usage = tmp_path / "usage.yaml"
    usage.write_text("dau: 20000\nfanout: 8\npeak-concurrency: 0.2\n")
    data = _json(run("plan", "--usage-file", str(usage), "--fanout", "3", "--json"))
    assert data["usage"]["dau"] == 20000
    assert data["usage"]["fanout"] == 3 and data["usage"]["peak_concurrency"] == 0.2


def test_headroom_option_changes_the_requirement(run):
    data = _json(run("plan", "--dau", "50000", "--headroom", "2", "--json"))
    assert data["required_headroom"] == 2 and data["profile"] == "100k-dau"


def test_above_the_largest_tier_offers_optimize_and_exits_3(run):
    result = run("plan", "--dau", "300000", "--json")
    assert result.exit_code == 3 and "no built-in tier fits" in result.stderr
    data = json.loads(result.stdout)
    assert data["profile"] is None and data["ok"] is False and "--optimize" in data["reason"]
    assert data["problems"] == [data["reason"]]
    assert "cost" not in data
    table = run("plan", "--dau", "300000")
    assert table.exit_code == 3 and "--optimize" in table.stdout


def test_optimize_write_produces_a_profile_that_validates_and_holds(run, tmp_path):
    target = tmp_path / "optimized.yaml"
    data = _json(run("plan", "--dau", "250000", "--optimize", "--write", str(target), "--json"))
    assert data["profile"] == "optimized" and data["mode"] == "optimize" and data["ok"] is True
    assert data["written_to"] == str(target)
    assert load_profile(target).design.dau == 250000
    result = run("profiles", "validate", str(target))
    assert result.exit_code == 0, result.stdout + result.stderr
    checked = _json(run("plan", "--dau", "250000", "--tier", str(target), "--json"))
    assert checked["ok"] is True and checked["warnings"] == []


def test_optimize_json_explains_every_component_and_compares_with_the_tier(run):
    data = _json(run("plan", "--dau", "100k", "--optimize", "--json"))
    o = data["optimization"]
    assert [c["component"] for c in o["choices"]] == ["compute", "realtime", "api", "workers", "database", "storage",
                                                      "cache", "network", "waf"]
    assert all(c["reason"] for c in o["choices"])
    runner_ups = [a for c in o["choices"] for a in c["alternatives"] if a["holds"]]
    assert runner_ups and all(a["delta_monthly"] >= 0 for a in runner_ups)
    assert o["availability"] == "standard" and o["complete"] is True and o["missing_prices"] == []
    assert o["selected_tier"]["profile"] == "100k-dau" and o["selected_tier"]["savings_monthly"] > 0
    assert o["total_monthly"] == round(data["cost"]["total_monthly"], 2)
    assert data["database"]["storage_runway_months"] >= 12


def test_custom_is_an_alias_of_optimize(run):
    optimized = _json(run("plan", "--dau", "20000", "--optimize", "--json"))
    custom = _json(run("plan", "--dau", "20000", "--custom", "--json"))
    assert custom == optimized


def test_availability_high_gives_zone_redundancy(run):
    data = _json(run("plan", "--dau", "20000", "--optimize", "--availability", "high", "--json"))
    standard = _json(run("plan", "--dau", "20000", "--optimize", "--json"))
    assert data["optimization"]["availability"] == "high"
    assert data["optimization"]["total_monthly"] > standard["optimization"]["total_monthly"]
    network = next(c for c in data["optimization"]["choices"] if c["component"] == "network")
    assert network["choice"] == "3 zones, 3 NAT gateways"


def test_storage_months_sets_the_first_allocation(run):
    three = _json(run("plan", "--dau", "100k", "--optimize", "--json"))["database"]
    six = _json(run("plan", "--dau", "100k", "--optimize", "--storage-months", "6", "--json"))["database"]
    assert (three["allocated_storage_gb"], six["allocated_storage_gb"]) == (297, 593)
    assert three["max_allocated_storage_gb"] == six["max_allocated_storage_gb"]


def test_write_refuses_to_overwrite_without_force(run, tmp_path):
    target = tmp_path / "optimized.yaml"
    target.write_text("keep me\n")
    result = run("plan", "--dau", "20000", "--optimize", "--write", str(target))
    assert result.exit_code == 1 and "--force" in result.stderr and target.read_text() == "keep me\n"
    result = run("plan", "--dau", "20000", "--optimize", "--write", str(target), "--force")
    assert result.exit_code == 0 and load_profile(target).name == "optimized"


def test_rich_optimize_output_shows_choices_runner_ups_and_the_tier(run):
    out = run("plan", "--dau", "100k", "--optimize").stdout
    for text in ("Optimised profile: optimized", "What the optimiser chose", "Passed over", "/month",
                 "the selected tier 100k-dau costs", "runway"):
        assert text in out


def test_tier_check_reports_a_tier_that_does_not_hold_and_exits_3(run):
    result = run("plan", "--dau", "40000", "--tier", "25k", "--json")
    assert result.exit_code == 3 and "25k-dau does not hold this demand" in result.stderr
    data = json.loads(result.stdout)
    assert data["mode"] == "check" and data["profile"] == "25k-dau" and data["ok"] is False
    assert "50k-dau" in data["reason"] and any(p.endswith("< 1.3x") for p in data["problems"])


def test_dev_warning_is_shown_when_checking_dev(run):
    data = _json(run("plan", "--dau", "300", "--tier", "dev", "--json"))
    assert any("max_connections_per_task is 3,000" in w for w in data["warnings"])


@pytest.mark.parametrize("args, flag", [
    (["--dau", "0"], "--dau"), (["--dau", "-5"], "--dau"), (["--dau", "abc"], "--dau"),
    (["--dau", "2000000000"], "--dau"), (["--dau", "1.5"], "--dau"),
    (["--dau", "1000", "--peak-concurrency", "0"], "--peak-concurrency"),
    (["--dau", "1000", "--peak-concurrency", "1.01"], "--peak-concurrency"),
    (["--dau", "1000", "--peak-concurrency", "nan"], "--peak-concurrency"),
    (["--dau", "1000", "--fanout", "0.5"], "--fanout"),
    (["--dau", "1000", "--headroom", "0.5"], "--headroom"),
    (["--dau", "1000", "--tier", "70k"], "--tier"),
    (["--fanout", "3"], "--dau"),
    (["--dau", "1000", "--write", "x.yaml"], "--write"),
    (["--dau", "1000", "--availability", "high"], "--availability"),
    (["--dau", "1000", "--optimize", "--availability", "gold"], "--availability"),
    (["--dau", "1000", "--optimize", "--storage-months", "0"], "--storage-months"),
    (["--dau", "1000", "--storage-months", "6"], "--storage-months"),
    (["--dau", "1000", "--optimize", "--tier", "5k"], "--tier"),
    (["--dau", "1000", "--optimize", "--force"], "--force"),
])
def test_bad_flags_are_usage_errors_naming_the_flag(run, args, flag):
    result = run("plan", *args, "--json")
    assert result.exit_code == 2
    assert flag in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("text, field", [("fanout: abc\n", "fanout"), ("bogus: 1\n", "bogus"),
                                         ("dau: [1, 2\n", "malformed YAML"), ("- 1\n- 2\n", "mapping"),
                                         ("peak_concurrency: 2\n", "peak_concurrency")])
def test_bad_usage_file_is_one_line_naming_the_field(run, tmp_path, text, field):
    usage = tmp_path / "usage.yaml"
    usage.write_text(text)
    result = run("plan", "--dau", "1000", "--usage-file", str(usage))
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and field in lines[0] and str(usage) in lines[0]


def test_missing_usage_file_is_one_line(run, tmp_path):
    result = run("plan", "--dau", "1000", "--usage-file", str(tmp_path / "nope.yaml"))
    assert result.exit_code == 1 and "file not found" in result.stderr


@pytest.mark.parametrize("dau, why", [("900m", "several stacks"), ("4m", "no priced database class")])
def test_optimize_with_no_priced_profile_that_fits_is_one_line(run, dau, why):
    result = run("plan", "--dau", dau, "--optimize")
    assert result.exit_code == 1 and len(result.stderr.strip().splitlines()) == 1
    assert "no profile fits" in result.stderr and why in result.stderr


def test_help_ends_with_examples(run):
    out = run("plan", "--help").stdout
    assert "chatops plan --dau 50000" in out.split("Examples:")[-1]
    assert "[default: 0.15" in out


def _modules_plan_imports(*packages: str, args: tuple[str, ...] = ("--dau", "50000", "--json")) -> str:
    """The modules of `packages` that `chatops plan ARGS` imports, run in a fresh interpreter."""
    code = ("import sys\nfrom chatops.cli.main import cli\n"
            f"try:\n    cli(['plan', *{list(args)!r}], standalone_mode=False)\nexcept SystemExit:\n    pass\n"
            f"print('IMPORTED=' + ','.join(sorted(m for m in sys.modules if m.split('.')[0] in {packages!r})))\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip().splitlines()[-1].removeprefix("IMPORTED=")


def test_plan_does_not_import_pulumi_or_boto3():
    assert _modules_plan_imports("pulumi", "pulumi_aws", "boto3", "botocore") == ""


def test_rich_output_shows_the_cost_table_and_neighbour_totals(run):
    out = run("plan", "--dau", "50000").stdout
    assert "Monthly cost" in out and "Monthly" in out.split("Neighbouring tiers")[-1]


def test_unknown_region_is_one_line(run):
    result = run("plan", "--dau", "50000", "--region", "xx-nowhere-1")
    assert result.exit_code == 1 and "xx-nowhere-1" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_plan_json_with_builtin_tiers_needs_neither_pydantic_nor_yaml_nor_rich():
    # Its start-up budget (benchmarks/cli_latency.py) has no room for them: the built-in tiers come from
    # the validated snapshot, flags are checked by click, and JSON needs no terminal rendering.
    assert _modules_plan_imports("pydantic", "pydantic_core", "yaml", "rich") == ""


def test_plan_optimize_json_needs_neither_pydantic_nor_yaml_nor_rich_nor_cloud_sdks():
    # The search builds its profiles as records; only a profile --write saves is validated by pydantic.
    args = ("--dau", "100000", "--optimize", "--json")
    assert _modules_plan_imports("pydantic", "pydantic_core", "yaml", "rich", "pulumi", "boto3", args=args) == ""


def test_plan_with_a_usage_file_still_validates_it(run, tmp_path):
    usage = tmp_path / "usage.yaml"
    usage.write_text("dau: 20000\nfanout: 8\n")
    result = run("plan", "--usage-file", str(usage), "--json")
    assert result.exit_code == 0, result.stderr
    usage.write_text("dau: 20000\npeak_concurrency: 2\n")
    result = run("plan", "--usage-file", str(usage), "--json")
    assert result.exit_code != 0 and "peak_concurrency" in result.stderr and "Traceback" not in result.stderr
