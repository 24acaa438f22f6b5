"""Spot is priced as the capacity provider strategy really runs it: base first, then weights."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from chatops.costing.ecs_service import price_service, task_split
from chatops.costing.catalog import load_catalog
from chatops.costing.components import Pricer
from chatops.model.capacity_providers import capacity_provider_strategy, tasks_per_provider
from chatops.model.loading import load_profile
from chatops.model.records import record_to_data, validate_record


@pytest.fixture(autouse=True)
def _no_user_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "empty-cache"))


# (spot share %, tasks, on-demand, Spot): base 1 on FARGATE, then the weights; an odd task goes on-demand
SPLITS = [
    (50, 1, 1, 0),     # the case: base 1 and one task is entirely on-demand
    (50, 2, 2, 0),     # 1 left after the base, weights 1:1 cannot split it: on-demand (the dearer)
    (50, 3, 2, 1),
    (50, 10, 6, 4),    # 9 after the base: 4 Spot, 5 on-demand (4 + the odd one) and the base
    (100, 1, 0, 1),    # all Spot: no base
    (100, 7, 0, 7),
    (0, 4, 4, 0),
    (75, 5, 2, 3),     # weights 1:3 after the base: 4 -> 1 on-demand + 3 Spot
    (25, 10, 8, 2),    # weights 3:1: 9 -> 7 on-demand (6 + remainder) + 2 Spot
    (30, 0, 0, 0),
]


@pytest.mark.parametrize("share,tasks,on_demand,spot", SPLITS)
def test_tasks_per_provider(share, tasks, on_demand, spot):
    split = tasks_per_provider(capacity_provider_strategy(share), tasks)
    assert (split.get("FARGATE", 0), split.get("FARGATE_SPOT", 0)) == (on_demand, spot)
    assert sum(split.values()) == tasks


def _workers(tier: str, share: int, desired: int, maximum: int):
    data = record_to_data(load_profile(tier))
    data["workers"].update(spot_share_percent=share, desired_count=desired)
    data["workers"]["autoscaling"].update(min_count=desired, max_count=maximum)
    return validate_record(type(load_profile(tier)), data)


# (share, desired, max, on-demand and Spot tasks at desired, at max); 50k workers: 0.5 vCPU, 1 GB, x86
PRICED = [
    (50, 1, 10, (1, 0), (6, 4)),
    (50, 3, 3, (2, 1), (2, 1)),
    (100, 2, 4, (0, 2), (0, 4)),
    (0, 2, 6, (2, 0), (6, 0)),
]


@pytest.mark.parametrize("share,desired,maximum,at_desired,at_max", PRICED)
def test_service_priced_at_desired_and_at_max(share, desired, maximum, at_desired, at_max):
    profile = _workers("50k-dau", share, desired, maximum)
    assert task_split(profile, "workers", desired) == at_desired
    assert task_split(profile, "workers", maximum) == at_max
    pricer = Pricer(load_catalog("us-east-1"))
    task_month = (D("0.5") * D("0.04048") + 1 * D("0.004445")) * 730  # one x86 task, on-demand
    cost = lambda od, spot: od * task_month + spot * task_month * (1 - D("0.6"))  # noqa: E731
    service = price_service(pricer, profile, "workers")
    assert service.monthly_cost == cost(*at_desired)
    assert service.max_monthly_cost == cost(*at_max)
    assert all(c.pricing == ("spot" if "(Spot)" in c.name else "on-demand") for c in service.components)
