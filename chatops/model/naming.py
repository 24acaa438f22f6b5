"""Physical AWS names derived from project and stack, within each service's length limit.

Every name is `<project>-<stack>-<component>`. When that is too long for the service, the middle is cut
and a short hash of the full name is appended, so names stay unique per (project, stack, component)
and two stacks of one project can live side by side in one account and region.
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
    """Name factory for one stack of one project."""

    project: str
    stack: str

    @property
    def prefix(self) -> str:
        return f"{self.project}-{self.stack}"

    def of(self, kind: str, component: str) -> str:
        """The physical name of `component` for an AWS resource `kind` (a key of LIMITS)."""
        return fit(f"{self.prefix}-{component}", LIMITS[kind])

    def log_group(self, component: str) -> str:
        return fit(f"/chatops/{self.prefix}/{component}", LIMITS["log_group"])

    def s3_bucket(self, component: str, account_id: str) -> str:
        """S3 names are global: include the account id, lower case, no underscores."""
        raw = re.sub(r"[^a-z0-9-]", "-", f"{self.prefix}-{component}-{account_id}".lower())
        return fit(raw, LIMITS["s3_bucket"])


def too_long(project: str, stack: str) -> list[str]:
    """Names that had to be shortened for this project and stack (for `doctor`), as 'kind: full name'."""
    names = Names(project, stack)
    longest_components = {"alb": "alb", "target_group": "realtime", "elasticache_group": "redis-adapter",
                          "backup_vault": "vault", "backup_plan": "plan", "iam_role": "realtime-task"}
    out = []
    for kind, component in longest_components.items():
        full = f"{names.prefix}-{component}"
        if len(full) > LIMITS[kind]:
            out.append(f"{kind}: {full} ({len(full)} > {LIMITS[kind]}, shortened to {names.of(kind, component)})")
    return out
