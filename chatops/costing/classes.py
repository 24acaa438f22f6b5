"""Which RDS instance classes and ElastiCache node types a region's catalog prices: the planner's search
space. The optimiser chooses only classes it can price, so a plan's total never silently leaves out its
database or cache (issue 13).

    priced_classes("eu-central-1").db(multi_az=True)  -> ("db.t3.micro", ..., "db.r6g.16xlarge")
    priced_classes("us-east-1").cache                 -> ("cache.t3.micro", ..., "cache.r7g.16xlarge")

Classes come in the order of chatops.model.catalog (family by family, smallest size first). A class is
priced when the catalog has a price for it (an `unconfirmed` entry has none); for RDS, per deployment.
"""

from __future__ import annotations

from dataclasses import dataclass

from chatops.costing.catalog import PriceCatalog, load_catalog
from chatops.costing.elasticache import node_key
from chatops.costing.rds_instance import instance_key
from chatops.model.catalog import CACHE_NODE_TYPES, RDS_POSTGRES_CLASSES


@dataclass(frozen=True)
class PricedClasses:
    region: str
    db_single_az: tuple[str, ...]
    db_multi_az: tuple[str, ...]
    cache: tuple[str, ...]

    def db(self, multi_az: bool) -> tuple[str, ...]:
        """RDS for PostgreSQL classes priced for this deployment (Multi-AZ or Single-AZ)."""
        return self.db_multi_az if multi_az else self.db_single_az


def priced_db_classes(catalog: PriceCatalog, multi_az: bool) -> tuple[str, ...]:
    return tuple(name for name in RDS_POSTGRES_CLASSES if catalog.has(instance_key(name, multi_az)))


def priced_cache_node_types(catalog: PriceCatalog) -> tuple[str, ...]:
    return tuple(name for name in CACHE_NODE_TYPES if catalog.has(node_key(name)))


def priced_classes(region: str) -> PricedClasses:
    """The classes the region's catalog (refreshed cache, else bundled snapshot) prices."""
    catalog = load_catalog(region)
    return PricedClasses(region=region, db_single_az=priced_db_classes(catalog, False),
                         db_multi_az=priced_db_classes(catalog, True), cache=priced_cache_node_types(catalog))
