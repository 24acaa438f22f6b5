"""The autoscaling policies a profile gets, by name: what the program creates and costing prices.

chatops/infra/services.py builds these policies; tests/costing/test_consistency.py checks that the
synthesized graph has exactly these (and their alarms), so the cost estimate counts what deploys.
"""

from __future__ import annotations

from chatops.model.profile import Profile


def target_tracking_policies(profile: Profile) -> list[str]:
    """Target-tracking policies. AWS creates and bills two alarms (high and low) for each."""
    policies = ["api-cpu", "api-memory", "realtime-cpu", "realtime-memory", "api-requests"]
    if profile.realtime.scale_on_connections:
        policies.append("realtime-connections")
    if profile.compute.container_insights:
        # Backlog per running task needs Container Insights' RunningTaskCount.
        policies.append("workers-backlog")
    return policies


def step_scaling_policies(profile: Profile) -> list[str]:
    """Step-scaling policies; each has one CloudWatch alarm of ours that triggers it."""
    policies = []
    if profile.realtime.scale_on_connections:
        policies.append("realtime-lag")  # event-loop lag p95
    if not profile.compute.container_insights:
        policies.append("workers-backlog")  # total backlog, without a running-task metric
    policies.append("workers-age")  # oldest message age of both queues
    return policies


#: Alarms AWS creates for each target-tracking policy (AlarmHigh and AlarmLow).
ALARMS_PER_TARGET_TRACKING_POLICY = 2
