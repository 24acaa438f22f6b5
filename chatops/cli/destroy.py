"""`chatops destroy`: delete a stack's resources, after typing its name; prod needs --unprotect.

Every blocker is listed before the confirmation (deploy/teardown.py). With --unprotect, after the typed
confirmation: one targeted update relaxes what AWS would refuse (ALB and RDS deletion protection off, log
bucket, backup vaults and ECR repositories emptied on delete, a new final snapshot name), `pulumi state
unprotect --all` clears Pulumi's protection, then the destroy runs. Nothing changes before the confirmation.
"""

from __future__ import annotations

import time
from typing import Optional

import click

from chatops.cli.common import aws_profile_option, examples, json_option, stack_options
from chatops.cli.up import apply_update
from chatops.deploy import driver, teardown
from chatops.deploy.events import EventTap, Progress
from chatops.errors import ChatopsError
from chatops.model.loading import load_profile
from chatops.model.profile import Profile
from chatops.ui.changes import DeployReport, confirm_by_typing, reporting
from chatops.ui.console import console
from chatops.ui.deploy_progress import live_progress, notice, show_result


@click.command(epilog=examples("chatops destroy --stack staging",
                               "chatops destroy --stack staging --yes --confirm staging",
                               "chatops destroy --stack prod --unprotect",
                               "chatops destroy --stack prod --unprotect --yes --confirm prod --json"))
@stack_options
@click.option("--yes", "-y", is_flag=True, help="Do not prompt; requires --confirm STACK.")
@click.option("--confirm", "confirm_name", metavar="STACK", help="The stack name, repeated (with --yes).")
@click.option("--unprotect", is_flag=True,
              help="Also delete protected resources and lift AWS deletion protection (database, backups, images...).")
@aws_profile_option
@json_option
def destroy(stack: Optional[str], config_path: Optional[str], yes: bool, confirm_name: Optional[str],
            unprotect: bool, aws_profile: Optional[str], as_json: bool) -> None:
    """Delete every resource of a stack. Refuses while anything blocks deletion (Pulumi protection, AWS
    deletion protection, data AWS will not delete) unless --unprotect, which lifts it all after the typed
    confirmation."""
    target = driver.resolve_target(config_path, stack, aws_profile)
    report = DeployReport("destroy", target.stack, started=time.time(), extra={"blockers": [],
                                                                                "final_snapshots": []})
    with reporting(report, as_json):
        with driver.open_stack(target, scratch=True, plugins=False) as session:
            resources = driver.state_resources(session)
            applied_ref = driver.last_applied_profile(session) or target.entry.profile
        found = teardown.blockers(resources)
        report.extra["blockers"] = [{"name": b.name, "type": b.type, "why": b.why} for b in found]
        if found and not unprotect:
            raise ChatopsError(f"stack {target.stack} has {len(found)} deletion blocker(s): {_blockers(found)}. "
                               "destroy refuses to delete protected data; rerun with --unprotect to lift them "
                               "all and delete everything (the data is lost)")
        snapshots = [(urn, teardown.unique_snapshot_name(name)) for urn, name in teardown.final_snapshots(resources)]
        report.extra["final_snapshots"] = [name for _, name in snapshots]
        warn_losses(found, snapshots, len(resources))
        confirm_by_typing(target.stack, "destroy", yes, confirm_name)
        relax = teardown.relax_targets(found, snapshots)
        if relax:
            relax_for_destroy(target, applied_ref, relax, snapshots, report, as_json)
        destroy_stack(target, unprotect_first=any(not b.relaxed_by_update for b in found), to_stderr=as_json)
        report.result = "succeeded"
        if not as_json:
            console().print(f"[green]Stack {target.stack} destroyed.[/green] Its state and config remain; run "
                            f"`chatops up --stack {target.stack}` to recreate it.")
        for _, name in snapshots:
            notice(f"Final database snapshot: {name} (kept by RDS after the destroy).")


def warn_losses(found: list[teardown.Blocker], snapshots: list[tuple[str, str]], count: int) -> None:
    out = console(stderr=True)
    out.print(f"destroy deletes all {count} resource(s) of the stack.")
    if found:
        out.print("[bold red]These block deletion today and are lifted first (after your confirmation):[/bold red]")
        for blocker in found:
            holds = f"; holds {blocker.holds}" if blocker.holds else ""
            out.print(f"  {blocker.name} ({blocker.type}): {blocker.why}{holds}")
    for _, name in snapshots:
        out.print(f"The database takes a final snapshot named {name}; everything else is gone for good.")


def relax_for_destroy(target: driver.StackTarget, applied_ref: str, urns: list[str],
                      snapshots: list[tuple[str, str]], report: DeployReport, as_json: bool) -> None:
    """One targeted update of the last applied profile in destroying mode: only `urns` change."""
    profile = _applied_profile(target, applied_ref)
    snapshot = snapshots[0][1] if snapshots else None  # the program has one final-snapshot database
    settings = target.settings.model_copy(update={"destroying": True, "final_snapshot_identifier": snapshot})
    program = driver.load_program(profile, settings)
    config = driver.stack_config(target, applied_ref, profile, destroying=True, final_snapshot=snapshot)
    notice(f"Lifting deletion blockers on {len(urns)} resource(s) with a targeted update...")
    with driver.open_stack(target, program, config=config) as session:
        apply_update(session, to_stderr=as_json, targets=urns, report=report)


def destroy_stack(target: driver.StackTarget, *, unprotect_first: bool, to_stderr: bool) -> None:
    with driver.open_stack(target, plugins=True) as session:
        if unprotect_first:
            driver.unprotect_all(session)
            notice("Removed protection from every resource in the state.")
        progress = Progress()
        tap = EventTap(progress.handle)
        try:
            with live_progress(progress, to_stderr):
                driver.run_destroy(session, tap, notice)
        except ChatopsError:
            show_result(progress, to_stderr)
            raise


def _applied_profile(target: driver.StackTarget, ref: str) -> Profile:
    """The profile the stack was last updated with (so the targeted update changes nothing else)."""
    try:
        return load_profile(target.resolve_profile_ref(ref))
    except ChatopsError:
        return target.profile()


def _blockers(found: list[teardown.Blocker]) -> str:
    return "; ".join(f"{b.name} ({b.why})" for b in found)
