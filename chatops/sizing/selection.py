"""Pick the smallest production tier that is designed for the DAU and holds the peak with headroom.

Two conditions, both printed in the reason:
- design point: the tier's `design.dau` is at least the requested DAU. A tier is more than its
  capacity (Multi-AZ, RDS Proxy, WAF limits, backups, replicas were chosen for its scale), so a DAU
  between two tiers gets the larger one even when the smaller one still has CPU to spare;
- capacity: every dimension holds the peak with the required headroom at desired counts (the
  autoscaling maximum is reported separately and never counted as headroom).
dev is not a DAU tier (public subnets, Spot, no HA): it is never selected.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

from chatops.model.demand import DemandEstimate
from chatops.model.profile import Profile
from chatops.sizing.capacity import CapacityReport, profile_capacity

DEFAULT_HEADROOM = 1.3


@dataclass(frozen=True)
class Candidate:
    profile: Profile
    report: CapacityReport
    designed_for_dau: bool
    holds: bool

    @property
    def fits(self) -> bool:
        return self.designed_for_dau and self.holds

    def rejection(self, dau: int, required: float) -> str:
        """Why this tier was passed over, in one phrase."""
        reasons = []
        if not self.designed_for_dau:
            reasons.append(f"designed for {self.profile.design.dau:,} DAU")
        reasons += [f"{d.label} headroom {d.headroom:.2f}x < {required:g}x" for d in self.report.short_of(required)]
        return f"{self.profile.name}: " + "; ".join(reasons)


@dataclass(frozen=True)
class TierChoice:
    """The outcome of selection: the chosen candidate (None above the largest tier) and every candidate."""

    chosen: Optional[Candidate]
    candidates: tuple[Candidate, ...]
    required_headroom: float
    reason: str


def production_tiers(profiles: Sequence[Profile]) -> list[Profile]:
    """Production tiers, smallest first (the order of BUILTIN_TIERS)."""
    return [p for p in profiles if p.is_production]


def evaluate(profile: Profile, demand: DemandEstimate, required_headroom: float) -> Candidate:
    report = profile_capacity(profile, demand)
    return Candidate(profile, report, profile.design.dau >= demand.dau, report.holds(required_headroom))


def select_tier(demand: DemandEstimate, profiles: Sequence[Profile],
                required_headroom: float = DEFAULT_HEADROOM) -> TierChoice:
    """The smallest production tier in `profiles` that fits `demand`, with the reason for the choice."""
    candidates = tuple(evaluate(p, demand, required_headroom) for p in production_tiers(profiles))
    chosen = next((c for c in candidates if c.fits), None)
    return TierChoice(chosen, candidates, required_headroom, _reason(chosen, candidates, demand, required_headroom))


def _reason(chosen: Optional[Candidate], candidates: Sequence[Candidate], demand: DemandEstimate,
            required: float) -> str:
    dau = demand.dau
    if chosen is None:
        largest = candidates[-1]
        return (f"no built-in tier holds {dau:,} DAU ({largest.rejection(dau, required)}); run with --optimize for "
                "the cheapest profile that holds this demand")
    tightest = chosen.report.tightest
    text = (f"{chosen.profile.name} is the smallest tier designed for {dau:,} DAU whose every dimension holds the "
            f"peak with at least {required:g}x headroom (tightest: {tightest.label}, {tightest.headroom:.2f}x)")
    smaller = [c for c in candidates[: candidates.index(chosen)] if c.designed_for_dau]
    if smaller:
        text += "; passed over " + ", ".join(c.rejection(dau, required) for c in smaller)
    return text
