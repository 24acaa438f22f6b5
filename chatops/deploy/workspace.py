"""Where a stack's state and secrets live: the backend URL and the secrets passphrase.

Default backend: a local file backend in `.chatops/state` beside chatops.yaml, so a first `up` needs
nothing but the Pulumi CLI and AWS credentials. `s3://...`, `gs://...`, `azblob://...` and Pulumi Cloud
(`https://api.pulumi.com`) URLs are passed to Pulumi as they are.

Secrets use Pulumi's passphrase provider. The passphrase comes from PULUMI_CONFIG_PASSPHRASE or
PULUMI_CONFIG_PASSPHRASE_FILE, else from `.chatops/passphrase`. chatops generates that file (mode 0600) only
when it creates a new stack: for a stack that already exists, inventing a passphrase could never decrypt its
secrets, so a machine without one (a new laptop, a CI runner) gets a one-line error instead. Pulumi gets the
file's path, never the value, so it cannot end up in a log.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from chatops.errors import ChatopsError
from chatops.model.settings import ChatopsConfig

STATE_DIR_NAME = ".chatops"
PASSPHRASE_ENV = "PULUMI_CONFIG_PASSPHRASE"
PASSPHRASE_FILE_ENV = "PULUMI_CONFIG_PASSPHRASE_FILE"
REMOTE_SCHEMES = ("s3://", "gs://", "azblob://", "https://", "http://")

# passphrase_status() sources
FROM_ENV = "env"            # PULUMI_CONFIG_PASSPHRASE
FROM_ENV_FILE = "env-file"  # PULUMI_CONFIG_PASSPHRASE_FILE
FROM_GENERATED = "generated"  # .chatops/passphrase, created by chatops earlier
NOT_YET = "not-yet-generated"  # .chatops/passphrase will be created on first use


def project_dir(config_path: Path) -> Path:
    """The directory holding chatops.yaml (absolute): .chatops/ lives there."""
    return Path(config_path).resolve().parent


def chatops_dir(config_path: Path) -> Path:
    return project_dir(config_path) / STATE_DIR_NAME


def local_state_dir(config_path: Path) -> Path:
    return chatops_dir(config_path) / "state"


def passphrase_file(config_path: Path) -> Path:
    return chatops_dir(config_path) / "passphrase"


def work_dir(config_path: Path, stack: str) -> Path:
    """Per-stack Pulumi work dir (Pulumi.yaml, Pulumi.<stack>.yaml): stable, so config persists."""
    return chatops_dir(config_path) / "work" / stack


def backend_url(config: ChatopsConfig, config_path: Path) -> str:
    """The state backend URL Pulumi gets.

    No `backend:` -> `file://<dir of chatops.yaml>/.chatops/state`. A relative `file://` path is taken
    relative to chatops.yaml (not to wherever chatops happens to run).
    """
    url = config.backend
    if url is None:
        return f"file://{local_state_dir(config_path)}"
    if url.startswith(REMOTE_SCHEMES):
        return url
    if url.startswith("file://"):
        raw = url[len("file://"):]
        if raw.startswith("~"):
            return f"file://{Path(raw).expanduser()}"
        path = Path(raw)
        return url if path.is_absolute() else f"file://{(project_dir(config_path) / path).resolve()}"
    raise ChatopsError(f"{config_path}: backend: {url!r} is not a state backend URL; use file://PATH, "
                       "s3://BUCKET/PREFIX or https://api.pulumi.com (or remove it for the local default)")


def local_backend_path(url: str) -> Optional[Path]:
    """The directory of a file:// backend, None for remote ones."""
    return Path(url[len("file://"):]) if url.startswith("file://") else None


def ensure_local_backend(url: str) -> None:
    """Pulumi refuses a file:// backend whose directory does not exist, so create it."""
    path = local_backend_path(url)
    if path is not None:
        path.mkdir(parents=True, exist_ok=True)


def passphrase_status(config_path: Path) -> tuple[str, Optional[Path]]:
    """Where the secrets passphrase comes from: (source, file path or None). Never reads the value."""
    if PASSPHRASE_ENV in os.environ:
        return FROM_ENV, None
    if os.environ.get(PASSPHRASE_FILE_ENV):
        return FROM_ENV_FILE, Path(os.environ[PASSPHRASE_FILE_ENV])
    generated = passphrase_file(config_path)
    return (FROM_GENERATED if generated.is_file() else NOT_YET), generated


@dataclass(frozen=True)
class Passphrase:
    """How Pulumi gets the passphrase: env vars to add (a file path at most), and what to tell the user."""

    source: str
    path: Optional[Path]
    created: bool
    env_vars: dict[str, str]


def passphrase_for_existing_stack(config_path: Path, stack: str) -> Passphrase:
    """The passphrase of a stack that exists; never generated (a new one could not decrypt its secrets)."""
    source, path = passphrase_status(config_path)
    if source == NOT_YET:
        raise ChatopsError(f"stack {stack} exists but no secrets passphrase is available here; set "
                           f"{PASSPHRASE_ENV} or {PASSPHRASE_FILE_ENV} to the one it was created with (chatops "
                           f"keeps a generated one in {passphrase_file(config_path)} on the machine that created it)")
    return _resolved(source, path)


def passphrase_for_new_stack(config_path: Path) -> Passphrase:
    """The passphrase a new stack is created with: the configured one, else a new `.chatops/passphrase`."""
    source, path = passphrase_status(config_path)
    if source != NOT_YET:
        return _resolved(source, path)
    assert path is not None
    _write_new_passphrase(path)
    return Passphrase(FROM_GENERATED, path, True, {PASSPHRASE_FILE_ENV: str(path)})


def _resolved(source: str, path: Optional[Path]) -> Passphrase:
    if source == FROM_ENV:
        return Passphrase(source, None, False, {})  # Pulumi inherits the environment
    assert path is not None
    if not path.is_file():
        raise ChatopsError(f"{PASSPHRASE_FILE_ENV}={path}: no such file; point it at the file holding "
                           "the stack's secrets passphrase, or unset it")
    env = {} if source == FROM_ENV_FILE else {PASSPHRASE_FILE_ENV: str(path)}
    return Passphrase(source, path, False, env)


def _write_new_passphrase(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # O_EXCL + mode 0600 at creation: the secret is never readable by others, not even for an instant.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_urlsafe(32) + "\n")
    os.chmod(path, 0o600)  # in case a umask or filesystem changed it
