"""RDS Proxy: billed per vCPU-hour of the instance it fronts, with a 2-vCPU minimum (AWS pricing page:
'Minimum Charge: 2 vCPUs'). The proxy targets the writer; its vCPU count comes from model/catalog.py."""

from __future__ import annotations

from chatops.costing.components import Pricer, ResourceCost, make_component, resource
from chatops.costing.money import HOURS_PER_MONTH
from chatops.model.catalog import RDS_POSTGRES_CLASSES
from chatops.model.profile import Profile

PROXY_TYPE = "aws:rds/proxy:Proxy"
MIN_VCPU = 2


def price_proxy(pricer: Pricer, profile: Profile) -> list[ResourceCost]:
    db = profile.database
    if not db.proxy.enabled:
        return []
    cls = RDS_POSTGRES_CLASSES.get(db.instance_class)
    name = f"proxy vCPU ({db.instance_class}, min {MIN_VCPU})"
    if cls is None:  # an unknown class has no vCPU count: say so on the line, never $0
        line = make_component(name, "vCPU-hours", 0, None, False, "rds.proxy.vcpu_hour")
    else:
        line = pricer.line(name, "vCPU-hours", max(cls.vcpu, MIN_VCPU) * HOURS_PER_MONTH, "rds.proxy.vcpu_hour")
    return [resource("database proxy", PROXY_TYPE, 1, [line])]
