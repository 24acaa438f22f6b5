"""Monthly cost of a profile for deploy commands (preview, scale-to): advisory, never blocking."""

from __future__ import annotations

from decimal import Decimal
from typing import Optional

from chatops.errors import ChatopsError
from chatops.model.profile import Profile


def monthly_cost(profile: Profile, region: str) -> Optional[Decimal]:
    """Estimated monthly USD, or None when the region has no price catalog (a deploy goes on regardless)."""
    from chatops.costing.estimate import estimate_cost

    try:
        return Decimal(estimate_cost(profile, region=region).total_monthly)
    except ChatopsError:
        return None
