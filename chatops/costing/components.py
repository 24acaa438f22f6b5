"""Cost components (infracost's shape): a resource is a list of named priced quantities.

A component whose price is not in the catalog keeps its quantity, has no unit price and no cost, and
is shown as "price not found": it never silently counts as $0.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Optional


from chatops.costing.catalog import PriceCatalog
from chatops.costing.money import Number, dec

PRICE_NOT_FOUND = "price not found"
QUANTITY_STEP = Decimal("0.000001")


@dataclass(frozen=True)
class CostComponent:
    name: str
    unit: str
    monthly_quantity: Decimal
    unit_price: Optional[Decimal]
    monthly_cost: Optional[Decimal]
    usage_based: bool
    price_key: str

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


class Pricer:
    """Builds components from a catalog, so resource modules only say what they use."""

    def __init__(self, catalog: PriceCatalog):
        self.catalog = catalog

    def line(self, name: str, unit: str, quantity: Number, key: str, usage_based: bool = False,
             factor: Number = 1) -> CostComponent:
        """`quantity` units of the price `key` (times `factor`, e.g. a Spot discount)."""
        price = self.catalog.price(key)
        unit_price = price * dec(factor) if price is not None else None
        return make_component(name, unit, quantity, unit_price, usage_based, key)

    def price(self, key: str) -> Optional[Decimal]:
        return self.catalog.price(key)


def make_component(name: str, unit: str, quantity: Number, unit_price: Optional[Decimal], usage_based: bool,
                   key: str) -> CostComponent:
    # Quantities come from float demand figures; six decimals keep every sum exact in Decimal.
    qty = dec(quantity).quantize(QUANTITY_STEP)
    cost = qty * unit_price if unit_price is not None else None
    return CostComponent(name=name, unit=unit, monthly_quantity=qty, unit_price=unit_price, monthly_cost=cost,
                         usage_based=usage_based, price_key=key)


def resource(name: str, resource_type: str, count: int, components: list[CostComponent],
             max_components: list[CostComponent] | None = None) -> ResourceCost:
    """A ResourceCost; `max_components` are the same lines at autoscaling maximum, when it scales."""
    at_max = max_components if max_components is not None else components
    max_cost = sum((c.monthly_cost or Decimal(0) for c in at_max), Decimal(0))
    return ResourceCost(name=name, resource_type=resource_type, count=count, components=components,
                        max_monthly_cost=max_cost)
