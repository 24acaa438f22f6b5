"""Monthly cost of a profile for deploy commands, tolerant of the costing package not being there."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Optional

from chatops.model.profile import Profile


def monthly_cost(profile: Profile, region: str) -> Optional[Decimal]:
    """Estimated monthly USD, or None when no estimate can be made (region not in the catalog...)."""
    try:
        from chatops.costing.estimate import estimate_cost
    except ImportError:
        return None
    try:
        return Decimal(estimate_cost(profile, region=region).total_monthly)
    except Exception:  # a cost is advisory here: never block a deploy because pricing failed
        return None


def cost_comparison(before: Profile, after: Profile, region: str) -> Optional[Any]:
    """Per-component deltas from chatops.costing.compare, or None when unavailable."""
    try:
        from chatops.costing.compare import compare_costs
        from chatops.costing.estimate import estimate_cost

        return compare_costs(estimate_cost(before, region=region), estimate_cost(after, region=region))
    except Exception:
        return None
