"""What a Terraform plan does to each resource, by Pulumi URN: the provider's verdict on a step.

Read from `terraform plan -json` (the UI stream's `planned_change` messages: address, action, and for a
replacement the reason, e.g. `cannot_update` when a ForceNew attribute or CustomizeDiff forces it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from tests.support.terraform.convert import Converted


@dataclass(frozen=True)
class ProviderChange:
    urn: str
    address: str
    op: str                        # create | update | replace | delete
    reason: str = ""               # replace/delete: Terraform's reason (cannot_update, ...)


OPS = ("create", "update", "replace", "delete")


def plan_changes(stream: str, converted_before: Converted, converted_after: Converted) -> dict[str, ProviderChange]:
    """urn -> the change, for every resource the plan does not leave alone."""
    found: dict[str, ProviderChange] = {}
    for line in stream.splitlines():
        message = json.loads(line)
        if message.get("type") != "planned_change":
            continue
        change = message["change"]
        op = change["action"]
        if op not in OPS:
            continue     # noop, read, move, remove
        address = change["resource"]["addr"]
        source = converted_before if op == "delete" else converted_after
        urn = source.urn_of(address)
        found[urn] = ProviderChange(urn, address, op, change.get("reason", ""))
    return found
