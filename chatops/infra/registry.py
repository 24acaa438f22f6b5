"""ECR: one repository per service, scanned on push, immutable tags in prod, with lifecycle rules."""

from __future__ import annotations

import json
from typing import Optional

import pulumi
import pulumi_aws as aws

from chatops.model.naming import Names
from chatops.model.profile import Profile

SERVICES = ("api", "realtime", "workers")
KEEP_TAGGED_IMAGES = 30
UNTAGGED_EXPIRY_DAYS = 7

LIFECYCLE_POLICY = json.dumps({"rules": [
    {"rulePriority": 1, "description": f"expire untagged images after {UNTAGGED_EXPIRY_DAYS} days",
     "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days",
                   "countNumber": UNTAGGED_EXPIRY_DAYS},
     "action": {"type": "expire"}},
    {"rulePriority": 2, "description": f"keep the last {KEEP_TAGGED_IMAGES} images",
     "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": KEEP_TAGGED_IMAGES},
     "action": {"type": "expire"}},
]})


def repository_name(names: Names, service: str) -> str:
    """`<project>-<stack>/<service>`: grouped per stack in the console, unique per stack (at most
    24 + 1 + 24 + 9 characters, far below ECR's 256)."""
    return f"{names.prefix}/{service}"


class Registries(pulumi.ComponentResource):
    repositories: dict[str, aws.ecr.Repository]
    urls: dict[str, pulumi.Output[str]]
    arns: dict[str, pulumi.Output[str]]

    def __init__(self, name: str, *, profile: Profile, names: Names, destroying: bool = False,
                 opts: Optional[pulumi.ResourceOptions] = None) -> None:
        """destroying: `destroy --unprotect` is about to delete the stack (repositories go with their images)."""
        super().__init__("chatops:registry:Registries", name, None, opts)
        prod = profile.is_production
        self.repositories = {}
        for service in SERVICES:
            repo = aws.ecr.Repository(
                service, name=repository_name(names, service),
                image_tag_mutability="IMMUTABLE" if prod else "MUTABLE",
                image_scanning_configuration={"scan_on_push": True},
                encryption_configurations=[{"encryption_type": "AES256"}],
                # Dev stacks are thrown away with their images; prod images are kept and protected.
                force_delete=not prod or destroying, opts=pulumi.ResourceOptions(parent=self, protect=prod))
            aws.ecr.LifecyclePolicy(service, repository=repo.name, policy=LIFECYCLE_POLICY,
                                    opts=pulumi.ResourceOptions(parent=self))
            self.repositories[service] = repo
        self.urls = {s: r.repository_url for s, r in self.repositories.items()}
        self.arns = {s: r.arn for s, r in self.repositories.items()}
        self.register_outputs({f"{s}_url": u for s, u in self.urls.items()})
