"""NAT gateways (hours and data processed) and their Elastic IPs (public IPv4 hours)."""

from __future__ import annotations

from chatops.costing import usage
from chatops.costing.components import Pricer, ResourceCost, resource
from chatops.costing.money import HOURS_PER_MONTH
from chatops.model.demand import DemandEstimate
from chatops.model.profile import Profile

NAT_TYPE = "aws:ec2/natGateway:NatGateway"
EIP_TYPE = "aws:ec2/eip:Eip"


def price_nat(pricer: Pricer, profile: Profile, demand: DemandEstimate) -> list[ResourceCost]:
    count = profile.network.nat_gateways
    if count == 0:
        return []
    nat = resource("nat gateways", NAT_TYPE, count, [
        pricer.line("NAT gateway hours", "hours", HOURS_PER_MONTH * count, "nat.hour"),
        pricer.line("data processed", "GB", usage.nat_gb(demand), "nat.gb", usage_based=True),
    ])
    eips = resource("nat elastic IPs", EIP_TYPE, count, [
        pricer.line("public IPv4 (one per NAT gateway)", "address-hours", HOURS_PER_MONTH * count, "ipv4.hour"),
    ])
    return [nat, eips]
