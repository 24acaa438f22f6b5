"""`chatops up`: preview, confirm, apply with live progress, show outputs."""

from __future__ import annotations

from typing import Optional

import click

from chatops.cli.common import examples
from chatops.cli.preview_live import preview_stack, stack_options
from chatops.deploy import driver
from chatops.deploy.errors import DeployError
from chatops.deploy.events import Progress
from chatops.errors import ChatopsError
from chatops.ui.changes import confirm_or_refuse
from chatops.ui.console import console
from chatops.ui.deploy_progress import live_progress, show_result


@click.command(epilog=examples("chatops up --stack prod", "chatops up --stack prod --yes"))
@stack_options
@click.option("--yes", "-y", is_flag=True, help="Apply without asking (needed when stdin is not a terminal).")
def up(stack: Optional[str], config_path: Optional[str], yes: bool) -> None:
    """Provision or update a stack: preview, confirmation, then the update with live progress."""
    target = driver.resolve_target(config_path, stack)
    profile = target.profile()
    session, changes = preview_stack(target, profile)
    if not changes.changes:
        with driver.pulumi_errors(target.stack, target.backend):
            show_outputs(driver.plain_outputs(session.stack.outputs()))
        return
    confirm_or_refuse(f"Apply these changes to stack {target.stack}?", yes)
    outputs = apply_update(session)
    console().print(f"[green]Stack {target.stack} is up to date ({profile.name}).[/green]")
    show_outputs(outputs)


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
