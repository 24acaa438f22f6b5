"""Is the Pulumi CLI on this machine, and is it new enough for chatops?

The Automation API drives the `pulumi` binary; Python does not download it. chatops needs 3.181.0 or
newer because inline `refresh`/`destroy` raise InvalidVersionError on older CLIs. `doctor` and the
deploy errors both use this check, so the advice is the same everywhere.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from typing import Optional

MIN_PULUMI_VERSION = "3.181.0"
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


def parse_version(text: str) -> Optional[tuple[int, int, int]]:
    """'v3.190.0\\n' -> (3, 190, 0); pre-release suffixes are ignored; None when unparsable."""
    match = re.search(r"(\d+)\.(\d+)\.(\d+)", text)
    if match is None:
        return None
    major, minor, patch = (int(part) for part in match.groups())
    return major, minor, patch


def is_supported(version: str) -> bool:
    parsed = parse_version(version)
    minimum = parse_version(MIN_PULUMI_VERSION)
    return parsed is not None and minimum is not None and parsed >= minimum


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
    if not is_supported(version):
        return PulumiCliStatus(True, path, version, too_old_message(version))
    return PulumiCliStatus(True, path, version, None)
