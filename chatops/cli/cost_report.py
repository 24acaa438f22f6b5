"""`chatops cost-report`: the monthly cost of a profile per resource, all tiers side by side, the
difference between two tiers, or (with --actual) the real spend of a deployed stack."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import click

from chatops.cli.common import examples, json_option, profile_option, stack_choice
from chatops.errors import ChatopsError

FORMATS = ("table", "json", "markdown", "csv", "html")
PRICINGS = ("on-demand", "commitment")  # chatops.costing.components.PRICINGS, without importing costing here


@click.command("cost-report", epilog=examples(
    "chatops cost-report --profile 50k-dau",
    "chatops cost-report --profile 50k --region eu-central-1 --dau 80000",
    "chatops cost-report --all --format markdown",
    "chatops cost-report --all --format html --output costs.html",
    "chatops cost-report --compare 25k-dau 50k-dau",
    "chatops cost-report --profile 100k --pricing commitment",
    "chatops cost-report --stack prod",
    "chatops cost-report --actual --stack prod",
))
@profile_option(required=False)
@click.option("--region", "-r", metavar="REGION",
              help="AWS region whose prices to use. [default: the stack's region with --stack, else us-east-1]")
@click.option("--dau", type=click.IntRange(1, 1_000_000_000), help="Daily active users (default: the tier's design DAU).")
@click.option("--messages-per-user", type=click.FloatRange(0, 100_000), help="Messages sent per user per day (default 40).")
@click.option("--api-requests-per-user", type=click.FloatRange(0, 1_000_000), help="REST calls per user per day (default 100).")
@click.option("--fanout", type=click.FloatRange(1, 100_000), help="Recipients per message (default 5).")
@click.option("--peak-concurrency", type=click.FloatRange(0, 1, min_open=True),
              help="Share of DAU connected at the busiest minute (default 0.3).")
@click.option("--all", "all_tiers", is_flag=True, help="Every built-in tier side by side, with cost per 1,000 DAU.")
@click.option("--compare", nargs=2, metavar="A B", help="Monthly difference per component from tier A to tier B.")
@click.option("--pricing", type=click.Choice(PRICINGS), default="on-demand", show_default=True,
              help="on-demand list prices, or 1-year commitments (RDS/ElastiCache no-upfront reserved, Fargate "
                   "Compute Savings Plan) shown beside on-demand.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True, help="Output format.")
@json_option
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the report to this file instead of stdout.")
@click.option("--simulate", "simulated", is_flag=True,
              help="Also the month's Fargate cost simulated through the autoscaling policies (a month of the "
                   "evening traffic shape; `chatops simulate` for other traffic). Table and JSON formats.")
@click.option("--actual", is_flag=True, help="Actual spend of a deployed stack from Cost Explorer.")
@click.option("--stack", help="A stack of chatops.yaml: estimate its profile in its region (or, with --actual, "
              "its real spend).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Path to chatops.yaml (with --stack). [default: ./chatops.yaml or CHATOPS_CONFIG]")
@click.option("--aws-profile", envvar="AWS_PROFILE", help="AWS named profile (with --actual). [env: AWS_PROFILE]")
@click.option("--endpoint-url", envvar="AWS_ENDPOINT_URL",
              help="AWS endpoint override, e.g. an emulator (with --actual). [env: AWS_ENDPOINT_URL]")
def cost_report(profile_ref: Optional[str], region: Optional[str], dau: Optional[int], messages_per_user: Optional[float],
                api_requests_per_user: Optional[float], fanout: Optional[float], peak_concurrency: Optional[float],
                all_tiers: bool, compare: Optional[tuple[str, str]], pricing: str, fmt: str, as_json: bool,
                output: Optional[Path], simulated: bool,
                actual: bool, stack: Optional[str], config_path: Optional[Path], aws_profile: Optional[str],
                endpoint_url: Optional[str]) -> None:
    """Monthly cost per resource and cost component: fixed (what is provisioned) and usage-based
    (from the demand model), at desired counts and up to the autoscaling maximum.

    Estimates use AWS on-demand list prices from the bundled catalog (or your refreshed one, see
    `chatops prices show`); --pricing commitment prices 1-year commitments beside them. With --actual,
    reports what the stack really cost (Cost Explorer).
    """
    if actual:
        try:
            from chatops.cli.cost_actual import run_actual_report
        except ImportError:
            raise ChatopsError("--actual (Cost Explorer spend) is not available in this build; use the estimate "
                               "without --actual") from None

        run_actual_report(stack=stack, config_path=config_path, as_json=as_json or fmt == "json",
                          aws_profile=aws_profile, endpoint_url=endpoint_url, region=region)
        return
    fmt = "json" if as_json else fmt
    usage = {k: v for k, v in (("messages_per_user", messages_per_user), ("api_requests_per_user", api_requests_per_user),
                               ("fanout", fanout), ("peak_concurrency", peak_concurrency)) if v is not None}
    modes = sum([bool(profile_ref), all_tiers, bool(compare), bool(stack)])
    if modes != 1:
        raise click.UsageError("give exactly one of --profile TIER, --stack NAME, --all or --compare A B")
    if stack:
        profile_ref, stack_region = _stack_profile(stack, config_path)
        region = region or stack_region
    region = region or "us-east-1"
    if simulated and (all_tiers or compare or fmt not in ("table", "json")):
        raise click.UsageError("--simulate works with one profile (--profile or --stack) and --format table or json")
    if simulated and pricing != "on-demand":
        raise click.UsageError("--simulate prices the simulated month on-demand; drop --pricing commitment")
    if all_tiers and (dau is not None or usage):
        raise click.UsageError("--all prices each tier at its own design DAU; drop --dau and the usage options")

    if all_tiers:
        _report_all(region, fmt, output, pricing)
    elif compare:
        _report_compare(compare, region, dau, usage, fmt, output, pricing)
    else:
        assert profile_ref is not None
        _report_one(profile_ref, region, dau, usage, fmt, output, pricing, simulated)


def _stack_profile(stack: str, config_path: Optional[Path]) -> tuple[str, str]:
    """The profile reference and region of a stack in chatops.yaml."""
    choice = stack_choice(stack, config_path)
    return choice.profile_ref, choice.region


def _demand(profile, dau: Optional[int], usage: dict):
    """The demand to price: the tier's design DAU unless --dau, with any usage overrides."""
    from chatops.model.demand import UsageAssumptions
    from chatops.sizing.demand import estimate_demand

    return estimate_demand(UsageAssumptions(dau=dau or profile.design.dau, **usage))


def _report_one(ref: str, region: str, dau: Optional[int], usage: dict, fmt: str, output: Optional[Path],
                pricing: str, simulated: bool = False) -> None:
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
    if fmt == "table":
        from chatops.ui.cost import render_cost_table

        def draw(console):
            render_cost_table(console, estimate)
            if sim is not None:
                from chatops.ui.simulate import render_fargate_line

                render_fargate_line(console, sim.costs, sim.traffic.name, sim.stack.minutes)

        _rich(draw, output)
    elif fmt == "json":
        data = estimate.to_json()
        if sim is not None:
            from chatops.simulate.report import fargate_json

            data["simulated_fargate"] = {**fargate_json(sim.costs), "traffic": sim.traffic.name,
                                         "days": sim.stack.minutes // 1440}
        _json(data, output)
    else:
        _text({"markdown": report.markdown_estimate, "csv": report.csv_estimate,
               "html": lambda e: report_html.html_report([e])}[fmt](estimate), output)


def _report_all(region: str, fmt: str, output: Optional[Path], pricing: str) -> None:
    from chatops.costing import report, report_html
    from chatops.costing.estimate import estimate_cost
    from chatops.model.loading import load_builtin_profiles

    estimates = [estimate_cost(p, region, pricing=pricing) for p in load_builtin_profiles()]
    if fmt == "table":
        from chatops.ui.cost import render_all_table

        _rich(lambda c: render_all_table(c, estimates), output)
    elif fmt == "json":
        _json({"currency": "USD", "region": region, "pricing": pricing, "tiers": [e.to_json() for e in estimates]},
              output)
    else:
        _text({"markdown": report.markdown_all, "csv": report.csv_all,
               "html": report_html.html_report}[fmt](estimates), output)


def _report_compare(refs: tuple[str, str], region: str, dau: Optional[int], usage: dict, fmt: str,
                    output: Optional[Path], pricing: str) -> None:
    from chatops.costing import report, report_html
    from chatops.costing.compare import compare_costs
    from chatops.costing.estimate import estimate_cost
    from chatops.model.loading import load_profile

    before_p, after_p = load_profile(refs[0]), load_profile(refs[1])
    before = estimate_cost(before_p, region, _demand(before_p, dau, usage), pricing=pricing)
    after = estimate_cost(after_p, region, _demand(after_p, dau, usage), pricing=pricing)
    cmp = compare_costs(before, after)
    if fmt == "table":
        from chatops.ui.cost import render_comparison

        _rich(lambda c: render_comparison(c, cmp), output)
    elif fmt == "json":
        _json(cmp.to_json(), output)
    else:
        _text({"markdown": report.markdown_comparison, "csv": report.csv_comparison,
               "html": lambda x: report_html.html_report([x.before, x.after], x)}[fmt](cmp), output)


def _rich(draw, output: Optional[Path]) -> None:
    from chatops.ui.console import console

    if output is None:
        draw(console())
        return
    from rich.console import Console

    with _open(output) as fh:
        draw(Console(file=fh, width=160, no_color=True, highlight=False))


def _json(data: dict, output: Optional[Path]) -> None:
    from chatops.ui.console import emit_json

    if output is None:
        emit_json(data)
        return
    from chatops.ui.console import json_text

    _text(json_text(data) + "\n", output)


def _text(text: str, output: Optional[Path]) -> None:
    if output is None:
        click.echo(text, nl=not text.endswith("\n"))
        return
    with _open(output) as fh:
        fh.write(text)
    click.echo(f"Wrote {output}", err=True)


def _open(path: Path):
    try:
        return path.open("w", encoding="utf-8")
    except OSError as exc:
        from chatops.errors import ChatopsError

        raise ChatopsError(f"cannot write {path} ({exc.strerror}); choose another --output path") from None
