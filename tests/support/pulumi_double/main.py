"""Entry point of the Pulumi CLI TEST DOUBLE (see __init__.py). Run as `pulumi ...` through the launcher.

Every invocation is appended to $PULUMI_DOUBLE_LOG (argv, cwd, which passphrase variables were set) so tests
can check what chatops asked of the CLI, and in which order.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any, Optional

sys.path.insert(0, str(Path(__file__).resolve().parent))

from checkpoint import Backend  # noqa: E402
from engine import LEGACY_FAILURE, Operation  # noqa: E402
from transport import open_sink  # noqa: E402

#: Flags that take a value (everything else starting with -- is a switch).
VALUED = {"--stack", "--color", "--exec-kind", "--client", "--event-log", "--target", "--page-size", "--page",
          "--secrets-provider", "--plaintext", "--secret", "--message", "--parallel", "--config-file", "--replace",
          "--exclude", "--policy-pack", "--policy-pack-config", "--tracing", "--verbose", "--file", "--server"}
SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d"  # sdk/go/common/resource/sig: a secret in a checkpoint
PASSPHRASE_MISSING = ("passphrase must be set with PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE "
                      "environment variables")  # pkg/secrets/passphrase (readPassphrase, non-interactive)


class Failure(Exception):
    """An error the CLI prints as `error: ...` on stderr before exiting non-zero (cmdutil.ExitError)."""


def main(argv: list[str]) -> int:
    scenario = _scenario()
    earlier = _logged_commands()
    _log(argv)
    positional, flags = _parse(argv)
    try:
        _injected_failure(positional, scenario, earlier)
        return _dispatch(positional, flags, scenario)
    except Failure as exc:
        print(f"error: {exc}", file=sys.stderr, flush=True)
        return LEGACY_FAILURE if scenario.get("exit_codes") != "detailed" else 1


def _dispatch(positional: list[str], flags: dict[str, list[str]], scenario: dict[str, Any]) -> int:
    # Commands other than engine operations install no signal handler (only pkg/backend's cancellation scope
    # does): a SIGINT ends them at once, as Go's runtime ends a program on an unhandled SIGINT.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    time.sleep((scenario.get("command_seconds") or {}).get(_words(positional), 0))
    command = positional[:2]
    if positional[:1] == ["version"]:
        # pkg/cmd/pulumi/version.go: prints the version with a leading "v"
        print(f"v{scenario.get('version', '3.190.0')}")
        return 0
    if positional[:1] == ["plugin"]:
        # pkg/cmd/pulumi/plugin_install.go: a pinned version already present is a no-op
        print(f"[{positional[2]} plugin {positional[3]}-{positional[4]}] installing (test double: no download)")
        return 0
    stack = (flags.get("--stack") or [None])[-1]
    if command == ["stack", "init"]:
        stack = positional[2] if len(positional) > 2 else stack
    backend = _backend()
    if stack is None:
        raise Failure("no stack selected; please use `pulumi stack select`")
    if command == ["stack", "init"]:
        return _stack_init(backend, stack, scenario)
    if not backend.exists(stack):
        # pkg/backend/diy/backend.go GetStack -> "no stack named '%s' found" (the SDK's StackNotFoundError regex)
        raise Failure(f"no stack named '{stack}' found")
    if command == ["stack", "select"]:
        return 0  # pkg/cmd/pulumi/stack_select.go: silent on success
    if positional[:1] == ["cancel"]:
        return _cancel(backend, stack)
    if command == ["stack", "history"]:
        # pkg/cmd/pulumi/stack_history.go --json: newest first, paged by --page-size/--page
        history = backend.sidecar(stack)["history"]
        size = int((flags.get("--page-size") or ["0"])[-1])
        page = int((flags.get("--page") or ["1"])[-1])
        print(json.dumps(history[(page - 1) * size: page * size] if size else history))
        return 0
    _require_passphrase(backend, stack)
    if command == ["config", "set-all"]:
        return _config_set_all(stack, flags)
    if command == ["stack", "output"]:
        return _stack_output(backend, stack, "--show-secrets" in flags)
    if command == ["stack", "export"]:
        # pkg/cmd/pulumi/stack_export.go: apitype.UntypedDeployment {version, deployment}
        print(json.dumps({"version": 3, "deployment": backend.deployment(stack)}, indent=4))
        return 0
    if command in (["state", "unprotect"], ["state", "protect"]):
        return _state_protect(backend, stack, positional[2:], "--all" in flags, protect=command[1] == "protect")
    if positional[:1] in (["preview"], ["up"], ["destroy"], ["refresh"]):
        return _operation(positional[0], backend, stack, flags, scenario)
    raise Failure(f"the pulumi test double does not implement `{' '.join(positional)}`")


# -- commands -------------------------------------------------------------------------------------

def _stack_init(backend: Backend, stack: str, scenario: dict[str, Any]) -> int:
    # pkg/cmd/pulumi/stack_init.go + pkg/backend/diy: "stack '%s' already exists"; the passphrase secrets
    # manager is created at init, so it needs the passphrase; the salt goes into Pulumi.<stack>.yaml.
    if backend.exists(stack):
        raise Failure(f"stack '{stack}' already exists")
    passphrase = _passphrase()
    if passphrase is None:
        raise Failure(PASSPHRASE_MISSING)
    backend.create(stack, passphrase, scenario.get("version", "3.190.0"))
    settings = _stack_settings(stack)
    settings.setdefault("encryptionsalt", "v1:doubledoublesalt=:v1:doubled:doubled==")
    _save_stack_settings(stack, settings)
    print(f"Created stack '{stack}'")
    return 0


def _config_set_all(stack: str, flags: dict[str, list[str]]) -> int:
    # pkg/cmd/pulumi/config.go newConfigSetAllCmd: --plaintext/--secret key=value pairs into Pulumi.<stack>.yaml
    settings = _stack_settings(stack)
    config = settings.setdefault("config", {})
    for pair in flags.get("--plaintext", []) + flags.get("--secret", []):
        key, _, value = pair.partition("=")
        config[key] = value
    _save_stack_settings(stack, settings)
    return 0


def _stack_output(backend: Backend, stack: str, show_secrets: bool) -> int:
    # pkg/cmd/pulumi/stack_output.go --json: secrets print as "[secret]" without --show-secrets. Secrets are
    # stored as the checkpoint stores them ({<sig key>: <sig>, "ciphertext": ...}); the double keeps the
    # plaintext beside the ciphertext instead of encrypting it.
    def shown(value: Any) -> Any:
        if isinstance(value, dict) and SECRET_SIG_KEY in value:
            return value.get("plaintext", value.get("ciphertext")) if show_secrets else "[secret]"
        return value

    print(json.dumps({key: shown(value) for key, value in backend.outputs(stack).items()}))
    return 0


def _state_protect(backend: Backend, stack: str, urns: list[str], everything: bool, protect: bool) -> int:
    # pkg/cmd/pulumi/state_unprotect.go (and state_protect.go): edits the checkpoint in place, under the lock
    if backend.locks(stack):
        raise Failure(_locked_message(backend, stack))
    resources = backend.resources(stack)
    known = {r["urn"] for r in resources}
    missing = [u for u in urns if u not in known]
    if missing:
        raise Failure(f"No such resource {missing[0]!r} exists in the current state")  # (from memory)
    for resource in resources:
        if everything or resource["urn"] in urns:
            resource["protect"] = protect
    backend.save_resources(stack, resources)
    word = "protected" if protect else "unprotected"
    print(f"All resources {word}" if everything else f"Resource{'s' if len(urns) > 1 else ''} {word}")
    return 0


def _cancel(backend: Backend, stack: str) -> int:
    # pkg/cmd/pulumi/cancel.go + pkg/backend/diy/backend.go CancelCurrentUpdate: deletes the lock files
    for lock in backend.locks(stack):
        lock.unlink()
    print(f"The currently running update for '{stack}' has been canceled!")  # (from memory)
    return 0


def _operation(command: str, backend: Backend, stack: str, flags: dict[str, list[str]],
               scenario: dict[str, Any]) -> int:
    if backend.locks(stack):
        raise Failure(_locked_message(backend, stack))
    kind = {"up": "update"}.get(command, command)
    if "--preview-only" in flags:
        kind = "preview"
    config = {str(k): str(v) for k, v in (_stack_settings(stack).get("config") or {}).items()}
    operation = Operation(kind=kind, backend=backend, stack=stack, config=config, scenario=scenario,
                          sink=open_sink((flags.get("--event-log") or [None])[-1]),
                          targets=flags.get("--target", []),
                          clear_pending_creates="--clear-pending-creates" in flags)
    return operation.run()


# -- helpers --------------------------------------------------------------------------------------

def _words(positional: list[str]) -> str:
    """The subcommand as the harness names it: `stack export`, `state unprotect`, `up` ..."""
    two = {"stack", "config", "plugin", "state"}
    return " ".join(positional[:2]) if positional[:1] and positional[0] in two else " ".join(positional[:1])


def _injected_failure(positional: list[str], scenario: dict[str, Any], earlier: list[str]) -> None:
    """The scenario's `command_failures`: this command fails with `message` (once an `after` command ran in
    this test), e.g. the backend becoming unreachable between an update and the next state read. The message
    is the test's, printed as the CLI prints errors (`error: ...`, cmdutil.ExitError)."""
    for failure in scenario.get("command_failures") or []:
        if failure["command"] == _words(positional) and (not failure.get("after") or failure["after"] in earlier):
            raise Failure(failure["message"])


def _logged_commands() -> list[str]:
    path = os.environ.get("PULUMI_DOUBLE_LOG")
    if not path or not Path(path).is_file():
        return []
    return [_words([a for a in json.loads(line)["argv"] if not a.startswith("-")])
            for line in Path(path).read_text().splitlines() if line.strip()]

def _locked_message(backend: Backend, stack: str) -> str:
    # pkg/backend/diy/lock.go checkForLock
    locks = backend.locks(stack)
    lines = [f"the stack is currently locked by {len(locks)} lock(s). Either wait for the other process(es) to end "
             "or delete the lock file with `pulumi cancel`."]
    for lock in locks:
        info = json.loads(lock.read_text())
        lines.append(f"  {lock}: created by {info['username']}@{info['hostname']} (pid {info['pid']}) at "
                     f"{info['timestamp']}")
    return "\n".join(lines)


def _require_passphrase(backend: Backend, stack: str) -> None:
    # pkg/cmd/pulumi/... getStackSecretsManager -> the passphrase manager of the stack
    passphrase = _passphrase()
    if passphrase is None:
        raise Failure(f"getting stack configuration: get stack secrets manager: {PASSPHRASE_MISSING}")
    if not backend.passphrase_matches(stack, passphrase):
        raise Failure("getting stack configuration: get stack secrets manager: incorrect passphrase")  # (from memory)


def _passphrase() -> Optional[str]:
    if "PULUMI_CONFIG_PASSPHRASE" in os.environ:
        return os.environ["PULUMI_CONFIG_PASSPHRASE"]
    path = os.environ.get("PULUMI_CONFIG_PASSPHRASE_FILE")
    if path:
        try:
            return Path(path).read_text().strip()
        except OSError as exc:
            raise Failure(f"unable to read PULUMI_CONFIG_PASSPHRASE_FILE: {exc}") from None
    return None


def _project() -> dict[str, Any]:
    import yaml

    path = Path.cwd() / "Pulumi.yaml"
    if not path.is_file():
        raise Failure(f"no Pulumi.yaml project file found (searching upwards from {Path.cwd()})")
    return yaml.safe_load(path.read_text()) or {}


def _backend() -> Backend:
    project = _project()
    url = ((project.get("backend") or {}).get("url")) or os.environ.get("PULUMI_BACKEND_URL", "")
    if not url.startswith("file://"):
        raise Failure(f"the pulumi test double only serves file:// backends, not {url!r}")
    root = Path(url[len("file://"):]).expanduser()
    if not root.is_dir():
        raise Failure(f"could not create stack: unable to open bucket {url}: directory does not exist")  # (from memory)
    return Backend(root, project["name"])


def _stack_settings(stack: str) -> dict[str, Any]:
    import yaml

    path = Path.cwd() / f"Pulumi.{stack}.yaml"
    return (yaml.safe_load(path.read_text()) or {}) if path.is_file() else {}


def _save_stack_settings(stack: str, settings: dict[str, Any]) -> None:
    import yaml

    (Path.cwd() / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump(settings, sort_keys=True))


def _parse(argv: list[str]) -> tuple[list[str], dict[str, list[str]]]:
    positional: list[str] = []
    flags: dict[str, list[str]] = {}
    args = iter(argv)
    for arg in args:
        if arg == "--":
            positional.extend(args)
            break
        if arg.startswith("--"):
            name, eq, value = arg.partition("=")
            if eq:
                flags.setdefault(name, []).append(value)
            elif name in VALUED:
                flags.setdefault(name, []).append(next(args, ""))
            else:
                flags.setdefault(name, []).append("true")
        else:
            positional.append(arg)
    return positional, flags


def _scenario() -> dict[str, Any]:
    path = os.environ.get("PULUMI_DOUBLE_SCENARIO")
    return json.loads(Path(path).read_text()) if path and Path(path).is_file() else {}


def _log(argv: list[str]) -> None:
    path = os.environ.get("PULUMI_DOUBLE_LOG")
    if not path:
        return
    entry = {"argv": argv, "cwd": os.getcwd(),
             "passphrase_env": "PULUMI_CONFIG_PASSPHRASE" in os.environ,
             "passphrase_file": os.environ.get("PULUMI_CONFIG_PASSPHRASE_FILE"),
             "aws_profile": os.environ.get("AWS_PROFILE")}
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(entry) + "\n")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
