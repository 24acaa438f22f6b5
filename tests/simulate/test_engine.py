"""The engine's building blocks: CloudWatch M-of-N windows, step adjustments, billing time, load models."""

from __future__ import annotations

import pytest

from chatops.model import autoscaling
from chatops.model.loading import load_profile
from chatops.simulate.cloudwatch import alarm_states, episodes
from chatops.simulate.engine import _time_at_each_count, run_service, step_adjustment
from chatops.simulate.load import METRICS_AT, load_model
from chatops.simulate.recommend import set_field
from chatops.simulate.scenario import Timing, simulate_service, task_times
from chatops.sizing import capacity


def test_m_of_n_alarm_windows():
    values = [5, 0, 5, 5, 0, 0, 0, 5, 5, 5]
    # 3 of 5 above 4: ALARM once the window holds three breaching datapoints, OK when it no longer does.
    assert alarm_states(values, 4, "GreaterThanThreshold", 5, 3) == [
        False, False, False, True, True, False, False, False, False, True]
    assert alarm_states(values, 5, "GreaterThanThreshold", 1, 1) == [False] * 10  # 5 is not > 5
    assert alarm_states(values, 5, "GreaterThanOrEqualToThreshold", 2, 2)[2:4] == [False, True]
    assert episodes(alarm_states(values, 4, "GreaterThanThreshold", 5, 3)).count == 2


def test_missing_datapoints_breach_only_when_told_to():
    values = [None, None, 10]
    assert alarm_states(values, 5, "GreaterThanThreshold", 3, 3, "missing") == [False, False, False]
    assert alarm_states(values, 5, "GreaterThanThreshold", 3, 3, "breaching") == [False, False, True]


def test_step_adjustments_follow_the_programs_steps():
    steps = autoscaling.step_adjustments(100)
    assert step_adjustment(steps, -1) == 0            # below the threshold: no step (the alarm is OK anyway)
    assert step_adjustment(steps, 0) == 1             # [0, T): +1
    assert step_adjustment(steps, 99.9) == 1
    assert step_adjustment(steps, 100) == 2           # [T, inf): +2
    assert step_adjustment(steps, 10_000) == 2


def test_time_at_each_count_sweeps_the_billing_changes():
    # 2 tasks from 0; one more billed from 90 s; one leaves at 200 s (+30 s draining); end at 300 s.
    spent = _time_at_each_count([(0.0, 2), (90.0, 1), (230.0, -1)], 300.0)
    assert spent == {2: 90.0 + 70.0, 3: 140.0}
    # A task cancelled before its billing began costs nothing.
    assert _time_at_each_count([(0.0, 1), (80.0, 1), (80.0, -1)], 120.0) == {1: 120.0}


def test_task_times_come_from_the_profile_and_the_flags():
    profile = load_profile("50k-dau")
    api = task_times(profile, "api", Timing())
    check = profile.api.health_check
    assert api.health_check_seconds == check.healthy_threshold * check.interval_seconds
    assert api.deregistration_delay_seconds == profile.api.deregistration_delay_seconds
    assert api.start_seconds == 20 + 40 + check.healthy_threshold * check.interval_seconds
    workers = task_times(profile, "workers", Timing(health_check_seconds=500))
    assert (workers.health_check_seconds, workers.deregistration_delay_seconds) == (0.0, 0.0)  # no load balancer
    assert task_times(profile, "realtime", Timing(health_check_seconds=5)).health_check_seconds == 5


def test_load_models_use_the_sizing_capacities():
    profile = load_profile("50k-dau")
    assert load_model(profile, "api").per_task == capacity.api_task_capacity(profile.api.cpu_units)
    assert load_model(profile, "workers").per_task == capacity.worker_task_capacity(profile.workers.cpu_units)
    assert load_model(profile, "realtime").per_task == capacity.realtime_connections_per_task(profile)


def test_realtime_metrics_from_sockets():
    profile = load_profile("50k-dau")  # 1 vCPU / 2 GB tasks, 3,500 sockets each at most
    model = load_model(profile, "realtime")
    names = model.metric_names
    supply, short, saturated, *values = model.observe(4 * 2000, 4)
    metric = dict(zip(names, values))
    assert (supply, short, saturated) == (4 * 3500, 0.0, False)
    assert metric["connections_per_task"] == 2000
    assert metric["cpu_percent"] == pytest.approx(2000 / capacity.connections_by_cpu(1024) * 100)
    assert metric["memory_percent"] == pytest.approx(capacity.node_task_memory_mb(2000) / 2048 * 100)
    assert metric["event_loop_lag_ms"] == 0
    # Above the sockets a task accepts: saturated, the metric holds at the maximum.
    _, short, saturated, *values = model.observe(4 * 5000, 4)
    assert saturated and short == 4 * 1500 and dict(zip(names, values))["connections_per_task"] == 3500


def test_a_cpu_bound_realtime_task_lags_and_the_step_policy_scales_it():
    # dev's 0.25 vCPU task accepts 3,000 sockets but its event loop carries 2,500: beyond that it lags.
    profile = set_field(load_profile("dev"), "realtime.scale_on_connections", True)
    model = load_model(profile, "realtime")
    values = model.observe(3000, 1)
    lag = values[METRICS_AT + model.metric_names.index("event_loop_lag_ms")]
    assert values[2] and lag == pytest.approx((3000 / 2500 - 1) * 60_000)
    run = simulate_service(profile, "realtime", [3000.0] * 30, Timing())
    assert any(e.policy == "realtime-lag" for e in run.events)


def test_workers_queue_ages_and_drains():
    profile = load_profile("50k-dau")
    model = load_model(profile, "workers")
    per_task = model.per_task
    names = model.metric_names
    _, short, saturated, *values = model.observe(per_task * 3, 2)  # one task's worth too little
    metric = dict(zip(names, values))
    assert short == per_task and metric["visible_messages"] == per_task * 60
    assert metric["oldest_message_age_seconds"] == pytest.approx(per_task * 60 / (per_task * 3))
    assert metric["backlog_per_task"] == per_task * 30
    for _ in range(30):
        _, _, saturated, *values = model.observe(per_task * 3, 2)
    assert saturated  # older than observability.alarms.oldest_message_age_seconds
    ages = []
    for _ in range(4):  # ten tasks drain 31 minutes of one task's shortfall in about three minutes
        _, _, _, *values = model.observe(0.0, 10)
        ages.append(dict(zip(names, values))["oldest_message_age_seconds"])
    assert dict(zip(names, values))["visible_messages"] == 0 and ages[-1] == 0 and ages[0] > 0


def test_workers_without_container_insights_scale_out_on_the_backlog_and_in_on_cpu():
    # No per-task backlog metric: workers scale out on the total backlog (step) and in again on their CPU
    # target-tracking policy once the queue is gone.
    profile = set_field(load_profile("50k-dau"), "compute.container_insights", False)
    per_task = load_model(profile, "workers").per_task
    burst, quiet = [per_task * 6.0] * 30, [0.0] * 120
    run = simulate_service(profile, "workers", burst + quiet, Timing())
    outs = [e for e in run.events if e.to_count > e.from_count]
    ins = [e for e in run.events if e.to_count < e.from_count]
    assert "workers-backlog" in {e.policy for e in outs}
    assert ins and {e.policy for e in ins} == {"scale-in (all target-tracking policies low)"}
    assert ins[-1].to_count == profile.workers.autoscaling.min_count


def test_a_step_scale_in_policy_removes_one_task_per_cooldown():
    # Step scaling with a negative step (no program policy has one today): each scale-in follows its alarm's
    # 15 datapoints at or below the threshold, one task at a time, one cooldown apart.
    profile = load_profile("50k-dau")
    model = load_model(profile, "workers")
    per_task = model.per_task
    out = autoscaling.StepScaling("out", "workers", "visible_messages", 100, evaluation_periods=2,
                                  datapoints_to_alarm=2, steps=autoscaling.step_adjustments(100))
    policy = autoscaling.StepScaling("in", "workers", "visible_messages", 50, evaluation_periods=15,
                                     datapoints_to_alarm=15, steps=(autoscaling.StepAdjustment(None, 0.0, -1),),
                                     comparison="LessThanOrEqualToThreshold", treat_missing_data="missing",
                                     cooldown_seconds=autoscaling.SCALE_IN_COOLDOWN_SECONDS)
    target = autoscaling.ScalableTarget("workers", 2, 10)
    burst, quiet = [per_task * 6.0] * 30, [0.0] * 120
    run = run_service(model, burst + quiet, [out, policy], target, 2, task_times(profile, "workers", Timing()))
    outs = [e for e in run.events if e.to_count > e.from_count]
    ins = [e for e in run.events if e.to_count < e.from_count]
    assert outs and {e.policy for e in ins} == {"in"}
    assert all(e.from_count - e.to_count == 1 for e in ins)
    backlog = run.metrics["visible_messages"]
    for event in ins:  # each scale-in follows 15 datapoints at or below the threshold
        window = backlog[event.minute - 14:event.minute + 1]
        assert len(window) == 15 and all(v is not None and v <= policy.threshold for v in window)
    gaps = [b.minute - a.minute for a, b in zip(ins, ins[1:])]
    assert all(gap * 60 >= autoscaling.SCALE_IN_COOLDOWN_SECONDS for gap in gaps)
    assert ins[-1].to_count == target.min_capacity
