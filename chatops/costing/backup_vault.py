"""AWS Backup vault: warm storage of the database's snapshots (daily and weekly, incremental), doubled
when copies go to a second region."""

from __future__ import annotations

from chatops.costing import usage
from chatops.costing.components import Pricer, ResourceCost, resource
from chatops.model.demand import DemandEstimate
from chatops.model.profile import Profile

VAULT_TYPE = "aws:backup/vault:Vault"


def price_backup(pricer: Pricer, profile: Profile, demand: DemandEstimate) -> ResourceCost:
    gb = usage.backup_gb(profile, demand)
    lines = [pricer.line("RDS snapshot storage (warm)", "GB-months", gb, "backup.storage_gb_month", usage_based=True)]
    if profile.backup.cross_region_copy.enabled:
        # The copy is stored in the destination region; priced at this region's rate (an approximation).
        lines.append(pricer.line(f"cross-region copy ({profile.backup.cross_region_copy.destination_region})",
                                 "GB-months", gb, "backup.storage_gb_month", usage_based=True))
    return resource("backup vault", VAULT_TYPE, 1, lines)
