"""alarm_specs: the one list of alarms the program creates, costing prices and the runbook documents."""

from __future__ import annotations

import pytest

from chatops.model.alarms import AlarmSpec, alarm_specs, redis_groups, redis_members
from chatops.model.postgres import max_connections
from chatops.model.loading import BUILTIN_TIERS, load_profile
from chatops.model.naming import LIMITS, Names

# ECS 3 + RDS 6 (+1 replica lag) + Redis 3 per member + ALB 5 + SQS 4 + realtime 2
EXPECTED = {"dev": 23, "1k-dau": 23, "5k-dau": 23, "10k-dau": 26, "25k-dau": 26, "50k-dau": 26,
            "100k-dau": 3 + 7 + 3 * 6 + 5 + 4 + 2}


@pytest.mark.parametrize("tier", BUILTIN_TIERS)
def test_count_per_tier(tier):
    specs = alarm_specs(load_profile(tier))
    assert len(specs) == EXPECTED[tier]
    assert len(specs) >= 23  # at least the seed's alarms


@pytest.mark.parametrize("tier", BUILTIN_TIERS)
def test_every_spec_is_a_valid_cloudwatch_alarm(tier):
    specs = alarm_specs(load_profile(tier))
    assert len({s.key for s in specs}) == len(specs)
    for s in specs:
        assert (s.statistic is None) != (s.extended_statistic is None)
        assert s.period_seconds % 60 == 0
        assert 1 <= s.datapoints_to_alarm <= s.evaluation_periods
        assert s.description and s.runbook and s.threshold_display
        assert len(Names("a-long-project-name", "production-eu").of("alarm", s.key)) <= LIMITS["alarm"]


def test_redis_members_follow_split_groups():
    p = load_profile("100k-dau")
    assert redis_groups(p) == [("adapter", 3), ("state", 3)]
    assert redis_members(p)[:2] == [("adapter", 1), ("adapter", 2)]
    assert redis_groups(load_profile("10k-dau")) == [("redis", 2)]
    members = [s.member for s in alarm_specs(p) if s.dimension_kind == "redis_member"]
    assert sorted(set(members)) == list(range(6))


def test_units_are_converted_to_the_metric_unit():
    p = load_profile("100k-dau")
    by_key = {s.key: s for s in alarm_specs(p)}
    assert by_key["rds-read-latency-high"].threshold == pytest.approx(0.020)
    assert by_key["rds-free-storage-low"].threshold == 5 * 1024 ** 3
    assert by_key["rds-freeable-memory-low"].threshold == 256 * 1024 ** 2
    assert by_key["rds-connections-high"].threshold == max_connections("db.r6g.xlarge") * 80 // 100
    lag = by_key["realtime-event-loop-lag-high"]
    assert lag.extended_statistic == "p95" and lag.statistic is None
    assert lag.namespace == p.observability.metrics_namespace
    assert by_key["realtime-connections-near-capacity"].threshold == 4000 * 85 // 100


def test_replica_lag_only_with_replica():
    assert "rds-replica-lag-high" not in {s.key for s in alarm_specs(load_profile("50k-dau"))}
    assert "rds-replica-lag-high" in {s.key for s in alarm_specs(load_profile("100k-dau"))}


def test_max_connections_grows_with_memory_and_is_bounded():
    assert 70 < max_connections("db.t3.micro") < 110  # RDS's default for 1 GiB is in this range
    assert max_connections("db.t3.micro") < max_connections("db.r6g.large") < max_connections("db.r6g.xlarge")
    assert max_connections("db.r6g.16xlarge") == 5000


def test_invalid_specs_are_rejected():
    base = dict(key="k", description="d", namespace="AWS/RDS", metric_name="CPUUtilization",
                evaluation_periods=3, datapoints_to_alarm=3, threshold=1.0,
                comparison="GreaterThanThreshold", dimension_kind="rds_instance", runbook="r")
    with pytest.raises(ValueError):
        AlarmSpec(period_seconds=60, statistic="Average", extended_statistic="p95", **base)
    with pytest.raises(ValueError):
        AlarmSpec(period_seconds=90, statistic="Average", **base)
    with pytest.raises(ValueError):
        AlarmSpec(period_seconds=60, statistic="Average", **{**base, "datapoints_to_alarm": 4})


def test_custom_metric_names_match_infra_constants():
    metrics = pytest.importorskip("chatops.infra.metrics")
    from chatops.model import alarms

    for name in ("ACTIVE_CONNECTIONS_METRIC", "EVENT_LOOP_LAG_METRIC", "STACK_DIMENSION"):
        if hasattr(metrics, name):
            assert getattr(metrics, name) == getattr(alarms, name)
