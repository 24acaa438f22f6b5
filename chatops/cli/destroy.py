"""`chatops destroy`: delete a stack's resources, after typing its name; protected resources need --unprotect."""

from __future__ import annotations

import dataclasses
from typing import Optional

import click

from chatops.cli.common import examples
from chatops.cli.preview_live import announce_session, stack_options
from chatops.deploy import driver
from chatops.deploy.events import Progress, resource_name
from chatops.deploy.replacements import STATEFUL_TYPES
from chatops.errors import ChatopsError
from chatops.ui.changes import confirm_by_typing
from chatops.ui.console import console
from chatops.ui.deploy_progress import live_progress, show_result

RDS_INSTANCE = "aws:rds/instance:Instance"


@click.command(epilog=examples("chatops destroy --stack staging",
                               "chatops destroy --stack staging --yes --confirm staging",
                               "chatops destroy --stack prod --unprotect"))
@stack_options
@click.option("--yes", "-y", is_flag=True, help="Do not prompt; requires --confirm STACK.")
@click.option("--confirm", "confirm_name", metavar="STACK", help="The stack name, repeated (with --yes).")
@click.option("--unprotect", is_flag=True, help="Also delete protected resources (database, backups, queues...).")
def destroy(stack: Optional[str], config_path: Optional[str], yes: bool, confirm_name: Optional[str],
            unprotect: bool) -> None:
    """Delete every resource of a stack. Refuses while protected resources exist unless --unprotect."""
    target = driver.resolve_target(config_path, stack)
    session = driver.select_existing(target)
    announce_session(session)
    protected = driver.protected_resources(session)
    if protected and not unprotect:
        names = ", ".join(resource_name(urn) for urn, _ in protected[:5]) + (" ..." if len(protected) > 5 else "")
        raise ChatopsError(f"stack {target.stack} has {len(protected)} protected resource(s) ({names}); destroy "
                           "refuses to delete them. Rerun with --unprotect to delete them too (their data is lost)")
    if protected:
        warn_losses(protected)
    confirm_by_typing(target.stack, "destroy", yes, confirm_name)
    if protected:
        lift_protection(target, session, protected)
    progress = Progress()
    try:
        with live_progress(progress):
            driver.run_destroy(session, progress.handle)
    except KeyboardInterrupt:
        from chatops.cli.up import interrupted

        raise interrupted(session) from None
    except ChatopsError:
        show_result(progress)
        raise
    console().print(f"[green]Stack {target.stack} destroyed.[/green] Its state and config remain; run `chatops up "
                    f"--stack {target.stack}` to recreate it.")


def warn_losses(protected: list[tuple[str, str]]) -> None:
    out = console(stderr=True)
    out.print("[bold red]--unprotect: these protected resources will be deleted:[/bold red]")
    for urn, type_token in protected:
        out.print(f"  {resource_name(urn)} ({type_token}): {STATEFUL_TYPES.get(type_token, 'resource')}")
    out.print("The database gets a final snapshot when the tier asks for one; everything else is gone for good.")


def lift_protection(target: driver.StackTarget, session: driver.Session, protected: list[tuple[str, str]]) -> None:
    """Turn off RDS deletion protection (a targeted update), then clear `protect` in the state."""
    databases = [urn for urn, type_token in protected if type_token == RDS_INSTANCE]
    if databases:
        profile = target.profile()
        relaxed = dataclasses.replace(profile, database=dataclasses.replace(profile.database,
                                                                            deletion_protection=False))
        program = driver.load_program(relaxed, target.settings)
        opened = driver.open_stack(target, program, relaxed)
        console(stderr=True).print("Turning off deletion protection on the database...")
        with driver.pulumi_errors(target.stack, target.backend):
            opened.stack.up(target=databases, color="never")
    count = driver.unprotect(session)
    console(stderr=True).print(f"Removed protection from {count} resource(s) in the state.")
