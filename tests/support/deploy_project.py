"""A chatops project on disk whose stacks live in the Pulumi CLI double's file backend.

The chatops.yaml matches the settings the `graphs` fixture synthesizes every tier with (project chat, stack
prod, the placeholder region and domain), so a stack seeded from `graphs[tier]` has the URNs and inputs the
program really registers for that tier; only its images differ (tagged IMAGE_TAG, pushed to moto by the
fixture, where `graphs` has none released), which no scale or destroy flow depends on (tests/cli/
test_release.py synthesizes the graphs of the images it deploys). The stack's AWS side lives in the deploy
tests' moto server (tests/support/deploy_aws.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from click.testing import CliRunner, Result

from chatops.cli.main import cli
from chatops.model.settings import PLACEHOLDER_DOMAIN, PLACEHOLDER_ZONE_ID
from tests.support.deploy_aws import DeployAws
from tests.support.pulumi_double.checkpoint import Backend
from tests.support.pulumi_double.harness import PulumiDouble, goal

PASSPHRASE = "correct horse battery staple"
#: The tag every stack's images carry in chatops_yaml(); the `deploy_project` fixture pushes it to moto.
IMAGE_TAG = "v1"
IMAGES_YAML = ("    images:   # released by chatops\n"
               + "".join(f"      {s}: {{tag: {IMAGE_TAG}}}\n" for s in ("api", "realtime", "workers")))


def chatops_yaml(profile: str = "50k-dau", extra: str = "", images: str = IMAGES_YAML) -> str:
    return (f"# prod chat stack\nproject: chat\nstacks:\n  prod:\n    profile: {profile}   # the tier\n"
            f"    region: us-east-1\n    domain: {PLACEHOLDER_DOMAIN}\n    hosted_zone_id: {PLACEHOLDER_ZONE_ID}\n"
            f"{images}{extra}")


@dataclass
class DeployProject:
    dir: Path
    double: PulumiDouble
    aws: DeployAws
    #: service -> digest of the IMAGE_TAG images the fixture pushed
    digests: dict[str, str] = field(default_factory=dict)

    @property
    def config_path(self) -> Path:
        return self.dir / "chatops.yaml"

    @property
    def backend(self) -> Backend:
        return Backend(self.dir / ".chatops" / "state", "chat")

    def seed(self, resources: list[dict[str, Any]], profile: str, outputs: Optional[dict[str, Any]] = None,
             passphrase_file: bool = True, desired: Optional[dict[str, int]] = None) -> None:
        """A stack `prod` as a successful `up` of `profile` left it (state, history, the ECS services its
        outputs name running in moto, and on this machine the generated passphrase file)."""
        self.backend.seed("prod", resources, outputs, passphrase=PASSPHRASE,
                          config={"chatops:tier": profile, "chatops:profile": profile})
        self.aws.seed_services(outputs or {}, desired)
        if passphrase_file:
            secret = self.dir / ".chatops" / "passphrase"
            secret.write_text(PASSPHRASE + "\n")
            secret.chmod(0o600)

    def goals(self, *tiers_and_graphs: tuple[str, Any], **when: str) -> None:
        """The program's registrations per tier (chosen by the stack's `chatops:tier` config)."""
        self.double.scenario(goals=[goal(g.resources, {"chatops:tier": tier, **when}, g.outputs)
                                    for tier, g in tiers_and_graphs])

    def run(self, *args: str, input: Optional[str] = None) -> Result:
        return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)

    def state(self) -> dict[str, dict[str, Any]]:
        return {r["urn"]: r for r in self.backend.resources("prod")}

    def urn(self, name: str, type_token: str) -> str:
        matches = [u for u, r in self.state().items() if r["type"] == type_token and u.endswith(f"::{name}")]
        assert len(matches) == 1, (name, type_token, matches)
        return matches[0]
