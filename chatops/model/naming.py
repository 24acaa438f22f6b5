"""Physical AWS names derived from project and stack, within each service's length limit.

Every name is `<project>-<stack>-<component>`. When that is too long for the service, the middle is cut
and a short hash of the full name is appended, so names stay unique per (project, stack, component)
and two stacks of one project can live side by side in one account and region.

IAM roles and S3 buckets are global (one namespace per account, or worldwide), not regional: their names
also carry the region (`<project>-<stack>-<region>-<component>`), so one project/stack deploys in two
regions of one account without a name collision.

Project and stack names are checked here (`name_problem`) because the AWS names are built from them:
RDS instance and ElastiCache group ids cannot end with a hyphen nor contain two in a row (RDS
CreateDBInstance and ElastiCache CreateReplicationGroup constraints), and the project starts every name,
so it cannot make one start with a prefix AWS reserves: load balancer and target group names cannot
begin with `internal-` (ELBv2 CreateLoadBalancer / CreateTargetGroup), security group names cannot
start with `sg-` (EC2 CreateSecurityGroup).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

#: Length limits (characters) from each service's API reference.
LIMITS: dict[str, int] = {
    "alb": 32,                  # ELBv2 LoadBalancer Name
    "target_group": 32,         # ELBv2 TargetGroup Name
    "rds": 63,                  # DBInstanceIdentifier
    "rds_proxy": 60,            # DBProxyName
    "db_subnet_group": 255,
    "db_parameter_group": 255,
    "elasticache_group": 40,    # ReplicationGroupId
    "elasticache_subnet_group": 255,
    "elasticache_parameter_group": 255,
    "sqs": 80,                  # QueueName (a FIFO suffix would count too)
    "sns": 256,
    "iam_role": 64,
    "iam_policy": 128,
    "s3_bucket": 63,            # global namespace: add an account-specific suffix where used
    "ecs_cluster": 255,
    "ecs_service": 255,
    "ecs_family": 255,
    "log_group": 512,
    "waf_acl": 128,
    "waf_metric": 255,
    "backup_vault": 50,
    "backup_plan": 50,
    "backup_selection": 50,
    "ecr_repository": 256,
    "secret": 512,
    "alarm": 255,
    "dashboard": 255,
    "security_group": 255,
    "acm_tag": 256,
}

_HASH_LEN = 6

#: Lower-case letters, digits and hyphens, starting with a letter, at most 24 characters, no trailing
#: hyphen and no "--" (the same rules as `name_problem`, for callers that only match a pattern).
NAME_PATTERN = r"^(?!.*--)[a-z](?:[a-z0-9-]{0,22}[a-z0-9])?$"
NAME_MAX_LENGTH = 24
#: Prefixes AWS refuses at the start of a name (see the module docstring).
RESERVED_NAME_PREFIXES = ("internal-", "sg-")


def name_problem(value: str, what: str, *, starts_names: bool) -> str | None:
    """Why `value` cannot be a project (starts_names=True) or stack name, or None when it can."""
    if not re.fullmatch(r"[a-z][a-z0-9-]*", value):
        return f"{what} {value!r} must start with a lower-case letter and use only a-z, 0-9 and '-'"
    if len(value) > NAME_MAX_LENGTH:
        return f"{what} {value!r} is {len(value)} characters; use at most {NAME_MAX_LENGTH}"
    if value.endswith("-"):
        return f"{what} {value!r} ends with '-': RDS and ElastiCache identifiers built from it cannot; drop it"
    if "--" in value:
        return f"{what} {value!r} contains '--': RDS and ElastiCache identifiers built from it cannot; use one '-'"
    if starts_names:
        for reserved in RESERVED_NAME_PREFIXES:
            if f"{value}-".startswith(reserved):
                return (f"{what} {value!r} would start AWS names with {reserved!r}, which AWS reserves "
                        f"({'load balancers and target groups' if reserved == 'internal-' else 'security groups'}); "
                        "choose another name")
    return None


def _short_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:_HASH_LEN]


def fit(name: str, limit: int) -> str:
    """`name` itself when it fits, else a prefix of it plus '-' and a hash of the whole name."""
    if len(name) <= limit:
        return name
    keep = limit - _HASH_LEN - 1
    return f"{name[:keep].rstrip('-')}-{_short_hash(name)}"


@dataclass(frozen=True)
class Names:
    """Name factory for one stack of one project (in one region, for the names of global resources)."""

    project: str
    stack: str
    region: str = ""

    @property
    def prefix(self) -> str:
        return f"{self.project}-{self.stack}"

    def of(self, kind: str, component: str) -> str:
        """The physical name of `component` for an AWS resource `kind` (a key of LIMITS)."""
        return fit(f"{self.prefix}-{component}", LIMITS[kind])

    def global_name(self, kind: str, component: str) -> str:
        """The name of an account-global resource (an IAM role): the region is part of it."""
        return fit(f"{self.prefix}-{self._region()}-{component}", LIMITS[kind])

    def _region(self) -> str:
        if not self.region:
            raise ValueError("names of global resources (IAM roles, S3 buckets) need the region: Names(project, "
                             "stack, region)")
        return self.region

    def log_group(self, component: str) -> str:
        return fit(f"/chatops/{self.prefix}/{component}", LIMITS["log_group"])

    def s3_bucket(self, component: str, account_id: str) -> str:
        """S3 names are worldwide: include the region and the account id, lower case, no underscores."""
        raw = re.sub(r"[^a-z0-9-]", "-", f"{self.prefix}-{component}-{self._region()}-{account_id}".lower())
        return fit(raw, LIMITS["s3_bucket"])


def too_long(project: str, stack: str, region: str = "ap-southeast-3") -> list[str]:
    """Names that had to be shortened for this project and stack (for `doctor`), as 'kind: full name'.
    IAM role names carry the region (the default is the longest standard region name)."""
    names = Names(project, stack, region)
    longest_components = {"alb": "alb", "elasticache_group": "redis-adapter", "backup_vault": "vault",
                          "backup_plan": "plan"}
    out = []
    for kind, component in longest_components.items():
        full = f"{names.prefix}-{component}"
        if len(full) > LIMITS[kind]:
            out.append(f"{kind}: {full} ({len(full)} > {LIMITS[kind]}, shortened to {names.of(kind, component)})")
    role = f"{names.prefix}-{region}-realtime-task"
    if len(role) > LIMITS["iam_role"]:
        out.append(f"iam_role: {role} ({len(role)} > {LIMITS['iam_role']}, shortened to "
                   f"{names.global_name('iam_role', 'realtime-task')})")
    return out
