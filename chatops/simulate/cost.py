"""The month's Fargate cost from simulated task time, next to cost-report's desired and maximum figures.

A service that spent a share w_n of the simulated time with n tasks billed costs, per month,
sum(w_n x cost-report's monthly cost of the service at n tasks). Pricing goes through costing's own
`price_service` for each count, so the Spot share, the on-demand base task, the architecture (Graviton)
and public IPv4 addresses are priced exactly as cost-report prices them; a flat run at the desired counts
therefore costs exactly cost-report's figure. The simulated days stand for the whole 730-hour month.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from decimal import Decimal

from chatops.costing.catalog import PriceCatalog
from chatops.costing.components import Pricer, ResourceCost
from chatops.costing.ecs_service import price_service
from chatops.model.profile import Profile
from chatops.simulate.engine import ServiceRun


@dataclass(frozen=True)
class FargateCost:
    service: str
    simulated_monthly: Decimal
    desired_monthly: Decimal   # cost-report at the desired count
    max_monthly: Decimal       # cost-report at the autoscaling maximum
    missing_prices: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        return not self.missing_prices


def with_count(profile: Profile, service: str, count: int) -> Profile:
    """`profile` with `service` running `count` tasks (what costing prices as the desired count)."""
    return dataclasses.replace(profile, **{service: dataclasses.replace(getattr(profile, service),
                                                                       desired_count=count)})


def service_cost(pricer: Pricer, profile: Profile, run: ServiceRun) -> FargateCost:
    reference = price_service(pricer, profile, run.service)
    total = Decimal(str(sum(run.billed_seconds.values())))
    simulated, missing = Decimal(0), set(reference.missing_prices)
    for count, seconds in sorted(run.billed_seconds.items()):
        at_count: ResourceCost = price_service(pricer, with_count(profile, run.service, count), run.service)
        simulated += at_count.monthly_cost * Decimal(str(seconds)) / total
        missing.update(at_count.missing_prices)
    return FargateCost(run.service, simulated, reference.monthly_cost, reference.max_monthly_cost, tuple(sorted(missing)))


def fargate_costs(profile: Profile, runs: dict[str, ServiceRun], catalog: PriceCatalog) -> dict[str, FargateCost]:
    """Each service's month from its simulated run (the caller loads the region's catalog)."""
    pricer = Pricer(catalog)
    return {service: service_cost(pricer, profile, run) for service, run in runs.items()}


def total(costs: dict[str, FargateCost], attribute: str) -> Decimal:
    return sum((getattr(c, attribute) for c in costs.values()), Decimal(0))
