"""`chatops simulate`: a day (or a month) of per-minute traffic through the stack's autoscaling policies.

Parses the inputs (profile or stack, plan's usage assumptions, a traffic shape or CSV, spikes, task start
times), reads files and the price catalog, calls chatops.simulate.run, and hands the report to
chatops.ui.simulate (terminal), chatops.ui.simulate_chart (--chart HTML) or JSON.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

import click

from chatops.cli.common import dau_option, examples, json_option, profile_option, stack_choice, usage_options
from chatops.cli.plan import _usage
from chatops.errors import EXIT_NO_FIT, ChatopsError, OutcomeError, UsageError
from chatops.simulate.engine import DEFAULT_SCALE_IN_THRESHOLD
from chatops.simulate.scenario import DEFAULT_IMAGE_PULL_SECONDS, DEFAULT_PROVISIONING_SECONDS
from chatops.simulate.traffic import SHAPES, SPIKE_SYNTAX

MAX_DAYS = 366


class SpikeType(click.ParamType):
    name = "SPIKE"

    def convert(self, value: Any, param: Optional[click.Parameter], ctx: Optional[click.Context]) -> Any:
        from chatops.simulate.traffic import Spike, parse_spike

        if isinstance(value, Spike):
            return value
        try:
            return parse_spike(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


@click.command(epilog=examples(
    "chatops simulate --profile 50k-dau",
    "chatops simulate -p 50k --dau 80k --shape two-peaks --spike 5x@20:00/10m",
    "chatops simulate -p 25k --days 30 --chart month.html",
    "chatops simulate --stack prod --traffic cloudwatch.csv --json > day.json",
    "chatops simulate -p 50k --spike 5x@20:00/1m --image-pull-seconds 90 --fail-on-saturation",
))
@profile_option(required=False)
@click.option("--stack", help="A stack of chatops.yaml: simulate its profile, priced in its region, with its alarm names.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Path to chatops.yaml (with --stack). [default: ./chatops.yaml or CHATOPS_CONFIG]")
@dau_option("Daily active users (e.g. 50000, 50k) [default: the profile's design DAU].")
@usage_options
@click.option("--usage-file", type=click.Path(path_type=Path), default=None,
              help="YAML with any of plan's usage assumptions (dau, peak_concurrency, ...); flags win.")
@click.option("--shape", type=click.Choice(sorted(SHAPES)), default=None,
              help="Built-in traffic shape: evening (one peak at 20:30), two-peaks (12:30 and 20:30), week "
                   "(weekdays two peaks, weekend one). [default: evening]")
@click.option("--traffic", "traffic_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="CSV of measured per-minute values (columns: timestamp, connections, requests_per_second, "
                   "messages_per_second, load; see docs/simulate.md), e.g. exported from CloudWatch.")
@click.option("--spike", "spikes", type=SpikeType(), multiple=True,
              help=f"Extra load, repeatable: {SPIKE_SYNTAX} (ramp up and down over RAMP, hold HOLD, default 60m).")
@click.option("--days", type=click.IntRange(1, MAX_DAYS), default=None,
              help="Days to simulate (30 for a month's bill). [default: 1; 7 for --shape week; a CSV's own length]")
@click.option("--provisioning-seconds", type=click.FloatRange(0, 3600), default=DEFAULT_PROVISIONING_SECONDS,
              show_default=True, help="A new task's placement and network interface, before its image pull.")
@click.option("--image-pull-seconds", type=click.FloatRange(0, 3600), default=DEFAULT_IMAGE_PULL_SECONDS,
              show_default=True, help="Image pull and container start.")
@click.option("--health-check-seconds", type=click.FloatRange(0, 3600), default=None,
              help="Until the load balancer sends a new api/realtime task traffic. [default: the profile's "
                   "healthy_threshold x interval_seconds]")
@click.option("--scale-in-threshold", type=click.FloatRange(0.1, 1.0), default=DEFAULT_SCALE_IN_THRESHOLD,
              show_default=True, help="Target-tracking AlarmLow threshold as a share of the target.")
@click.option("--region", "-r", metavar="REGION", default=None,
              help="Prices of this region. [default: the stack's region with --stack, else us-east-1]")
@click.option("--recommend/--no-recommend", default=True, show_default=True,
              help="Search the cheapest profile changes that remove saturation (each verified by a re-run).")
@click.option("--chart", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write a self-contained HTML chart (inline SVG, no network) of demand, capacity and tasks.")
@click.option("--series/--no-series", default=True, show_default=True,
              help="With --json: include the per-minute series.")
@click.option("--fail-on-saturation", is_flag=True,
              help=f"Exit {EXIT_NO_FIT} when any service saturates (after printing the report).")
@json_option
def simulate(profile_ref: Optional[str], stack: Optional[str], config_path: Optional[Path], dau: Optional[int],
             usage_file: Optional[Path], shape: Optional[str], traffic_file: Optional[Path], spikes: tuple,
             days: Optional[int], provisioning_seconds: float, image_pull_seconds: float,
             health_check_seconds: Optional[float], scale_in_threshold: float, region: Optional[str],
             recommend: bool, chart: Optional[Path], series: bool, fail_on_saturation: bool, as_json: bool,
             **usage_flags: Optional[float]) -> None:
    """Run per-minute traffic through the stack's autoscaling policies, exactly as `up` creates them: task
    counts, saturation, the alarms that would fire, and the month's Fargate cost between the desired counts
    and the autoscaling maximum.

    Demand comes from plan's model (the profile's design DAU unless --dau); a shape or a CSV spreads it over
    the day. New tasks serve only after provisioning, image pull and health checks. No AWS account needed.
    """
    from chatops.costing.catalog import load_catalog
    from chatops.model.loading import load_profile
    from chatops.model.naming import Names
    from chatops.simulate.run import Inputs, run
    from chatops.simulate.scenario import Timing, default_names

    if bool(profile_ref) == bool(stack):
        raise UsageError("give exactly one of --profile TIER|FILE or --stack NAME")
    if shape and traffic_file:
        raise UsageError("--shape and --traffic are alternatives: a built-in shape, or measured values")
    names = None
    if stack:
        choice = stack_choice(stack, config_path)
        profile_ref, region, names = choice.profile_ref, region or choice.region, Names(choice.project, choice.stack)
    assert profile_ref is not None
    profile = load_profile(profile_ref)
    region = region or "us-east-1"
    estimate = _demand(profile, dau, usage_file, usage_flags)
    measured = _read_traffic(traffic_file) if traffic_file else None
    shape = shape or "evening"
    days = days or _natural_days(shape, measured)
    timing = Timing(provisioning_seconds, image_pull_seconds, health_check_seconds, scale_in_threshold)
    inputs = Inputs(profile, estimate, days, shape, measured, str(traffic_file or ""), tuple(spikes), timing,
                    names or default_names(profile), recommend)
    click.echo(f"Simulating {days} day(s) ({days * 1440:,} minutes) of {profile.name} at {estimate.dau:,} DAU ...",
               err=True)
    report = run(inputs, load_catalog(region), region, progress=lambda line: click.echo(line, err=True))

    if chart is not None:
        _write_chart(report, chart)
    if as_json:
        from chatops.ui.console import emit_json

        emit_json(report.to_json(series=series))
    else:
        from chatops.ui.console import console
        from chatops.ui.simulate import render_simulation

        render_simulation(console(), report)
    if fail_on_saturation and report.problems:
        raise OutcomeError("; ".join(report.problems), EXIT_NO_FIT)


def _demand(profile: Any, dau: Optional[int], usage_file: Optional[Path], flags: dict[str, Optional[float]]) -> Any:
    """Plan's demand model and precedence (flags, then --usage-file, then defaults); DAU defaults to the
    profile's design point."""
    from chatops.sizing.demand import estimate_demand

    return estimate_demand(_usage(dau, usage_file, flags, default_dau=profile.design.dau))


def _read_traffic(path: Path) -> Any:
    from chatops.simulate.traffic import parse_traffic_csv

    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ChatopsError(f"{path}: cannot read ({exc.strerror}); check the --traffic path") from None
    except UnicodeDecodeError:
        raise ChatopsError(f"{path}: not a UTF-8 text file; export the CSV as UTF-8") from None
    return parse_traffic_csv(text, str(path))


def _natural_days(shape: str, measured: Any) -> int:
    from chatops.simulate.traffic import days_to_cover, shape_days

    return days_to_cover(measured.minutes) if measured is not None else shape_days(shape)


def _write_chart(report: Any, path: Path) -> None:
    from chatops.ui.simulate_chart import chart_html

    try:
        path.write_text(chart_html(report), encoding="utf-8")
    except OSError as exc:
        raise ChatopsError(f"cannot write {path} ({exc.strerror}); choose another --chart path") from None
    click.echo(f"Wrote {path}", err=True)


#: What `cost-report --simulate` runs: a month of the built-in evening shape.
COST_REPORT_SHAPE, COST_REPORT_DAYS = "evening", 30


def simulated_month(profile: Any, demand: Any, region: str) -> Any:
    """The SimulationReport behind `cost-report --simulate` (no recommendations)."""
    from chatops.costing.catalog import load_catalog
    from chatops.simulate.run import Inputs, run

    return run(Inputs(profile, demand, COST_REPORT_DAYS, COST_REPORT_SHAPE, recommend=False), load_catalog(region),
               region)
