"""`chatops cost-report`: the monthly cost of a profile per resource, all tiers side by side, the
difference between two tiers, or (with --actual) the real spend of a deployed stack."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

import click

from chatops.cli.common import (NumberType, budget_verdict, chosen_format, dau_option, examples, format_option, json_option,
                                profile_option, usage_options, usage_values, PROFILE_REF)
from chatops.cli.output import emit_report, emit_rich, emit_text, output_options, refuse_overwrite
from chatops.cli.resolve import config_options, resolve_target
from chatops.errors import EXIT_OVER_BUDGET, ChatopsError, OutcomeError, UsageError

FORMATS = ("table", "json", "markdown", "csv", "html")
PRICINGS = ("on-demand", "commitment")  # chatops.costing.components.PRICINGS, without importing costing here


@click.command("cost-report", epilog=examples(
    "chatops cost-report --profile 50k-dau",
    "chatops cost-report --profile 50k --region eu-central-1 --dau 80k",
    "chatops cost-report --all --format markdown",
    "chatops cost-report --all --format html --output costs.html",
    "chatops cost-report --compare 25k-dau 50k-dau",
    "chatops cost-report --profile 100k --pricing commitment",
    "chatops cost-report --stack prod --fail-above 2500",
    "chatops cost-report --actual --stack prod",
))
@profile_option(required=False)
@click.option("--region", "-r", metavar="REGION",
              help="AWS region whose prices to use. [default: AWS_REGION, else the stack's region with --stack, "
                   "else us-east-1]")
@dau_option("Daily active users (e.g. 80000, 80k) [default: the tier's design DAU].")
@usage_options
@click.option("--all", "all_tiers", is_flag=True, help="Every built-in tier side by side, with cost per 1,000 DAU.")
@click.option("--compare", nargs=2, type=PROFILE_REF, metavar="A B",
              help="What moving from A to B costs, per resource and component (+ added, ~ changed, - removed).")
@click.option("--pricing", type=click.Choice(PRICINGS, case_sensitive=False), default="on-demand", show_default=True,
              help="on-demand list prices, or 1-year commitments (RDS/ElastiCache no-upfront reserved, Fargate "
                   "Compute Savings Plan) shown beside on-demand.")
@click.option("--fail-above", type=NumberType(0, low_open=True, metavar="USD"),
              help=f"Exit {EXIT_OVER_BUDGET} when the monthly total (with --compare: B's) is above USD: a CI gate.")
@format_option(FORMATS)
@json_option
@output_options
@click.option("--simulate", "simulated", is_flag=True,
              help="Also the month's Fargate cost simulated through the autoscaling policies (a month of the "
                   "evening traffic shape; `chatops simulate` for other traffic). Table and JSON formats.")
@click.option("--actual", is_flag=True, help="Actual spend of a deployed stack from Cost Explorer.")
@config_options
@click.option("--aws-profile", envvar="AWS_PROFILE", help="AWS named profile (with --actual). [env: AWS_PROFILE]")
@click.option("--endpoint-url", envvar="AWS_ENDPOINT_URL",
              help="AWS endpoint override, e.g. an emulator (with --actual). [env: AWS_ENDPOINT_URL]")
def cost_report(profile_ref: Optional[str], region: Optional[str], dau: Optional[int], all_tiers: bool,
                compare: Optional[tuple[str, str]], pricing: str, fail_above: Optional[float], fmt: Optional[str],
                as_json: bool,
                output: Optional[Path], force: bool, simulated: bool, actual: bool, stack: Optional[str],
                config_path: Optional[str],
                aws_profile: Optional[str], endpoint_url: Optional[str], **flags: Optional[float]) -> None:
    """Monthly cost per resource and cost component: fixed (what is provisioned) and usage-based
    (from the demand model), at desired counts and up to the autoscaling maximum.

    Estimates use AWS on-demand list prices from the bundled catalog (or your refreshed one, see
    `chatops prices show`); --pricing commitment prices 1-year commitments beside them. With --actual,
    reports what the stack really cost (Cost Explorer).
    """
    fmt = chosen_format(fmt, as_json)
    usage = usage_values(flags)
    if actual:
        _check_actual(fmt, profile_ref, all_tiers, compare, fail_above, output, dau, usage,
                      pricing != "on-demand")
        try:
            from chatops.cli.cost_actual import run_actual_report
        except ImportError:
            raise ChatopsError("--actual (Cost Explorer spend) is not available in this build; use the estimate "
                               "without --actual") from None

        run_actual_report(stack=stack, config_path=config_path, as_json=fmt == "json",
                          aws_profile=aws_profile, endpoint_url=endpoint_url, region=region)
        return
    modes = sum([bool(profile_ref), all_tiers, bool(compare)])
    if modes > 1 or (modes == 0 and not stack and not _single_stack(config_path)):
        raise UsageError("give exactly one of --profile TIER, --stack NAME, --all or --compare A B")
    if all_tiers and (dau is not None or usage):
        raise UsageError("--all prices each tier at its own design DAU; drop --dau and the usage options")
    if all_tiers and fail_above is not None:
        raise UsageError("--fail-above judges one total; use it with --profile, --stack or --compare")
    if stack and (all_tiers or compare):
        if click.get_current_context().get_parameter_source("stack") != click.core.ParameterSource.ENVIRONMENT:
            raise UsageError("--stack prices that stack's profile; it does not go with --all or --compare")
        stack = None  # CHATOPS_STACK from the shell: --all and --compare price tiers, not the stack
    if simulated and (all_tiers or compare or fmt not in ("table", "json")):
        raise UsageError("--simulate works with one profile (--profile or --stack) and --format table or json")
    if simulated and pricing != "on-demand":
        raise UsageError("--simulate prices the simulated month on-demand; drop --pricing commitment")
    if output is not None:
        refuse_overwrite(output, force)
    target = resolve_target(None if (all_tiers or compare) else profile_ref, stack, None, region, config_path)
    if all_tiers:
        _report_all(target.region, fmt, output, force, pricing)
    elif compare:
        _report_compare(compare, target.region, dau, usage, fmt, output, force, fail_above, pricing)
    else:
        assert target.profile_ref is not None
        _report_one(target.profile_ref, target.region, dau, usage, fmt, output, force, fail_above, pricing, simulated)


def _single_stack(config_path: Optional[str]) -> bool:
    """No mode given: a chatops.yaml with exactly one stack means that stack."""
    from chatops.model.config_file import config_in_use, load_config

    path = config_in_use(config_path)
    return path is not None and path.exists() and len(load_config(str(path))[0].stacks) == 1


def _check_actual(fmt: str, profile_ref: Optional[str], all_tiers: bool, compare: Any, fail_above: Any,
                  output: Any, dau: Any, usage: dict, commitment: bool) -> None:
    if fmt not in ("table", "json"):
        raise UsageError(f"--actual prints a table or JSON; --format {fmt} is for estimates")
    given = [flag for flag, value in (("--profile", profile_ref), ("--all", all_tiers), ("--compare", compare),
                                      ("--fail-above", fail_above), ("--output", output), ("--dau", dau),
                                      ("usage options", usage), ("--pricing", commitment)) if value]
    if given:
        raise UsageError(f"--actual reports a deployed stack's real spend; drop {', '.join(given)}")


def _demand(profile, dau: Optional[int], usage: dict):
    """The demand to price: the tier's design DAU unless --dau, with any usage overrides."""
    from chatops.model.demand import UsageAssumptions
    from chatops.sizing.demand import estimate_demand

    return estimate_demand(UsageAssumptions(dau=dau or profile.design.dau, **usage))


def _exit_over_budget(verdict: Optional[dict[str, Any]]) -> None:
    if verdict is not None and not verdict["ok"]:
        raise OutcomeError(verdict["problems"][0], EXIT_OVER_BUDGET)


def _report_one(ref: str, region: str, dau: Optional[int], usage: dict, fmt: str, output: Optional[Path],
                force: bool, fail_above: Optional[float], pricing: str, simulated: bool = False) -> None:
    from chatops.costing import report, report_html
    from chatops.costing.estimate import estimate_cost
    from chatops.model.loading import load_profile

    profile = load_profile(ref)
    demand = _demand(profile, dau, usage)
    estimate = estimate_cost(profile, region, demand, pricing=pricing)
    sim = None
    if simulated:
        from chatops.cli.simulate import simulated_month

        sim = simulated_month(profile, demand, region)
    verdict = budget_verdict(estimate.total_monthly, fail_above)
    if fmt == "table":
        from chatops.ui.cost import render_budget, render_cost_table

        def draw(c: Any) -> None:
            render_cost_table(c, estimate)
            if sim is not None:
                from chatops.ui.simulate import render_fargate_line

                render_fargate_line(c, sim.costs, sim.traffic.name, sim.stack.minutes)
            if verdict is not None:
                render_budget(c, verdict)

        emit_rich(draw, output, force)
    elif fmt == "json":
        data = estimate.to_json()
        if sim is not None:
            from chatops.simulate.report import fargate_json

            data["simulated_fargate"] = {**fargate_json(sim.costs), "traffic": sim.traffic.name,
                                         "days": sim.stack.minutes // 1440}
        emit_report({**data, **({"budget": verdict} if verdict else {})}, output, force)
    elif fmt == "html":
        emit_text(report_html.html_report([estimate], budget=verdict), output, force)
    else:
        text = {"markdown": report.markdown_estimate, "csv": report.csv_estimate}[fmt](estimate)
        if fmt == "markdown" and verdict is not None:
            text += "\n" + report.markdown_budget(verdict) + "\n"
        emit_text(text, output, force)
    _exit_over_budget(verdict)


def _report_all(region: str, fmt: str, output: Optional[Path], force: bool, pricing: str) -> None:
    from chatops.costing import report, report_html
    from chatops.costing.estimate import estimate_cost
    from chatops.model.loading import load_builtin_profiles

    estimates = [estimate_cost(p, region, pricing=pricing) for p in load_builtin_profiles()]
    if fmt == "table":
        from chatops.ui.cost import render_all_table

        emit_rich(lambda c: render_all_table(c, estimates), output, force)
    elif fmt == "json":
        emit_report({"currency": "USD", "region": region, "pricing": pricing,
                     "profiles": [e.to_json() for e in estimates]}, output, force)
    else:
        emit_text({"markdown": report.markdown_all, "csv": report.csv_all,
                   "html": report_html.html_report}[fmt](estimates), output, force)


def _report_compare(refs: tuple[str, str], region: str, dau: Optional[int], usage: dict, fmt: str,
                    output: Optional[Path], force: bool, fail_above: Optional[float], pricing: str) -> None:
    from chatops.costing import report, report_html
    from chatops.costing.compare import compare_costs
    from chatops.costing.estimate import estimate_cost
    from chatops.model.loading import load_profile

    before_p, after_p = load_profile(refs[0]), load_profile(refs[1])
    before = estimate_cost(before_p, region, _demand(before_p, dau, usage), pricing=pricing)
    after = estimate_cost(after_p, region, _demand(after_p, dau, usage), pricing=pricing)
    cmp = compare_costs(before, after)
    verdict = budget_verdict(after.total_monthly, fail_above)
    if fmt == "table":
        from chatops.ui.cost import render_budget, render_comparison

        def draw(c: Any) -> None:
            render_comparison(c, cmp)
            if verdict is not None:
                render_budget(c, verdict)

        emit_rich(draw, output, force)
    elif fmt == "json":
        emit_report({**cmp.to_json(), **({"budget": verdict} if verdict else {})}, output, force)
    elif fmt == "html":
        emit_text(report_html.html_report([before, after], cmp, budget=verdict), output, force)
    else:
        text = {"markdown": report.markdown_comparison, "csv": report.csv_comparison}[fmt](cmp)
        if fmt == "markdown" and verdict is not None:
            text += "\n" + report.markdown_budget(verdict) + "\n"
        emit_text(text, output, force)
    _exit_over_budget(verdict)
