"""Find the Terraform CLI and the filesystem mirror that holds the AWS provider, at run time.

The image puts the provider in a Terraform filesystem mirror (today /opt/tf-plugins); nothing here
hard-codes that path: a few likely roots are searched (TF_PLUGIN_MIRROR overrides), and the tests
skip, with the reason, only when the CLI or the mirror is missing.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Union

PROVIDER_SOURCE = "registry.terraform.io/hashicorp/aws"
PROVIDER_VERSION = "5.100.0"
#: Where a filesystem mirror usually lives (Terraform's implied mirror directories, then image roots).
SEARCH_ROOTS = ("~/.terraform.d/plugins", "~/.local/share/terraform/plugins", "/usr/local/share/terraform/plugins",
                "/usr/share/terraform/plugins", "/opt", "/usr/local/share", "/usr/share", "/usr/local/lib")
#: How deep below a search root the mirror's own directory may be (/opt/tf-plugins is depth 1 under /opt).
MAX_DEPTH = 3


@dataclass(frozen=True)
class Toolchain:
    terraform: str          # the CLI's path
    version: str            # e.g. "1.11.4"
    mirror: Path            # the directory holding registry.terraform.io/hashicorp/aws/<version>

    @property
    def provider_dir(self) -> Path:
        return self.mirror / PROVIDER_SOURCE / PROVIDER_VERSION

    def describe(self) -> str:
        return f"terraform {self.version} and hashicorp/aws {PROVIDER_VERSION} from the mirror at {self.mirror}"


def find_toolchain() -> Union[Toolchain, str]:
    """The toolchain, or the reason the provider tests cannot run (a one-line string)."""
    terraform = shutil.which("terraform")
    if terraform is None:
        return "terraform is not on PATH"
    version = terraform_version(terraform)
    if version is None:
        return f"{terraform} does not answer `terraform version`"
    mirror = find_mirror()
    if mirror is None:
        roots = [os.environ["TF_PLUGIN_MIRROR"]] if os.environ.get("TF_PLUGIN_MIRROR") else list(SEARCH_ROOTS)
        return (f"no filesystem mirror holding {PROVIDER_SOURCE}/{PROVIDER_VERSION} under {', '.join(roots)} "
                "(set TF_PLUGIN_MIRROR to the mirror directory)")
    return Toolchain(terraform, version, mirror)


def terraform_version(terraform: str) -> Optional[str]:
    try:
        out = subprocess.run([terraform, "version"], capture_output=True, text=True, timeout=60,
                             env={**os.environ, "CHECKPOINT_DISABLE": "1"}).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"Terraform v(\d+\.\d+\.\d+)", out)
    return match.group(1) if match else None


def find_mirror() -> Optional[Path]:
    """The first mirror directory under TF_PLUGIN_MIRROR (only there when set) or the search roots."""
    override = os.environ.get("TF_PLUGIN_MIRROR")
    roots = [override] if override else list(SEARCH_ROOTS)
    for root in roots:
        found = _search(Path(root).expanduser(), MAX_DEPTH)
        if found is not None:
            return found
    return None


def _holds_provider(directory: Path) -> bool:
    version_dir = directory / PROVIDER_SOURCE / PROVIDER_VERSION
    return any(p.name.startswith("terraform-provider-aws") for p in version_dir.glob("*/terraform-provider-aws*"))


def _search(directory: Path, depth: int) -> Optional[Path]:
    if not directory.is_dir():
        return None
    if _holds_provider(directory):
        return directory
    if depth == 0:
        return None
    try:
        children = sorted(p for p in directory.iterdir() if p.is_dir() and not p.is_symlink())
    except OSError:
        return None
    for child in children:
        found = _search(child, depth - 1)
        if found is not None:
            return found
    return None


def announce() -> str:
    """The line `.ci/run` prints before the suite: whether the provider conformance tests will run."""
    found = find_toolchain()
    if isinstance(found, str):
        return f"provider conformance tests: will be SKIPPED ({found})"
    return f"provider conformance tests: will run with {found.describe()}"


if __name__ == "__main__":
    print(announce())
