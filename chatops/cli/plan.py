"""`chatops plan`: from daily users to a tier, its capacity headroom and its cost.

Parses and validates the usage options (flags win over --usage-file, which wins over the defaults),
calls chatops.sizing.plan.plan, prices the result, and hands it to chatops.ui.plan. Never imports
pulumi or boto3 (a test checks sys.modules).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, Optional

import click

from chatops.cli.common import (NumberType, budget_verdict, chosen_format, dau_option, examples, format_option, json_option,
                                PROFILE_REF, usage_options)
from chatops.cli.output import refuse_overwrite
from chatops.errors import EXIT_NO_FIT, EXIT_OVER_BUDGET, ChatopsError, OutcomeError
from chatops.model.demand import UsageAssumptions
from chatops.sizing.selection import DEFAULT_HEADROOM

FORMATS = ("table", "json", "markdown")


@click.command(epilog=examples(
    "chatops plan --dau 50000",
    "chatops plan --dau 30k --peak-concurrency 0.25 --fanout 8",
    "chatops plan --usage-file usage.yaml --json",
    "chatops plan --dau 250000 --optimize --write profiles/optimized.yaml",
    "chatops plan --dau 100k --optimize --availability high --json",
    "chatops plan --dau 40000 --tier 25k-dau",
    "chatops plan --dau 100k --pricing commitment",
))
@dau_option("Daily active users (e.g. 50000, 50_000, 50,000, 50k or 1.5m).")
@usage_options
@click.option("--usage-file", type=click.Path(path_type=Path), default=None,
              help="YAML with any of the usage assumptions (dau, peak_concurrency, ...); flags win.")
@click.option("--headroom", type=NumberType(1.0, 10.0), default=DEFAULT_HEADROOM, show_default=True,
              help="Capacity over peak demand every dimension must have at desired task counts.")
@click.option("--tier", "tier_ref", type=PROFILE_REF, metavar="TIER|FILE", default=None,
              help="Check this tier or profile file against the demand instead of selecting one.")
@click.option("--optimize", "optimize", is_flag=True,
              help="Find the cheapest profile that holds the peak with --headroom under --availability.")
@click.option("--custom", "optimize", is_flag=True, help="Alias of --optimize.")
@click.option("--availability", type=click.Choice(["standard", "high"]), default=None,
              help="With --optimize: standard (2 zones, one NAT gateway, single-AZ database, one cache node) or "
                   "high (3 zones, NAT per zone, Multi-AZ, cache replicas). [default: standard]")
@click.option("--storage-months", type=NumberType(1, 120), default=None,
              help="With --optimize: months of message growth the first storage allocation holds. [default: 3]")
@click.option("--write", "write_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="With --optimize: save the profile as YAML (accepted by `chatops profiles validate`).")
@click.option("--force", is_flag=True, help="With --write: overwrite an existing file.")
@click.option("--region", envvar="AWS_REGION", show_envvar=True, default="us-east-1", show_default=True,
              help="AWS region for the cost estimate.")
# The choices of chatops.costing.components.PRICINGS (not imported here: plan loads costing only to price).
@click.option("--pricing", type=click.Choice(("on-demand", "commitment"), case_sensitive=False), default="on-demand",
              show_default=True, help="Cost at on-demand list prices, or at 1-year commitments shown beside on-demand.")
@click.option("--budget", type=NumberType(0, low_open=True, metavar="USD"), default=None,
              help=f"Exit {EXIT_OVER_BUDGET} when the plan's monthly total is above USD (e.g. 5000 or 5k): a CI gate.")
@format_option(FORMATS)
@json_option
def plan(dau: Optional[int], usage_file: Optional[Path], headroom: float, tier_ref: Optional[str], optimize: bool,
         availability: Optional[str], storage_months: Optional[float], write_path: Optional[Path], force: bool,
         region: str, pricing: str, budget: Optional[float], fmt: Optional[str], as_json: bool,
         **flags: Optional[float]) -> None:
    """From daily active users to a tier, its capacity headroom and its monthly cost.

    Estimates the peak load from usage assumptions, checks every built-in production tier dimension by
    dimension, and picks the smallest one designed for the DAU that holds the peak with --headroom.
    With --optimize, searches task sizes and counts, Graviton, Spot, database and cache classes, RDS
    Proxy, read replica and WAF Bot Control for the cheapest profile that holds the peak, and explains
    each choice. No AWS account or Pulumi CLI needed.
    """
    _check_optimize_flags(optimize, tier_ref, availability, storage_months, write_path, force)
    fmt = chosen_format(fmt, as_json)
    if write_path is not None:
        refuse_overwrite(write_path, force, "--write")  # before the search, not after
    usage = _usage(dau, usage_file, flags)
    from chatops.model.loading import load_builtin_profiles
    from chatops.sizing.plan import plan as build_plan

    check = _load_tier(tier_ref) if tier_ref is not None else None
    request = _optimize_request(region, availability, storage_months) if optimize else None
    result = build_plan(usage, load_builtin_profiles(), headroom=headroom, check=check, optimize=request)
    estimate, neighbour_totals = _costs(result, region, pricing)
    if estimate is not None:
        result = dataclasses.replace(result, cost=estimate.to_json())
    if write_path is not None and result.profile is not None:
        _write_profile(result.profile, write_path, force)
    verdict = budget_verdict(estimate.total_monthly if estimate is not None else None, budget)
    _render(result, estimate, neighbour_totals, write_path, fmt, verdict)
    _exit_on_outcome(result, verdict)


def _check_optimize_flags(optimize: bool, tier_ref: Optional[str], availability: Optional[str],
                          storage_months: Optional[float], write_path: Optional[Path], force: bool) -> None:
    if optimize and tier_ref is not None:
        raise click.UsageError("--optimize and --tier are alternatives: find the cheapest profile, or check one")
    needs = [("--availability", availability is not None), ("--storage-months", storage_months is not None),
             ("--write", write_path is not None)]
    for flag, given in needs:
        if given and not optimize:
            raise click.UsageError(f"{flag} applies to --optimize; add --optimize (built-in tiers are already files: "
                                   "`chatops profiles show 50k-dau`)")
    if force and write_path is None:
        raise click.UsageError("--force applies to --write FILE")


def _optimize_request(region: str, availability: Optional[str], storage_months: Optional[float]) -> Any:
    from chatops.sizing.figures import DEFAULT_STORAGE_MONTHS
    from chatops.sizing.plan import OptimizeRequest
    from chatops.sizing.pricing import CatalogPricing

    return OptimizeRequest(pricing=lambda demand: CatalogPricing(region, demand),
                           availability=availability or "standard",
                           storage_months=storage_months if storage_months is not None else DEFAULT_STORAGE_MONTHS)


def _usage(dau: Optional[int], usage_file: Optional[Path], flags: dict[str, Optional[float]],
           default_dau: Optional[int] = None) -> UsageAssumptions:
    """Flags win over --usage-file, which wins over the defaults (`default_dau`: a profile's design point)."""
    values: dict[str, Any] = {}
    if usage_file is not None:
        from chatops.sizing.usage_file import read_usage_file

        values.update(read_usage_file(usage_file))
    values.update({k: v for k, v in flags.items() if v is not None})
    if dau is not None:
        values["dau"] = dau
    if default_dau is not None:
        values.setdefault("dau", default_dau)
    if "dau" not in values:
        raise click.UsageError("Missing option '--dau' (or set dau in --usage-file)")
    return UsageAssumptions(**values)


def _load_tier(ref: str) -> Any:
    from chatops.model.loading import load_profile

    return load_profile(ref)  # an unknown tier name was already refused by PROFILE_REF (exit 2)


# --- cost: the single call site into chatops.costing -----------------------------------------------------

def _costs(result: Any, region: str, pricing: str = "on-demand") -> tuple[Any, dict[str, Any]]:
    """The selected profile's CostEstimate and the neighbours' estimates, priced under this demand."""
    if result.profile is None:
        return None, {}
    from chatops.costing.estimate import estimate_cost

    estimate = estimate_cost(result.profile, region=region, demand=result.demand, pricing=pricing)
    neighbours = {c.profile.name: estimate_cost(c.profile, region=region, demand=result.demand, pricing=pricing)
                  for c in result.neighbours}
    return estimate, neighbours


def _write_profile(profile: Any, path: Path, force: bool) -> None:
    import yaml

    from chatops.cli.output import write_file
    from chatops.errors import ProfileError
    from chatops.model.loading import profile_from_data, profile_to_data

    data = profile_to_data(profile)
    try:  # the file must load as it is written: every structural and cross-field rule
        profile_from_data(data, source=str(path))
    except ProfileError as exc:
        raise ChatopsError(f"the optimised profile is not valid ({'; '.join(exc.problems)}); this is a bug, please "
                           "report it with the plan command line") from None
    header = (f"# {profile.description}\n# Written by `chatops plan --optimize`; check it with "
              "`chatops profiles validate`.\n")
    write_file(path, header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True), force, "--write")


def _exit_on_outcome(result: Any, verdict: Optional[dict[str, Any]]) -> None:
    """No fit (3) before over budget (5): the report is printed; the reason goes to stderr."""
    if not result.fits:
        what = "no built-in tier fits this demand" if result.profile is None else \
            f"{result.profile_label} does not hold this demand"
        raise OutcomeError(f"{what}; see the reason above", EXIT_NO_FIT)
    if verdict is not None and not verdict["ok"]:
        raise OutcomeError(verdict["problems"][0], EXIT_OVER_BUDGET)


def _render(result: Any, estimate: Any, neighbour_totals: dict[str, Any], write_path: Optional[Path],
            fmt: str, verdict: Optional[dict[str, Any]]) -> None:
    if fmt == "json":
        from chatops.ui.console import emit_json

        data = result.to_json()
        for neighbour in data["neighbours"]:
            if neighbour["profile"] in neighbour_totals:
                neighbour["total_monthly"] = neighbour_totals[neighbour["profile"]].total_monthly
                neighbour["complete"] = neighbour_totals[neighbour["profile"]].complete
        if verdict is not None:
            data["budget"] = verdict
        if write_path is not None:
            data["written_to"] = str(write_path)
        emit_json(data)
        return
    if fmt == "markdown":
        from chatops.ui.plan_markdown import plan_markdown

        click.echo(plan_markdown(result, estimate, neighbour_totals, verdict), nl=False)
        return
    from chatops.ui.plan import render_plan

    render_plan(result, estimate, neighbour_totals, write_path, verdict)
