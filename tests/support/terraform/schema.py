"""The provider's own schema, and how pulumi-aws names map onto it.

pulumi-aws is generated from terraform-provider-aws by pulumi-terraform-bridge, whose naming is
mechanical (pkg/tfbridge/names.go, pkg/tfgen): a resource `aws:<module>/<camelName>:<Name>` is the
Terraform type `aws_<module>_<snake_name>` or `aws_<snake_name>`; a property is the camelCase of the
Terraform name, pluralised when it is a list or set whose name is singular, and a block with
`max_items = 1` is flattened to one object. The exceptions that matter to our program are listed in
TYPE_EXCEPTIONS / PROPERTY_EXCEPTIONS with where they come from. Anything else that does not map is
an error: the converter never drops an input it cannot place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Optional

#: Pulumi type token -> Terraform type where the mechanical rule does not give it (pulumi-aws
#: provider/resources.go maps these by hand: the rds module's resources are Terraform's `aws_db_*`,
#: SQS's redrive allow policy keeps Terraform's `queue` in its name, `aws_lb` is lb.LoadBalancer).
TYPE_EXCEPTIONS: dict[str, str] = {
    "aws:lb/loadBalancer:LoadBalancer": "aws_lb",
    "aws:rds/instance:Instance": "aws_db_instance",
    "aws:rds/proxy:Proxy": "aws_db_proxy",
    "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup": "aws_db_proxy_default_target_group",
    "aws:rds/proxyTarget:ProxyTarget": "aws_db_proxy_target",
    "aws:rds/parameterGroup:ParameterGroup": "aws_db_parameter_group",
    "aws:rds/subnetGroup:SubnetGroup": "aws_db_subnet_group",
    "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy": "aws_sqs_queue_redrive_allow_policy",
}

#: (Terraform type, Pulumi property) -> Terraform name, for names the bridge does not derive
#: mechanically (each entry says where pulumi-aws renames it).
PROPERTY_EXCEPTIONS: dict[tuple[str, str], str] = {
    # pulumi-aws provider/resources.go: `"alarm_name": {Name: "name"}` on aws_cloudwatch_metric_alarm.
    ("aws_cloudwatch_metric_alarm", "name"): "alarm_name",
}


def snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def plural(name: str) -> str:
    """The bridge's pluralisation of a singular list/set name (inflector rules that matter here)."""
    if name.endswith(("ss", "us", "as", "is", "x", "ch", "sh")):
        return name + "es"        # alias -> aliases, address -> addresses
    if name.endswith("s"):
        return name               # already plural: subnet_ids, security_groups
    if re.search(r"[^aeiou]y$", name):
        return name[:-1] + "ies"  # capacity_provider_strategy -> capacity_provider_strategies
    return name + "s"


@dataclass(frozen=True)
class Block:
    """One block of the provider schema: its attributes and nested block types."""
    tf_type: str
    path: str
    raw: dict[str, Any]

    @property
    def attributes(self) -> dict[str, Any]:
        return self.raw.get("attributes", {})

    @property
    def block_types(self) -> dict[str, Any]:
        return self.raw.get("block_types", {})

    def terraform_name(self, pulumi_name: str) -> Optional[str]:
        """The attribute or block a Pulumi property name stands for, or None."""
        exception = PROPERTY_EXCEPTIONS.get((self.tf_type, pulumi_name))
        if exception is not None:
            return exception
        return _names(self.tf_type, self.path, _frozen(self.raw)).get(pulumi_name)

    def nested(self, name: str) -> "Block":
        return Block(self.tf_type, f"{self.path}.{name}", self.block_types[name]["block"])


class _Frozen:
    """Hashable identity wrapper so the name table of a block is computed once."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw

    def __hash__(self) -> int:
        return id(self.raw)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Frozen) and other.raw is self.raw


def _frozen(raw: dict[str, Any]) -> _Frozen:
    return _Frozen(raw)


@lru_cache(maxsize=None)
def _names(tf_type: str, path: str, frozen: _Frozen) -> dict[str, str]:
    table: dict[str, str] = {}
    raw = frozen.raw
    for name in list(raw.get("attributes", {})) + list(raw.get("block_types", {})):
        table.setdefault(camel(name), name)
        table.setdefault(camel(plural(name)), name)
    return table


class ProviderSchema:
    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw
        self.resources: dict[str, Any] = raw["resource_schemas"]

    def terraform_type(self, token: str) -> str:
        """`aws:ec2/vpc:Vpc` -> `aws_vpc`; raises when the token maps to nothing or to two types."""
        if token in TYPE_EXCEPTIONS:
            return TYPE_EXCEPTIONS[token]
        match = re.fullmatch(r"aws:([a-z0-9]+)/([A-Za-z0-9]+):([A-Za-z0-9]+)", token)
        if match is None:
            raise KeyError(f"{token}: not a pulumi-aws type token")
        module, _, name = match.groups()
        candidates = [c for c in (f"aws_{module}_{snake(name)}", f"aws_{snake(name)}") if c in self.resources]
        if len(candidates) != 1:
            raise KeyError(f"{token}: the provider has {candidates or 'no'} matching resource type(s); "
                           "add it to TYPE_EXCEPTIONS with its source")
        return candidates[0]

    def block(self, tf_type: str) -> Block:
        return Block(tf_type, tf_type, self.resources[tf_type]["block"])

    def version(self, tf_type: str) -> int:
        return int(self.resources[tf_type].get("version", 0))
