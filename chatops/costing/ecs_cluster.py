"""The ECS cluster: free itself, but Container Insights is billed as CloudWatch custom metrics and
performance log events, and the application publishes its own custom metrics (ActiveConnections,
event-loop lag) that the alarms and scaling policies read."""

from __future__ import annotations

from chatops.costing import container_insights, usage
from chatops.costing.components import Pricer, ResourceCost, resource
from chatops.costing.ecs_service import SERVICES
from chatops.model.profile import Profile

CLUSTER_TYPE = "aws:ecs/cluster:Cluster"


def price_cluster(pricer: Pricer, profile: Profile) -> ResourceCost:
    lines = [pricer.line("application custom metrics", "metric-months", usage.APP_CUSTOM_METRICS,
                         "cloudwatch.metric_month")]
    if profile.compute.container_insights:
        running = [s for s in SERVICES if getattr(profile, s).desired_count > 0]  # no running task: no metrics
        tasks = sum(getattr(profile, s).desired_count for s in SERVICES)
        metrics = container_insights.metric_count(services=len(running), task_families=len(running), tasks=tasks)
        lines.append(pricer.line(f"Container Insights metrics (cluster, {len(running)} services and task families)",
                                 "metric-months", metrics, "cloudwatch.metric_month"))
        lines.append(pricer.line("Container Insights performance logs", "GB", usage.CONTAINER_INSIGHTS_GB_PER_TASK * tasks,
                                 "logs.ingest_gb", usage_based=True))
    return resource("ecs cluster", CLUSTER_TYPE, 1, lines)
