"""`chatops preview --stack S`: a real Pulumi preview, summarized, with cost now/after and replacements.

Also the building blocks `up` and `scale-to` reuse: `live_preview` (preview, reconcile the events with the
engine's summary, explain protection refusals) and `preview_into` (the preview, priced, into a report).
"""

from __future__ import annotations

import time
from typing import Optional

from chatops.costing.monthly import NOTHING, monthly_total
from chatops.deploy import driver
from chatops.deploy.errors import DeployError
from chatops.deploy.events import EventTap
from chatops.deploy.replacements import STATEFUL_TYPES, ChangeSet, ProtectedBlock
from chatops.model.profile import Profile
from chatops.ui.changes import DeployReport, reporting, show_changes
from chatops.ui.cost import show_cost_diff
from chatops.ui.console import console
from chatops.ui.deploy_progress import notice

def announce_session(session: driver.Session) -> None:
    """Say where a newly generated passphrase is (never its value): losing it locks the secrets away."""
    if session.passphrase.created:
        notice(f"Generated the secrets passphrase in {session.passphrase.path} (readable only by you). Back it up: "
               "without it this stack's secrets cannot be decrypted.")


def live_preview(session: driver.Session, *, blocked_hint: str, targets: Optional[list[str]] = None) -> ChangeSet:
    """Run the preview (of only `targets`, when given) and return its complete change set.

    Refuses (DeployError) when the engine refused protected resources (each named, with `blocked_hint`
    as the fix), and when the change set cannot be trusted: an event handler failed, the SDK dropped
    events, or the engine's summary counts changes no event showed.
    """
    changes = ChangeSet()
    tap = EventTap(changes.handle)
    stack = session.target.stack
    try:
        result = driver.run_preview(session, tap, notice, targets)
    except DeployError as exc:
        if changes.blocked:
            raise protected_refusal(stack, changes.blocked, blocked_hint) from exc
        if tap.problems:  # e.g. the SDK's event-log watcher died, so it never saw the summary either
            raise incomplete_preview(stack, tap.problems) from exc
        raise
    missing = changes.shortfall(result.change_summary)
    if tap.problems or missing:
        raise incomplete_preview(stack, tap.problems + (
            [f"the engine's summary counts {', '.join(missing)} that no event showed"] if missing else []))
    return changes


def incomplete_preview(stack: str, reasons: list[str]) -> DeployError:
    from chatops.deploy.pulumi_cli import sdk_version

    return DeployError(f"the preview of stack {stack} is incomplete ({'; '.join(reasons)}); chatops will not "
                       "judge or apply a change set it did not see whole. Nothing was changed; rerun, and if it "
                       f"persists use the Pulumi CLI matching the pulumi package ({sdk_version()})")


def protected_refusal(stack: str, blocked: list[ProtectedBlock], hint: str) -> DeployError:
    names = "; ".join(f"{b.name} ({b.type}, {b.op}; holds {STATEFUL_TYPES.get(b.type, 'its data')})"
                      for b in blocked)
    return DeployError(f"Pulumi refuses to change stack {stack}: these resources are protected and would be "
                       f"replaced or deleted: {names}. Nothing was changed. {hint}")


def preview_into(report: DeployReport, session: driver.Session, profile: Profile, deployed: Profile, *,
                 blocked_hint: str, as_json: bool) -> ChangeSet:
    """The live preview of `profile`, its cost against what is deployed (`deployed`: chatops.yaml's
    profile, used when the history does not say), into `report`; the summary shown unless --json."""
    if not as_json:
        console(stderr=True).print(f"Previewing stack {session.target.stack} ({profile.name})...")
    report.changes = live_preview(session, blocked_hint=blocked_hint)
    region = session.target.entry.region
    now, now_label = driver.deployed_profile(session, deployed)
    report.cost_now = NOTHING if now is None else monthly_total(now, region)
    report.cost_after = monthly_total(profile, region)
    if not as_json:
        show_changes(report.changes)
        show_cost_diff(now, profile, region, title=f"Monthly cost: {now.name if now else 'nothing'} ({now_label}) "
                                                  f"-> {profile.name}")
    return report.changes


def run_live_preview(stack: Optional[str], config_path: Optional[str], as_json: bool,
                     aws_profile: Optional[str] = None, endpoint_url: Optional[str] = None) -> None:
    from chatops.cli.deploy_steps import preview_images

    target = driver.resolve_target(config_path, stack, aws_profile, endpoint_url)
    profile = target.profile()
    with reporting(DeployReport("preview", target.stack, profile.name, started=time.time()), as_json) as report:
        target = preview_images(target)  # the images by digest, as `up` deploys them
        program = driver.load_program(profile, target.settings)
        config = driver.stack_config(target, target.entry.profile, profile)
        with driver.open_stack(target, program, config=config, scratch=True) as session:
            changes = preview_into(report, session, profile, profile, as_json=as_json, blocked_hint=(
                f"If chatops.yaml's tier changed, `chatops scale-to TIER --stack {target.stack} --allow-replace` "
                "checks and unprotects exactly these; otherwise revert the change"))
        report.result = "succeeded" if changes.changes else "no-changes"

