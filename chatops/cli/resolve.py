"""Settings precedence for the offline commands (cost-report, synth, runbook, preview --offline):

    flags  >  environment (CHATOPS_STACK, CHATOPS_CONFIG, AWS_REGION)  >  chatops.yaml  >  defaults

chatops.yaml is --config, else CHATOPS_CONFIG, else the one in the current directory or its nearest
parent. With one, `--stack S` (or CHATOPS_STACK) means that stack: its profile, project and region are
used unless a flag (or AWS_REGION, for the region) says otherwise, and a stack the file does not have is
an error. Without `--stack` and without `--profile`, a file with a single stack means that stack. The
commands that act on a deployed stack (doctor, status, up ...) take the region from chatops.yaml only:
it is part of the stack's identity, and AWS_REGION must not move a deployment.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional, TypeVar

import click

from chatops.errors import UsageError

F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_PROJECT = "chat"
DEFAULT_REGION = "us-east-1"


@dataclass(frozen=True)
class Target:
    """What an offline command renders or prices."""

    profile_ref: Optional[str]
    project: str
    stack: Optional[str]
    region: str
    config: Any = None  # ChatopsConfig when a chatops.yaml stack is used

    @property
    def entry(self) -> Any:
        return self.config.stacks[self.stack] if self.config is not None and self.stack else None


def config_options(func: F) -> F:
    """--stack (CHATOPS_STACK) and --config (CHATOPS_CONFIG) for the offline commands."""
    func = click.option("--config", "config_path", type=click.Path(dir_okay=False), envvar="CHATOPS_CONFIG",
                        show_envvar=True, help="chatops.yaml to read settings from [default: ./chatops.yaml or "
                        "the nearest parent directory's].")(func)
    return click.option("--stack", "-s", envvar="CHATOPS_STACK", show_envvar=True, metavar="NAME",
                        help="A stack of chatops.yaml: its profile, project and region (flags win).")(func)


def resolve_target(profile_ref: Optional[str] = None, stack: Optional[str] = None, project: Optional[str] = None,
                   region: Optional[str] = None, config_path: Optional[str] = None) -> Target:
    """Apply the precedence above. `profile_ref`, `project`, `region` are the flags (None: not given)."""
    from chatops.model.config_file import config_in_use

    path = config_in_use(config_path)
    config = entry = None
    if path is not None and (stack or not profile_ref):
        config, entry, stack = _stack_entry(path, stack)
    env_region = None if region else os.environ.get("AWS_REGION")
    region = region or env_region
    if entry is not None:
        profile_ref = profile_ref or _relative_to(entry.profile, path)
        project = project or config.project
        if env_region and env_region != entry.region:
            from chatops.ui.console import note

            note(f"Note: region {env_region} from AWS_REGION, not stack {stack}'s {entry.region} ({path}); "
                 "pass --region to choose")
        region = region or entry.region
    return Target(profile_ref=profile_ref, project=project or DEFAULT_PROJECT, stack=stack,
                  region=region or DEFAULT_REGION, config=config if entry is not None else None)


def _stack_entry(path: Path, stack: Optional[str]) -> tuple[Any, Any, Optional[str]]:
    from chatops.model.config_file import ConfigError, load_config

    config, _ = load_config(str(path))  # a --config or CHATOPS_CONFIG that does not exist: "not found"
    if stack is None:
        if len(config.stacks) != 1:
            return config, None, None
        stack = next(iter(config.stacks))
    if stack not in config.stacks:
        raise ConfigError([f"{path}: no stack named {stack!r}; stacks: {', '.join(config.stacks)} (or pass "
                           "--profile to render a stack that is not in the file)"])
    return config, config.stacks[stack], stack


def _relative_to(ref: str, config_path: Path) -> str:
    """A profile file named in chatops.yaml is relative to that file, not to the working directory."""
    from chatops.model.loading import looks_like_path, resolve_tier_name

    if resolve_tier_name(ref) is None and looks_like_path(ref) and not Path(ref).is_absolute():
        return str(config_path.parent / ref)
    return ref


def deployment_settings(target: Target, domain: Optional[str] = None) -> Any:
    """The settings the inline program is synthesized with: the stack's own (domain, zone, images, tags)
    when it comes from chatops.yaml, else placeholders; project, stack and region as resolved."""
    from pydantic import ValidationError

    from chatops.model.settings import DeploymentSettings

    try:
        if target.entry is not None:
            settings = DeploymentSettings.for_stack(target.config, target.stack)
            update = {"project": target.project, "region": target.region}
            if domain:
                update["domain"] = domain
            return DeploymentSettings.model_validate({**settings.model_dump(), **update})
        return DeploymentSettings.placeholder(project=target.project, stack=target.stack or "synth",
                                              region=target.region, domain=domain)
    except ValidationError as exc:
        fields = ", ".join(".".join(str(p) for p in e["loc"]) or "settings" for e in exc.errors())
        raise UsageError(f"invalid {fields}: project and stack are lower-case letters, digits and '-' (at most "
                         "24), the region like us-east-1") from None


def need_profile(target: Target) -> str:
    if not target.profile_ref:
        raise UsageError("give --profile TIER|FILE, or --stack NAME of a chatops.yaml (none was found here)"
                         if target.config is None else "give --profile TIER|FILE or --stack NAME")
    return target.profile_ref
