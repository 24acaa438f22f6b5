"""`chatops prices show | refresh`: which price catalog estimates use, and rebuilding it from AWS."""

from __future__ import annotations

from typing import Optional

import click

from chatops.cli.common import examples, json_option


@click.group("prices", epilog=examples("chatops prices show", "chatops prices show --region eu-central-1 --json",
                                       "chatops prices refresh --region eu-west-1"))
def prices() -> None:
    """Show or refresh the AWS price catalog used for cost estimates.

    A snapshot of on-demand list prices ships with chatops; `refresh` reads current prices from the
    AWS Price List API into your cache directory, which then wins over the snapshot.
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
    out.print("  status: " + ", ".join(f"{k} {v}" for k, v in info["statuses"].items()))
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
    """Rebuild a region's catalog from the AWS Price List API (needs pricing:GetProducts)."""
    from chatops.costing.catalog import REGION_LOCATIONS
    from chatops.aws.pricing_api import pricing_client, refresh_catalog

    if region not in REGION_LOCATIONS:
        raise click.BadParameter(f"unknown region {region}; use one of {', '.join(REGION_LOCATIONS)}",
                                 param_hint="--region")
    path, fetched, total = refresh_catalog(region, pricing_client(aws_profile, endpoint_url))
    if as_json:
        from chatops.ui.console import emit_json

        emit_json({"region": region, "path": str(path), "fetched": fetched, "prices": total})
        return
    click.echo(f"Wrote {path}: {fetched} of {total} prices read from the AWS Price List API; "
               "the others are kept from the bundled snapshot (see `chatops prices show`).")
