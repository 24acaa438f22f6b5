"""What stands between `destroy` and an empty stack, read from the stack's state before anything is deleted.

Two kinds of blockers:
- Pulumi's: `protect` in the state (pkg/resource/deploy/step.go `DeleteStep.Apply` refuses to delete a
  protected resource). `destroy --unprotect` clears it with `pulumi state unprotect --all`.
- AWS's: settings that make the delete call fail, taken from terraform-provider-aws (which pulumi-aws is
  generated from): an ALB with `enable_deletion_protection` (internal/service/elbv2/load_balancer.go), an RDS
  instance with `deletion_protection`, an S3 bucket holding objects without `force_destroy`
  (internal/service/s3/bucket.go empties it only then), a backup vault holding recovery points without
  `force_destroy` (internal/service/backup/vault.go), an ECR repository holding images without
  `force_delete` (internal/service/ecr/repository.go). `destroy --unprotect` relaxes all of these with one
  targeted update of the program in its "destroying" mode, before deleting anything.

Prod also takes a final database snapshot on delete. RDS refuses a snapshot name that already exists, so a
fixed name fails the second destroy of a stack with that name: each destroy gets its own.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any, Optional

from chatops.deploy.events import resource_name
from chatops.deploy.replacements import STATEFUL_TYPES

RDS_INSTANCE = "aws:rds/instance:Instance"

#: type -> (input that blocks the delete when it has this value, what the user is told)
AWS_BLOCKERS: dict[str, tuple[str, Any, str]] = {
    "aws:lb/loadBalancer:LoadBalancer": ("enableDeletionProtection", True, "ALB deletion protection is on"),
    RDS_INSTANCE: ("deletionProtection", True, "RDS deletion protection is on"),
    "aws:s3/bucket:Bucket": ("forceDestroy", False, "S3 refuses to delete a bucket that still holds objects"),
    "aws:s3/bucketV2:BucketV2": ("forceDestroy", False, "S3 refuses to delete a bucket that still holds objects"),
    "aws:backup/vault:Vault": ("forceDestroy", False, "AWS Backup refuses to delete a vault holding recovery points"),
    "aws:ecr/repository:Repository": ("forceDelete", False, "ECR refuses to delete a repository holding images"),
}


@dataclass(frozen=True)
class Blocker:
    urn: str
    type: str
    why: str
    relaxed_by_update: bool  # False: only `protect` in the state (cleared by `state unprotect`)

    @property
    def name(self) -> str:
        return resource_name(self.urn)

    @property
    def holds(self) -> Optional[str]:
        return STATEFUL_TYPES.get(self.type)


def blockers(resources: list[dict[str, Any]]) -> list[Blocker]:
    """Every reason a resource of the state would not be deleted, one entry per reason."""
    found = []
    for resource in resources:
        urn, type_token = resource["urn"], resource["type"]
        if resource.get("protect"):
            found.append(Blocker(urn, type_token, "protected in the Pulumi state", False))
        rule = AWS_BLOCKERS.get(type_token)
        if rule is not None:
            key, blocking, why = rule
            if bool((resource.get("inputs") or {}).get(key, False)) == blocking:
                found.append(Blocker(urn, type_token, why, True))
    return found


def final_snapshots(resources: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(urn, current final snapshot name) of each database that takes a final snapshot when deleted."""
    found = []
    for resource in resources:
        inputs = resource.get("inputs") or {}
        if resource["type"] == RDS_INSTANCE and not inputs.get("skipFinalSnapshot", False) \
                and inputs.get("finalSnapshotIdentifier"):
            found.append((resource["urn"], str(inputs["finalSnapshotIdentifier"])))
    return found


def unique_snapshot_name(base: str, now: Optional[float] = None) -> str:
    """`<base>-<UTC time>`: letters, digits and single hyphens, starting with a letter, at most 255 (RDS)."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime(time.time() if now is None else now))
    base = re.sub(r"-\d{8}-\d{6}$", "", base)  # a name from an earlier destroy gets a new time, not a second one
    return f"{base[:255 - len(stamp) - 1].rstrip('-')}-{stamp}"


def relax_targets(found: list[Blocker], snapshots: list[tuple[str, str]]) -> list[str]:
    """The URNs the targeted update must change: the AWS blockers and the databases whose snapshot gets a
    new name."""
    urns = {b.urn for b in found if b.relaxed_by_update} | {urn for urn, _ in snapshots}
    return sorted(urns)
