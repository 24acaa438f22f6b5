"""KMS customer-managed keys the program creates: the ECS Exec session-log key, when the profile turns
ECS Exec on (chatops/infra/cluster.py). A key-month each; its requests (log encryption, exec sessions)
stay far below the 20,000 free requests a month."""

from __future__ import annotations

from chatops.costing.components import Pricer, ResourceCost, resource
from chatops.model.profile import Profile

KMS_KEY_TYPE = "aws:kms/key:Key"


def kms_key_count(profile: Profile) -> int:
    return 1 if profile.compute.enable_execute_command else 0


def price_kms_keys(pricer: Pricer, profile: Profile) -> list[ResourceCost]:
    count = kms_key_count(profile)
    if not count:
        return []
    return [resource("kms keys", KMS_KEY_TYPE, count, [
        pricer.line("ECS Exec session-log key", "key-months", count, "kms.key_month"),
    ])]
