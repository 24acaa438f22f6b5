"""Scenarios with known answers, worked out from the Application Auto Scaling rules the engine implements
(docs/simulate.md): flat load, ramps slower and faster than the scaling speed, a one-minute 5x spike,
scale-in and the deregistration delay, scaling from zero, and the limit of the max-count property."""

from __future__ import annotations

import math

import pytest

from chatops.costing.catalog import load_catalog
from chatops.costing.estimate import estimate_cost
from chatops.model import autoscaling
from chatops.model.loading import BUILTIN_TIERS, load_profile
from chatops.simulate.cost import fargate_costs
from chatops.simulate.demand import ServiceDemand
from chatops.simulate.engine import HIGH_EVALUATION_PERIODS, LOW_EVALUATION_PERIODS
from chatops.simulate.load import METRICS_AT, load_model
from chatops.simulate.recommend import set_field
from chatops.simulate.scenario import Timing, simulate, simulate_service, task_times

SERVICES = ("api", "realtime", "workers")


@pytest.fixture(autouse=True)
def _bundled_prices(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "empty-cache"))


def steady_load(profile, service: str, share: float = 0.95) -> float:
    """Per-task demand that holds the service at its desired count: no target-tracking metric above its
    target and the highest at `share` of its own (so never below AlarmLow's threshold either)."""
    model = load_model(profile, service)
    tracking = [p for p in autoscaling.scaling_policies(profile)
                if p.service == service and isinstance(p, autoscaling.TargetTracking)]

    def worst(per_task: float) -> float:
        values = load_model(profile, service).observe(per_task * 2, 2)  # a fresh model: no queue state
        return max(values[METRICS_AT + model.metric_names.index(p.metric)] / p.target_value for p in tracking)

    low, high = 0.0, model.per_task
    for _ in range(60):
        middle = (low + high) / 2
        low, high = (middle, high) if worst(middle) <= share else (low, middle)
    return low


@pytest.mark.parametrize("tier", BUILTIN_TIERS)
def test_flat_load_at_desired_counts_costs_exactly_cost_reports_fixed_fargate_figure(tier):
    profile = load_profile(tier)
    days = 2
    minutes = days * 1440
    demand = ServiceDemand(*([steady_load(profile, s) * getattr(profile, s).desired_count] * minutes
                             for s in SERVICES))
    stack = simulate(profile, demand)
    for service, run in stack.runs.items():
        desired = getattr(profile, service).desired_count
        assert run.events == [] and run.saturated_minutes == 0, service
        assert set(run.desired) == {desired}
        assert run.task_hours == pytest.approx(desired * 24 * days)
    costs = fargate_costs(profile, stack.runs, load_catalog("us-east-1"))
    reported = {r.name.removesuffix(" service"): r.monthly_cost for r in estimate_cost(profile).resources
                if r.resource_type == "aws:ecs/service:Service"}
    assert {s: c.simulated_monthly for s, c in costs.items()} == reported  # Decimal equality, to the last digit
    assert all(c.desired_monthly == reported[s] for s, c in costs.items())


def _api_profile(requests_per_target: int = 4200, max_count: int = 60):
    """50k-dau's api with a request target near its task capacity (70 of 100 req/s), so load tracks it."""
    profile = set_field(load_profile("50k-dau"), "api.requests_per_target", requests_per_target)
    return set_field(profile, "api.autoscaling.max_count", max_count)


def _reaction_minutes(profile, timing: Timing) -> int:
    """Minutes from the first breaching datapoint until new tasks serve: the AlarmHigh window, then the
    task start."""
    return HIGH_EVALUATION_PERIODS + math.ceil(task_times(profile, "api", timing).start_seconds / 60)


def test_a_ramp_slower_than_the_scaling_speed_never_saturates_and_a_faster_one_does():
    profile, timing = _api_profile(), Timing()
    per_task = steady_load(profile, "api")
    headroom = load_model(profile, "api").per_task / (profile.api.requests_per_target / 60)  # capacity / target
    reaction = _reaction_minutes(profile, timing)
    # Slow: load grows by less than the headroom over any reaction time (plus one minute of decision).
    slow_growth = (0.8 * headroom) ** (1 / (reaction + 1))
    start = per_task * profile.api.desired_count
    slow = [start * min(slow_growth ** i, 12.0) for i in range(600)]
    assert simulate_service(profile, "api", slow, timing).saturated_minutes == 0
    # Fast: the same growth squeezed into a few minutes outruns the tasks still starting.
    fast = [start * min((slow_growth ** 6) ** i, 12.0) for i in range(600)]
    assert simulate_service(profile, "api", fast, timing).saturated_minutes > 0


@pytest.mark.parametrize("image_pull_seconds", [0.0, 40.0, 160.0, 400.0])
def test_a_five_fold_spike_within_one_minute_saturates_for_the_task_start_time(image_pull_seconds):
    profile, timing = _api_profile(), Timing(image_pull_seconds=image_pull_seconds)
    base = steady_load(profile, "api") * profile.api.desired_count
    demand = [base] * 60 + [5 * base] * 120 + [base] * 60
    run = simulate_service(profile, "api", demand, timing)
    start_minutes = math.ceil(task_times(profile, "api", timing).start_seconds / 60)
    # Saturated from the spike's first minute until the tasks ordered after 3 breaching minutes serve.
    assert [i for i, s in enumerate(run.saturated) if s] == list(range(60, 60 + HIGH_EVALUATION_PERIODS + start_minutes))
    assert run.events[0].minute == 60 + HIGH_EVALUATION_PERIODS - 1 and run.events[0].policy == "api-requests"


def test_realtime_spike_saturates_at_least_the_start_time_and_fires_the_programs_alarms():
    profile = load_profile("50k-dau")
    timing = Timing()
    per_task = steady_load(profile, "realtime")
    flat = [per_task * 4] * 60 + [per_task * 4 * 5] * 60 + [per_task * 4] * 60
    demand = ServiceDemand([0.0] * 180, flat, [0.0] * 180)
    stack = simulate(profile, demand, timing)
    run = stack.runs["realtime"]
    start = math.ceil(task_times(profile, "realtime", timing).start_seconds / 60)
    assert run.saturated_minutes >= HIGH_EVALUATION_PERIODS + start
    assert run.saturated[60] and not any(run.saturated[:60])
    fired = {a.name for a in stack.alarms}
    # Names exactly as the program creates them (Names("chat", "prod").of("alarm", key)).
    assert "chat-prod-realtime-connections-near-capacity" in fired
    assert "TargetTracking-service/chat-prod-cluster/chat-prod-realtime-AlarmHigh-*" in fired


def test_scale_in_waits_for_the_quiet_window_and_is_billed_through_the_deregistration_delay():
    timing = Timing()
    base = _api_profile()
    busy = steady_load(base, "api") * 10
    demand = [busy] * 120 + [0.0] * 120  # two hours to settle, then quiet
    runs = {}
    for delay in (30, 300):
        profile = set_field(base, "api.deregistration_delay_seconds", delay)
        runs[delay] = simulate_service(profile, "api", demand, timing)
    short, long_ = runs[30], runs[300]
    assert short.desired == long_.desired and short.serving == long_.serving  # the delay changes only billing
    scale_in = [e for e in short.events if e.to_count < e.from_count and e.minute >= 120]
    assert [e.minute for e in scale_in] == [120 + LOW_EVALUATION_PERIODS - 1]  # 15 quiet minutes, then scale in
    assert scale_in[0].to_count == base.api.autoscaling.min_count
    removed = sum(e.from_count - e.to_count for e in short.events if e.to_count < e.from_count)
    assert long_.task_hours - short.task_hours == pytest.approx(removed * (300 - 30) / 3600)


def test_a_service_at_zero_tasks_cannot_scale_on_per_task_metrics_but_workers_can():
    # "A target tracking scaling policy does not perform scaling when the specified metric has insufficient
    # data" (ECS Developer Guide): with no api task, CPU and RequestCountPerTarget have no datapoints.
    profile = load_profile("50k-dau")
    for service in ("api", "workers"):
        profile = set_field(profile, f"{service}.autoscaling.min_count", 0)
        profile = set_field(profile, f"{service}.desired_count", 0)
    api = simulate_service(profile, "api", [50.0] * 60, Timing())
    assert api.events == [] and api.saturated_minutes == 60
    # The workers' metric math divides by IF(tasks < 1, 1, tasks): the backlog alone scales them from zero.
    workers = simulate_service(profile, "workers", [50.0] * 60, Timing())
    assert workers.events and workers.events[0].from_count == 0 and workers.saturated_minutes == 0


def test_a_higher_maximum_can_saturate_more_after_a_scale_in():
    """Why test_properties checks the max-count property only up to the first scale-in: after a drop and a
    steep recovery, the run with more tasks reaches AlarmLow a minute earlier, scales in at a lower point
    of the ramp, and the next rise saturates it for longer."""
    profile = load_profile("50k-dau")
    demand = ([105_000 - 4_166.67 * i for i in range(18)] + [0.0] + [6_666.67 * i for i in range(1, 8)]
              + [53_333.3] * 214)
    timing = Timing(provisioning_seconds=0.0, image_pull_seconds=0.0)
    low = simulate_service(profile, "realtime", demand, timing)
    high = simulate_service(set_field(profile, "realtime.autoscaling.max_count", 31), "realtime", demand, timing)
    first_in = {name: next(e for e in run.events if e.to_count < e.from_count) for name, run in
                (("low", low), ("high", high))}
    assert first_in["high"].minute < first_in["low"].minute and first_in["high"].to_count < first_in["low"].to_count
    assert high.saturated_minutes > low.saturated_minutes
