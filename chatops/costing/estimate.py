"""estimate_cost(profile, region, demand) -> CostEstimate: every billable resource the inline program
creates for the profile, priced from the region's catalog.

Public API (plan, preview --offline, scale-to and cost-report call it):
    estimate_cost(profile, region="us-east-1", demand=None, pricing="on-demand") -> CostEstimate
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Optional


from chatops.costing import (backup_vault, cloudwatch, ecr, ecs_cluster, ecs_service, elasticache, kms_key,
                             load_balancer, log_group, nat_gateway, rds_instance, rds_proxy, s3_bucket, secrets, sns,
                             sqs, waf)
from chatops.costing.catalog import OTHER_REGION_RULES, PriceCatalog, load_catalog
from chatops.costing.components import PRICE_NOT_FOUND, PRICINGS, CostComponent, Pricer, ResourceCost
from chatops.model.demand import DemandEstimate, UsageAssumptions
from chatops.model.profile import Profile


@dataclass(frozen=True)
class CostEstimate:
    currency: str
    region: str
    profile: str
    dau: int
    catalog_date: str
    catalog_origin: str
    resources: list[ResourceCost]
    #: (date, source) of the oldest dated source behind the priced lines, when any is dated.
    oldest_source: Optional[tuple[str, str]] = None
    #: "on-demand", or "commitment" (1-year reserved instances and Compute Savings Plan where priced).
    pricing: str = "on-demand"
    #: With commitment pricing, the same estimate at on-demand prices, shown beside it.
    on_demand: Optional["CostEstimate"] = None

    @property
    def fixed_monthly(self) -> Decimal:
        return sum((r.fixed_monthly for r in self.resources), Decimal(0))

    @property
    def usage_monthly(self) -> Decimal:
        return sum((r.usage_monthly for r in self.resources), Decimal(0))

    @property
    def total_monthly(self) -> Decimal:
        return self.fixed_monthly + self.usage_monthly

    @property
    def max_monthly(self) -> Decimal:
        """Total with every autoscaled service at its maximum task count."""
        return sum((r.max_monthly_cost for r in self.resources), Decimal(0))

    @property
    def missing_prices(self) -> list[str]:
        return [key for r in self.resources for key in r.missing_prices]

    @property
    def complete(self) -> bool:
        """False when a line has no price: every total is then a lower bound ("at least")."""
        return not self.missing_prices

    @property
    def components(self) -> list[CostComponent]:
        return [c for r in self.resources for c in r.components]

    def price_status_summary(self) -> dict[str, dict[str, Any]]:
        """Per price status: how many lines and how much of the monthly total rest on it; derived ones by rule."""
        summary: dict[str, dict[str, Any]] = {}
        for c in self.components:
            row = summary.setdefault(c.price_status, {"lines": 0, "cost_monthly": None if c.price_missing else Decimal(0)})
            row["lines"] += 1
            if c.monthly_cost is not None:
                row["cost_monthly"] = (row["cost_monthly"] or Decimal(0)) + c.monthly_cost
            if c.price_rule:
                rules = row.setdefault("rules", {})
                for rule in c.price_rule.split(","):
                    rules[rule] = rules.get(rule, 0) + 1
        return summary

    def from_other_region(self) -> list[CostComponent]:
        """Priced lines whose price was copied or scaled from another region's."""
        return [c for c in self.components if set(c.price_rule.split(",")) & OTHER_REGION_RULES]

    def cost_per_1000_dau(self) -> Decimal:
        return self.total_monthly * 1000 / Decimal(self.dau)

    @property
    def commitment_unpriced(self) -> list[str]:
        """With commitment pricing, the commitment prices the catalog lacks (their lines stay on-demand)."""
        return list(dict.fromkeys(c.commitment_missing for c in self.components if c.commitment_missing))

    @property
    def commitment_savings(self) -> Optional[Decimal]:
        """Monthly saving of the commitments over on-demand (None when priced on-demand)."""
        return None if self.on_demand is None else self.on_demand.total_monthly - self.total_monthly

    def to_json(self) -> dict[str, Any]:
        return {
            "currency": self.currency,
            "region": self.region,
            "profile": self.profile,
            "dau": self.dau,
            "catalog": {"date": self.catalog_date, "origin": self.catalog_origin,
                        "oldest_source": ({"date": self.oldest_source[0], "source": self.oldest_source[1]}
                                          if self.oldest_source else None)},
            "complete": self.complete,
            "fixed_monthly": self.fixed_monthly,
            "usage_monthly": self.usage_monthly,
            "total_monthly": self.total_monthly,
            "max_monthly": self.max_monthly,
            "per_1000_dau_monthly": self.cost_per_1000_dau(),
            "missing_prices": self.missing_prices,
            "price_status": self.price_status_summary(),
            "from_other_region": {"lines": len(self.from_other_region()),
                                  "cost_monthly": sum((c.monthly_cost or Decimal(0) for c in self.from_other_region()),
                                                      Decimal(0))},
            "pricing": self.pricing,
            **({"on_demand": _totals_json(self.on_demand), "commitment_savings_monthly": self.commitment_savings,
                "commitment_unpriced": self.commitment_unpriced}
               if self.on_demand is not None else {}),
            "resources": [_resource_json(r, self.on_demand) for r in self.resources],
        }


def _totals_json(e: "CostEstimate") -> dict[str, Any]:
    return {"fixed_monthly": e.fixed_monthly, "usage_monthly": e.usage_monthly, "total_monthly": e.total_monthly,
            "max_monthly": e.max_monthly, "complete": e.complete}


def _resource_json(r: ResourceCost, on_demand: Optional[CostEstimate] = None) -> dict[str, Any]:
    beside = next((o for o in on_demand.resources if o.name == r.name), None) if on_demand is not None else None
    return {
        "name": r.name,
        "resource_type": r.resource_type,
        "count": r.count,
        "cost_monthly": r.monthly_cost,
        "max_monthly": r.max_monthly_cost,
        **({"on_demand_monthly": beside.monthly_cost} if beside is not None else {}),
        "components": [{
            "name": c.name,
            "unit": c.unit,
            "monthly_quantity": c.monthly_quantity,
            "unit_price": c.unit_price,
            "cost_monthly": c.monthly_cost,
            "usage_based": c.usage_based,
            "price_key": c.price_key,
            "price_status": c.price_status,
            **({"price_rule": c.price_rule} if c.price_rule else {}),
            "pricing": c.pricing,
            **({"note": PRICE_NOT_FOUND} if c.price_missing else {"note": c.note} if c.note else {}),
        } for c in r.components],
    }


def default_demand(profile: Profile) -> DemandEstimate:
    from chatops.sizing.demand import estimate_demand

    return estimate_demand(UsageAssumptions(dau=profile.design.dau))


def estimate_cost(profile: Profile, region: str = "us-east-1", demand: Optional[DemandEstimate] = None,
                  pricing: str = "on-demand") -> CostEstimate:
    """Monthly cost of everything the program creates for `profile` in `region` under `demand`
    (the tier's design DAU with default usage when None). With pricing="commitment", RDS and ElastiCache
    are 1-year no-upfront reserved and Fargate's steady on-demand hours a 1-year Compute Savings Plan,
    where the catalog prices them; the on-demand estimate comes along in `.on_demand`."""
    if pricing not in PRICINGS:
        raise ValueError(f"pricing must be one of {PRICINGS}, not {pricing!r}")
    catalog = load_catalog(region)
    demand = demand if demand is not None else default_demand(profile)
    on_demand = _estimate(catalog, profile, demand, commitment=False)
    if pricing == "on-demand":
        return on_demand
    committed = _estimate(catalog, profile, demand, commitment=True)
    return dataclasses.replace(committed, pricing="commitment", on_demand=on_demand)


def _estimate(catalog: PriceCatalog, profile: Profile, demand: DemandEstimate, commitment: bool) -> CostEstimate:
    resources = price_resources(catalog, profile, demand, commitment)
    used = [k for r in resources for c in r.components if not c.price_missing for k in c.price_keys]
    return CostEstimate(currency="USD", region=catalog.region, profile=profile.name, dau=demand.dau,
                        catalog_date=catalog.date, catalog_origin=catalog.origin, resources=resources,
                        oldest_source=catalog.oldest_source(used))


def price_resources(catalog: PriceCatalog, profile: Profile, demand: DemandEstimate,
                    commitment: bool = False) -> list[ResourceCost]:
    """In the order of the stack: network, edge, compute, data, messaging, operations."""
    p = Pricer(catalog, commitment)
    alarms = cloudwatch.price_alarms(p, profile)
    return [
        *nat_gateway.price_nat(p, profile, demand),
        load_balancer.price_alb(p, profile, demand),
        *waf.price_waf(p, profile, demand),
        ecs_cluster.price_cluster(p, profile),
        *kms_key.price_kms_keys(p, profile),
        *ecs_service.price_services(p, profile),
        ecr.price_repositories(p),
        *rds_instance.price_database(p, profile),
        *rds_proxy.price_proxy(p, profile),
        *elasticache.price_cache(p, profile),
        sqs.price_queues(p, profile, demand),
        secrets.price_secrets(p, profile),
        backup_vault.price_backup(p, profile, demand),
        log_group.price_log_groups(p, profile, demand),
        alarms,
        cloudwatch.price_dashboard(p),
        sns.price_topic(p, alarms.count),
        s3_bucket.price_log_bucket(p, profile, demand),
    ]
