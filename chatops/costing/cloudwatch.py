"""CloudWatch alarms (standard resolution, one alarm metric each) and the dashboard.

Alarm counts come from the same pure lists the inline program builds from (model/alarms.py,
model/autoscaling.py); tests/costing/test_consistency.py checks them against the synthesized graph.
"""

from __future__ import annotations

from chatops.costing.components import Pricer, ResourceCost, resource
from chatops.model.alarms import alarm_specs
from chatops.model.autoscaling import (ALARMS_PER_TARGET_TRACKING_POLICY, step_scaling_policies,
                                       target_tracking_policies)
from chatops.model.profile import Profile

ALARM_TYPE = "aws:cloudwatch/metricAlarm:MetricAlarm"
DASHBOARD_TYPE = "aws:cloudwatch/dashboard:Dashboard"


def alarm_count(profile: Profile) -> int:
    """Our alarms: the monitoring alarms plus one per step-scaling policy (the program creates both)."""
    return len(alarm_specs(profile)) + len(step_scaling_policies(profile))


def managed_alarm_count(profile: Profile) -> int:
    """Alarms AWS creates for target-tracking policies; not in the program's graph, but billed."""
    return len(target_tracking_policies(profile)) * ALARMS_PER_TARGET_TRACKING_POLICY


def price_alarms(pricer: Pricer, profile: Profile) -> ResourceCost:
    count, managed = alarm_count(profile), managed_alarm_count(profile)
    return resource("cloudwatch alarms", ALARM_TYPE, count, [
        pricer.line("standard-resolution alarms", "alarm-months", count, "cloudwatch.alarm_month"),
        pricer.line("target-tracking alarms (created by AWS)", "alarm-months", managed, "cloudwatch.alarm_month"),
    ])


def price_dashboard(pricer: Pricer) -> ResourceCost:
    return resource("cloudwatch dashboard", DASHBOARD_TYPE, 1, [
        pricer.line("dashboard", "dashboard-months", 1, "cloudwatch.dashboard_month"),
    ])
