"""`chatops release --stack S --tag T [--service api|realtime|workers]`: deploy a new image tag.

`up`'s flow (chatops/cli/up.py `deploy`) with a new tag: the chatops.yaml text that records it is computed
and checked before anything runs, every image is resolved to its digest, then preview, confirmation, the
update, the tag written to chatops.yaml, and a wait until the ECS services run the new images.
"""

from __future__ import annotations

from typing import Optional

import click

from chatops.cli.common import aws_options, examples, json_option, stack_options
from chatops.cli.deploy_steps import ImageTag, wait_options
from chatops.model.images import SERVICES


@click.command(epilog=examples(
    "chatops release --stack prod --tag 1.4.2",
    "chatops release --stack prod --tag 1.4.3 --service api --yes",
    "chatops release --stack prod --tag $(git rev-parse --short HEAD) --yes --wait-timeout 30m",
    "chatops release --stack prod --tag 1.4.3 --yes --json > release.json"))
@stack_options
@click.option("--tag", required=True, type=ImageTag(), help="The image tag to deploy (pushed to the stack's ECR "
              "repositories, or to the registry chatops.yaml names).")
@click.option("--service", type=click.Choice(SERVICES), help="Release only this service (default: all three).")
@click.option("--yes", "-y", is_flag=True, help="Apply without asking (needed when stdin is not a terminal).")
@wait_options
@aws_options
@json_option
def release(stack: Optional[str], config_path: Optional[str], tag: str, service: Optional[str], yes: bool,
            wait: bool, wait_timeout: float, aws_profile: Optional[str], endpoint_url: Optional[str],
            as_json: bool) -> None:
    """Deploy image TAG to one or all services and record it in chatops.yaml.

    Each image is deployed by digest (resolved from TAG in ECR), so the services roll out even when a tag
    is reused in a mutable repository. Exit 1 when an image is missing (with the push commands), when the
    update fails (chatops.yaml unchanged), or when a service does not roll out (circuit breaker rollback or
    --wait-timeout); 2 for a bad tag or a service pinned by digest; 130 on Ctrl-C.

    With --json, progress goes to stderr and one summary object is printed at the end (docs/json.md).
    """
    from chatops.cli.up import deploy

    deploy("release", stack, config_path, yes, as_json, image_tag=tag, services=(service,) if service else SERVICES,
           wait=wait, wait_timeout=wait_timeout, aws_profile=aws_profile, endpoint_url=endpoint_url)
