"""`chatops up`: preview, confirm, apply with live progress, show outputs."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Optional

import click

from chatops.cli.common import examples, json_option
from chatops.cli.preview_live import announce_session, preview_into, stack_options
from chatops.deploy import driver
from chatops.deploy.errors import DeployError
from chatops.deploy.events import EventTap, Progress
from chatops.errors import ChatopsError
from chatops.ui.changes import DeployReport, confirm_or_refuse, reporting
from chatops.ui.console import console
from chatops.ui.deploy_progress import live_progress, notice, show_result


@click.command(epilog=examples("chatops up --stack prod", "chatops up --stack prod --yes",
                               "chatops up --stack prod --yes --json > up.json"))
@stack_options
@click.option("--yes", "-y", is_flag=True, help="Apply without asking (needed when stdin is not a terminal).")
@json_option
def up(stack: Optional[str], config_path: Optional[str], yes: bool, as_json: bool) -> None:
    """Provision or update a stack: preview, confirmation, then the update with live progress.

    With --json, progress goes to stderr and one summary object is printed at the end (docs/json.md).
    """
    target = driver.resolve_target(config_path, stack)
    profile = target.profile()
    with reporting(DeployReport("up", target.stack, profile.name, started=time.time()), as_json) as report:
        program = driver.load_program(profile, target.settings)
        config = driver.stack_config(target, target.entry.profile, profile)
        with driver.open_stack(target, program, config=config, create=True) as session:
            announce_session(session)
            changes = preview_into(report, session, profile, profile, as_json=as_json,
                                   blocked_hint=up_protection_hint(target.stack))
            if not changes.changes:
                report.outputs = driver.stack_outputs(session)
                report.result = "no-changes"
            else:
                confirm_or_refuse(f"Apply these changes to stack {target.stack}?", yes)
                report.outputs = apply_update(session, to_stderr=as_json).outputs
                report.result = "succeeded"
        if not as_json:
            if report.result == "succeeded":
                console().print(f"[green]Stack {target.stack} is up to date ({profile.name}).[/green]")
            show_outputs(report.outputs)


def up_protection_hint(stack: str) -> str:
    return ("`chatops up` never removes protection. If the tier in chatops.yaml changed, `chatops scale-to TIER "
            f"--stack {stack}` checks the losses and, with --allow-replace, unprotects exactly these; otherwise "
            "revert the change that causes them")


@dataclass
class Applied:
    """What an update did: its outputs and the per-resource progress."""

    outputs: dict
    progress: Progress


def apply_update(session: driver.Session, *, to_stderr: bool = False,
                 targets: Optional[list[str]] = None) -> Applied:
    """Run `up` under the progress display; failures per resource; Ctrl-C lets Pulumi cancel cleanly.

    The entry point every command that applies a change goes through (up, scale-to, release).
    """
    progress = Progress()
    tap = EventTap(progress.handle)
    try:
        with live_progress(progress, to_stderr):
            result = driver.run_up(session, tap, notice, targets)
    except ChatopsError as exc:
        show_result(progress, to_stderr)
        error = update_failed(session.target.stack, progress, exc)
        if error is exc:
            raise
        raise error from exc
    return Applied(driver.plain_outputs(result.outputs), progress)


def update_failed(stack: str, progress: Progress, exc: ChatopsError) -> ChatopsError:
    failed = progress.failed()
    if not failed or not str(exc).startswith("pulumi failed"):
        return exc  # a specific cause (credentials, lock, passphrase, Ctrl-C) says more than the resource list
    first = failed[0]
    return DeployError(f"update of stack {stack} failed on {len(failed)} resource(s), first {first.name} "
                       f"({first.type}): {first.message or 'see above'}; finished changes are saved, fix the "
                       f"cause and rerun `chatops up --stack {stack}`")


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
