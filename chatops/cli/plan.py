"""`chatops plan`: from daily users to a tier, its capacity headroom and its cost.

Parses and validates the usage options (flags win over --usage-file, which wins over the defaults),
calls chatops.sizing.plan.plan, prices the result, and hands it to chatops.ui.plan. Never imports
pulumi or boto3 (a test checks sys.modules).
"""

from __future__ import annotations

import dataclasses
import math
import re
from pathlib import Path
from typing import Any, Optional

import click

from chatops.cli.common import examples, json_option
from chatops.errors import ChatopsError
from chatops.model.demand import MAX_DAU, UsageAssumptions
from chatops.model.records import default_of, limits_of
from chatops.sizing.selection import DEFAULT_HEADROOM

_SUFFIXES = {"": 1, "k": 1_000, "m": 1_000_000, "b": 1_000_000_000}


class DauType(click.ParamType):
    """A positive whole number of users up to a billion; accepts 50000, 50_000, 50,000, 50k, 1.5m."""

    name = "N"

    def convert(self, value: Any, param: Optional[click.Parameter], ctx: Optional[click.Context]) -> int:
        if isinstance(value, int):
            number: float = value
        else:
            match = re.fullmatch(r"\s*([0-9][0-9_,]*(?:\.[0-9]+)?)\s*([kKmMbB]?)\s*", str(value))
            if not match and str(value).strip().startswith("-"):
                self.fail(f"{value} is outside 1..{MAX_DAU:,} daily active users (must be positive)", param, ctx)
            if not match:
                self.fail(f"{value!r} is not a number of users (e.g. 50000 or 50k)", param, ctx)
            number = float(match.group(1).replace("_", "").replace(",", "")) * _SUFFIXES[match.group(2).lower()]
        if number != int(number):
            self.fail(f"{value!r} is not a whole number of users", param, ctx)
        if not 0 < number <= MAX_DAU:
            self.fail(f"{value} is outside 1..{MAX_DAU:,} daily active users", param, ctx)
        return int(number)


class Bounded(click.ParamType):
    """A finite number within the bounds UsageAssumptions declares for `field` (one source of truth)."""

    name = "NUMBER"

    def __init__(self, low: float, high: float, low_open: bool, integer: bool = False):
        self.low, self.high, self.low_open, self.integer = low, high, low_open, integer

    def convert(self, value: Any, param: Optional[click.Parameter], ctx: Optional[click.Context]) -> float:
        try:
            number = float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number", param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number", param, ctx)
        if self.integer and number != int(number):
            self.fail(f"{value!r} is not a whole number", param, ctx)
        too_low = number <= self.low if self.low_open else number < self.low
        if too_low or number > self.high:
            low_bracket = "(" if self.low_open else "["
            self.fail(f"{value} is outside {low_bracket}{self.low:g}, {self.high:g}]", param, ctx)
        return int(number) if self.integer else number


def _bounded(field: str, integer: bool = False) -> Bounded:
    """Bounds read from the record's Limits, so the flag and the usage file accept the same values."""
    limits = limits_of(UsageAssumptions, field).arguments
    low, low_open = (limits["gt"], True) if "gt" in limits else (limits.get("ge", -math.inf), False)
    return Bounded(low, limits.get("le", math.inf), low_open, integer)


def _default(field: str) -> Any:
    return default_of(UsageAssumptions, field)


_USAGE_FLAGS = {
    "peak_concurrency": ("--peak-concurrency", False, "Share of DAU connected at the busiest minute, in (0, 1]."),
    "messages_per_user": ("--messages-per-user", False, "Messages each user sends per day."),
    "message_bytes": ("--message-bytes", True, "Average message payload in bytes."),
    "fanout": ("--fanout", False, "Recipients per message (1 = direct message)."),
    "api_requests_per_user": ("--api-requests-per-user", False, "REST API calls per user per day."),
    "peak_factor": ("--peak-factor", False, "Busiest hour over the daily average."),
}


def _usage_options(func: Any) -> Any:
    for field, (flag, integer, text) in reversed(_USAGE_FLAGS.items()):
        func = click.option(flag, field, type=_bounded(field, integer), default=None,
                            help=f"{text} [default: {_default(field):g}; see docs/sizing.md]")(func)
    return func


@click.command(epilog=examples(
    "chatops plan --dau 50000",
    "chatops plan --dau 30k --peak-concurrency 0.25 --fanout 8",
    "chatops plan --usage-file usage.yaml --json",
    "chatops plan --dau 250000 --optimize --write profiles/optimized.yaml",
    "chatops plan --dau 100k --optimize --availability high --json",
    "chatops plan --dau 40000 --tier 25k-dau",
    "chatops plan --dau 100k --pricing commitment",
))
@click.option("--dau", type=DauType(), default=None, help="Daily active users (e.g. 50000 or 50k).")
@_usage_options
@click.option("--usage-file", type=click.Path(path_type=Path), default=None,
              help="YAML with any of the usage assumptions (dau, peak_concurrency, ...); flags win.")
@click.option("--headroom", type=Bounded(1.0, 10.0, False), default=DEFAULT_HEADROOM, show_default=True,
              help="Capacity over peak demand every dimension must have at desired task counts.")
@click.option("--tier", "tier_ref", metavar="TIER|FILE", default=None,
              help="Check this tier or profile file against the demand instead of selecting one.")
@click.option("--optimize", "optimize", is_flag=True,
              help="Find the cheapest profile that holds the peak with --headroom under --availability.")
@click.option("--custom", "optimize", is_flag=True, help="Alias of --optimize.")
@click.option("--availability", type=click.Choice(["standard", "high"]), default=None,
              help="With --optimize: standard (2 zones, one NAT gateway, single-AZ database, one cache node) or "
                   "high (3 zones, NAT per zone, Multi-AZ, cache replicas). [default: standard]")
@click.option("--storage-months", type=Bounded(1, 120, False), default=None,
              help="With --optimize: months of message growth the first storage allocation holds. [default: 3]")
@click.option("--write", "write_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="With --optimize: save the profile as YAML (accepted by `chatops profiles validate`).")
@click.option("--force", is_flag=True, help="With --write: overwrite an existing file.")
@click.option("--region", default="us-east-1", show_default=True, help="AWS region for the cost estimate.")
# The choices of chatops.costing.components.PRICINGS (not imported here: plan loads costing only to price).
@click.option("--pricing", type=click.Choice(("on-demand", "commitment")), default="on-demand", show_default=True,
              help="Cost at on-demand list prices, or at 1-year commitments shown beside on-demand.")
@json_option
def plan(dau: Optional[int], usage_file: Optional[Path], headroom: float, tier_ref: Optional[str], optimize: bool,
         availability: Optional[str], storage_months: Optional[float], write_path: Optional[Path], force: bool,
         region: str, pricing: str, as_json: bool, **flags: Optional[float]) -> None:
    """From daily active users to a tier, its capacity headroom and its monthly cost.

    Estimates the peak load from usage assumptions, checks every built-in production tier dimension by
    dimension, and picks the smallest one designed for the DAU that holds the peak with --headroom.
    With --optimize, searches task sizes and counts, Graviton, Spot, database and cache classes, RDS
    Proxy, read replica and WAF Bot Control for the cheapest profile that holds the peak, and explains
    each choice. No AWS account or Pulumi CLI needed.
    """
    _check_optimize_flags(optimize, tier_ref, availability, storage_months, write_path, force)
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
    _render(result, estimate, neighbour_totals, write_path, as_json)


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
    from chatops.model.loading import load_profile, looks_like_path

    if not looks_like_path(ref):
        from chatops.model.loading import BUILTIN_TIERS, resolve_tier_name

        if resolve_tier_name(ref) is None:
            raise click.BadParameter(f"{ref!r} is not a tier; use one of {', '.join(BUILTIN_TIERS)} or a profile "
                                     "file path", param_hint="'--tier'")
    return load_profile(ref)


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

    from chatops.errors import ProfileError
    from chatops.model.loading import profile_from_data, profile_to_data

    if path.exists() and not force:
        raise ChatopsError(f"{path} exists; add --force to overwrite it, or choose another path for --write")
    data = profile_to_data(profile)
    try:  # the file must load as it is written: every structural and cross-field rule
        profile_from_data(data, source=str(path))
    except ProfileError as exc:
        raise ChatopsError(f"the optimised profile is not valid ({'; '.join(exc.problems)}); this is a bug, please "
                           "report it with the plan command line") from None
    header = (f"# {profile.description}\n# Written by `chatops plan --optimize`; check it with "
              "`chatops profiles validate`.\n")
    text = header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ChatopsError(f"cannot write {path} ({exc.strerror}); choose a writable path for --write") from None


def _render(result: Any, estimate: Any, neighbour_totals: dict[str, Any], write_path: Optional[Path],
            as_json: bool) -> None:
    if as_json:
        from chatops.ui.console import emit_json

        data = result.to_json()
        for neighbour in data["neighbours"]:
            if neighbour["profile"] in neighbour_totals:
                neighbour["total_monthly"] = neighbour_totals[neighbour["profile"]].total_monthly
                neighbour["complete"] = neighbour_totals[neighbour["profile"]].complete
        if write_path is not None:
            data["written_to"] = str(write_path)
        emit_json(data)
        return
    from chatops.ui.plan import render_plan

    render_plan(result, estimate, neighbour_totals, write_path)
