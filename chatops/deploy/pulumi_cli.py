"""Is the Pulumi CLI on this machine, and can chatops's pulumi Python package drive it?

The Automation API drives the `pulumi` binary; Python does not download it. chatops needs 3.181.0 or newer
(inline `refresh`/`destroy` raise InvalidVersionError on older CLIs, pulumi/automation/_stack.py
`_check_inline_support`), and the SDK refuses a CLI of a newer major version than itself ("Major version
mismatch ... Please update the SDK", `_cmd.py _parse_and_validate_pulumi_version`).

`pulumi_command()` is the check every stack command runs first: it builds the SDK's own `PulumiCommand`
with chatops's minimum, which runs `pulumi version` and validates it before any `stack select/init` (the
LocalWorkspace constructor then uses that command instead of building an unchecked one). `doctor` runs
`check_pulumi_cli()` and gives the same advice.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:
    from pulumi.automation import PulumiCommand

MIN_PULUMI_VERSION = "3.181.0"
SUPPORTED_MAJOR = 3
INSTALL_HINT = "install it with `curl -fsSL https://get.pulumi.com | sh` (or `brew install pulumi`)"
VERSION_TIMEOUT_SECONDS = 15.0


@dataclass(frozen=True)
class PulumiCliStatus:
    found: bool
    path: Optional[str]
    version: Optional[str]
    problem: Optional[str]  # one line with what to do; None when the CLI is usable

    @property
    def ok(self) -> bool:
        return self.problem is None


def not_installed_message() -> str:
    return f"the Pulumi CLI (`pulumi`) is not on PATH; {INSTALL_HINT}, version {MIN_PULUMI_VERSION} or newer"


def too_old_message(version: str) -> str:
    return (f"the Pulumi CLI is {version}, chatops needs {MIN_PULUMI_VERSION} or newer; upgrade with "
            "`curl -fsSL https://get.pulumi.com | sh` (or `brew upgrade pulumi`)")


def too_new_message(version: str) -> str:
    sdk = sdk_version()
    return (f"the Pulumi CLI is {version}, a major version the installed pulumi Python package ({sdk}) cannot "
            "drive; upgrade the pulumi Python package to a release for that CLI (`pip install -U chatops "
            f"pulumi`), or install the CLI matching the package: `curl -fsSL https://get.pulumi.com | sh -s -- "
            f"--version {sdk}`")


def sdk_version() -> str:
    import importlib.metadata

    try:
        return importlib.metadata.version("pulumi")
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def parse_version(text: str) -> Optional[tuple[int, int, int]]:
    """'v3.190.0\\n' -> (3, 190, 0); pre-release suffixes are ignored; None when unparsable."""
    match = re.search(r"(\d+)\.(\d+)\.(\d+)", text)
    if match is None:
        return None
    major, minor, patch = (int(part) for part in match.groups())
    return major, minor, patch


def version_problem(version: str) -> Optional[str]:
    """The advice for a CLI version chatops cannot use, None when it can."""
    parsed = parse_version(version)
    minimum = parse_version(MIN_PULUMI_VERSION)
    if parsed is None or minimum is None:
        return f"`pulumi version` printed {version!r}, not a version; reinstall the CLI ({INSTALL_HINT})"
    if parsed[0] > SUPPORTED_MAJOR:
        return too_new_message(version)
    if parsed < minimum:
        return too_old_message(version)
    return None


def pulumi_command() -> "PulumiCommand":
    """The SDK's PulumiCommand for the `pulumi` on PATH, validated against chatops's minimum version.

    Raises DeployError (one line) when the CLI is missing, broken, too old or of a newer major version.
    """
    from pulumi.automation import PulumiCommand
    from pulumi.automation.errors import InvalidVersionError
    from semver import VersionInfo

    from chatops.deploy.errors import DeployError

    try:
        command = PulumiCommand(version=VersionInfo.parse(MIN_PULUMI_VERSION))
    except FileNotFoundError as exc:
        raise DeployError(not_installed_message(), str(exc)) from None
    except subprocess.CalledProcessError as exc:
        raise DeployError(f"`pulumi version` failed (exit {exc.returncode}); reinstall the CLI ({INSTALL_HINT})",
                          str(exc)) from None
    except InvalidVersionError as exc:
        raise DeployError(_invalid_version_message(str(exc)), str(exc)) from None
    # PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK makes the SDK skip its check; chatops's minimum still holds.
    if command.version is not None:
        problem = version_problem(str(command.version))
        if problem:
            raise DeployError(problem)
    return command


def _invalid_version_message(text: str) -> str:
    """The SDK's InvalidVersionError texts (_cmd.py) as chatops's advice."""
    if text.startswith("Major version mismatch"):
        match = re.search(r"CLI version (\S+)", text)
        return too_new_message(match.group(1) if match else "newer")
    match = re.search(r"current CLI version is ([0-9][^ ]*?)\.?\s", text + " ")
    if match:
        return too_old_message(match.group(1))
    return f"the Pulumi CLI version could not be checked ({text.splitlines()[0]}); reinstall the CLI ({INSTALL_HINT})"


def check_pulumi_cli(timeout: float = VERSION_TIMEOUT_SECONDS) -> PulumiCliStatus:
    """Find `pulumi` on PATH and run `pulumi version`; never raises."""
    path = shutil.which("pulumi")
    if path is None:
        return PulumiCliStatus(False, None, None, not_installed_message())
    try:
        completed = subprocess.run([path, "version"], capture_output=True, text=True, timeout=timeout,
                                   check=False)
    except subprocess.TimeoutExpired:
        return PulumiCliStatus(True, path, None, f"`{path} version` did not answer within {timeout:g}s; "
                               f"check the installation ({INSTALL_HINT})")
    except OSError as exc:
        return PulumiCliStatus(True, path, None, f"`{path}` cannot be run ({exc.strerror}); {INSTALL_HINT}")
    output = completed.stdout.strip()
    if completed.returncode != 0 or parse_version(output) is None:
        return PulumiCliStatus(True, path, None, f"`{path} version` failed or printed no version; "
                               f"reinstall the CLI ({INSTALL_HINT})")
    version = output.lstrip("v").splitlines()[0]
    return PulumiCliStatus(True, path, version, version_problem(version))
