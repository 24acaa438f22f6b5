"""`chatops preview --stack S`: a real Pulumi preview, summarized, with cost now/after and replacements.

Also the building blocks `up` and `scale-to` reuse: the --stack/--config options and `preview_stack`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Callable, Optional, TypeVar

import click

from pulumi import automation as auto

from chatops.deploy import driver
from chatops.deploy.costs import monthly_cost
from chatops.deploy.replacements import ChangeSet
from chatops.errors import ChatopsError
from chatops.model.loading import load_profile
from chatops.model.profile import Profile
from chatops.ui.changes import changes_json, show_changes
from chatops.ui.console import console, emit_json

F = TypeVar("F", bound=Callable[..., Any])


def stack_options(func: F) -> F:
    """--stack and --config, as every stack command takes them."""
    func = click.option("--config", "config_path", type=click.Path(dir_okay=False), envvar="CHATOPS_CONFIG",
                        help="Path to chatops.yaml (default: ./chatops.yaml).")(func)
    return click.option("--stack", "-s", envvar="CHATOPS_STACK",
                        help="Stack in chatops.yaml (default: the only one).")(func)


def announce_session(session: driver.Session) -> None:
    """Say where a newly generated passphrase is (never its value): losing it locks the secrets away."""
    if session.passphrase.created:
        console(stderr=True).print(
            f"Generated the secrets passphrase in {session.passphrase.path} (readable only by you). Back it up: "
            "without it this stack's secrets cannot be decrypted.")


def current_cost(session: driver.Session, fallback: Profile) -> tuple[Optional[Decimal], str]:
    """Cost of what is deployed: the profile of the last successful update, else chatops.yaml's."""
    ref = driver.last_applied_profile(session)
    label = "last applied"
    profile = fallback
    if ref is None:
        label = "not deployed yet" if not _has_resources(session) else "tier in chatops.yaml"
        if label == "not deployed yet":
            return Decimal(0), label
    else:
        try:
            profile = load_profile(ref)
            label = f"{profile.name}, last applied"
        except ChatopsError:  # the recorded profile file moved or no longer validates
            label = "tier in chatops.yaml"
    return monthly_cost(profile, session.target.entry.region), label


def _has_resources(session: driver.Session) -> bool:
    try:
        state = session.stack.export_stack()
    except auto.errors.CommandError:
        return True  # unknown: assume deployed rather than claim $0
    return bool((state.deployment or {}).get("resources"))


def preview_stack(target: driver.StackTarget, profile: Profile, apply_immediately: bool = False,
                  as_json: bool = False) -> tuple[driver.Session, ChangeSet]:
    """Open the stack with the program for `profile`, preview, and show the summary."""
    settings = target.settings.model_copy(update={"apply_immediately": apply_immediately})
    program = driver.load_program(profile, settings)
    session = driver.open_stack(target, program, profile, apply_immediately=apply_immediately)
    announce_session(session)
    changes = ChangeSet()
    if not as_json:
        console(stderr=True).print(f"Previewing stack {target.stack} ({profile.name})...")
    driver.run_preview(session, changes.handle)
    now, now_label = current_cost(session, profile)
    after = monthly_cost(profile, target.entry.region)
    if as_json:
        emit_json({"stack": target.stack, "profile": profile.name, **changes_json(changes, now, after)})
    else:
        show_changes(changes, now, after, now_label, f"{profile.name}")
    return session, changes


def run_live_preview(stack: Optional[str], config_path: Optional[str], as_json: bool) -> None:
    from chatops.cli.deploy_steps import preview_images

    target = preview_images(driver.resolve_target(config_path, stack))  # images by digest, as `up` deploys them
    preview_stack(target, target.profile(), as_json=as_json)
