"""From a command's inputs to a SimulationReport: traffic, simulation, costs, recommendations.

Shared by `chatops simulate` and `chatops cost-report --simulate`; the caller reads files and the price
catalog, everything here is pure.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

from chatops.costing.catalog import PriceCatalog
from chatops.costing.components import Pricer
from chatops.model.demand import DemandEstimate
from chatops.model.naming import Names
from chatops.model.profile import Profile
from chatops.simulate import demand as service_demand
from chatops.simulate.cost import fargate_costs
from chatops.simulate.recommend import recommend
from chatops.simulate.report import SimulationReport, TrafficSource
from chatops.simulate.scenario import Timing, simulate
from chatops.simulate.traffic import (MINUTES_PER_DAY, MeasuredTraffic, Spike, clock, shape_multipliers,
                                      spike_multipliers)


@dataclass(frozen=True)
class Inputs:
    profile: Profile
    demand: DemandEstimate
    days: int
    shape: str = "evening"                      # used when `measured` is None
    measured: Optional[MeasuredTraffic] = None
    measured_name: str = ""
    spikes: tuple[Spike, ...] = ()
    timing: Timing = Timing()
    names: Optional[Names] = None
    recommend: bool = True


def service_demand_of(inputs: Inputs) -> service_demand.ServiceDemand:
    minutes = inputs.days * MINUTES_PER_DAY
    if inputs.measured is not None:
        base = service_demand.measured(inputs.demand, inputs.measured, minutes)
    else:
        base = service_demand.shaped(inputs.demand, shape_multipliers(inputs.shape, inputs.demand.usage.peak_factor,
                                                                      inputs.days))
    return base.scaled(spike_multipliers(inputs.spikes, minutes)) if inputs.spikes else base


def run(inputs: Inputs, catalog: PriceCatalog, region: str,
        progress: Callable[[str], None] = lambda message: None) -> SimulationReport:
    demand = service_demand_of(inputs)
    stack = simulate(inputs.profile, demand, inputs.timing, inputs.names)
    costs = fargate_costs(inputs.profile, stack.runs, catalog)
    advice = recommend(stack, demand, Pricer(catalog), progress) if inputs.recommend and stack.saturated else None
    return SimulationReport(stack, inputs.demand, _source(inputs), region, costs, advice)


def _source(inputs: Inputs) -> TrafficSource:
    minutes = inputs.days * MINUTES_PER_DAY
    notes = tuple(f"spike {s.text} starts at {clock(s.start_minute)}, after the {inputs.days} simulated day(s)"
                  for s in inputs.spikes if s.start_minute >= minutes)
    if inputs.measured is not None:
        return TrafficSource("csv", inputs.measured_name, inputs.spikes, inputs.measured.filled_minutes, notes)
    return TrafficSource("shape", inputs.shape, inputs.spikes, 0, notes)
