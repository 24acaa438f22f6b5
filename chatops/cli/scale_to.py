"""`chatops scale-to TIER`: profile diff, cost delta, live preview, replacement guard, apply, record the tier."""

from __future__ import annotations

from typing import Optional

import click
from rich.table import Table

from chatops.cli.common import examples
from chatops.cli.deploy_steps import prepare_images, wait_for_services, wait_options
from chatops.cli.preview_live import preview_stack, stack_options
from chatops.cli.up import apply_update, show_outputs
from chatops.deploy import driver, scale
from chatops.deploy.costs import monthly_cost
from chatops.errors import ChatopsError
from chatops.model.loading import load_profile
from chatops.model.profile import Profile
from chatops.model.profile_diff import diff_profiles
from chatops.ui.changes import confirm_or_refuse, money
from chatops.ui.console import console


@click.command(epilog=examples("chatops scale-to 100k --stack prod", "chatops scale-to 25k-dau --stack prod --yes",
                               "chatops scale-to ./big.yaml --stack prod --apply-immediately"))
@click.argument("tier", metavar="TIER|FILE")
@stack_options
@click.option("--allow-replace", is_flag=True, help="Proceed even if stateful resources would be replaced/deleted.")
@click.option("--apply-immediately", is_flag=True,
              help="Apply DB/Redis class changes now instead of in the maintenance window.")
@click.option("--yes", "-y", is_flag=True, help="Apply without asking (needed when stdin is not a terminal).")
@wait_options
def scale_to(tier: str, stack: Optional[str], config_path: Optional[str], allow_replace: bool,
             apply_immediately: bool, yes: bool, wait: bool, wait_timeout: float) -> None:
    """Move a live stack to another tier (up or down), safely."""
    target = driver.resolve_target(config_path, stack)
    new_ref = scale.canonical_ref(tier)
    before, after = target.profile(), load_profile(new_ref)
    if before == after:
        console().print(f"Stack {target.stack} is already on {after.name}; nothing to do.")
        return
    show_plan(target, before, after, apply_immediately)
    images = prepare_images(target, after, yes=yes)  # the running images, by digest: a tier step keeps them
    session, changes = preview_stack(images.target, after, apply_immediately=apply_immediately)
    scale.stateful_guard(changes, allow_replace)
    confirm_or_refuse(f"Scale stack {target.stack} from {before.name} to {after.name}?", yes)
    if allow_replace:
        # The user accepted these losses; Pulumi refuses to replace or delete a protected resource.
        driver.unprotect(session, {c.urn for c in changes.stateful_losses() if c.protected})
    try:
        outputs = apply_update(session)
    except ChatopsError as exc:
        raise ChatopsError(f"{exc} (chatops.yaml unchanged: stack {target.stack} still records "
                           f"{target.entry.profile}; resources changed so far are in the state)") from exc
    scale.set_stack_profile(target.config_path, target.stack, new_ref)
    console().print(f"[green]Stack {target.stack} now runs {after.name}; {target.config_path} records it.[/green]")
    show_outputs(outputs)
    wait_for_services(images.target, outputs, wait=wait, wait_timeout=wait_timeout)  # new task sizes roll out


def show_plan(target: driver.StackTarget, before: Profile, after: Profile, apply_immediately: bool) -> None:
    out = console()
    table = Table(title=f"{before.name} -> {after.name}")
    for name in ("Setting", "Now", "After"):
        table.add_column(name)
    for change in diff_profiles(before, after):
        table.add_row(change.path, str(change.before), str(change.after))
    out.print(table)
    now, later = monthly_cost(before, target.entry.region), monthly_cost(after, target.entry.region)
    delta = f", delta {'+' if later >= now else '-'}${abs(later - now):,.0f}/mo" if now is not None and later is not None else ""
    out.print(f"Monthly cost: {money(now)} -> {money(later)}{delta}")
    for item in scale.disruptions(before, after, apply_immediately):
        out.print(f"[yellow]disruption[/yellow] {item.what}: {item.expect} ({item.when})")
