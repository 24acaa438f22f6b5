"""`chatops preview`: offline (the program's resource graph as a tree, with costs) or live (Pulumi preview).

A thin dispatcher: the offline path lives in preview_offline.py, the live path in preview_live.py.
"""

from __future__ import annotations

from typing import Optional

import click

from chatops.cli.common import PROFILE_REF, aws_options, examples, json_option


@click.command(epilog=examples(
    "chatops preview --offline --profile 50k-dau",
    "chatops preview --offline --profile ./mine.yaml --region eu-central-1 --json",
    "chatops preview --stack prod",
))
@click.option("--offline", is_flag=True, help="No AWS, no Pulumi CLI: run the program under the mock engine.")
@click.option("--profile", "-p", "profile_ref", type=PROFILE_REF, metavar="TIER|FILE",
              help="Tier or profile file (with --offline; default: the --stack's in chatops.yaml).")
@click.option("--stack", "-s", envvar="CHATOPS_STACK", help="Stack in chatops.yaml (default: the only one).")
@click.option("--region", help="AWS region (with --offline; default us-east-1).")
@click.option("--domain", help="Domain (with --offline; default a placeholder).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), envvar="CHATOPS_CONFIG",
              help="Path to chatops.yaml (default: ./chatops.yaml).")
@aws_options
@json_option
def preview(offline: bool, profile_ref: Optional[str], stack: Optional[str], region: Optional[str],
            domain: Optional[str], config_path: Optional[str], aws_profile: Optional[str],
            endpoint_url: Optional[str], as_json: bool) -> None:
    """Show what `up` would do.

    With --offline, the resources the inline program creates for a tier, grouped by component, with the
    monthly cost of each billable one. Without it, a real Pulumi preview of a stack in chatops.yaml
    (--aws-profile/--endpoint-url apply to it; --offline calls no AWS).
    """
    if offline:
        from chatops.cli.preview_offline import run_offline_preview

        run_offline_preview(profile_ref, stack=stack, region=region, domain=domain, as_json=as_json,
                            config_path=config_path)
    else:
        if profile_ref is not None:
            raise click.UsageError("--profile goes with --offline; a live preview uses the stack's tier "
                                   "from chatops.yaml (or see `chatops scale-to`)")
        from chatops.cli.preview_live import run_live_preview

        run_live_preview(stack=stack, config_path=config_path, as_json=as_json, aws_profile=aws_profile,
                         endpoint_url=endpoint_url)
