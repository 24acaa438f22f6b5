"""`chatops doctor`: preflight checks before the first `up`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import click

from chatops.cli.common import aws_options, examples, json_option, stack_options
from chatops.errors import EXIT_UNHEALTHY, OutcomeError
from chatops.model.profile import Profile
from chatops.model.settings import ChatopsConfig, StackEntry


@dataclass(frozen=True)
class StackTarget:
    """One stack of chatops.yaml with its tier loaded."""

    config: ChatopsConfig
    config_path: Path
    stack: str
    entry: StackEntry
    profile: Profile


def resolve_stack(config_arg: Optional[str], stack_arg: Optional[str]) -> StackTarget:
    """--config/--stack (or CHATOPS_CONFIG/CHATOPS_STACK) -> the stack and its profile."""
    from chatops.model.config_file import load_config, select_stack
    from chatops.model.loading import load_profile, looks_like_path

    config, path = load_config(config_arg)
    stack = select_stack(config, stack_arg, path)
    entry = config.stacks[stack]
    ref = entry.profile
    if looks_like_path(ref) and not Path(ref).is_absolute() and not Path(ref).exists():
        ref = str(path.parent / ref)  # a profile file named in chatops.yaml is relative to that file
    return StackTarget(config, path, stack, entry, load_profile(ref))


@click.command(epilog=examples("chatops doctor --stack prod",
                               "chatops doctor --stack prod --aws-profile ops --json"))
@stack_options
@aws_options
@json_option
def doctor(stack: Optional[str], config_path: Optional[str], aws_profile: Optional[str],
           endpoint_url: Optional[str], as_json: bool) -> None:
    """Check everything `up` needs: Pulumi CLI, AWS credentials, hosted zone, instance classes in the
    region, Fargate quotas, the images (they exist, and run on the tier's CPU architecture), state
    backend, passphrase, Auth0 settings and name lengths. Exit 4 when a check fails (warnings do not fail)."""
    from chatops.aws.session import make_aws
    from chatops.aws.doctor import DoctorContext, run_checks
    from chatops.ui.doctor import doctor_json, render_doctor

    target = resolve_stack(config_path, stack)
    aws = make_aws(target.entry.region, aws_profile, endpoint_url)
    ctx = DoctorContext(target.config, target.config_path, target.stack, target.entry, target.profile, aws)
    checks = run_checks(ctx)
    if as_json:
        from chatops.ui.console import emit_json

        emit_json(doctor_json(ctx, checks))
    else:
        render_doctor(ctx, checks)
    failed = [check.name for check in checks if check.status == "fail"]
    if failed:
        raise OutcomeError(f"{len(failed)} check(s) failed: {', '.join(failed)}", EXIT_UNHEALTHY)
