"""`chatops release --stack S --tag T [--service api|realtime|workers]`: deploy a new image tag.

The tag is recorded in chatops.yaml (computed and checked before anything is applied, written after the
update succeeded), every image is resolved to its digest, then the same flow as `up`: preview, confirm,
apply, and a wait until the ECS services run the new images.
"""

from __future__ import annotations

from typing import Optional

import click

from chatops.cli.common import examples
from chatops.cli.deploy_steps import wait_options
from chatops.cli.preview_live import stack_options
from chatops.model.images import SERVICES


@click.command(epilog=examples(
    "chatops release --stack prod --tag 1.4.2",
    "chatops release --stack prod --tag 1.4.3 --service api --yes",
    "chatops release --stack prod --tag $(git rev-parse --short HEAD) --yes --wait-timeout 30m"))
@stack_options
@click.option("--tag", required=True, metavar="TAG", help="The image tag to deploy (pushed to the stack's ECR "
              "repositories, or to the registry chatops.yaml names).")
@click.option("--service", type=click.Choice(SERVICES), help="Release only this service (default: all three).")
@click.option("--yes", "-y", is_flag=True, help="Apply without asking (needed when stdin is not a terminal).")
@wait_options
def release(stack: Optional[str], config_path: Optional[str], tag: str, service: Optional[str], yes: bool,
            wait: bool, wait_timeout: float) -> None:
    """Deploy image TAG to one or all services and record it in chatops.yaml.

    Each image is deployed by digest (resolved from TAG in ECR), so the services roll out even when a tag
    is reused in a mutable repository. Exit 1 when an image is missing (with the push commands), when the
    update fails (chatops.yaml unchanged), or when a service does not roll out (circuit breaker rollback or
    --wait-timeout)."""
    from chatops.cli.up import deploy

    deploy(stack, config_path, yes, image_tag=tag, services=(service,) if service else SERVICES, wait=wait,
           wait_timeout=wait_timeout)
