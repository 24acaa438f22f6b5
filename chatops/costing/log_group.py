"""CloudWatch log groups the program creates: one per service, the VPC flow logs group, and the two
exported PostgreSQL logs (postgresql, upgrade) of each RDS instance. Ingestion per GB and storage per
GB-month at each group's retention."""

from __future__ import annotations

from decimal import Decimal

from chatops.costing import usage
from chatops.costing.components import Pricer, ResourceCost, resource
from chatops.costing.ecs_service import SERVICES
from chatops.model.demand import DemandEstimate
from chatops.model.profile import Profile

LOG_GROUP_TYPE = "aws:cloudwatch/logGroup:LogGroup"


#: RDS log exports (slow statements over 1 s, errors, lock waits, temp files; connections when the profile
#: logs them) per instance and month: an assumption, small next to the application logs.
RDS_LOG_GB_PER_INSTANCE = Decimal("0.5")
RDS_LOG_GB_PER_INSTANCE_WITH_CONNECTIONS = Decimal("2")
RDS_LOG_EXPORTS = 2  # postgresql, upgrade


def rds_instances(profile: Profile) -> int:
    return 1 + (1 if profile.database.read_replica.enabled else 0)


def log_group_count(profile: Profile) -> int:
    # services + flow logs + RDS exports + the db bootstrap task + the ECS Exec session log (the last two
    # tiny: a run or a session now and then)
    exec_log = 1 if profile.compute.enable_execute_command else 0
    return len(SERVICES) + 1 + RDS_LOG_EXPORTS * rds_instances(profile) + 1 + exec_log


def price_log_groups(pricer: Pricer, profile: Profile, demand: DemandEstimate) -> ResourceCost:
    app_gb = usage.dec(demand.monthly_log_gb)
    flow_gb = usage.flow_log_gb(demand)
    per_instance = RDS_LOG_GB_PER_INSTANCE_WITH_CONNECTIONS if profile.database.log_connections \
        else RDS_LOG_GB_PER_INSTANCE
    rds_gb = per_instance * rds_instances(profile)
    return resource("log groups", LOG_GROUP_TYPE, log_group_count(profile), [
        pricer.line("application logs ingested", "GB", app_gb, "logs.ingest_gb", usage_based=True),
        pricer.line("VPC flow logs ingested", "GB", flow_gb, "logs.ingest_gb", usage_based=True),
        pricer.line("RDS PostgreSQL logs ingested", "GB", rds_gb, "logs.ingest_gb", usage_based=True),
        pricer.line(f"storage ({profile.observability.log_retention_days} d app and RDS, "
                    f"{profile.network.flow_logs_retention_days} d flow)", "GB-months",
                    usage.stored_gb(app_gb + rds_gb, profile.observability.log_retention_days)
                    + usage.stored_gb(flow_gb, profile.network.flow_logs_retention_days),
                    "logs.storage_gb_month", usage_based=True),
    ])
