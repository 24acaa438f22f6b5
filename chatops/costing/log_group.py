"""CloudWatch log groups the program creates: one per service and the VPC flow logs group.
Ingestion per GB and storage per GB-month at each group's retention."""

from __future__ import annotations

from chatops.costing import usage
from chatops.costing.components import Pricer, ResourceCost, resource
from chatops.costing.ecs_service import SERVICES
from chatops.model.demand import DemandEstimate
from chatops.model.profile import Profile

LOG_GROUP_TYPE = "aws:cloudwatch/logGroup:LogGroup"


def log_group_count(profile: Profile) -> int:
    return len(SERVICES) + 1  # + flow logs


def price_log_groups(pricer: Pricer, profile: Profile, demand: DemandEstimate) -> ResourceCost:
    app_gb = usage.dec(demand.monthly_log_gb)
    flow_gb = usage.flow_log_gb(demand)
    return resource("log groups", LOG_GROUP_TYPE, log_group_count(profile), [
        pricer.line("application logs ingested", "GB", app_gb, "logs.ingest_gb", usage_based=True),
        pricer.line("VPC flow logs ingested", "GB", flow_gb, "logs.ingest_gb", usage_based=True),
        pricer.line(f"storage ({profile.observability.log_retention_days} d app, "
                    f"{profile.network.flow_logs_retention_days} d flow)", "GB-months",
                    usage.stored_gb(app_gb, profile.observability.log_retention_days)
                    + usage.stored_gb(flow_gb, profile.network.flow_logs_retention_days),
                    "logs.storage_gb_month", usage_based=True),
    ])
