"""Every table at 80 and 120 columns (COLUMNS): each figure and identifier appears whole, nothing is cut.

The expected figures come from the same command's --json, formatted as the tables format them."""

from __future__ import annotations

import json

import pytest

from chatops.costing.money import fmt_usd
from chatops.costing.report import fmt_price
from chatops.model.loading import load_builtin_profiles

WIDTHS = ("80", "120")


@pytest.fixture(autouse=True)
def _no_user_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "empty-cache"))


def _render(run, width, *args):
    result = run(*args, env={"COLUMNS": width})
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= int(width), "a line is wider than COLUMNS"
    assert "…" not in result.stdout, "a cell was cut"
    return result.stdout


def _json(run, *args):
    return json.loads(run(*args, "--json").stdout)


def _assert_whole(out, figures):
    missing = [f for f in figures if f not in out]
    assert not missing, f"not shown whole: {missing[:10]}"


def _money(value):
    from decimal import Decimal

    return fmt_usd(Decimal(str(value)))


@pytest.mark.parametrize("width", WIDTHS)
def test_cost_table(run, width):
    data = _json(run, "cost-report", "-p", "100k")
    out = _render(run, width, "cost-report", "-p", "100k")
    figures = [_money(data["total_monthly"]), _money(data["max_monthly"])]
    for r in data["resources"]:
        figures += [r["name"], _money(r["cost_monthly"])]
        for c in r["components"]:
            figures += [_money(c["cost_monthly"]), fmt_price(_dec(c["unit_price"])), c["unit"]]
    _assert_whole(out, figures)


def _dec(value):
    from decimal import Decimal

    return Decimal(str(value))


@pytest.mark.parametrize("width", WIDTHS)
def test_all_tiers_table(run, width):
    data = _json(run, "cost-report", "--all")
    out = _render(run, width, "cost-report", "--all")
    figures = []
    for e in data["profiles"]:
        figures += [e["profile"], _money(e["total_monthly"]), _money(e["max_monthly"]), _money(e["per_1000_dau_monthly"])]
        figures += [_money(r["cost_monthly"]) for r in e["resources"]]
    _assert_whole(out, figures)


@pytest.mark.parametrize("width", WIDTHS)
def test_comparison_table(run, width):
    data = _json(run, "cost-report", "--compare", "25k", "100k")
    out = _render(run, width, "cost-report", "--compare", "25k", "100k")
    figures = [_money(data["before"]["total_monthly"]), _money(data["after"]["total_monthly"])]
    for r in data["resources"]:
        figures += [r["name"]] + [_money(r[k]) for k in ("before_monthly", "after_monthly") if r[k] is not None]
        figures += [_money(abs(r["delta_monthly"]))]
    _assert_whole(out, figures)


@pytest.mark.parametrize("width", WIDTHS)
def test_plan_tables(run, width):
    data = _json(run, "plan", "--dau", "50k")
    out = _render(run, width, "plan", "--dau", "50k")
    figures = [_money(n["total_monthly"]) for n in data["neighbours"]] + [_money(data["cost"]["total_monthly"])]
    figures += [f"{d['capacity']:,.0f}" for d in data["capacity"]]
    _assert_whole(out, figures)


@pytest.mark.parametrize("width", WIDTHS)
def test_profile_table(run, width):
    out = _render(run, width, "profiles", "list")
    figures = []
    for p in load_builtin_profiles():
        figures += [p.name, f"{p.design.dau:,}", p.database.instance_class, f"{p.design.peak_concurrent_connections:,}"]
        figures += [p.cache.node_type] if not p.cache.split.enabled else [p.cache.split.adapter.node_type]
    _assert_whole(out, figures)


@pytest.mark.parametrize("width", WIDTHS)
def test_profile_diff(run, width):
    data = _json(run, "profiles", "diff", "25k", "100k")
    out = _render(run, width, "profiles", "diff", "25k", "100k")
    _assert_whole(out, [c["path"] for c in data["changes"]] + [str(c["after"]) for c in data["changes"]
                                                               if c["after"] is not None])


def test_narrow_profile_table_is_stacked_and_wide_one_is_a_table(run):
    narrow, wide = _render(run, "80", "profiles", "list"), _render(run, "200", "profiles", "list")
    assert "┃ tier" not in narrow and "design DAU  100,000" in narrow
    assert "┃ tier" in wide


def test_the_deploy_diff_from_nothing_marks_every_resource_added(capsys):
    """`scale-to` and the live `preview` show a cost change with show_cost_diff (before: None = not deployed)."""
    from chatops.model.loading import load_profile
    from chatops.ui.cost import show_cost_diff

    show_cost_diff(None, load_profile("dev"), "us-east-1")
    out = capsys.readouterr().out
    assert "Cost change: nothing deployed -> dev" in out and "(new)" in out
    show_cost_diff(load_profile("10k"), load_profile("25k"), "us-east-1")
    out = capsys.readouterr().out
    assert "10k-dau -> 25k-dau" in out and "│ ~ │ database" in out
