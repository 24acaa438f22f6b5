"""`chatops plan` as one pure function: usage in, a plan out (demand, profile, headroom, reason).

The JSON shape of a plan (PlanResult.to_json) is a contract documented in docs/sizing.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Callable, Literal, Optional, Sequence

from chatops.model.demand import DemandEstimate, UsageAssumptions
from chatops.model.profile import Profile
from chatops.model.records import record_to_data
from chatops.sizing import database as db
from chatops.sizing.figures import DEFAULT_STORAGE_MONTHS
from chatops.sizing.capacity import CapacityReport, Dimension
from chatops.sizing.demand import estimate_demand
from chatops.sizing.selection import DEFAULT_HEADROOM, Candidate, TierChoice, evaluate, select_tier

if TYPE_CHECKING:
    from chatops.sizing.optimize import Optimum, Pricing

Mode = Literal["tier", "optimize", "check"]


@dataclass(frozen=True)
class OptimizeRequest:
    """`plan --optimize`: the availability policy, the months of storage to allocate, and the prices."""

    pricing: Callable[[DemandEstimate], "Pricing"]
    availability: str = "standard"
    storage_months: float = DEFAULT_STORAGE_MONTHS


@dataclass(frozen=True)
class PlanResult:
    mode: Mode
    demand: DemandEstimate
    required_headroom: float
    profile: Optional[Profile]  # None: no built-in tier holds the demand
    report: CapacityReport  # of `profile`, or of the largest tier when there is none
    reason: str
    neighbours: tuple[Candidate, ...]
    cost: Optional[dict[str, Any]] = field(default=None)  # filled by the CLI once costing is available
    optimum: Optional["Optimum"] = None  # with --optimize: the choices, runner-ups and tier comparison

    @property
    def fits(self) -> bool:
        return self.profile is not None and self.report.holds(self.required_headroom)

    @property
    def problems(self) -> list[str]:
        """Why the plan is not ok, one line each (empty when it fits)."""
        if self.profile is None:
            return [self.reason]
        return [f"{d.label}: {d.headroom:.2f}x < {self.required_headroom:g}x"
                for d in self.report.short_of(self.required_headroom)]

    @property
    def profile_label(self) -> Optional[str]:
        return None if self.profile is None else self.profile.name

    def to_json(self) -> dict[str, Any]:
        report = self.report
        data: dict[str, Any] = {
            "demand": demand_to_json(self.demand),
            "usage": record_to_data(self.demand.usage),
            "mode": self.mode,
            "profile": self.profile_label,
            "ok": self.fits,
            "problems": self.problems,
            "required_headroom": self.required_headroom,
            "headroom": {d.key: _finite(d.headroom) for d in report.dimensions},
            "headroom_at_max": {d.key: _finite(d.headroom_at_max) for d in report.dimensions},
            "tightest": report.tightest.key,
            "capacity": [dimension_to_json(d) for d in report.dimensions],
            "alb_lcu_at_peak": round(report.alb_lcu_at_peak, 2),
            "evaluated_profile": report.profile_name,
            "reason": self.reason,
            "warnings": list(report.warnings),
            "neighbours": [neighbour_to_json(c) for c in self.neighbours],
            "database": database_to_json(self.demand, self.profile),
        }
        if self.cost is not None:
            data["cost"] = self.cost
        if self.optimum is not None:
            data["optimization"] = optimum_to_json(self.optimum)
        return data


def plan(usage: UsageAssumptions, builtins: Sequence[Profile], headroom: float = DEFAULT_HEADROOM,
         check: Optional[Profile] = None, optimize: Optional[OptimizeRequest] = None) -> PlanResult:
    """Select a tier (default), find the cheapest profile (`optimize`), or check one profile (`check`)."""
    demand = estimate_demand(usage)
    choice = select_tier(demand, builtins, headroom)
    if check is not None:
        return _checked(demand, choice, check, headroom)
    if optimize is not None:
        return _optimized(demand, choice, builtins, headroom, optimize)
    chosen = choice.chosen
    report = chosen.report if chosen else choice.candidates[-1].report
    return PlanResult("tier", demand, headroom, chosen.profile if chosen else None, report, choice.reason,
                      _around(choice))


def _optimized(demand: DemandEstimate, choice: TierChoice, builtins: Sequence[Profile], headroom: float,
               request: OptimizeRequest) -> PlanResult:
    from chatops.sizing.optimize import optimize  # only --optimize needs the search (start-up budget)

    o = optimize(demand, builtins, request.pricing(demand), headroom, request.availability, request.storage_months)
    tightest = o.report.tightest
    total = _money(o.quote.total_monthly, o.complete)
    reason = (f"the cheapest profile holding {demand.dau:,} DAU with at least {headroom:g}x headroom in every "
              f"dimension under {o.availability.name} availability (tightest: {tightest.label}, "
              f"{tightest.headroom:.2f}x): {total} a month")
    if o.tier is not None:
        reason += (f"; the selected tier {o.tier.profile} costs {_money(o.tier.total_monthly, True)}"
                   + (f" (short of the {o.availability.name} policy: {', '.join(o.tier.policy_shortfalls)})"
                      if o.tier.policy_shortfalls else ""))
    return PlanResult("optimize", demand, headroom, o.profile, o.report, reason, _around(choice), optimum=o)


def _money(amount: Decimal, complete: bool) -> str:
    return f"{'' if complete else 'at least '}${amount:,.2f}"


def _checked(demand: DemandEstimate, choice: TierChoice, profile: Profile, headroom: float) -> PlanResult:
    candidate = evaluate(profile, demand, headroom)
    if candidate.holds:
        reason = (f"{profile.name} holds {demand.dau:,} DAU with at least {headroom:g}x headroom in every dimension "
                  f"(tightest: {candidate.report.tightest.label}, {candidate.report.tightest.headroom:.2f}x)")
    else:
        reason = f"{candidate.rejection(demand.dau, headroom)}"
    if choice.chosen is not None and choice.chosen.profile.name != profile.name:
        reason += f"; the selected tier for this demand would be {choice.chosen.profile.name}"
    return PlanResult("check", demand, headroom, profile, candidate.report, reason, _around(choice))


def _around(choice: TierChoice) -> tuple[Candidate, ...]:
    """The chosen tier's neighbours (one below, one above); the two largest tiers when none fits."""
    candidates = choice.candidates
    if choice.chosen is None:
        return candidates[-2:]
    i = candidates.index(choice.chosen)
    return tuple(candidates[j] for j in (i - 1, i + 1) if 0 <= j < len(candidates))


def _finite(value: float) -> Optional[float]:
    return None if math.isinf(value) else round(value, 2)  # ratios: 2 decimals (docs/json.md)


def demand_to_json(d: DemandEstimate) -> dict[str, Any]:
    data = {f.name: getattr(d, f.name) for f in fields(d) if f.name != "usage"}
    return {"dau": d.dau, **{k: round(v, 3) if isinstance(v, float) else v for k, v in data.items()},
            "peak_worker_jobs_per_second": round(d.peak_worker_jobs_per_second, 3)}


def dimension_to_json(d: Dimension) -> dict[str, Any]:
    return {"key": d.key, "label": d.label, "unit": d.unit, "demand": round(d.demand, 3),
            "capacity": round(d.capacity, 3), "headroom": _finite(d.headroom),
            "demand_at_max": round(d.demand_at_max, 3), "capacity_at_max": round(d.capacity_at_max, 3),
            "headroom_at_max": _finite(d.headroom_at_max)}


def neighbour_to_json(c: Candidate) -> dict[str, Any]:
    tightest = c.report.tightest
    return {"profile": c.profile.name, "design_dau": c.profile.design.dau, "ok": c.fits,
            "designed_for_dau": c.designed_for_dau, "holds": c.holds, "tightest": tightest.key,
            "tightest_headroom": _finite(tightest.headroom)}


def database_to_json(d: DemandEstimate, profile: Optional[Profile]) -> dict[str, Any]:
    """The working set behind `db_memory_gib`, and the storage runway of the profile (when there is one)."""
    ws = db.working_set(d)
    data: dict[str, Any] = {
        "working_set_gib": {"recent_heap": round(ws.recent_heap_gib, 3), "index_pages": round(ws.index_pages_gib, 3),
                            "metadata": round(ws.metadata_gib, 3), "total": round(ws.total_gib, 3)},
        "storage_growth_gb_per_month": round(d.storage_growth_gb_per_month, 3),
    }
    if profile is not None:
        runway = db.runway_months(profile.database.max_allocated_storage_gb, d)
        data.update(allocated_storage_gb=profile.database.allocated_storage_gb,
                    max_allocated_storage_gb=profile.database.max_allocated_storage_gb,
                    storage_runway_months=_finite(runway))
    return data


def _cents(amount: Optional[Decimal]) -> Optional[float]:
    return None if amount is None else float(round(amount, 2))


def optimum_to_json(o: "Optimum") -> dict[str, Any]:
    tier = o.tier
    return {
        "availability": o.availability.name,
        "availability_policy": o.availability.summary,
        "storage_months": o.storage_months,
        "priced_profiles": o.priced_profiles,
        "total_monthly": _cents(o.quote.total_monthly),
        "fixed_monthly": _cents(o.quote.fixed_monthly),
        "complete": o.complete,
        "missing_prices": list(o.quote.missing_prices),
        "from_tier": o.from_tier,
        "selected_tier": None if tier is None else {
            "profile": tier.profile, "total_monthly": _cents(tier.total_monthly),
            "meets_availability": not tier.policy_shortfalls, "shortfalls": list(tier.policy_shortfalls),
            "savings_monthly": _cents(tier.total_monthly - o.quote.total_monthly)},
        "choices": [{"component": c.component, "choice": c.label, "reason": c.reason,
                     "alternatives": [{"choice": a.label, "delta_monthly": _cents(a.delta_monthly),
                                       "holds": a.delta_monthly is not None, "reason": a.reason}
                                      for a in c.alternatives]} for c in o.choices],
    }
