"""The Automation API driver: one chatops.yaml stack -> a Pulumi stack with chatops' program and config.

Decisions (see docs/deploying.md):
- Inline program; backend from chatops.yaml; project settings written by chatops.
- Work dir `.chatops/work/<stack>` (stable, so Pulumi.<stack>.yaml and its encryption salt persist) for
  commands that change the stack. Read-only commands (preview, outputs, unlock, and scale-to until it is
  confirmed) run in a scratch copy that is deleted afterwards, so they leave no files behind.
- The CLI version is checked first (`pulumi_cli.pulumi_command()`), before any `stack select/init`.
- A stack is created only by `up` (and `release`, which is up's flow), which alone may generate a passphrase;
  every other command needs an existing stack and the passphrase it was created with.
- Stack config chatops sets: `aws:region`, plus records of what was applied: `chatops:tier`,
  `chatops:profile` (the profile reference applied, as chatops.yaml writes it), `chatops:images` (each
  service's image, by digest once resolved), `chatops:applyImmediately` and `chatops:destroying`. `preview`
  reads the last applied profile back from the stack history.
- Provider plugins are pinned to the installed Python packages (pulumi-aws, pulumi-random) and installed
  before any operation, so the first run is not an unpinned automatic download.
- Engine operations run in a worker thread (running.py) and report through an EventTap (events.py).
"""

from __future__ import annotations

import importlib.metadata
import json
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Optional, TypeVar

from pulumi import automation as auto

from chatops.deploy import running, workspace
from chatops.deploy.errors import DeployError, explain, pulumi_errors
from chatops.deploy.events import EventTap
from chatops.deploy.pulumi_cli import pulumi_command
from chatops.errors import ChatopsError
from chatops.model.config_file import load_config, select_stack
from chatops.model.images import image_references
from chatops.model.loading import load_profile, looks_like_path, read_dashboard_template, resolve_tier_name
from chatops.model.profile import Profile
from chatops.model.settings import ChatopsConfig, DeploymentSettings, StackEntry

#: Python package -> Pulumi resource plugin whose version must match it.
PLUGIN_PACKAGES = {"pulumi-aws": "aws", "pulumi-random": "random"}
Notify = Callable[[str], None]
T = TypeVar("T")

__all__ = ["DeployError", "pulumi_errors"]


@dataclass(frozen=True)
class StackTarget:
    """One stack of one chatops.yaml."""

    config: ChatopsConfig
    config_path: Path
    stack: str
    #: --aws-profile: the AWS named profile chatops's own AWS calls and the Pulumi provider both use.
    aws_profile: Optional[str] = None
    #: --endpoint-url: chatops's own AWS calls only (the pulumi-aws provider does not read AWS_ENDPOINT_URL).
    endpoint_url: Optional[str] = None

    @property
    def entry(self) -> StackEntry:
        return self.config.stacks[self.stack]

    @property
    def settings(self) -> DeploymentSettings:
        return DeploymentSettings.for_stack(self.config, self.stack)

    @property
    def backend(self) -> str:
        return workspace.backend_url(self.config, self.config_path)

    def resolve_profile_ref(self, ref: str) -> str:
        """A profile reference as chatops.yaml writes it -> what load_profile takes: a file path is relative
        to the directory of chatops.yaml (not to wherever chatops runs), a tier name stays a name."""
        if not looks_like_path(ref):
            return ref
        path = Path(ref).expanduser()
        return str(path if path.is_absolute() else workspace.project_dir(self.config_path) / path)

    def recordable_ref(self, given: str) -> str:
        """A profile reference given on the command line (relative to the current directory) as chatops.yaml
        should record it: a tier name as is, a file relative to chatops.yaml's directory when inside it."""
        if not looks_like_path(given):
            return given
        path = Path(given).resolve()
        base = workspace.project_dir(self.config_path)
        try:
            return str(path.relative_to(base))
        except ValueError:
            return str(path)

    def profile(self) -> Profile:
        return load_profile(self.resolve_profile_ref(self.entry.profile))

    def names_profile(self, ref: str) -> bool:
        """chatops.yaml's profile for this stack is `ref` (a tier in any spelling, or the same file)."""
        def key(value: str) -> str:
            return resolve_tier_name(value) or str(Path(self.resolve_profile_ref(value)).resolve())

        return key(self.entry.profile) == key(ref)


def resolve_target(config_path: Optional[str], stack: Optional[str], aws_profile: Optional[str] = None,
                   endpoint_url: Optional[str] = None) -> StackTarget:
    config, path = load_config(config_path)
    return StackTarget(config, path, select_stack(config, stack, path), aws_profile or None, endpoint_url or None)


# ---- what chatops hands Pulumi -------------------------------------------------------------------

def stack_config(target: StackTarget, profile_ref: str, profile: Profile, *, apply_immediately: bool = False,
                 destroying: bool = False, final_snapshot: Optional[str] = None) -> dict[str, auto.ConfigValue]:
    """The stack config an update records: `profile_ref` is the profile being applied (empty: none, only the
    first deploy's image repositories); the images as `target` carries them (by digest once resolved);
    `final_snapshot` the database's final snapshot name set for a destroy (so the stack history says where
    the data went)."""
    config = {
        "aws:region": auto.ConfigValue(target.entry.region),
        "chatops:tier": auto.ConfigValue(profile.name),
        "chatops:profile": auto.ConfigValue(profile_ref),
        "chatops:images": auto.ConfigValue(json.dumps(image_references(target.settings.images, target.config.project,
                                                                       target.stack), sort_keys=True)),
        "chatops:applyImmediately": auto.ConfigValue("true" if apply_immediately else "false"),
        "chatops:destroying": auto.ConfigValue("true" if destroying else "false"),
    }
    if final_snapshot:
        config["chatops:finalSnapshot"] = auto.ConfigValue(final_snapshot)
    return config


def project_settings(target: StackTarget) -> auto.ProjectSettings:
    return auto.ProjectSettings(name=target.config.project, runtime="python",
                                description=f"chatops project {target.config.project} (managed by chatops)",
                                backend=auto.ProjectBackend(url=target.backend))


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
    created: bool = False


@contextmanager
def open_stack(target: StackTarget, program: Optional[Callable[[], None]] = None, *,
               config: Optional[dict[str, auto.ConfigValue]] = None, create: bool = False, scratch: bool = False,
               plugins: bool = True, secrets: bool = True) -> Iterator[Session]:
    """Select the stack (or, with `create`, create it), set `config`, pin the provider plugins.

    `scratch` runs in a temporary copy of the work dir, removed on exit: nothing is left on disk.
    `secrets=False` is for commands that never decrypt anything (`pulumi cancel`): no passphrase needed.
    """
    command = pulumi_command()  # the version check, before any stack command
    backend_dir = workspace.local_backend_path(target.backend)
    if backend_dir is not None and not backend_dir.is_dir():
        if not create:
            raise missing_stack(target)
        workspace.ensure_local_backend(target.backend)
    with _work_dir(target, scratch) as work_dir:
        env = {
            # Our backend wins over a PULUMI_BACKEND_URL the user's shell may carry for other projects.
            "PULUMI_BACKEND_URL": target.backend,
            "PULUMI_SKIP_UPDATE_CHECK": "true",
        }
        if target.aws_profile:  # --aws-profile: the provider deploys into the account chatops resolved images in
            env["AWS_PROFILE"] = target.aws_profile
        with pulumi_errors(target.stack, target.backend):
            ws = auto.LocalWorkspace(work_dir=str(work_dir), program=program or _no_program, env_vars=env,
                                     secrets_provider="passphrase", project_settings=project_settings(target),
                                     pulumi_command=command)
            session = _select_or_create(target, ws, create, secrets)
            if config:
                session.stack.set_all_config(config)
            if plugins:
                for name, version in required_plugins():
                    ws.install_plugin(name, version)
        yield session


def _select_or_create(target: StackTarget, ws: auto.LocalWorkspace, create: bool, secrets: bool) -> Session:
    try:
        stack = auto.Stack.select(target.stack, ws)  # selecting needs no passphrase
    except auto.StackNotFoundError:
        if not create:
            raise missing_stack(target) from None
        passphrase = workspace.passphrase_for_new_stack(target.config_path)
        ws.env_vars.update(passphrase.env_vars)
        return Session(target, auto.Stack.create(target.stack, ws), passphrase, created=True)
    if not secrets and workspace.passphrase_status(target.config_path)[0] == workspace.NOT_YET:
        return Session(target, stack, workspace.Passphrase(workspace.NOT_YET, None, False, {}))
    passphrase = workspace.passphrase_for_existing_stack(target.config_path, target.stack)
    ws.env_vars.update(passphrase.env_vars)
    return Session(target, stack, passphrase)


@contextmanager
def _work_dir(target: StackTarget, scratch: bool) -> Iterator[Path]:
    persistent = workspace.work_dir(target.config_path, target.stack)
    if not scratch:
        persistent.mkdir(parents=True, exist_ok=True)
        yield persistent
        return
    with tempfile.TemporaryDirectory(prefix=f"chatops-{target.stack}-") as tmp:
        settings = persistent / f"Pulumi.{target.stack}.yaml"  # keeps the passphrase salt, if this machine has it
        if settings.is_file():
            shutil.copy2(settings, Path(tmp) / settings.name)
        yield Path(tmp)


def missing_stack(target: StackTarget) -> DeployError:
    return DeployError(f"stack {target.stack} does not exist in {target.backend} yet; `chatops up --stack "
                       f"{target.stack}` creates it (`chatops preview --offline --profile {target.entry.profile}` "
                       "shows what it would create)")


def _no_program() -> None:
    """Operations that must not run the real program (destroy, refresh, outputs) still need a callable."""


# ---- engine operations ---------------------------------------------------------------------------

def run_preview(session: Session, tap: EventTap, notify: Notify,
                targets: Optional[list[str]] = None) -> auto.PreviewResult:
    """`targets`: only these URNs (`--target`), e.g. the first deploy's image repositories."""
    return _engine_call(session, "preview", lambda: session.stack.preview(on_event=tap, diff=True, color="never",
                                                                          target=targets), tap, notify)


def run_up(session: Session, tap: EventTap, notify: Notify, targets: Optional[list[str]] = None) -> auto.UpResult:
    return _engine_call(session, "up", lambda: session.stack.up(on_event=tap, color="never", show_secrets=False,
                                                                target=targets), tap, notify)


def run_refresh(session: Session, tap: EventTap, notify: Notify,
                clear_pending_creates: bool = False) -> auto.RefreshResult:
    """`clear_pending_creates`: drop the interrupted creates from the state first (`refresh
    --clear-pending-creates`, pulumi/pulumi#10394: in every CLI chatops accepts, and in the SDK since before
    chatops's minimum 3.181); without it a non-interactive refresh leaves them pending."""
    return _engine_call(session, "refresh", lambda: session.stack.refresh(
        on_event=tap, color="never", show_secrets=False, clear_pending_creates=clear_pending_creates or None),
        tap, notify)


def run_destroy(session: Session, tap: EventTap, notify: Notify) -> auto.DestroyResult:
    return _engine_call(session, "destroy", lambda: session.stack.destroy(on_event=tap, color="never",
                                                                          show_secrets=False), tap, notify)


def _engine_call(session: Session, kind: str, call: Callable[[], T], tap: EventTap, notify: Notify) -> T:
    stack = session.target.stack
    with tap.watching_sdk():
        result = running.call_in_worker(call, lambda by: notify(running.cancelling_notice(kind, stack, by)),
                                        lambda: running.abandoned(kind, stack),
                                        engine_cancelling=lambda: tap.engine_cancelling)
    if result.interrupted:  # stop after this call even when it returned normally (Pulumi survived the Ctrl-C)
        said = str(explain(result.error, stack, session.target.backend)) if result.error is not None else ""
        raise running.cancelled(kind, stack, said, result.cause) from None
    if result.error is not None:
        raise explain(result.error, stack, session.target.backend) from result.error
    return result.value  # type: ignore[return-value]


# ---- stack state through the CLI -----------------------------------------------------------------

def run_cli(session: Session, args: list[str]) -> auto.CommandResult:
    """A `pulumi` command on this stack, through the workspace's checked PulumiCommand and environment
    (backend, passphrase), in its work dir: for commands the SDK has no Stack method for."""
    ws = session.stack.workspace
    env = dict(ws.env_vars)
    if ws.pulumi_home:
        env["PULUMI_HOME"] = ws.pulumi_home
    stack_args = ["--stack", session.target.stack]
    split = args.index("--") if "--" in args else len(args)  # flags before the positional separator
    with pulumi_errors(session.target.stack, session.target.backend):
        return ws.pulumi_command.run([*args[:split], *stack_args, *args[split:]], ws.work_dir, env)


def set_protect(session: Session, urns: Iterable[str], protect: bool) -> list[str]:
    """`pulumi state unprotect|protect --yes -- URN...`: edits the flag in the backend's state directly, no
    export/import round trip (which would write every secret in plaintext to a temporary file)."""
    wanted = sorted(set(urns))
    if wanted:
        run_cli(session, ["state", "protect" if protect else "unprotect", "--yes", "--", *wanted])
    return wanted


def unprotect_all(session: Session) -> None:
    run_cli(session, ["state", "unprotect", "--all", "--yes"])


def stack_state(session: Session) -> dict[str, Any]:
    """The stack's checkpoint (`pulumi stack export`'s deployment), read into memory, never written to disk."""
    with pulumi_errors(session.target.stack, session.target.backend):
        state = session.stack.export_stack()
    return dict(state.deployment or {})


def state_resources(session: Session) -> list[dict[str, Any]]:
    """The resources of the stack's state."""
    return list(stack_state(session).get("resources") or [])


@dataclass(frozen=True)
class PendingOperation:
    """An operation Pulumi started and never recorded the end of (the process was terminated mid-step):
    apitype.OperationV2 in the checkpoint's `pending_operations`."""

    urn: str
    type: str
    operation: str   # creating, updating, deleting, reading, importing
    physical_name: Optional[str]

    @property
    def name(self) -> str:
        return self.urn.rsplit("::", 1)[-1]

    @property
    def is_create(self) -> bool:
        return self.operation == "creating"


def pending_operations(session: Session) -> list[PendingOperation]:
    found = []
    for op in stack_state(session).get("pending_operations") or []:
        resource = op.get("resource") or {}
        inputs = resource.get("inputs") or {}
        name = inputs.get("name") or inputs.get("identifier") or inputs.get("replicationGroupId")
        found.append(PendingOperation(str(resource.get("urn", "")), str(resource.get("type", "")),
                                      str(op.get("type", "")), str(name) if name else None))
    return found


def protected_resources(session: Session) -> list[tuple[str, str]]:
    """(urn, type) of every resource the state marks protected."""
    return [(r["urn"], r["type"]) for r in state_resources(session) if r.get("protect")]


def cancel(session: Session) -> None:
    """Stop the stack's current update; on a file backend this deletes the lock files."""
    with pulumi_errors(session.target.stack, session.target.backend):
        session.stack.cancel()


def plain_outputs(outputs: auto.OutputMap, show_secrets: bool = False) -> dict[str, Any]:
    return {key: ("[secret]" if value.secret and not show_secrets else value.value)
            for key, value in sorted(outputs.items())}


def stack_outputs(session: Session, show_secrets: bool = False) -> dict[str, Any]:
    with pulumi_errors(session.target.stack, session.target.backend):
        return plain_outputs(session.stack.outputs(), show_secrets)


def read_stack_outputs(config: ChatopsConfig, config_path: Path, stack: str,
                       show_secrets: bool = False) -> dict[str, Any]:
    """The stack's outputs as plain values (secrets masked unless asked). Used by `outputs` and `status`."""
    with open_stack(StackTarget(config, Path(config_path), stack), scratch=True, plugins=False) as session:
        return stack_outputs(session, show_secrets)


def deployed_profile(session: Session, fallback: Profile) -> tuple[Optional[Profile], str]:
    """What is deployed: the profile of the last successful update, else `fallback` (chatops.yaml's); None
    when nothing is deployed yet. The label says which."""
    if session.created:
        return None, "not deployed yet"
    ref = last_applied_profile(session)
    if ref is None:
        if runs_nothing(session.target, state_resources(session)):
            return None, "not deployed yet"
        return fallback, "tier in chatops.yaml"
    try:
        return load_profile(session.target.resolve_profile_ref(ref)), "last applied"
    except ChatopsError:  # the recorded profile file moved or no longer validates
        return fallback, "tier in chatops.yaml"


def applied_profile(target: StackTarget) -> Profile:
    """What the stack runs: the profile of its last successful update, else chatops.yaml's (read-only: a
    scratch work dir, no plugins). chatops.yaml may have been edited by hand since."""
    fallback = target.profile()
    with open_stack(target, scratch=True, plugins=False) as session:
        deployed, _ = deployed_profile(session, fallback)
    return deployed or fallback


def runs_nothing(target: StackTarget, resources: list[dict[str, Any]]) -> bool:
    """The state is empty, or holds only what the first deploy creates before any image exists (the image
    repositories, their component, the stack and its providers): nothing of the tier runs or costs yet."""
    from chatops.infra.registry import registry_urns

    first_deploy = set(registry_urns(target.config.project, target.stack))
    return all(r["urn"] in first_deploy or r["type"] == "pulumi:pulumi:Stack" or r["type"].startswith(
        "pulumi:providers:") for r in resources)


def last_applied_profile(session: Session) -> Optional[str]:
    """The `chatops:profile` of the stack's last successful update, if any."""
    with pulumi_errors(session.target.stack, session.target.backend):
        history = session.stack.history(page_size=20, show_secrets=False)
    for update in history:
        if update.kind == "update" and update.result == "succeeded":
            value = (update.config or {}).get("chatops:profile")
            return None if value is None else getattr(value, "value", None) or None
    return None
