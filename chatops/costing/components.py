"""Cost components (infracost's shape): a resource is a list of named priced quantities.

A component whose price is not in the catalog keeps its quantity, has no unit price and no cost, and
is shown as "price not found": it never silently counts as $0, and the estimate that contains it says it
is incomplete (its totals are lower bounds). Every priced component carries the status of the catalog
prices it used (the weakest, when it used several) and, when derived, the rule.
"""

from __future__ import annotations

import dataclasses

from dataclasses import dataclass
from decimal import Decimal
from typing import Optional, Sequence


from chatops.costing.catalog import PriceCatalog, weakest_status
from chatops.costing.money import Number, dec

PRICE_NOT_FOUND = "price not found"
#: price_status of a line whose key is not in the catalog at all.
MISSING = "missing"
QUANTITY_STEP = Decimal("0.000001")

#: How a line is bought.
ON_DEMAND, SPOT, RESERVED, SAVINGS_PLAN = "on-demand", "spot", "reserved", "savings-plan"


@dataclass(frozen=True)
class CostComponent:
    name: str
    unit: str
    monthly_quantity: Decimal
    unit_price: Optional[Decimal]
    monthly_cost: Optional[Decimal]
    usage_based: bool
    price_key: str
    #: Status of the catalog prices used (confirmed, corroborated, derived ...; unconfirmed or missing when unpriced).
    price_status: str = ""
    #: Derivation rule(s) of the prices used, when derived (e.g. "us_west_2": copied from another region).
    price_rule: str = ""
    #: Every catalog key the unit price comes from (e.g. the on-demand price and the Spot discount).
    price_keys: tuple[str, ...] = ()
    pricing: str = ON_DEMAND
    #: Why the line is priced as it is, when that is not obvious (e.g. no commitment price: on-demand).
    note: str = ""
    #: With commitment pricing, the catalog key of the commitment price this line lacks (it stays on-demand).
    commitment_missing: str = ""

    @property
    def price_missing(self) -> bool:
        return self.unit_price is None


@dataclass(frozen=True)
class ResourceCost:
    """One kind of billable resource the program creates, `count` of them, and what they cost."""

    name: str
    resource_type: str
    count: int
    components: list[CostComponent]
    #: Monthly cost at autoscaling maximum (equal to the monthly cost for resources that do not scale).
    max_monthly_cost: Decimal

    @property
    def fixed_monthly(self) -> Decimal:
        return sum((c.monthly_cost or Decimal(0) for c in self.components if not c.usage_based), Decimal(0))

    @property
    def usage_monthly(self) -> Decimal:
        return sum((c.monthly_cost or Decimal(0) for c in self.components if c.usage_based), Decimal(0))

    @property
    def monthly_cost(self) -> Decimal:
        return self.fixed_monthly + self.usage_monthly

    @property
    def missing_prices(self) -> list[str]:
        return [c.price_key for c in self.components if c.price_missing]


#: The two ways to price an estimate: list prices, or 1-year commitments where the catalog prices them.
PRICINGS = ("on-demand", "commitment")


class Pricer:
    """Builds components from a catalog, so resource modules only say what they use.

    With `commitment`, instance lines take the 1-year no-upfront reserved price (the class's own, else
    on-demand x the catalog's reserved factor) and Fargate on-demand hours the 1-year Compute Savings Plan
    rate; a line with no commitment price stays on-demand and says so in its note."""

    def __init__(self, catalog: PriceCatalog, commitment: bool = False):
        self.catalog = catalog
        self.commitment = commitment

    def instance_line(self, name: str, unit: str, quantity: Number, on_demand_key: str, reserved_key: str,
                      reserved_factor_key: str) -> CostComponent:
        """Hours of an RDS instance or cache node: on-demand, or reserved when pricing commitments."""
        on_demand = self.catalog.price(on_demand_key)
        if not self.commitment or on_demand is None:
            return self.line(name, unit, quantity, on_demand_key)
        reserved = self.catalog.price(reserved_key)
        if reserved is not None:
            return self.priced(name, unit, quantity, [reserved_key], reserved, pricing=RESERVED,
                               note="1-year no-upfront reserved price of this class")
        factor = self.catalog.price(reserved_factor_key)
        if factor is not None:
            return self.priced(name, unit, quantity, [on_demand_key, reserved_factor_key], on_demand * factor,
                               pricing=RESERVED, note=f"1-year no-upfront reserved: on-demand x {factor.normalize()}")
        return dataclasses.replace(self.priced(name, unit, quantity, [on_demand_key], on_demand,
                                               note="no reserved price in the catalog: on-demand"),
                                   commitment_missing=reserved_key)

    def savings_plan_line(self, name: str, unit: str, quantity: Number, on_demand_key: str,
                          savings_plan_key: str) -> CostComponent:
        """Committed Fargate hours: the Compute Savings Plan rate, else on-demand saying why."""
        rate = self.catalog.price(savings_plan_key)
        if rate is not None:
            return self.priced(name, unit, quantity, [savings_plan_key], rate, pricing=SAVINGS_PLAN,
                               note="1-year no-upfront Compute Savings Plan rate")
        return dataclasses.replace(self.priced(name, unit, quantity, [on_demand_key], self.catalog.price(on_demand_key),
                                               note="no Savings Plan rate in the catalog: on-demand"),
                                   commitment_missing=savings_plan_key)

    def line(self, name: str, unit: str, quantity: Number, key: str, usage_based: bool = False) -> CostComponent:
        """`quantity` units of the price `key`."""
        return self.priced(name, unit, quantity, [key], self.catalog.price(key), usage_based)

    def priced(self, name: str, unit: str, quantity: Number, keys: Sequence[str], unit_price: Optional[Decimal],
               usage_based: bool = False, pricing: str = ON_DEMAND, note: str = "") -> CostComponent:
        """A line whose unit price the caller computed from the catalog `keys` (None: a price is missing).
        The first key names the line; the status is the weakest of the keys'."""
        missing = [k for k in keys if not self.catalog.has(k)]
        key = missing[0] if missing else keys[0]
        if missing or unit_price is None:
            return make_component(name, unit, quantity, None, usage_based, key, self._status([key]), "",
                                  tuple(keys), pricing, note)
        return make_component(name, unit, quantity, unit_price, usage_based, key, self._status(keys),
                              self._rules(keys), tuple(keys), pricing, note)

    def price(self, key: str) -> Optional[Decimal]:
        return self.catalog.price(key)

    def _status(self, keys: Sequence[str]) -> str:
        entries = [self.catalog.get(k) for k in keys]
        return weakest_status(e.status if e is not None else MISSING for e in entries)

    def _rules(self, keys: Sequence[str]) -> str:
        rules = (e.rule for k in keys if (e := self.catalog.get(k)) is not None and e.status == "derived")
        return ",".join(dict.fromkeys(r for r in rules if r))


def make_component(name: str, unit: str, quantity: Number, unit_price: Optional[Decimal], usage_based: bool,
                   key: str, status: str = "", rule: str = "", keys: tuple[str, ...] = (), pricing: str = ON_DEMAND,
                   note: str = "") -> CostComponent:
    # Quantities come from float demand figures; six decimals keep every sum exact in Decimal.
    qty = dec(quantity).quantize(QUANTITY_STEP)
    cost = qty * unit_price if unit_price is not None else None
    return CostComponent(name=name, unit=unit, monthly_quantity=qty, unit_price=unit_price, monthly_cost=cost,
                         usage_based=usage_based, price_key=key, price_status=status or (MISSING if unit_price is None else ""),
                         price_rule=rule, price_keys=keys or (key,), pricing=pricing, note=note)


def resource(name: str, resource_type: str, count: int, components: list[CostComponent],
             max_components: list[CostComponent] | None = None) -> ResourceCost:
    """A ResourceCost; `max_components` are the same lines at autoscaling maximum, when it scales."""
    at_max = max_components if max_components is not None else components
    max_cost = sum((c.monthly_cost or Decimal(0) for c in at_max), Decimal(0))
    return ResourceCost(name=name, resource_type=resource_type, count=count, components=components,
                        max_monthly_cost=max_cost)
