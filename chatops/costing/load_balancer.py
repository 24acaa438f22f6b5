"""The Application Load Balancer: hours, LCUs, one public IPv4 per zone, and the data sent to clients
(internet data transfer out is metered on the traffic the ALB returns)."""

from __future__ import annotations

from chatops.costing import usage
from chatops.costing.components import Pricer, ResourceCost, resource
from chatops.costing.money import HOURS_PER_MONTH
from chatops.model.demand import DemandEstimate
from chatops.model.profile import Profile

ALB_TYPE = "aws:lb/loadBalancer:LoadBalancer"


def price_alb(pricer: Pricer, profile: Profile, demand: DemandEstimate) -> ResourceCost:
    zones = profile.network.availability_zones
    return resource("load balancer", ALB_TYPE, 1, [
        pricer.line("ALB hours", "hours", HOURS_PER_MONTH, "alb.hour"),
        pricer.line("public IPv4 (one per zone)", "address-hours", HOURS_PER_MONTH * zones, "ipv4.hour"),
        pricer.line("load balancer capacity units", "LCU-hours", usage.alb_lcu_hours(demand), "alb.lcu_hour",
                    usage_based=True),
        pricer.line("data transfer out to internet", "GB", demand.data_out_gb_per_month, "data_transfer.out_gb",
                    usage_based=True),
    ])
