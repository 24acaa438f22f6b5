"""ECR: one repository per service, scanned on push, immutable tags in prod, with lifecycle rules."""

from __future__ import annotations

import json
from typing import Optional

import pulumi
import pulumi_aws as aws

from chatops.model.images import SERVICES, stack_repository_name
from chatops.model.naming import Names
from chatops.model.profile import Profile

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


#: The component's type and the name program.py gives it: the first `up` targets it by URN.
COMPONENT_TYPE = "chatops:registry:Registries"
COMPONENT_NAME = "registry"
REPOSITORY_TYPE = "aws:ecr/repository:Repository"
LIFECYCLE_TYPE = "aws:ecr/lifecyclePolicy:LifecyclePolicy"


def repository_name(names: Names, service: str) -> str:
    """`<project>-<stack>/<service>`: grouped per stack in the console, unique per stack (at most
    24 + 1 + 24 + 9 characters, far below ECR's 256)."""
    return stack_repository_name(names.project, names.stack, service)


def registry_urns(project: str, stack: str) -> list[str]:
    """The URNs of the component, its repositories and their lifecycle policies: what the first `up`
    creates with a targeted update before any image exists. The component must be targeted too: the
    engine refuses to create a resource whose parent is an untargeted create
    (pulumi/pulumi pkg/resource/deploy/step_generator.go, validateSteps: "untargeted create"); the
    default provider and the root stack are targeted implicitly (isImplicitlyTargetedResource)."""
    prefix = f"urn:pulumi:{stack}::{project}::"
    urns = [f"{prefix}{COMPONENT_TYPE}::{COMPONENT_NAME}"]
    for service in SERVICES:
        urns += [f"{prefix}{COMPONENT_TYPE}${child}::{service}" for child in (REPOSITORY_TYPE, LIFECYCLE_TYPE)]
    return urns


class Registries(pulumi.ComponentResource):
    repositories: dict[str, aws.ecr.Repository]
    urls: dict[str, pulumi.Output[str]]
    arns: dict[str, pulumi.Output[str]]

    def __init__(self, name: str, *, profile: Profile, names: Names, destroying: bool = False,
                 opts: Optional[pulumi.ResourceOptions] = None) -> None:
        """destroying: `destroy --unprotect` is about to delete the stack (repositories go with their images)."""
        super().__init__(COMPONENT_TYPE, name, None, opts)
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
