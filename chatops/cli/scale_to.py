"""`chatops scale-to TIER`: move a live stack to another tier, safely.

The order matters on a production stack, where stateful resources are protected and Pulumi refuses to
replace or delete a protected resource already during the preview:

1. chatops.yaml: compute and validate the text that will record the new profile (refuse now if it cannot;
   nothing to record when it already names it, e.g. after a hand edit).
2. "Before" is what the stack runs: the profile of its last successful update (chatops.yaml's only when
   the history has none), never chatops.yaml alone, which may have been edited by hand. Offline plan
   between the two tiers' resource graphs, and the stateful guard on it: stop, listing every stateful
   loss and what it holds, unless --allow-replace.
3. With --allow-replace: unprotect exactly the protected resources the plan loses (`pulumi state unprotect`).
4. Live preview (a scratch work dir: nothing is written until confirmed), then the guard again on the live
   change set: it may lose only what step 2 showed.
5. Confirmation, the update, and only after it succeeded, chatops.yaml; then the wait until the ECS services
   run their new task sizes.
Anything that stops the command after step 3 puts the protection back. The images stay what chatops.yaml
names, resolved to their digests before the program is built (a tier step never moves them).
"""

from __future__ import annotations

import time
from typing import Optional

import click
from rich.table import Table

from chatops.cli.common import PROFILE_REF, aws_options, examples, json_option, stack_options
from chatops.cli.deploy_steps import prepare_images, wait_for_services, wait_options
from chatops.cli.preview_live import preview_into
from chatops.cli.up import apply_update, record_applied, show_outputs
from chatops.deploy import driver, scale
from chatops.deploy.record import PendingRecord
from chatops.errors import ChatopsError
from chatops.model.loading import load_profile
from chatops.model.profile import Profile
from chatops.model.profile_diff import diff_profiles
from chatops.ui.changes import DeployReport, confirm_or_refuse, reporting
from chatops.ui.console import console
from chatops.ui.cost import show_cost_diff
from chatops.ui.deploy_progress import notice


@click.command(epilog=examples("chatops scale-to 100k --stack prod", "chatops scale-to 25k-dau --stack prod --yes",
                               "chatops scale-to ./big.yaml --stack prod --apply-immediately",
                               "chatops scale-to 100k --stack prod --allow-replace --yes --json"))
@click.argument("tier", metavar="TIER|FILE", type=PROFILE_REF)
@stack_options
@click.option("--allow-replace", is_flag=True,
              help="Proceed although stateful resources would be replaced/deleted (they are unprotected first).")
@click.option("--apply-immediately", is_flag=True,
              help="Apply DB/Redis class changes now instead of in the maintenance window.")
@click.option("--yes", "-y", is_flag=True, help="Apply without asking (needed when stdin is not a terminal).")
@wait_options
@aws_options
@json_option
def scale_to(tier: str, stack: Optional[str], config_path: Optional[str], allow_replace: bool,
             apply_immediately: bool, yes: bool, wait: bool, wait_timeout: float, aws_profile: Optional[str],
             endpoint_url: Optional[str], as_json: bool) -> None:
    """Move a live stack to another tier (up or down), safely."""
    target = driver.resolve_target(config_path, stack, aws_profile, endpoint_url)
    new_ref = target.recordable_ref(scale.canonical_ref(tier))
    after = load_profile(target.resolve_profile_ref(new_ref))
    report = DeployReport("scale-to", target.stack, after.name, started=time.time(),
                          extra={"from_profile": None, "disruptions": [], "images": [], "rollout": None})
    with reporting(report, as_json):
        record = None if target.names_profile(new_ref) else PendingRecord.prepare(
            target.config_path, target.stack, {("profile",): new_ref})
        before = driver.applied_profile(target)
        report.extra["from_profile"] = before.name
        if before == after:
            report.result = "no-changes"
            recorded = record_applied(record, report)  # chatops.yaml named another tier: it now says what runs
            if not as_json:
                console().print(f"Stack {target.stack} already runs {after.name}; nothing to do" + (
                    f" ({target.config_path} now records it)." if recorded else "."))
            return
        report.extra["disruptions"] = [{"what": d.what, "expect": d.expect, "when": d.when}
                                       for d in scale.disruptions(before, after, apply_immediately)]
        if not as_json:
            show_plan(target, before, after, apply_immediately)
        settings = target.settings.model_copy(update={"apply_immediately": apply_immediately})
        offline = scale.offline_plan(before, after, settings)
        scale.stateful_guard(offline, allow_replace)
        deployed = prepare_images(target, after, report, yes=yes, as_json=as_json, first_deploy=False)
        program = driver.load_program(after, deployed.settings.model_copy(update={"apply_immediately":
                                                                                   apply_immediately}))
        config = driver.stack_config(deployed, new_ref, after, apply_immediately=apply_immediately)
        accepted = {c.urn for c in offline.stateful_losses()} if allow_replace else set()
        unprotected = preview_and_confirm(deployed, program, config, accepted, (before, after), report, yes, as_json)
        rerun = " ".join(["chatops scale-to", tier, "--stack", target.stack, *(["--allow-replace"] if allow_replace else []),
                          *(["--apply-immediately"] if apply_immediately else [])])
        report.outputs = apply(deployed, program, config, unprotected, report, as_json, rerun, before)
        report.result = "succeeded"
        recorded = record_applied(record, report) or record is None  # None: chatops.yaml named it already
        if not as_json:
            console().print(f"[green]Stack {target.stack} now runs {after.name}" + (
                f"; {target.config_path} records it" if recorded else "") + ".[/green]")
        if not as_json:
            show_outputs(report.outputs)
        wait_for_services(deployed, report.outputs, report, wait=wait, wait_timeout=wait_timeout, as_json=as_json)


def preview_and_confirm(target: driver.StackTarget, program, config, accepted: set[str],
                        profiles: tuple[Profile, Profile], report: DeployReport, yes: bool, as_json: bool) -> list[str]:
    """Steps 3-5 up to the confirmation, in a scratch work dir. Returns the URNs it unprotected."""
    before, after = profiles
    with driver.open_stack(target, program, config=config, scratch=True) as session:
        protected = {urn for urn, _ in driver.protected_resources(session)}
        losing = sorted(accepted & protected)
        try:  # from the unprotect on: Ctrl-C, SIGTERM or SIGHUP included (chatops.signals)
            unprotected = driver.set_protect(session, losing, False)
            if unprotected:
                notice(f"--allow-replace: removed protection from {len(unprotected)} resource(s) the change loses: "
                       + ", ".join(u.rsplit("::", 1)[-1] for u in unprotected))
            changes = preview_into(report, session, after, before, as_json=as_json,
                                   blocked_hint=scale_protection_hint(target.stack, bool(accepted)))
            scale.live_recheck(changes, accepted)
            confirm_or_refuse(f"Scale stack {target.stack} to {after.name}?", yes)
        except BaseException:
            restore_protection(session, losing)
            raise
    return unprotected


def apply(target: driver.StackTarget, program, config, unprotected: list[str], report: DeployReport,
          as_json: bool, rerun: str, before: Profile) -> dict:
    """The update itself, in the stack's work dir; on failure (or Ctrl-C, SIGTERM, SIGHUP before or during
    it), protection goes back on what still exists."""
    try:
        with driver.open_stack(target, program, config=config, plugins=False) as session:
            return apply_update(session, to_stderr=as_json, rerun=rerun, report=report).outputs
    except BaseException as exc:
        notice(f"chatops.yaml unchanged (profile {target.entry.profile}); the last successful update of stack "
               f"{target.stack} applied {before.name}, and resources changed so far are in the state")
        if unprotected and not getattr(exc, "abandoned", False):  # never under a lock Pulumi may still hold
            reprotect(target, unprotected)
        raise


def reprotect(target: driver.StackTarget, urns: list[str]) -> None:
    """Protect again those of `urns` the state still holds, in a session of its own (the update's may not have
    opened); a warning, never an error, when that fails too."""
    try:
        with driver.open_stack(target, scratch=True, plugins=False) as session:
            restore_protection(session, urns, only_existing=True)
    except ChatopsError as exc:
        _protection_not_restored(urns, exc)


def restore_protection(session: driver.Session, urns: list[str], *, only_existing: bool = False) -> None:
    """Protect `urns` again (`only_existing`: those still in the state, since a failed update may have deleted
    some). Never raises: whatever stopped the command is what the user must see; this is a warning."""
    if not urns:
        return
    try:
        if only_existing:
            urns = sorted({r["urn"] for r in driver.state_resources(session)} & set(urns))
        if urns:
            driver.set_protect(session, urns, True)
            notice(f"Protection restored on {len(urns)} resource(s).")
    except ChatopsError as exc:
        _protection_not_restored(urns, exc)


def _protection_not_restored(urns: list[str], exc: ChatopsError) -> None:
    notice(f"Warning: could not restore protection on {', '.join(urns)} ({exc}); the next `chatops up` "
           "restores it from the program")


def scale_protection_hint(stack: str, allowed: bool) -> str:
    if allowed:
        return ("chatops's offline plan did not predict these, so --allow-replace did not unprotect them (their "
                f"protection is unchanged); check `chatops refresh --stack {stack}` for drift and report the "
                "mismatch")
    return "If losing them is intended, rerun with --allow-replace: chatops then unprotects exactly these first"


def show_plan(target: driver.StackTarget, before: Profile, after: Profile, apply_immediately: bool) -> None:
    out = console()
    table = Table(title=f"{before.name} -> {after.name}")
    for name in ("Setting", "Now", "After"):
        table.add_column(name)
    for change in diff_profiles(before, after):
        table.add_row(change.path, str(change.before), str(change.after))
    out.print(table)
    show_cost_diff(before, after, target.entry.region)
    for item in scale.disruptions(before, after, apply_immediately):
        out.print(f"[yellow]disruption[/yellow] {item.what}: {item.expect} ({item.when})")

