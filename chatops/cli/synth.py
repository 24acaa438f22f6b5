"""`chatops synth`: every resource `up` would create, offline, as JSON."""

from __future__ import annotations

from typing import Optional

import click

from chatops.cli.common import examples, profile_option


@click.command(epilog=examples(
    "chatops synth --profile 50k-dau",
    "chatops synth --profile 100k --stack prod --region eu-central-1 --domain chat.acme.io",
    "chatops synth --profile dev | jq '.resources[] | select(.type == \"aws:ecs/service:Service\") | .inputs'",
))
@profile_option()
@click.option("--stack", "-s", default="synth", show_default=True, help="Stack name used in physical names.")
@click.option("--project", default="chat", show_default=True, help="Project name used in physical names.")
@click.option("--region", default="us-east-1", show_default=True, help="AWS region.")
@click.option("--domain", help="Domain (api.<domain> is the public host); default a placeholder.")
def synth(profile_ref: str, stack: str, project: str, region: str, domain: Optional[str]) -> None:
    """Run the inline program under Pulumi's mock engine and print {"resources": [...]}.

    Each resource has the fields of `pulumi stack export`: urn, type, custom, parent, inputs (the
    provider's camelCase wire names), dependencies, protect. No AWS account, no Pulumi CLI.
    """
    from chatops.cli.preview_offline import offline_settings
    from chatops.infra.synth import synthesize
    from chatops.model.loading import load_profile
    from chatops.ui.console import emit_json

    profile = load_profile(profile_ref)
    settings = offline_settings(project=project, stack=stack, region=region, domain=domain)
    emit_json({"resources": synthesize(profile, settings)})
