"""The Automation API driver: one chatops.yaml stack -> a Pulumi stack with chatops' program and config.

Decisions (see docs/deploying.md):
- Inline program, work dir `.chatops/work/<stack>` (stable, so Pulumi.<stack>.yaml and its encryption
  salt persist), project settings written by chatops, backend from chatops.yaml.
- Stack config chatops sets: `aws:region`, plus `chatops:tier`, `chatops:profile` and
  `chatops:applyImmediately` (records of what was applied; `preview` reads the last applied tier back
  from the stack history). Tags are NOT set as `aws:defaultTags`: the program tags every taggable
  resource once with a transform, and doing both would fight over the same keys.
- Provider plugins are pinned to the installed Python packages (pulumi-aws, pulumi-random) and
  installed before any operation, so the first run is not an unpinned automatic download.
"""

from __future__ import annotations

import importlib.metadata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Optional

from pulumi import automation as auto

from chatops.deploy import workspace
from chatops.deploy.errors import DeployError, pulumi_errors
from chatops.deploy.pulumi_cli import is_supported, too_old_message
from chatops.errors import ChatopsError
from chatops.model.config_file import load_config, select_stack
from chatops.model.loading import load_profile, read_dashboard_template
from chatops.model.profile import Profile
from chatops.model.settings import ChatopsConfig, DeploymentSettings, StackEntry

#: Python package -> Pulumi resource plugin whose version must match it.
PLUGIN_PACKAGES = {"pulumi-aws": "aws", "pulumi-random": "random"}
OnEvent = Callable[[auto.EngineEvent], Any]


@dataclass(frozen=True)
class StackTarget:
    """One stack of one chatops.yaml."""

    config: ChatopsConfig
    config_path: Path
    stack: str

    @property
    def entry(self) -> StackEntry:
        return self.config.stacks[self.stack]

    @property
    def settings(self) -> DeploymentSettings:
        return DeploymentSettings.for_stack(self.config, self.stack)

    @property
    def backend(self) -> str:
        return workspace.backend_url(self.config, self.config_path)

    def profile_path_or_name(self) -> str:
        """The entry's profile reference; a relative file path is relative to chatops.yaml."""
        ref = self.entry.profile
        candidate = self.config_path.parent / ref
        return str(candidate) if ("/" in ref or ref.endswith((".yaml", ".yml"))) and candidate.exists() else ref

    def profile(self) -> Profile:
        return load_profile(self.profile_path_or_name())


def resolve_target(config_path: Optional[str], stack: Optional[str]) -> StackTarget:
    config, path = load_config(config_path)
    return StackTarget(config, path, select_stack(config, stack, path))


# ---- what chatops hands Pulumi -------------------------------------------------------------------

def stack_config(target: StackTarget, profile: Profile, apply_immediately: bool = False) -> dict[str, auto.ConfigValue]:
    return {
        "aws:region": auto.ConfigValue(target.entry.region),
        "chatops:tier": auto.ConfigValue(profile.name),
        "chatops:profile": auto.ConfigValue(target.entry.profile),
        "chatops:applyImmediately": auto.ConfigValue("true" if apply_immediately else "false"),
    }


def project_settings(target: StackTarget) -> auto.ProjectSettings:
    return auto.ProjectSettings(name=target.config.project, runtime="python",
                                description=f"chatops project {target.config.project} (managed by chatops)",
                                backend=auto.ProjectBackend(url=target.backend))


def workspace_options(target: StackTarget, passphrase: workspace.Passphrase) -> auto.LocalWorkspaceOptions:
    work_dir = workspace.work_dir(target.config_path, target.stack)
    env = {
        # Our backend wins over a PULUMI_BACKEND_URL the user's shell may carry for other projects.
        "PULUMI_BACKEND_URL": target.backend,
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        **passphrase.env_vars,
    }
    return auto.LocalWorkspaceOptions(work_dir=str(work_dir), project_settings=project_settings(target),
                                      secrets_provider="passphrase", env_vars=env)


def required_plugins() -> list[tuple[str, str]]:
    """(plugin, version) for each installed provider package, e.g. ("aws", "7.51.0")."""
    plugins = []
    for package, plugin in PLUGIN_PACKAGES.items():
        try:
            plugins.append((plugin, importlib.metadata.version(package)))
        except importlib.metadata.PackageNotFoundError:
            continue
    return plugins


def load_program(profile: Profile, settings: DeploymentSettings) -> Callable[[], None]:
    """The inline program for a profile and stack; imported lazily (it pulls in pulumi_aws)."""
    try:
        from chatops.infra.program import build_program
    except ImportError as exc:
        raise ChatopsError(f"the infrastructure program is missing from this install ({exc}); reinstall "
                           "chatops") from None
    return build_program(profile, settings, dashboard_template=read_dashboard_template())


# ---- sessions ------------------------------------------------------------------------------------

@dataclass
class Session:
    """An opened Pulumi stack and what the user should be told about it."""

    target: StackTarget
    stack: auto.Stack
    passphrase: workspace.Passphrase


def open_stack(target: StackTarget, program: Callable[[], None], profile: Profile,
               apply_immediately: bool = False, install_plugins: bool = True) -> Session:
    """Create or select the stack, set chatops' config on it, pin the provider plugins."""
    passphrase = _prepare_local_files(target)
    opts = workspace_options(target, passphrase)
    with pulumi_errors(target.stack, target.backend):
        stack = auto.create_or_select_stack(target.stack, project_name=target.config.project, program=program,
                                            opts=opts)
        _require_supported_cli(stack)
        stack.set_all_config(stack_config(target, profile, apply_immediately))
        if install_plugins:
            for name, version in required_plugins():
                stack.workspace.install_plugin(name, version)
    return Session(target, stack, passphrase)


def select_existing(target: StackTarget) -> Session:
    """Select a stack that must already exist (outputs, unlock, destroy); no program is run."""
    passphrase = _prepare_local_files(target)
    opts = workspace_options(target, passphrase)
    with pulumi_errors(target.stack, target.backend):
        stack = auto.select_stack(target.stack, project_name=target.config.project, program=_no_program,
                                  opts=opts)
        _require_supported_cli(stack)
    return Session(target, stack, passphrase)


def _no_program() -> None:
    """Operations that must not run the real program (destroy, refresh, outputs) still need a callable."""


def _prepare_local_files(target: StackTarget) -> workspace.Passphrase:
    workspace.ensure_local_backend(target.backend)
    workspace.work_dir(target.config_path, target.stack).mkdir(parents=True, exist_ok=True)
    return workspace.ensure_passphrase(target.config_path)


def _require_supported_cli(stack: auto.Stack) -> None:
    version = stack.workspace.pulumi_version
    if not is_supported(version):
        raise DeployError(too_old_message(version))


# ---- operations ----------------------------------------------------------------------------------

def run_preview(session: Session, on_event: OnEvent) -> auto.PreviewResult:
    with pulumi_errors(session.target.stack, session.target.backend):
        return session.stack.preview(on_event=on_event, diff=True, color="never")


def run_up(session: Session, on_event: OnEvent, targets: Optional[list[str]] = None) -> auto.UpResult:
    """`targets`: update only these URNs (`pulumi up --target`), e.g. the first deploy's image repositories."""
    with pulumi_errors(session.target.stack, session.target.backend):
        return session.stack.up(on_event=on_event, color="never", show_secrets=False, target=targets)


def run_refresh(session: Session, on_event: OnEvent) -> auto.RefreshResult:
    with pulumi_errors(session.target.stack, session.target.backend):
        return session.stack.refresh(on_event=on_event, color="never", show_secrets=False)


def run_destroy(session: Session, on_event: OnEvent) -> auto.DestroyResult:
    with pulumi_errors(session.target.stack, session.target.backend):
        return session.stack.destroy(on_event=on_event, color="never", show_secrets=False)


def cancel(session: Session) -> None:
    """Stop the stack's current update; on a file backend this deletes the lock files."""
    with pulumi_errors(session.target.stack, session.target.backend):
        session.stack.cancel()


def plain_outputs(outputs: auto.OutputMap, show_secrets: bool = False) -> dict[str, Any]:
    return {key: ("[secret]" if value.secret and not show_secrets else value.value)
            for key, value in sorted(outputs.items())}


def read_stack_outputs(config: ChatopsConfig, config_path: Path, stack: str,
                       show_secrets: bool = False) -> dict[str, Any]:
    """The stack's outputs as plain values (secrets masked unless asked). Used by `outputs` and `status`."""
    session = select_existing(StackTarget(config, Path(config_path), stack))
    with pulumi_errors(stack, session.target.backend):
        return plain_outputs(session.stack.outputs(), show_secrets)


def protected_resources(session: Session) -> list[tuple[str, str]]:
    """(urn, type) of every resource the state marks protected."""
    with pulumi_errors(session.target.stack, session.target.backend):
        state = session.stack.export_stack()
    resources = (state.deployment or {}).get("resources") or []
    return [(r["urn"], r["type"]) for r in resources if r.get("protect")]


def unprotect(session: Session, urns: Optional[Iterable[str]] = None) -> int:
    """Clear `protect` on the given resources, or on all (what `pulumi state unprotect [--all]` does)."""
    wanted = None if urns is None else set(urns)
    with pulumi_errors(session.target.stack, session.target.backend):
        state = session.stack.export_stack()
        deployment = dict(state.deployment or {})
        resources = deployment.get("resources") or []
        hit = [r.get("protect") and (wanted is None or r.get("urn") in wanted) for r in resources]
        deployment["resources"] = [dict(r, protect=False) if h else r for r, h in zip(resources, hit)]
        if any(hit):
            session.stack.import_stack(auto.Deployment(version=state.version, deployment=deployment))
    return sum(1 for h in hit if h)


def last_applied_profile(session: Session) -> Optional[str]:
    """The `chatops:profile` of the stack's last successful update, if any."""
    with pulumi_errors(session.target.stack, session.target.backend):
        history = session.stack.history(page_size=20, show_secrets=False)
    for update in history:
        if update.kind == "update" and update.result == "succeeded":
            value = (update.config or {}).get("chatops:profile")
            if isinstance(value, dict):
                return value.get("value")
            return None
    return None
