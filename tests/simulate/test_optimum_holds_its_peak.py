"""The profile `plan --optimize` writes holds its design peak without scaling: run through the autoscaling
policies the program deploys (the simulator), an ordinary evening at the design DAU adds no task and
saturates nothing, so the monthly cost plan reports is what runs and the autoscaling range is left for
what the plan did not foresee."""

from __future__ import annotations

import pytest

from chatops.model.demand import UsageAssumptions
from chatops.model.loading import load_builtin_profiles
from chatops.simulate.run import Inputs, service_demand_of
from chatops.simulate.scenario import simulate
from chatops.sizing.demand import estimate_demand
from chatops.sizing.optimize import optimize
from chatops.sizing.pricing import CatalogPricing


@pytest.mark.parametrize("dau", [10_000, 100_000, 1_000_000])
@pytest.mark.parametrize("availability", ["standard", "high"])
def test_the_optimum_does_not_scale_out_at_its_design_peak(dau, availability):
    demand = estimate_demand(UsageAssumptions(dau=dau))
    profile = optimize(demand, load_builtin_profiles(), CatalogPricing("us-east-1", demand), 1.3,
                       availability).profile
    stack = simulate(profile, service_demand_of(Inputs(profile, demand, days=1, shape="evening")))
    for service, run in stack.runs.items():
        assert run.saturated_minutes == 0, service
        assert [e for e in run.events if e.to_count > e.from_count] == [], (service, run.events[:3])
