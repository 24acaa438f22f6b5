"""`chatops unlock`: remove a lock left behind by a crashed or killed update."""

from __future__ import annotations

from typing import Optional

import click

from chatops.cli.common import examples, stack_options
from chatops.deploy import driver
from chatops.ui.changes import confirm_or_refuse
from chatops.ui.console import console


@click.command(epilog=examples("chatops unlock --stack prod", "chatops unlock --stack prod --yes"))
@stack_options
@click.option("--yes", "-y", is_flag=True, help="Do not ask (needed when stdin is not a terminal).")
def unlock(stack: Optional[str], config_path: Optional[str], yes: bool) -> None:
    """Cancel the stack's current update and delete its lock.

    Dangerous if an update is really running (another terminal, CI): both would write the state and may
    leave it inconsistent. Use it only after a crash, a killed process or a second Ctrl-C.
    """
    target = driver.resolve_target(config_path, stack)
    console(stderr=True).print(
        f"[yellow]Warning:[/yellow] only unlock {target.stack} if no update is running anywhere (other "
        "terminals, CI). Unlocking under a running update can corrupt the stack's state.")
    confirm_or_refuse(f"Remove the lock of stack {target.stack}?", yes)
    with driver.open_stack(target, scratch=True, plugins=False, secrets=False) as session:
        driver.cancel(session)
    console().print(f"Stack {target.stack} unlocked. Run `chatops refresh --stack {target.stack}` before the next "
                    "`up` if the interrupted update was changing resources.")
