"""Observability under the mock engine: one valid alarm per spec, actions, dimensions, dashboard JSON."""

from __future__ import annotations

import json

import pulumi
import pytest

from chatops.model.alarms import alarm_specs
from chatops.model.loading import BUILTIN_TIERS, builtin_templates_dir, load_profile
from chatops.model.naming import LIMITS, Names
from chatops.model.settings import DeploymentSettings
from tests.support.infra_data_harness import synth

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
NAMES = Names("chat", "test", "us-east-1")


def observed_for(profile, members=None):
    from chatops.infra.observability import ObservedResources
    from chatops.model.alarms import redis_members

    members = members or [f"chat-test-{g}-{n:03d}" for g, n in redis_members(profile)]
    return ObservedResources(
        cluster_name="chat-test-cluster",
        service_names={s: pulumi.Output.from_input(f"chat-test-{s}") for s in ("api", "realtime", "workers")},
        alb_arn_suffix="app/chat-test-alb/0123456789abcdef",
        target_group_arn_suffixes={s: f"targetgroup/chat-test-{s}/abcdef0123456789" for s in ("api", "realtime")},
        db_instance_id="chat-test-db",
        db_replica_instance_id="chat-test-db-replica" if profile.database.read_replica.enabled else None,
        redis_member_cluster_ids=pulumi.Output.from_input(members),
        queue_names={q: f"chat-test-{q.replace('_', '-')}" for q in ("push", "offline", "push_dlq", "offline_dlq")},
        log_group_names={s: NAMES.log_group(s) for s in ("api", "realtime", "workers")},
    )


def build(tier: str, alert_email: str | None = "ops@example.com"):
    from chatops.infra.observability import Observability

    profile = load_profile(tier)
    settings = DeploymentSettings.placeholder(project="chat", stack="test").model_copy(
        update={"alert_email": alert_email})
    template = (builtin_templates_dir() / "dashboard.json.j2").read_text()
    return synth(lambda: Observability("observability", profile=profile, settings=settings, names=NAMES,
                                       observed=observed_for(profile), dashboard_template=template).dashboard_name)


@pytest.fixture(scope="module")
def graphs():
    return {tier: build(tier) for tier in BUILTIN_TIERS}


@pytest.mark.parametrize("tier", BUILTIN_TIERS)
def test_one_alarm_per_spec(graphs, tier):
    alarms = graphs[tier].of_type(ALARM)
    specs = alarm_specs(load_profile(tier))
    assert len(alarms) == len(specs) >= 23
    assert {a.plain("name") for a in alarms} == {NAMES.of("alarm", s.key) for s in specs}


@pytest.mark.parametrize("tier", BUILTIN_TIERS)
def test_every_alarm_is_valid_and_notifies_the_topic(graphs, tier):
    g = graphs[tier]
    topic_arn = next(iter(g.of_type("aws:sns/topic:Topic"))).name
    for a in g.of_type(ALARM):
        i = unwrap_all(a)
        assert ("statistic" in i) != ("extendedStatistic" in i), a.name
        assert i["period"] % 60 == 0 and i["period"] >= 60
        assert 1 <= i["datapointsToAlarm"] <= i["evaluationPeriods"]
        assert i["treatMissingData"] in {"missing", "ignore", "breaching", "notBreaching"}
        assert i["comparisonOperator"].endswith("Threshold")
        assert i["alarmActions"] and i["okActions"] and i["alarmActions"] == i["okActions"]
        assert topic_arn in i["alarmActions"][0]
        assert i["dimensions"] and all(isinstance(v, str) and v for v in i["dimensions"].values())
        assert len(i["name"]) <= LIMITS["alarm"]


def unwrap_all(resource):
    return {k: resource.plain(k) for k in resource.inputs if resource.plain(k) is not None}


def test_dimensions_point_at_the_observed_resources(graphs):
    p = load_profile("100k-dau")
    alarms = {a.name: a.plain("dimensions") for a in graphs["100k-dau"].of_type(ALARM)}
    assert alarms["api-cpu-high"] == {"ClusterName": "chat-test-cluster", "ServiceName": "chat-test-api"}
    assert alarms["rds-replica-lag-high"] == {"DBInstanceIdentifier": "chat-test-db-replica"}
    assert alarms["state-3-memory-high"] == {"CacheClusterId": "chat-test-state-003", "CacheNodeId": "0001"}
    assert alarms["realtime-target-5xx-high"]["TargetGroup"].startswith("targetgroup/chat-test-realtime")
    assert alarms["push-dlq-not-empty"] == {"QueueName": "chat-test-push-dlq"}
    assert alarms["offline-oldest-message-old"] == {"QueueName": "chat-test-offline"}
    assert alarms["realtime-event-loop-lag-high"] == {"Stack": NAMES.prefix}
    custom = [a for a in graphs["100k-dau"].of_type(ALARM) if a.plain("namespace") == p.observability.metrics_namespace]
    assert {a.plain("metricName") for a in custom} == {"ActiveConnections", "EventLoopLagMs"}
    lag = next(a for a in custom if a.plain("metricName") == "EventLoopLagMs")
    assert lag.plain("extendedStatistic") == "p95" and lag.plain("statistic") is None


@pytest.mark.parametrize("tier", BUILTIN_TIERS)
def test_dashboard_body_is_valid_cloudwatch_json(graphs, tier):
    g = graphs[tier]
    dashboard = g.one("aws:cloudwatch/dashboard:Dashboard")
    assert len(dashboard.plain("dashboardName")) <= LIMITS["dashboard"]
    body = json.loads(dashboard.plain("dashboardBody"))
    widgets = body["widgets"]
    assert {w["type"] for w in widgets} == {"text", "alarm", "metric", "log"}
    for w in widgets:
        assert 1 <= w["width"] <= 24 and w["height"] >= 1
        if w["type"] == "metric":
            props = w["properties"]
            assert props["region"] == "us-east-1" and props["period"] % 60 == 0
            assert props["metrics"], props["title"]
            for row in props["metrics"]:
                # namespace, metric name, then dimension name/value pairs, then an optional options dict
                plain = row[:-1] if isinstance(row[-1], dict) else row
                assert len(plain) % 2 == 0 and all(isinstance(x, str) and x for x in plain)
    alarm_widget = next(w for w in widgets if w["type"] == "alarm")
    assert len(alarm_widget["properties"]["alarms"]) == min(100, len(alarm_specs(load_profile(tier))))
    text = json.dumps(body)
    assert "chat-test-db" in text and "ActiveConnections" in text
    assert ("chat-test-db-replica" in text) is load_profile(tier).database.read_replica.enabled
    log = next(w for w in widgets if w["type"] == "log")
    assert log["properties"]["query"].startswith(f"SOURCE '{NAMES.log_group('api')}'")


def test_email_subscription_only_with_an_address(graphs):
    sub = graphs["dev"].one("aws:sns/topicSubscription:TopicSubscription")
    assert sub.plain("protocol") == "email" and sub.plain("endpoint") == "ops@example.com"
    assert build("dev", alert_email=None).of_type("aws:sns/topicSubscription:TopicSubscription") == []


def test_a_broken_template_fails_before_aws():
    from chatops.infra.observability import render_dashboard

    with pytest.raises(ValueError, match="valid JSON"):
        render_dashboard('{"widgets": [}', {})
