"""The monthly total of a profile as the deploy commands show it (preview, up, scale-to): advisory, never
blocking, and honest about unpriced lines (`complete`, docs/json.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Optional

from chatops.errors import ChatopsError
from chatops.model.profile import Profile


@dataclass(frozen=True)
class MonthlyTotal:
    """Estimated USD per month; with `complete` False some line has no price and the total is "at least"."""

    total: Decimal
    complete: bool = True
    missing_prices: tuple[str, ...] = field(default_factory=tuple)


#: What nothing deployed costs.
NOTHING = MonthlyTotal(Decimal(0))


def monthly_total(profile: Profile, region: str) -> Optional[MonthlyTotal]:
    """The profile's estimated monthly total, or None when the region has no price catalog (a deploy goes on
    regardless)."""
    from chatops.costing.estimate import estimate_cost

    try:
        estimate = estimate_cost(profile, region=region)
    except ChatopsError:
        return None
    return MonthlyTotal(estimate.total_monthly, estimate.complete, tuple(estimate.missing_prices))
