"""Run terraform offline: its own CLI config (filesystem mirror only), one shared `terraform init` per
session, fake credentials, no refresh, nothing that reaches AWS.

`Terraform.session(root)` initialises once (the provider comes from the mirror through a CLI config
whose `provider_installation` has no direct installation); every later `workdir()` reuses that
initialised data directory (TF_DATA_DIR) and lock file, so a validate or plan starts in well under a
second before the provider itself loads.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from tests.support.terraform.locate import PROVIDER_SOURCE, PROVIDER_VERSION, Toolchain

REGION = "us-east-1"
#: The provider block of every generated configuration: no call may reach AWS (no STS identity check,
#: no account lookup, no instance metadata, no region list), fake static credentials.
PROVIDER_CONFIG: dict[str, Any] = {
    "region": REGION, "access_key": "AKIAFAKEFAKEFAKEFAKE", "secret_key": "fake/secret/key/for/offline/plans",
    "skip_credentials_validation": True, "skip_requesting_account_id": True, "skip_metadata_api_check": True,
    "skip_region_validation": True,
}
TERRAFORM_BLOCK = {"required_providers": {"aws": {"source": "hashicorp/aws", "version": PROVIDER_VERSION}}}


class TerraformError(AssertionError):
    """terraform exited non-zero: the message carries its diagnostics."""


@dataclass
class Terraform:
    toolchain: Toolchain
    root: Path               # session scratch: CLI config, shared data dir, work dirs

    @classmethod
    def session(cls, toolchain: Toolchain, root: Path) -> "Terraform":
        tf = cls(toolchain, root)
        tf._write_cli_config()
        init_dir = root / "init"
        init_dir.mkdir(parents=True, exist_ok=True)
        write_config(init_dir, {})
        tf.run(init_dir, "init", "-input=false", "-backend=false")
        return tf

    @property
    def cli_config(self) -> Path:
        return self.root / "terraformrc"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    def _write_cli_config(self) -> None:
        mirror = json.dumps(str(self.toolchain.mirror))
        include = json.dumps([PROVIDER_SOURCE])
        self.root.mkdir(parents=True, exist_ok=True)
        self.cli_config.write_text(
            "# Written by the provider conformance tests: the AWS provider from the image's mirror only.\n"
            "provider_installation {\n"
            f"  filesystem_mirror {{\n    path    = {mirror}\n    include = {include}\n  }}\n"
            "}\n"
            "disable_checkpoint = true\n", encoding="utf-8")

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "TF_"))}
        env.update({
            "TF_CLI_CONFIG_FILE": str(self.cli_config), "TF_DATA_DIR": str(self.data_dir),
            "TF_IN_AUTOMATION": "1", "TF_INPUT": "0", "CHECKPOINT_DISABLE": "1",
            # Belt and braces: even a stray credential lookup finds fakes, never a real profile.
            "AWS_ACCESS_KEY_ID": PROVIDER_CONFIG["access_key"], "AWS_SECRET_ACCESS_KEY": PROVIDER_CONFIG["secret_key"],
            "AWS_EC2_METADATA_DISABLED": "true", "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        })
        return env

    def workdir(self, name: str, config: dict[str, Any]) -> Path:
        """A fresh directory with `config` (Terraform JSON) and the session's lock file."""
        directory = self.root / "work" / name
        if directory.exists():
            shutil.rmtree(directory)
        directory.mkdir(parents=True)
        write_config(directory, config)
        shutil.copy(self.root / "init" / ".terraform.lock.hcl", directory / ".terraform.lock.hcl")
        return directory

    def run(self, directory: Path, *args: str, check: bool = True, timeout: int = 900) -> subprocess.CompletedProcess:
        result = subprocess.run([self.toolchain.terraform, *args, "-no-color"], cwd=directory, env=self.env(),
                                capture_output=True, text=True, timeout=timeout)
        if check and result.returncode != 0:
            raise TerraformError(f"terraform {args[0]} failed in {directory}:\n{result.stderr or result.stdout}")
        return result

    # -- the operations the tests use -----------------------------------------------------------

    def validate(self, directory: Path) -> dict[str, Any]:
        """`terraform validate -json`: {"valid": bool, "diagnostics": [...]} (never raises on invalid)."""
        result = self.run(directory, "validate", "-json", check=False)
        return json.loads(result.stdout)

    def plan(self, directory: Path, state: Optional[Path] = None, check: bool = True,
             stream: bool = False) -> subprocess.CompletedProcess:
        """An offline plan (no refresh: nothing is read from AWS), saved to `tfplan` for `show_plan`, or
        with `stream`, printed as Terraform's machine-readable UI stream (one JSON object a line, the
        planned actions included) so no second provider start is needed to read it."""
        args = ["plan", "-input=false", "-refresh=false", "-lock=false", "-detailed-exitcode"]
        args.append("-json" if stream else "-out=tfplan")
        if state is not None:
            args.append(f"-state={state}")
        result = self.run(directory, *args, check=False)
        # -detailed-exitcode: 0 no changes, 2 changes, 1 error.
        if check and result.returncode not in (0, 2):
            raise TerraformError(f"terraform plan failed in {directory}:\n{result.stderr or result.stdout}")
        return result

    def show_plan(self, directory: Path) -> dict[str, Any]:
        return json.loads(self.run(directory, "show", "-json", "tfplan").stdout)

    def schema(self) -> dict[str, Any]:
        """The provider's schema as `terraform providers schema -json` prints it (aws provider only)."""
        out = self.run(self.root / "init", "providers", "schema", "-json").stdout
        return json.loads(out)["provider_schemas"][PROVIDER_SOURCE]


def write_config(directory: Path, body: dict[str, Any]) -> None:
    """main.tf.json: the offline provider, plus an alias for each other region a resource names."""
    from tests.support.terraform.convert import alias_region

    aliases = sorted({r["provider"] for by_name in body.get("resource", {}).values() for r in by_name.values()
                      if "provider" in r})
    providers = [PROVIDER_CONFIG, *({**PROVIDER_CONFIG, "alias": a.split(".", 1)[1], "region": alias_region(a)}
                                    for a in aliases)]
    config = {"terraform": TERRAFORM_BLOCK, "provider": {"aws": providers if aliases else PROVIDER_CONFIG}, **body}
    (directory / "main.tf.json").write_text(json.dumps(config, indent=1, sort_keys=True), encoding="utf-8")
