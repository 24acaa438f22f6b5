"""RDS for PostgreSQL: the primary (Multi-AZ doubles instance and storage prices) and the read replica
(Single-AZ, same allocated storage). With commitment pricing, instances are 1-year no-upfront reserved
(storage has no reservation). 7-day Performance Insights is free; automated backups up to the
provisioned storage are free, longer copies are in AWS Backup (backup_vault.py)."""

from __future__ import annotations

from chatops.costing.components import Pricer, ResourceCost, resource
from chatops.costing.money import HOURS_PER_MONTH
from chatops.model.profile import Profile

INSTANCE_TYPE = "aws:rds/instance:Instance"


def instance_key(instance_class: str, multi_az: bool) -> str:
    return f"rds.instance.{instance_class}.{'multi_az' if multi_az else 'single_az'}"


def reserved_key(instance_class: str, multi_az: bool) -> str:
    """The class's own 1-year no-upfront reserved price (from `prices refresh`, or sourced)."""
    return f"rds.reserved.{instance_class}.{'multi_az' if multi_az else 'single_az'}"


#: On-demand x this = 1-year no-upfront reserved, for classes without their own reserved price.
RESERVED_FACTOR_KEY = "rds.reserved_factor"


def storage_key(multi_az: bool) -> str:
    return f"rds.storage.gp3.{'multi_az' if multi_az else 'single_az'}"


def price_database(pricer: Pricer, profile: Profile) -> list[ResourceCost]:
    db = profile.database
    deployment = "Multi-AZ" if db.multi_az else "Single-AZ"
    out = [resource("database", INSTANCE_TYPE, 1, [
        pricer.instance_line(f"instance ({db.instance_class}, {deployment})", "hours", HOURS_PER_MONTH,
                             instance_key(db.instance_class, db.multi_az), reserved_key(db.instance_class, db.multi_az),
                             RESERVED_FACTOR_KEY),
        pricer.line(f"gp3 storage ({deployment})", "GB-months", db.allocated_storage_gb, storage_key(db.multi_az)),
    ])]
    if db.read_replica.enabled:
        replica_class = db.read_replica.instance_class or db.instance_class
        out.append(resource("database read replica", INSTANCE_TYPE, 1, [
            pricer.instance_line(f"instance ({replica_class}, Single-AZ)", "hours", HOURS_PER_MONTH,
                                 instance_key(replica_class, False), reserved_key(replica_class, False),
                                 RESERVED_FACTOR_KEY),
            pricer.line("gp3 storage (Single-AZ)", "GB-months", db.allocated_storage_gb, storage_key(False)),
        ]))
    return out
