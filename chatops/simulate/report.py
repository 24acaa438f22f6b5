"""`chatops simulate --json`: one object following docs/json.md (schema in docs/simulate.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Optional, Sequence

from chatops.costing.money import cents
from chatops.model.demand import DemandEstimate
from chatops.simulate.cost import FargateCost, total
from chatops.simulate.engine import ServiceRun
from chatops.simulate.recommend import Option, Recommendations
from chatops.simulate.scenario import FiredAlarm, StackRun
from chatops.simulate.traffic import Spike, clock

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class TrafficSource:
    """Where the per-minute traffic came from, for the report."""

    kind: str                      # "shape" | "csv"
    name: str                      # the shape's name or the CSV path
    spikes: tuple[Spike, ...] = ()
    filled_minutes: int = 0        # CSV minutes missing from the timestamps, repeated from the row before
    notes: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class SimulationReport:
    stack: StackRun
    demand: DemandEstimate
    traffic: TrafficSource
    region: str
    costs: dict[str, FargateCost]
    recommendations: Optional[Recommendations]

    @property
    def problems(self) -> list[str]:
        return [saturation_problem(run) for run in self.stack.runs.values() if run.saturated_minutes]

    def to_json(self, series: bool = True) -> dict[str, Any]:
        stack = self.stack
        data: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "profile": stack.profile.name,
            "currency": "USD",
            "region": self.region,
            "dau": self.demand.dau,
            "days": stack.minutes // 1440 if stack.minutes % 1440 == 0 else round(stack.minutes / 1440, 3),
            "minutes": stack.minutes,
            "ok": not self.problems,
            "problems": self.problems,
            "traffic": _traffic_json(self.traffic),
            "timing": {"provisioning_seconds": stack.timing.provisioning_seconds,
                       "image_pull_seconds": stack.timing.image_pull_seconds,
                       "scale_in_threshold": stack.timing.scale_in_threshold},
            "services": {s: _service_json(run, self.costs[s]) for s, run in stack.runs.items()},
            "fargate": fargate_json(self.costs),
            "alarms": [_alarm_json(a) for a in stack.alarms],
            "alarms_not_simulated": list(stack.not_simulated),
            "names": {"project": stack.names.project, "stack": stack.names.stack},
        }
        if self.recommendations is not None:
            data["recommendations"] = _recommendations_json(self.recommendations)
        if series:
            data["series"] = {s: _series_json(run) for s, run in stack.runs.items()}
        return data


def saturation_problem(run: ServiceRun) -> str:
    worst = run.worst_minute
    where = f" at {clock(worst)}" if worst is not None else ""
    return (f"{run.service} saturated {run.saturated_minutes} minute(s); worst shortfall "
            f"{run.worst_shortfall:,.0f} {run.unit}{where}")


def _money(value: Decimal) -> float:
    return float(cents(value))


def _traffic_json(t: TrafficSource) -> dict[str, Any]:
    return {"source": t.kind, "name": t.name, "filled_minutes": t.filled_minutes, "notes": list(t.notes),
            "spikes": [{"text": s.text, "factor": s.factor, "start_minute": s.start_minute,
                        "ramp_minutes": s.ramp_minutes, "hold_minutes": s.hold_minutes} for s in t.spikes]}


def _service_json(run: ServiceRun, cost: FargateCost) -> dict[str, Any]:
    target, times = run.target, run.times
    return {
        "unit": run.unit,
        "per_task_capacity": round(run.per_task, 3),
        "min_count": target.min_capacity,
        "max_count": target.max_capacity,
        "start_seconds": times.start_seconds,
        "health_check_seconds": times.health_check_seconds,
        "deregistration_delay_seconds": times.deregistration_delay_seconds,
        "peak_demand": round(max(run.demand, default=0.0), 3),
        "peak_tasks": run.peak_tasks,
        "task_hours": round(run.task_hours, 2),
        "saturated_minutes": run.saturated_minutes,
        "worst_shortfall": round(run.worst_shortfall, 3),
        "worst_minute": run.worst_minute,
        "scaling_events": [{"minute": e.minute, "from": e.from_count, "to": e.to_count, "policy": e.policy}
                           for e in run.events],
        "fargate": _cost_json(cost),
    }


def _cost_json(c: FargateCost) -> dict[str, Any]:
    return {"simulated_monthly": _money(c.simulated_monthly), "desired_monthly": _money(c.desired_monthly),
            "max_monthly": _money(c.max_monthly), "complete": c.complete, "missing_prices": list(c.missing_prices)}


def fargate_json(costs: dict[str, FargateCost]) -> dict[str, Any]:
    """Simulated, desired-count and autoscaling-maximum Fargate months of the three services together."""
    missing = sorted({key for c in costs.values() for key in c.missing_prices})
    return {"simulated_monthly": _money(total(costs, "simulated_monthly")),
            "desired_monthly": _money(total(costs, "desired_monthly")),
            "max_monthly": _money(total(costs, "max_monthly")), "complete": not missing, "missing_prices": missing}


def _alarm_json(a: FiredAlarm) -> dict[str, Any]:
    return {"name": a.name, "key": a.key, "kind": a.kind, "service": a.service, "policy": a.policy,
            "description": a.description,
            "first_minute": a.episodes.first_minute, "minutes_in_alarm": a.episodes.minutes,
            "episodes": a.episodes.count}


def _option_json(o: Option) -> dict[str, Any]:
    return {"knob": o.knob, "changes": [{"field": c.field, "from": c.old, "to": c.new} for c in o.changes],
            "saturated_minutes": o.saturated_minutes, "peak_tasks": o.peak_tasks, "task_hours": round(o.task_hours, 2),
            "simulated_monthly": _money(o.simulated_monthly), "delta_monthly": _money(o.delta_monthly)}


def _recommendations_json(r: Recommendations) -> dict[str, Any]:
    combined = r.combined
    return {
        "services": [{"service": a.service, "saturated_minutes": a.saturated_minutes,
                      "options": [_option_json(o) for o in a.options], "not_enough": list(a.not_enough)}
                     for a in r.advice],
        "verified": None if combined is None else {
            "saturated_minutes": {s: run.saturated_minutes for s, run in combined.runs.items()},
            "ok": not combined.saturated},
    }


def _series_json(run: ServiceRun) -> dict[str, Any]:
    return {"demand": _rounded(run.demand), "capacity": _rounded(run.capacity), "desired_tasks": run.desired,
            "serving_tasks": run.serving, "saturated": [int(s) for s in run.saturated],
            "metrics": {name: _rounded(values) for name, values in run.metrics.items()}}


def _rounded(values: Sequence[Optional[float]]) -> list[Optional[float]]:
    return [None if v is None else round(v, 3) for v in values]
