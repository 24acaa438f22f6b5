"""Deployment settings: chatops.yaml (project, state backend, one entry per stack) as pydantic models.

The inline Pulumi program is a function of a Profile and a DeploymentSettings (one stack's entry with
its project and stack names), so it never reads files or the environment itself.
"""

from __future__ import annotations

from typing import Iterable, Mapping, Optional

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from chatops.model.naming import NAME_PATTERN, name_problem

__all__ = ["NAME_PATTERN", "REGION_PATTERN", "ChatopsConfig", "DeploymentSettings", "StackEntry"]
REGION_PATTERN = r"^[a-z]{2}(-[a-z]+)+-\d$"

#: Used by `synth` and `preview --offline` when no domain or zone is given.
PLACEHOLDER_DOMAIN = "chat.example.com"
PLACEHOLDER_ZONE_ID = "Z0000000000EXAMPLE"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


#: Docker's tag grammar (https://github.com/distribution/reference: `[\w][\w.-]{0,127}`).
TAG_PATTERN = r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$"
DIGEST_PATTERN = r"^sha256:[0-9a-f]{64}$"
#: `[host[:port]/]path[/path...]` with lower-case path components, and no tag or digest in it.
_PATH_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
REPOSITORY_PATTERN = rf"^(?:[A-Za-z0-9.-]+(?::[0-9]+)?/)?{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*$"
#: The tag a task definition shows for an image that was never released (synth, preview --offline);
#: `up` and `release` stop before deploying it.
UNRELEASED_TAG = "unreleased"


def _project_name(value: str) -> str:
    problem = name_problem(value, "project name", starts_names=True)
    if problem:
        raise ValueError(problem)
    return value


def _stack_name(value: str) -> str:
    problem = name_problem(value, "stack name", starts_names=False)
    if problem:
        raise ValueError(problem)
    return value


class ImageRef(_Strict):
    """A container image. No repository: this stack's own ECR repository. No tag: not released yet
    (`chatops release --tag T` sets it). `digest` pins the exact image; ECR tags are resolved to a digest
    by chatops before every update, so it is only needed for registries chatops cannot query."""

    repository: Optional[str] = Field(default=None, pattern=REPOSITORY_PATTERN,
                                      description="registry/repository without tag, e.g. ghcr.io/acme/api")
    tag: Optional[str] = Field(default=None, pattern=TAG_PATTERN)
    digest: Optional[str] = Field(default=None, pattern=DIGEST_PATTERN, description="sha256:<64 hex>")


class Images(_Strict):
    api: ImageRef = ImageRef()
    realtime: ImageRef = ImageRef()
    workers: ImageRef = ImageRef()

    def with_tag(self, tag: str, services: Iterable[str]) -> "Images":
        """A copy where `services` have `tag` (what `release --tag` records)."""
        return self.model_copy(update={s: getattr(self, s).model_copy(update={"tag": tag}) for s in services})

    def with_digests(self, digests: Mapping[str, str]) -> "Images":
        """A copy carrying the digests chatops resolved (service -> sha256:...), so the program deploys
        `repo@digest` without doing any I/O itself."""
        return self.model_copy(update={s: getattr(self, s).model_copy(update={"digest": d}) for s, d in digests.items()})


class Auth0(_Strict):
    domain: str = "your-tenant.auth0.com"
    audience: str = "https://api.example.com"


class StackEntry(_Strict):
    """One stack in chatops.yaml."""

    profile: str = Field(description="a built-in tier (e.g. 10k-dau) or a path to a profile file")
    region: str = Field(pattern=REGION_PATTERN)
    domain: str = Field(pattern=r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,}$")
    hosted_zone_id: Optional[str] = Field(default=None, pattern=r"^Z[A-Z0-9]{1,32}$")
    certificate_arn: Optional[str] = Field(default=None, pattern=r"^arn:aws[a-z-]*:acm:")
    auth0: Auth0 = Auth0()
    alert_email: Optional[str] = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    images: Images = Images()
    tags: dict[str, str] = {}

    @model_validator(mode="after")
    def _needs_zone_or_certificate(self) -> "StackEntry":
        if self.hosted_zone_id is None and self.certificate_arn is None:
            raise ValueError("set hosted_zone_id (DNS-validated certificate and api record) or certificate_arn")
        return self


class ChatopsConfig(_Strict):
    """The whole chatops.yaml."""

    project: str
    backend: Optional[str] = Field(default=None, description="state backend URL; default: a local file backend "
                                   "in .chatops/state beside chatops.yaml")
    stacks: dict[str, StackEntry] = Field(min_length=1)

    _check_project = field_validator("project")(_project_name)

    @model_validator(mode="after")
    def _stack_names(self) -> "ChatopsConfig":
        problems = [p for p in (name_problem(name, "stack name", starts_names=False) for name in self.stacks) if p]
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @model_validator(mode="after")
    def _one_domain_per_stack(self) -> "ChatopsConfig":
        # api.<domain> is each stack's public host and DNS record: two stacks on one domain would fight
        # over the same Route 53 record and certificate.
        seen: dict[str, str] = {}
        for name, entry in self.stacks.items():
            if entry.domain in seen:
                raise ValueError(f"stacks {seen[entry.domain]} and {name} both use domain {entry.domain}; each "
                                 "stack needs its own (api.<domain> is its public host)")
            seen[entry.domain] = name
        return self


class DeploymentSettings(_Strict):
    """What the inline program needs besides the profile: one stack of one project."""

    project: str
    stack: str
    region: str = Field(pattern=REGION_PATTERN)
    domain: str
    hosted_zone_id: Optional[str] = None
    certificate_arn: Optional[str] = None
    auth0: Auth0 = Auth0()
    alert_email: Optional[str] = None
    images: Images = Images()
    tags: dict[str, str] = {}
    destroying: bool = Field(default=False, description="`destroy --unprotect` relaxes what would block deletion "
                             "(deletion protection, non-empty bucket, vaults and repositories) before destroying")
    final_snapshot_identifier: Optional[str] = Field(default=None, description="the database's final snapshot "
                                                     "name for this destroy (unique per destroy)")
    apply_immediately: bool = Field(default=False, description="apply database/cache class changes now, "
                                    "not in the next maintenance window (scale-to --apply-immediately)")

    _check_project = field_validator("project")(_project_name)
    _check_stack = field_validator("stack")(_stack_name)

    @classmethod
    def for_stack(cls, config: ChatopsConfig, stack: str) -> "DeploymentSettings":
        entry = config.stacks[stack]
        fields = {name: getattr(entry, name) for name in StackEntry.model_fields if name != "profile"}
        return cls(project=config.project, stack=stack, **fields)

    @classmethod
    def placeholder(cls, project: str = "chat", stack: str = "synth", region: str = "us-east-1",
                    domain: Optional[str] = None) -> "DeploymentSettings":
        """Settings for offline synth/preview when no chatops.yaml is at hand."""
        return cls(project=project, stack=stack, region=region, domain=domain or PLACEHOLDER_DOMAIN,
                   hosted_zone_id=PLACEHOLDER_ZONE_ID)
