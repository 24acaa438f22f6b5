"""The custom metrics Container Insights (the classic mode the cluster enables: containerInsights=enabled)
publishes for an ECS cluster, each billed as a CloudWatch custom metric (name + dimension set) a month.

The table is AWS's: "Amazon ECS Container Insights metrics", Amazon CloudWatch User Guide
(github.com/awsdocs/amazon-cloudwatch-user-guide doc_source/Container-Insights-metrics-ECS.md @b3554970):
every metric in the ECS/ContainerInsights namespace with the dimension sets it is published under. The
instance-level metrics of the second table need the CloudWatch agent on EC2 container instances, which
a Fargate cluster does not run: they are not counted. Classic Container Insights publishes no per-task
metrics (a task's figures go to the performance log events, priced as log ingestion); per-task
dimensions (TaskId) belong to the enhanced observability mode, which chatops does not enable.

Dimension sets: CLUSTER = {ClusterName}; SERVICE = {ServiceName, ClusterName}; FAMILY =
{TaskDefinitionFamily, ClusterName} (each chatops service has its own task definition family).
"""

from __future__ import annotations

CLUSTER, SERVICE, FAMILY = "ClusterName", "ServiceName,ClusterName", "TaskDefinitionFamily,ClusterName"

#: Metric name -> the dimension sets AWS publishes it under (the table cited above).
METRICS: dict[str, tuple[str, ...]] = {
    "ContainerInstanceCount": (CLUSTER,),
    "CpuUtilized": (FAMILY, SERVICE, CLUSTER),
    "CpuReserved": (FAMILY, SERVICE, CLUSTER),
    "DeploymentCount": (SERVICE,),
    "DesiredTaskCount": (SERVICE,),
    "EphemeralStorageReserved": (FAMILY, SERVICE, CLUSTER),  # Fargate platform 1.4.0+ (chatops' tasks)
    "EphemeralStorageUtilized": (FAMILY, SERVICE, CLUSTER),
    "MemoryUtilized": (FAMILY, SERVICE, CLUSTER),
    "MemoryReserved": (FAMILY, SERVICE, CLUSTER),
    "NetworkRxBytes": (FAMILY, SERVICE, CLUSTER),  # awsvpc network mode (Fargate)
    "NetworkTxBytes": (FAMILY, SERVICE, CLUSTER),
    "PendingTaskCount": (SERVICE,),
    "RunningTaskCount": (SERVICE,),
    "ServiceCount": (CLUSTER,),
    "StorageReadBytes": (FAMILY, SERVICE, CLUSTER),
    "StorageWriteBytes": (FAMILY, SERVICE, CLUSTER),
    "TaskCount": (CLUSTER,),
    "TaskSetCount": (SERVICE,),
}

#: Metrics published per task: none in classic mode (see the module docstring).
PER_TASK = 0


def metrics_per(dimension_set: str) -> int:
    """How many metrics one cluster, one service or one task definition family adds."""
    return sum(1 for sets in METRICS.values() if dimension_set in sets)


def metric_count(services: int, task_families: int, tasks: int) -> int:
    """Custom metrics a month for one cluster with these services, task definition families and tasks.
    ContainerInstanceCount is counted: the table lists it for every cluster, and a metric AWS may
    publish as 0 on Fargate is still a metric it may bill."""
    return (metrics_per(CLUSTER) + metrics_per(SERVICE) * services + metrics_per(FAMILY) * task_families
            + PER_TASK * tasks)
