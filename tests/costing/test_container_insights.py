"""Container Insights: the metrics AWS's table says it publishes per cluster, service and task, priced."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from chatops.costing import container_insights as ci
from chatops.costing.estimate import estimate_cost
from chatops.model.loading import load_profile
from chatops.model.records import record_to_data, validate_record


@pytest.fixture(autouse=True)
def _no_user_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "empty-cache"))


RESOURCE_METRICS = {"CpuUtilized", "CpuReserved", "MemoryUtilized", "MemoryReserved", "NetworkRxBytes", "NetworkTxBytes",
                    "StorageReadBytes", "StorageWriteBytes", "EphemeralStorageReserved", "EphemeralStorageUtilized"}


def test_the_published_table_per_dimension_set():
    by_set = {dims: {m for m, sets in ci.METRICS.items() if dims in sets} for dims in (ci.CLUSTER, ci.SERVICE, ci.FAMILY)}
    assert by_set[ci.CLUSTER] == RESOURCE_METRICS | {"ContainerInstanceCount", "ServiceCount", "TaskCount"}
    assert by_set[ci.SERVICE] == RESOURCE_METRICS | {"DeploymentCount", "DesiredTaskCount", "PendingTaskCount",
                                                     "RunningTaskCount", "TaskSetCount"}
    assert by_set[ci.FAMILY] == RESOURCE_METRICS
    assert (ci.metrics_per(ci.CLUSTER), ci.metrics_per(ci.SERVICE), ci.metrics_per(ci.FAMILY), ci.PER_TASK) == (13, 15, 10, 0)


# (services, task families, tasks, metrics): 13 per cluster + 15 per service + 10 per family + 0 per task
COUNTS = [
    (0, 0, 0, 13),
    (1, 1, 1, 38),
    (3, 3, 3, 88),
    (3, 3, 40, 88),   # classic mode: more tasks, no more metrics (their data goes to performance logs)
    (2, 2, 5, 63),
]


@pytest.mark.parametrize("services,families,tasks,metrics", COUNTS)
def test_metric_count(services, families, tasks, metrics):
    assert ci.metric_count(services, families, tasks) == metrics


def _line(estimate, start):
    cluster = next(r for r in estimate.resources if r.name == "ecs cluster")
    return next((c for c in cluster.components if c.name.startswith(start)), None)


def test_priced_per_metric_month():
    line = _line(estimate_cost(load_profile("50k-dau")), "Container Insights metrics")
    assert line.monthly_quantity == 88 and line.monthly_cost == 88 * D("0.30")


def test_a_service_without_tasks_publishes_nothing_and_off_means_no_line():
    base = load_profile("50k-dau")
    data = record_to_data(base)
    data["workers"]["desired_count"] = 0
    data["workers"]["autoscaling"]["min_count"] = 0
    assert _line(estimate_cost(validate_record(type(base), data)), "Container Insights metrics").monthly_quantity == 63
    data["compute"]["container_insights"] = False
    assert _line(estimate_cost(validate_record(type(base), data)), "Container Insights") is None
