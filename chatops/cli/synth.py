"""`chatops synth`: every resource `up` would create, offline, as JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import click

from chatops.cli.common import examples, profile_option
from chatops.cli.output import emit_report, output_options
from chatops.cli.resolve import config_options, deployment_settings, need_profile, resolve_target


@click.command(epilog=examples(
    "chatops synth --profile 50k-dau",
    "chatops synth --profile 100k --stack prod --region eu-central-1 --domain chat.acme.io",
    "chatops synth --stack prod --output prod.json        # the prod stack of ./chatops.yaml",
    "chatops synth --profile dev | jq '.resources[] | select(.type == \"aws:ecs/service:Service\") | .inputs'",
))
@profile_option(required=False)
@config_options
@click.option("--project", help="Project name used in physical names. [default: chatops.yaml's, else chat]")
@click.option("--region", help="AWS region. [default: AWS_REGION, else the stack's in chatops.yaml, else us-east-1]")
@click.option("--domain", help="Domain (api.<domain> is the public host). [default: the stack's, else a placeholder]")
@output_options
def synth(profile_ref: Optional[str], stack: Optional[str], config_path: Optional[str], project: Optional[str],
          region: Optional[str], domain: Optional[str], output: Optional[Path], force: bool) -> None:
    """Run the inline program under Pulumi's mock engine and print {"schema_version": 1, ..., "resources": [...]}.

    With a chatops.yaml, --stack S synthesizes that stack (its profile, project, region, domain, images).

    Each resource has the fields of `pulumi stack export`: urn, type, custom, parent, inputs (the
    provider's camelCase wire names), dependencies, protect. No AWS account, no Pulumi CLI.
    """
    from chatops.infra.synth import synthesize
    from chatops.model.loading import load_profile

    target = resolve_target(profile_ref, stack, project, region, config_path)
    profile = load_profile(need_profile(target))
    settings = deployment_settings(target, domain)
    emit_report({"profile": profile.name, "project": settings.project, "stack": settings.stack,
                 "region": settings.region, "resources": synthesize(profile, settings)}, output, force)
