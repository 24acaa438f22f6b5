"""`chatops refresh`: reconcile the stack's state with what exists in AWS.

Before refreshing it lists the operations Pulumi started and never recorded the end of (`pending_operations`
in the state, left by a terminated update: a second Ctrl-C, a killed CI job). A refresh resolves pending
updates and deletes, but not pending creates: Pulumi cannot know whether AWS created the resource, and a
non-interactive refresh skips them (pulumi/pulumi#4265, #10394), so the next `up` would create each again
next to a possible orphan. `--clear-pending-creates` drops them from the state, once you have checked AWS
(docs/deploying.md, "Pending operations", also says how to import one that exists).
"""

from __future__ import annotations

import time
from typing import Any, Optional

import click

from chatops.cli.common import aws_profile_option, examples, json_option, stack_options
from chatops.deploy import driver
from chatops.deploy.events import EventTap, Progress
from chatops.errors import ChatopsError
from chatops.ui.changes import RefreshReport, confirm_or_refuse, reporting
from chatops.ui.console import console
from chatops.ui.deploy_progress import live_progress, notice, show_result


@click.command(epilog=examples("chatops refresh --stack prod", "chatops refresh --stack prod --yes",
                               "chatops refresh --stack prod --yes --json   # in CI: drift counts as JSON",
                               "chatops refresh --stack prod --clear-pending-creates   # after checking AWS"))
@stack_options
@click.option("--clear-pending-creates", is_flag=True,
              help="Drop interrupted creates from the state (Pulumi forgets them; check AWS first, see "
                   "docs/deploying.md).")
@click.option("--yes", "-y", is_flag=True, help="Do not ask (needed when stdin is not a terminal).")
@aws_profile_option
@json_option
def refresh(stack: Optional[str], config_path: Optional[str], clear_pending_creates: bool, yes: bool,
            aws_profile: Optional[str], as_json: bool) -> None:
    """Read every resource back from AWS and update the state to match (drift, manual changes), after listing
    the operations an interrupted update left pending.

    Progress is shown per resource; Ctrl-C lets Pulumi cancel cleanly (a second Ctrl-C stops waiting).
    """
    target = driver.resolve_target(config_path, stack, aws_profile)
    report = RefreshReport("refresh", target.stack, started=time.time(),
                           extra={"pending_operations": [], "cleared_pending_creates": False,
                                  "still_pending_creates": [], "state_changes": {}})
    with reporting(report, as_json), driver.open_stack(target) as session:
        pending = driver.pending_operations(session)
        report.extra["pending_operations"] = [_pending_json(op) for op in pending]
        show_pending(target.stack, pending, clear_pending_creates)
        confirm_or_refuse(f"Refresh the state of stack {target.stack} from AWS?", yes)
        progress = Progress()
        try:
            with live_progress(progress, to_stderr=as_json):
                result = driver.run_refresh(session, EventTap(progress.handle), notice, clear_pending_creates)
        except ChatopsError:
            show_result(progress, to_stderr=as_json)
            raise
        left = [op for op in driver.pending_operations(session) if op.is_create]
        report.extra.update(state_changes=dict(result.summary.resource_changes or {}),
                            cleared_pending_creates=clear_pending_creates and any(op.is_create for op in pending),
                            still_pending_creates=[_pending_json(op) for op in left])
        report.result = "succeeded"
    console(stderr=as_json).print(f"[green]State of stack {target.stack} refreshed.[/green] Run `chatops preview "
                                  f"--stack {target.stack}` to see what `up` would now change.")
    if left:
        notice(f"Still pending: {len(left)} interrupted create(s) ({_names(left)}); the next `up` would create them "
               f"again. Check AWS, then `chatops refresh --stack {target.stack} --clear-pending-creates` (or import "
               "what exists: docs/deploying.md, \"Pending operations\").")


def _pending_json(op: driver.PendingOperation) -> dict[str, Any]:
    return {"urn": op.urn, "type": op.type, "operation": op.operation, "physical_name": op.physical_name}


def show_pending(stack: str, pending: list[driver.PendingOperation], clear: bool) -> None:
    if not pending:
        return
    out = console(stderr=True)
    out.print(f"Stack {stack} has {len(pending)} operation(s) Pulumi started and never recorded the end of (an "
              "interrupted update):", markup=False)
    for op in pending:
        out.print(f"  {op.operation} {op.type} {op.name}" + (f" (AWS name {op.physical_name})"
                                                              if op.physical_name else ""), markup=False)
    creates = [op for op in pending if op.is_create]
    if len(creates) < len(pending):
        out.print("The refresh resolves the pending updates and deletes (it reads each resource back from AWS).",
                  markup=False)
    if not creates:
        return
    if clear:
        out.print(f"--clear-pending-creates: the refresh first drops the {len(creates)} pending create(s) from the "
                  "state; whatever AWS created for them is no longer managed by the stack (delete it, or import "
                  "it: docs/deploying.md, \"Pending operations\").", markup=False)
    else:
        out.print(f"A refresh cannot resolve the {len(creates)} pending create(s): Pulumi does not know whether AWS "
                  "created them, and the next `up` would create them again. Check each in AWS by its name: if it "
                  "does not exist (or you deleted it), rerun with --clear-pending-creates; if it exists and should "
                  "stay, import it (docs/deploying.md, \"Pending operations\").", markup=False)


def _names(pending: list[driver.PendingOperation]) -> str:
    return ", ".join(op.physical_name or op.name for op in pending)
