"""The optimiser's prices: the costing module's estimate and the classes its catalog prices, for one
region and demand.

optimize.py is pure and asks only this (its `Pricing` protocol), so the search ranks exactly the totals
`plan` prints and picks only the classes the region's catalog prices (`costing.classes.priced_classes`:
the refreshed cache if there is one, else the bundled snapshot, the catalog plan's cost reads). The
search ranks on-demand prices; `plan --pricing commitment` shows the chosen profile's commitment price.
"""

from __future__ import annotations

from chatops.costing.classes import priced_classes
from chatops.costing.estimate import CostEstimate, estimate_cost
from chatops.model.demand import DemandEstimate
from chatops.model.profile import Profile


class CatalogPricing:
    def __init__(self, region: str, demand: DemandEstimate):
        self.region, self.demand = region, demand
        self.classes = priced_classes(region)

    def quote(self, profile: Profile) -> CostEstimate:
        return estimate_cost(profile, region=self.region, demand=self.demand)

    def prices_database(self, instance_class: str, multi_az: bool) -> bool:
        return instance_class in self.classes.db(multi_az)

    def prices_cache(self, node_type: str) -> bool:
        return node_type in self.classes.cache
