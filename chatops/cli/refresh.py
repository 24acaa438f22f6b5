"""`chatops refresh`: reconcile the stack's state with what exists in AWS."""

from __future__ import annotations

from typing import Optional

import click

from chatops.cli.common import examples, stack_options
from chatops.deploy import driver
from chatops.deploy.events import EventTap, Progress
from chatops.errors import ChatopsError
from chatops.ui.changes import confirm_or_refuse
from chatops.ui.console import console
from chatops.ui.deploy_progress import live_progress, notice, show_result


@click.command(epilog=examples("chatops refresh --stack prod", "chatops refresh --stack prod --yes"))
@stack_options
@click.option("--yes", "-y", is_flag=True, help="Do not ask (needed when stdin is not a terminal).")
def refresh(stack: Optional[str], config_path: Optional[str], yes: bool) -> None:
    """Read every resource back from AWS and update the state to match (drift, manual changes).

    Progress is shown per resource; Ctrl-C lets Pulumi cancel cleanly (a second Ctrl-C stops waiting).
    """
    target = driver.resolve_target(config_path, stack)
    confirm_or_refuse(f"Refresh the state of stack {target.stack} from AWS?", yes)
    with driver.open_stack(target) as session:
        progress = Progress()
        try:
            with live_progress(progress):
                driver.run_refresh(session, EventTap(progress.handle), notice)
        except ChatopsError:
            show_result(progress)
            raise
    console().print(f"[green]State of stack {target.stack} refreshed.[/green] Run `chatops preview --stack "
                    f"{target.stack}` to see what `up` would now change.")
