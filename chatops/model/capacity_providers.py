"""Where a service's Fargate tasks run: its FARGATE / FARGATE_SPOT capacity provider strategy, and how many of
a given number of tasks each provider runs. One pure source for the program (chatops/infra/services.py
creates the strategy) and the estimate (chatops/costing/ecs_service.py prices the split).

ECS semantics (Amazon ECS API Reference, CapacityProviderStrategyItem): "The base value designates how
many tasks, at a minimum, to run on the specified capacity provider"; "The weight value designates the
relative percentage of the total number of tasks launched that should use the specified capacity
provider. The weight value is taken into consideration after the base value, if defined, is satisfied."
ECS does not document which provider gets a task the weights cannot split evenly; `tasks_per_provider`
gives it to FARGATE (on-demand), the dearer one, so an estimate is never lower than the bill.
"""

from __future__ import annotations

from math import gcd
from typing import Mapping, Sequence

ON_DEMAND = "FARGATE"
SPOT = "FARGATE_SPOT"

Strategy = Sequence[Mapping[str, int | str]]


def capacity_provider_strategy(spot_share_percent: int) -> list[dict[str, int | str]]:
    """FARGATE / FARGATE_SPOT weights for a spot share. Below 100 % Spot, the first task (base 1) is
    always on-demand so a Spot reclaim never takes the whole service down."""
    if spot_share_percent >= 100:
        return [{"capacity_provider": SPOT, "weight": 1, "base": 0}]
    if spot_share_percent <= 0:
        return [{"capacity_provider": ON_DEMAND, "weight": 1, "base": 1}]
    divisor = gcd(spot_share_percent, 100 - spot_share_percent)
    return [{"capacity_provider": ON_DEMAND, "weight": (100 - spot_share_percent) // divisor, "base": 1},
            {"capacity_provider": SPOT, "weight": spot_share_percent // divisor, "base": 0}]


def tasks_per_provider(strategy: Strategy, tasks: int) -> dict[str, int]:
    """How many of `tasks` run on each provider: the base first, the rest by weight (rounded down for
    every provider but FARGATE, which takes the remainder when the strategy has it)."""
    counts = {str(item["capacity_provider"]): 0 for item in strategy}
    left = tasks
    for item in strategy:
        base = min(int(item.get("base", 0)), left)
        counts[str(item["capacity_provider"])] += base
        left -= base
    total_weight = sum(int(item.get("weight", 0)) for item in strategy)
    if left == 0 or total_weight == 0:
        return counts
    shares = {str(item["capacity_provider"]): left * int(item.get("weight", 0)) // total_weight for item in strategy}
    remainder = left - sum(shares.values())
    catch_all = ON_DEMAND if ON_DEMAND in shares else max(shares, key=lambda p: shares[p])
    shares[catch_all] += remainder
    for provider, share in shares.items():
        counts[provider] += share
    return counts
