"""Where each service's image comes from and how it is referenced, without any I/O.

chatops deploys images by digest (`repo@sha256:...`), so a new image is a new task definition and rolls
out, and the tasks ECS starts later (autoscaling, replacements) run exactly the image that was released.

- This stack's own ECR repositories (no `repository` in chatops.yaml) and any other ECR repository
  (`<account>.dkr.ecr.<region>.amazonaws.com/<name>`): chatops resolves the tag to a digest through the
  ECR API before every update (chatops/aws/images.py).
- Other registries (ghcr.io, Docker Hub, Harbor ...): chatops has no credentials for them and cannot ask
  them what a tag points to. It uses `digest:` when chatops.yaml pins one, else the tag as written, which
  the registry must keep immutable; tags that move by convention (MOVING_TAGS) are refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, Optional

from chatops.model.settings import UNRELEASED_TAG, ImageRef, Images

SERVICES = ("api", "realtime", "workers")

#: ECR registry hosts, e.g. 123456789012.dkr.ecr.eu-central-1.amazonaws.com (FIPS and China partitions too).
#: https://docs.aws.amazon.com/AmazonECR/latest/userguide/Registries.html
ECR_HOST = re.compile(r"^(?P<account>\d{12})\.dkr\.ecr(?:-fips)?\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$")

#: Tags that name "whatever was pushed last" by convention. Outside ECR chatops cannot resolve them to a
#: digest, so a deploy by such a tag would not roll out a new push and tasks started later could run
#: another image than the ones running now.
MOVING_TAGS = frozenset({"latest", "main", "master", "develop", "dev", "edge", "nightly", "stable", "head"})

Kind = Literal["stack", "ecr", "external"]


@dataclass(frozen=True)
class ImageSource:
    """One service's image: which registry holds it and how chatops can look it up."""

    service: str
    ref: ImageRef
    kind: Kind
    repository_name: str  # ECR repository name (stack/ecr), or the full repository (external)
    registry_id: Optional[str] = None  # ECR account id; None means the caller's own registry
    region: Optional[str] = None  # ECR region

    @property
    def field(self) -> str:
        """The chatops.yaml field, for messages."""
        return f"images.{self.service}"

    @property
    def resolvable(self) -> bool:
        """chatops can turn a tag into a digest (ECR)."""
        return self.kind != "external"

    def describe(self) -> str:
        """`<repository>:<tag>` as a person reads it (the stack's repositories by name)."""
        base = self.repository_name if self.kind != "external" else self.ref.repository
        if self.ref.digest:
            return f"{base}@{self.ref.digest}"
        return f"{base}:{self.ref.tag}" if self.ref.tag else f"{base} (no tag yet)"


def stack_repository_name(project: str, stack: str, service: str) -> str:
    """`<project>-<stack>/<service>`: this stack's ECR repository (the program creates it with this name)."""
    return f"{project}-{stack}/{service}"


def image_source(service: str, ref: ImageRef, project: str, stack: str, region: str) -> ImageSource:
    if ref.repository is None:
        return ImageSource(service, ref, "stack", stack_repository_name(project, stack, service), None, region)
    host, _, name = ref.repository.partition("/")
    match = ECR_HOST.match(host)
    if match and name:
        return ImageSource(service, ref, "ecr", name, match["account"], match["region"])
    return ImageSource(service, ref, "external", ref.repository)


def external_problem(source: ImageSource) -> Optional[str]:
    """Why an image outside ECR cannot be deployed as configured (None when it can)."""
    ref = source.ref
    if source.kind != "external" or ref.digest:
        return None
    if ref.tag is None:
        return (f"{source.field}: {ref.repository} has no tag; set {source.field}.tag (a tag that names one build) "
                f"or pin {source.field}.digest in chatops.yaml")
    if ref.tag.lower() in MOVING_TAGS:
        return (f"{source.field}: {ref.repository}:{ref.tag} is a moving tag and chatops cannot resolve tags outside "
                f"ECR; use a tag that names one build (a version or commit) in a registry that keeps tags "
                f"immutable, or pin {source.field}.digest")
    return None


def reference_suffix(ref: ImageRef) -> str:
    """What follows the repository in a task definition: `@sha256:...` when the digest is known, else
    `:<tag>` (`:unreleased` when there is no tag yet: `synth` shows it, `up` stops before deploying it)."""
    if ref.digest:
        return f"@{ref.digest}"
    return f":{ref.tag or UNRELEASED_TAG}"


def registry_host(repository_uri: str) -> str:
    """`123.dkr.ecr.r.amazonaws.com/a/b` -> `123.dkr.ecr.r.amazonaws.com` (what `docker login` takes)."""
    return repository_uri.split("/", 1)[0]


def image_references(images: Images, project: str, stack: str) -> dict[str, str]:
    """service -> the image as `[registry/]repository[:tag][@digest]` (this stack's own repositories by name):
    what an update deploys, as the stack config records it (`chatops:images`) and the --json reports show it."""
    references = {}
    for service in SERVICES:
        ref = getattr(images, service)
        name = ref.repository or stack_repository_name(project, stack, service)
        references[service] = name + (f":{ref.tag}" if ref.tag else "") + (f"@{ref.digest}" if ref.digest else "")
    return references
