"""`chatops up`: preview, confirm, apply with live progress, show outputs."""

from __future__ import annotations

from typing import Optional

import click

from chatops.cli.common import examples
from chatops.cli.deploy_steps import DEFAULT_WAIT_TIMEOUT_SECONDS, prepare_images, wait_for_services, wait_options
from chatops.cli.preview_live import preview_stack, stack_options
from chatops.deploy import driver
from chatops.deploy.errors import DeployError
from chatops.deploy.events import Progress
from chatops.errors import ChatopsError
from chatops.model.images import SERVICES
from chatops.ui.changes import confirm_or_refuse
from chatops.ui.console import console
from chatops.ui.deploy_progress import live_progress, show_result


@click.command(epilog=examples("chatops up --stack prod", "chatops up --stack prod --yes",
                               "chatops up --stack prod --image-tag 1.4.2 --yes   # same as release --tag",
                               "chatops up --stack prod --no-wait"))
@stack_options
@click.option("--yes", "-y", is_flag=True, help="Apply without asking (needed when stdin is not a terminal).")
@click.option("--image-tag", metavar="TAG", help="Deploy this image tag for every service and record it in "
              "chatops.yaml (what `chatops release --tag` does).")
@wait_options
def up(stack: Optional[str], config_path: Optional[str], yes: bool, image_tag: Optional[str], wait: bool,
       wait_timeout: float) -> None:
    """Provision or update a stack: preview, confirmation, the update with live progress, then a wait until
    the ECS services run it. The first `up` of a stack creates its image repositories and stops with the
    `docker push` commands."""
    deploy(stack, config_path, yes, image_tag=image_tag, wait=wait, wait_timeout=wait_timeout)


def deploy(stack: Optional[str], config_path: Optional[str], yes: bool, *, image_tag: Optional[str] = None,
           services: tuple[str, ...] = SERVICES, wait: bool = True,
           wait_timeout: float = DEFAULT_WAIT_TIMEOUT_SECONDS) -> None:
    """`up`, and `release` (a new image tag for some services)."""
    target = driver.resolve_target(config_path, stack)
    profile = target.profile()
    images = prepare_images(target, profile, tag=image_tag, services=services, yes=yes)
    session, changes = preview_stack(images.target, profile)
    if not changes.changes:
        images.record()
        with driver.pulumi_errors(target.stack, target.backend):
            show_outputs(driver.plain_outputs(session.stack.outputs()))
        return
    confirm_or_refuse(f"Apply these changes to stack {target.stack}?", yes)
    outputs = apply_update(session)
    images.record()
    console().print(f"[green]Stack {target.stack} is up to date ({profile.name}).[/green]")
    show_outputs(outputs)
    wait_for_services(images.target, outputs, wait=wait, wait_timeout=wait_timeout)


def apply_update(session: driver.Session) -> dict:
    """Run `up` under the live display; failures per resource; Ctrl-C cancels and says where things are."""
    progress = Progress()
    stack = session.target.stack
    try:
        with live_progress(progress):
            result = driver.run_up(session, progress.handle)
    except KeyboardInterrupt:
        raise interrupted(session) from None
    except ChatopsError as exc:
        show_result(progress)
        raise update_failed(stack, progress, exc) from exc
    return driver.plain_outputs(result.outputs)


def update_failed(stack: str, progress: Progress, exc: ChatopsError) -> ChatopsError:
    failed = progress.failed()
    if not failed or not str(exc).startswith("pulumi failed"):
        return exc  # a specific cause (credentials, lock, passphrase) says more than the resource list
    first = failed[0]
    return DeployError(f"update of stack {stack} failed on {len(failed)} resource(s), first {first.name} "
                       f"({first.type}): {first.message or 'see above'}; finished changes are saved, fix the "
                       f"cause and rerun `chatops up --stack {stack}`")


def interrupted(session: driver.Session) -> ChatopsError:
    """Ctrl-C reaches the `pulumi` process too: it lets in-flight operations finish, saves the state and
    releases its lock. We do not call `stack.cancel()` here: on a file backend that deletes the lock while
    that process may still be writing its checkpoint (Python waits only 0.25 s for it after Ctrl-C)."""
    stack = session.target.stack
    return DeployError(f"update of stack {stack} was interrupted: Pulumi finishes the operations in flight and "
                       f"saves what is done; run `chatops refresh --stack {stack}` then `chatops up --stack {stack}` "
                       f"(only if it then reports a lock and no update is running: `chatops unlock --stack {stack}`)")


def show_outputs(outputs: dict) -> None:
    if not outputs:
        return
    from rich.table import Table

    table = Table(title="Outputs")
    table.add_column("Name")
    table.add_column("Value", overflow="fold")
    for key, value in outputs.items():
        table.add_row(key, str(value))
    console().print(table)
