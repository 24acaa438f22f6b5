"""`chatops plan` as one pure function: usage in, a plan out (demand, profile, headroom, reason).

The JSON shape of a plan (PlanResult.to_json) is a contract documented in docs/sizing.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import Any, Literal, Optional, Sequence

from chatops.model.demand import DemandEstimate, UsageAssumptions
from chatops.model.profile import Profile
from chatops.model.records import record_to_data
from chatops.sizing.capacity import CapacityReport, Dimension, profile_capacity
from chatops.sizing.demand import estimate_demand
from chatops.sizing.selection import DEFAULT_HEADROOM, Candidate, TierChoice, evaluate, select_tier

Mode = Literal["tier", "custom", "check"]


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
        if self.profile is None:
            return None
        return "custom" if self.mode == "custom" else self.profile.name

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
        }
        if self.cost is not None:
            data["cost"] = self.cost
        return data


def plan(usage: UsageAssumptions, builtins: Sequence[Profile], headroom: float = DEFAULT_HEADROOM,
         custom: bool = False, check: Optional[Profile] = None) -> PlanResult:
    """Select a tier (default), right-size a custom profile (`custom`), or check one profile (`check`)."""
    demand = estimate_demand(usage)
    choice = select_tier(demand, builtins, headroom)
    if check is not None:
        return _checked(demand, choice, check, headroom)
    if custom:
        from chatops.sizing.rightsize import right_size  # only --custom needs it (start-up budget)

        profile = right_size(demand, builtins, headroom)
        report = profile_capacity(profile, demand)
        reason = (f"custom profile right-sized for {demand.dau:,} DAU with at least {headroom:g}x headroom in every "
                  f"dimension (tightest: {report.tightest.label}, {report.tightest.headroom:.2f}x)")
        return PlanResult("custom", demand, headroom, profile, report, reason, _around(choice))
    chosen = choice.chosen
    report = chosen.report if chosen else choice.candidates[-1].report
    return PlanResult("tier", demand, headroom, chosen.profile if chosen else None, report, choice.reason,
                      _around(choice))


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
