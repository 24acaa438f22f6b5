"""`chatops prices show | refresh`: which price catalog estimates use, and rebuilding it from AWS."""

from __future__ import annotations

from typing import Optional

import click

from chatops.cli.common import examples, json_option


@click.group("prices", epilog=examples("chatops prices show", "chatops prices show --region eu-central-1 --json",
                                       "chatops prices refresh --region eu-west-1"))
def prices() -> None:
    """Show or refresh the AWS price catalog used for cost estimates.

    A snapshot of list prices ships with chatops; `refresh` reads current prices (on-demand, 1-year
    reserved RDS/ElastiCache, Fargate Compute Savings Plan) from the AWS Price List and Savings Plans
    APIs into your cache directory, which then wins over the snapshot.
    """


@prices.command("show", epilog=examples("chatops prices show", "chatops prices show --region eu-central-1 --json"))
@click.option("--region", "-r", default="us-east-1", show_default=True, metavar="REGION", help="Region of the catalog.")
@json_option
def show(region: str, as_json: bool) -> None:
    """Which catalog is in use for a region (bundled snapshot or your refreshed cache), its date and age."""
    from chatops.costing.catalog import bundled_regions, cache_path, load_catalog

    catalog = load_catalog(region)
    info = {
        "region": catalog.region,
        "origin": catalog.origin,
        "path": catalog.path,
        "date": catalog.date,
        "age_days": catalog.age_days(),
        "prices": len(catalog.prices),
        "statuses": catalog.status_counts(),
        "oldest_source": ({"date": oldest[0], "source": oldest[1]} if (oldest := catalog.oldest_source(catalog.prices))
                          else None),
        "cache_path": str(cache_path(region)),
        "bundled_regions": bundled_regions(),
    }
    if as_json:
        from chatops.ui.console import emit_json

        emit_json(info)
        return
    from chatops.ui.console import console

    out = console()
    which = "your refreshed cache" if catalog.origin == "cache" else "the bundled snapshot"
    out.print(f"[bold]{region}[/bold]: {which}, prices of {catalog.date} ({info['age_days']} days old), "
              f"{len(catalog.prices)} prices")
    out.print(f"  file: {catalog.path}")
    out.print("  status: " + ", ".join(f"{k} {v}" for k, v in info["statuses"].items())
              + ("  (unconfirmed: listed without a price)" if "unconfirmed" in info["statuses"] else ""))
    if info["oldest_source"]:
        out.print(f"  oldest source: {info['oldest_source']['source']} of {info['oldest_source']['date']}")
    if catalog.origin == "bundled":
        out.print(f"  refresh with `chatops prices refresh --region {region}` (writes {info['cache_path']})")
    out.print(f"  bundled regions: {', '.join(info['bundled_regions'])}")


@prices.command("refresh", epilog=examples("chatops prices refresh --region us-east-1",
                                           "AWS_PROFILE=billing chatops prices refresh --region eu-central-1"))
@click.option("--region", "-r", required=True, metavar="REGION", help="Region whose prices to read.")
@click.option("--aws-profile", envvar="AWS_PROFILE", help="AWS named profile. [env: AWS_PROFILE]")
@click.option("--endpoint-url", envvar="AWS_ENDPOINT_URL", help="Price List API endpoint override. [env: AWS_ENDPOINT_URL]")
@json_option
def refresh(region: str, aws_profile: Optional[str], endpoint_url: Optional[str], as_json: bool) -> None:
    """Rebuild a region's catalog from the AWS Price List API (needs pricing:GetProducts; Fargate Savings
    Plan rates need savingsplans:DescribeSavingsPlansOfferingRates and are skipped with a warning without it)."""
    from chatops.costing.catalog import REGION_LOCATIONS
    from chatops.aws.pricing_api import pricing_client, refresh_catalog, savings_plans_client

    if region not in REGION_LOCATIONS:
        raise click.BadParameter(f"unknown region {region}; use one of {', '.join(REGION_LOCATIONS)}",
                                 param_hint="--region")
    result = refresh_catalog(region, pricing_client(aws_profile, endpoint_url),
                             savings_client=savings_plans_client(aws_profile, endpoint_url))
    for warning in result.warnings:
        click.echo(f"Warning: {warning}", err=True)
    if as_json:
        from chatops.ui.console import emit_json

        emit_json({"region": region, "path": str(result.path), "fetched": result.fetched, "prices": result.total,
                   "warnings": result.warnings})
        return
    click.echo(f"Wrote {result.path}: {result.fetched} of {result.total} prices read from the AWS Price List and "
               "Savings Plans APIs; the others are kept from the bundled snapshot (see `chatops prices show`).")
