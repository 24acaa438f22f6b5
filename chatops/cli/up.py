"""`chatops up`: images resolved, preview, confirm, apply with live progress, outputs, the rollout wait.

`deploy` is also `chatops release` (a new image tag for some services) and `up --image-tag`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Iterable, Optional

import click

from chatops.cli.common import aws_options, examples, json_option, stack_options
from chatops.cli.deploy_steps import (DEFAULT_WAIT_TIMEOUT_SECONDS, ImageTag, prepare_images, release_updates,
                                      wait_for_services, wait_options)
from chatops.cli.preview_live import announce_session, preview_into
from chatops.deploy import driver, scale
from chatops.deploy.errors import DeployError
from chatops.deploy.events import EventTap, Progress
from chatops.deploy.record import PendingRecord
from chatops.errors import ChatopsError
from chatops.model.images import SERVICES
from chatops.model.loading import load_profile
from chatops.model.profile import Profile
from chatops.ui.changes import DeployReport, confirm_or_refuse, reporting
from chatops.ui.console import console
from chatops.ui.deploy_progress import live_progress, notice, show_result


@click.command(epilog=examples("chatops up --stack prod", "chatops up --stack prod --yes",
                               "chatops up --stack prod --image-tag 1.4.2 --yes   # same as release --tag",
                               "chatops up --stack prod --yes --json > up.json", "chatops up --stack prod --no-wait"))
@stack_options
@click.option("--yes", "-y", is_flag=True, help="Apply without asking (needed when stdin is not a terminal).")
@click.option("--image-tag", type=ImageTag(), help="Deploy this image tag for every service and record it in "
              "chatops.yaml (what `chatops release --tag` does).")
@wait_options
@aws_options
@json_option
def up(stack: Optional[str], config_path: Optional[str], yes: bool, image_tag: Optional[str], wait: bool,
       wait_timeout: float, aws_profile: Optional[str], endpoint_url: Optional[str], as_json: bool) -> None:
    """Provision or update a stack: images resolved to their digests, preview, confirmation, the update with
    live progress, then a wait until the ECS services run it. The first `up` of a stack creates its image
    repositories and stops with the `docker push` commands.

    With --json, progress goes to stderr and one summary object is printed at the end (docs/json.md).
    """
    deploy("up", stack, config_path, yes, as_json, image_tag=image_tag, wait=wait, wait_timeout=wait_timeout,
           aws_profile=aws_profile, endpoint_url=endpoint_url)


def deploy(command: str, stack: Optional[str], config_path: Optional[str], yes: bool, as_json: bool, *,
           image_tag: Optional[str] = None, services: Iterable[str] = SERVICES, wait: bool = True,
           wait_timeout: float = DEFAULT_WAIT_TIMEOUT_SECONDS, aws_profile: Optional[str] = None,
           endpoint_url: Optional[str] = None) -> None:
    """`up`, and `release` (`image_tag` for `services`, recorded in chatops.yaml once applied)."""
    services = list(services)
    target = driver.resolve_target(config_path, stack, aws_profile, endpoint_url)
    profile = target.profile()
    report = DeployReport(command, target.stack, profile.name, started=time.time(),
                          extra={"images": [], "rollout": None})
    with reporting(report, as_json):
        updates = release_updates(target, image_tag, services) if image_tag is not None else {}
        record = PendingRecord.prepare(target.config_path, target.stack, updates) if updates else None
        deployed = prepare_images(target, profile, report, tag=image_tag, services=services, yes=yes, as_json=as_json)
        program = driver.load_program(profile, deployed.settings)
        config = driver.stack_config(deployed, target.entry.profile, profile)
        with driver.open_stack(deployed, program, config=config, create=True) as session:
            announce_session(session)
            guard_tier_change(session, profile)
            changes = preview_into(report, session, profile, profile, as_json=as_json,
                                   blocked_hint=up_protection_hint(target.stack))
            if not changes.changes:
                report.outputs = driver.stack_outputs(session)
                report.result = "no-changes"
            else:
                confirm_or_refuse(f"Apply these changes to stack {target.stack}?", yes)
                try:
                    report.outputs = apply_update(session, to_stderr=as_json, report=report, rerun=rerun_command(
                        command, target.stack, image_tag, services)).outputs
                except BaseException:
                    if record is not None:
                        notice(f"{target.config_path} unchanged: it records a new tag only once an update with "
                               "it succeeded")
                    raise
                report.result = "succeeded"
        recorded = record_applied(record, report)
        if not as_json:
            if report.result == "succeeded":
                console().print(f"[green]Stack {target.stack} is up to date ({profile.name}).[/green]")
            if recorded:
                notice(f"{target.config_path} records {record.describe()}.")  # type: ignore[union-attr]
            show_outputs(report.outputs)
        if report.result == "succeeded":
            wait_for_services(deployed, report.outputs, report, wait=wait, wait_timeout=wait_timeout, as_json=as_json)


def guard_tier_change(session: driver.Session, profile: Profile) -> None:
    """chatops.yaml names another profile than the stack's last successful update applied (edited by hand):
    this update is then a tier step, and gets scale-to's offline plan and stateful guard before the live
    preview. On prod the preview would refuse the protected losses anyway; on a stack with nothing
    protected it would apply them, silently dropping Redis or the read replica."""
    target = session.target
    ref = None if session.created else driver.last_applied_profile(session)
    if not ref or target.names_profile(ref):
        return
    try:
        applied = load_profile(target.resolve_profile_ref(ref))
    except ChatopsError as exc:
        notice(f"Warning: the last update of stack {target.stack} applied profile {ref}, which cannot be read now "
               f"({exc}); the tier step to {profile.name} is not checked offline (the live preview still is)")
        return
    if applied == profile:
        return
    fix = (f"to make that step, run `chatops scale-to {target.entry.profile} --stack {target.stack}` (it shows the "
           "step and its disruptions, and with --allow-replace unprotects exactly these), or set "
           f"`profile: {ref}` back in {target.config_path}")
    try:
        scale.stateful_guard(scale.offline_plan(applied, profile, target.settings), allow_replace=False, fix=fix)
    except ChatopsError as exc:
        raise ChatopsError(f"{target.config_path} names {profile.name} for stack {target.stack}, but its last "
                           f"successful update applied {applied.name}: {exc}") from None
    notice(f"{target.config_path} names {profile.name}, stack {target.stack} runs {applied.name}: this update "
           "changes the tier (no stateful resource is lost; `chatops scale-to` also lists the disruptions)")


def rerun_command(command: str, stack: str, image_tag: Optional[str], services: list[str]) -> str:
    """The command line that retries this deploy after a failure is fixed."""
    if image_tag is None:
        return f"chatops up --stack {stack}"
    if command == "up":
        return f"chatops up --stack {stack} --image-tag {image_tag}"
    only = "" if set(services) == set(SERVICES) else "".join(f" --service {s}" for s in services)
    return f"chatops release --stack {stack} --tag {image_tag}{only}"


def record_applied(record: Optional[PendingRecord], report: DeployReport) -> bool:
    """Write what the update applied to chatops.yaml (prepared before anything changed); a file that could not
    take it is a warning in the report (the stack is updated either way). True when written."""
    if record is None:
        return False
    warning = record.write()
    if warning:
        report.problems.append(warning)
        notice(f"Warning: {warning}")
    return warning is None


def up_protection_hint(stack: str) -> str:
    return ("`chatops up` never removes protection. If the tier in chatops.yaml changed, `chatops scale-to TIER "
            f"--stack {stack}` checks the losses and, with --allow-replace, unprotects exactly these; otherwise "
            "revert the change that causes them")


@dataclass
class Applied:
    """What an update did: its outputs and the per-resource progress."""

    outputs: dict
    progress: Progress


def apply_update(session: driver.Session, *, to_stderr: bool = False, targets: Optional[list[str]] = None,
                 rerun: Optional[str] = None, report: Optional[DeployReport] = None) -> Applied:
    """Run `up` under the progress display; failures per resource; Ctrl-C lets Pulumi cancel cleanly.

    The entry point every command that applies a change goes through (up, scale-to, release); `rerun` is
    the command a failure tells the user to run again (default: `chatops up --stack S`). Engine events the
    SDK dropped or chatops's handler failed on (the tap's problems) are a warning, and go into `report`.
    """
    progress = Progress()
    tap = EventTap(progress.handle)
    try:
        with live_progress(progress, to_stderr):
            result = driver.run_up(session, tap, notice, targets)
    except ChatopsError as exc:
        show_result(progress, to_stderr)
        error = update_failed(session.target.stack, progress, exc,
                              rerun or f"chatops up --stack {session.target.stack}")
        if error is exc:
            raise
        raise error from exc
    if tap.problems:
        unseen_events_warning(session.target.stack, tap.problems, report)
    return Applied(driver.plain_outputs(result.outputs), progress)


def unseen_events_warning(stack: str, problems: list[str], report: Optional[DeployReport]) -> None:
    """The update succeeded but its progress (and the failures it would name) may be incomplete: say so."""
    warning = (f"the update of stack {stack} finished, but chatops did not see all of its engine events "
               f"({'; '.join(problems)}), so the progress shown may be incomplete; `chatops preview --stack "
               f"{stack}` shows where the stack stands")
    notice(f"Warning: {warning}")
    if report is not None:
        report.problems.append(warning)


def update_failed(stack: str, progress: Progress, exc: ChatopsError, rerun: str) -> ChatopsError:
    failed = progress.failed()
    if not failed or not str(exc).startswith("pulumi failed"):
        return exc  # a specific cause (credentials, lock, passphrase, Ctrl-C) says more than the resource list
    first = failed[0]
    return DeployError(f"update of stack {stack} failed on {len(failed)} resource(s), first {first.name} "
                       f"({first.type}): {first.message or 'see above'}; finished changes are saved, fix the "
                       f"cause and rerun `{rerun}`")


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
