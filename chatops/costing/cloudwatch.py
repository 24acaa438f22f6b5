"""CloudWatch alarms (standard resolution, one alarm metric each) and the dashboard.

The alarm count is the length of chatops.model.alarms.alarm_specs(profile): the same list the inline
program turns into MetricAlarm resources. Until that module exists, `fallback_alarm_count` counts the
alarms issue 5 lists.
"""

from __future__ import annotations

from chatops.costing.components import Pricer, ResourceCost, resource
from chatops.costing.elasticache import cache_groups
from chatops.model.profile import Profile

ALARM_TYPE = "aws:cloudwatch/metricAlarm:MetricAlarm"
DASHBOARD_TYPE = "aws:cloudwatch/dashboard:Dashboard"


def alarm_count(profile: Profile) -> int:
    try:
        from chatops.model.alarms import alarm_specs  # written by the infra work; pure
    except ImportError:
        return fallback_alarm_count(profile)
    return len(alarm_specs(profile))


def fallback_alarm_count(profile: Profile) -> int:
    """ECS CPU x3; RDS CPU, connections, memory, latency, storage (+ replica lag); Redis memory, CPU,
    connections per group; ALB 5xx and unhealthy hosts; DLQ depth x2; oldest message x2; realtime
    connections and event-loop lag."""
    replica = 1 if profile.database.read_replica.enabled else 0
    return 3 + 5 + replica + 3 * len(cache_groups(profile)) + 2 + 2 + 2 + 2


def price_alarms(pricer: Pricer, profile: Profile) -> ResourceCost:
    count = alarm_count(profile)
    return resource("cloudwatch alarms", ALARM_TYPE, count, [
        pricer.line("standard-resolution alarms", "alarm-months", count, "cloudwatch.alarm_month"),
    ])


def price_dashboard(pricer: Pricer) -> ResourceCost:
    return resource("cloudwatch dashboard", DASHBOARD_TYPE, 1, [
        pricer.line("dashboard", "dashboard-months", 1, "cloudwatch.dashboard_month"),
    ])
