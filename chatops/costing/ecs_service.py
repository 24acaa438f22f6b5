"""Fargate services (api, realtime, workers): task vCPU and memory hours, on-demand and Spot, ARM when
Graviton is on, and a public IPv4 per task in public subnets (dev). Priced at the desired count and,
for the range, at the autoscaling maximum.

On-demand and Spot hours follow what the service's capacity provider strategy really runs
(chatops/model/capacity_providers.py, the strategy the program creates): the base task on FARGATE first,
the rest by weight. A service with base 1 on-demand and one task is entirely on-demand, whatever its
spot share. With commitment pricing, the on-demand tasks at the desired count are covered by a 1-year
Compute Savings Plan when the catalog has its rate (Spot is not); tasks above them stay on-demand.
"""

from __future__ import annotations

from decimal import Decimal

from chatops.costing.components import SPOT, CostComponent, Pricer, ResourceCost, resource
from chatops.costing.money import HOURS_PER_MONTH, dec
from chatops.model.capacity_providers import ON_DEMAND, SPOT as FARGATE_SPOT, capacity_provider_strategy, tasks_per_provider
from chatops.model.profile import Profile

SERVICE_TYPE = "aws:ecs/service:Service"
SERVICES = ("api", "realtime", "workers")


def price_services(pricer: Pricer, profile: Profile) -> list[ResourceCost]:
    return [price_service(pricer, profile, name) for name in SERVICES]


def price_service(pricer: Pricer, profile: Profile, name: str) -> ResourceCost:
    svc = getattr(profile, name)
    # A Savings Plan commitment covers the steady on-demand tasks (at desired count); tasks autoscaling
    # adds above them are paid on-demand.
    committed = task_split(profile, name, svc.desired_count)[0] if pricer.commitment else 0
    desired = _task_lines(pricer, profile, name, svc.desired_count, committed)
    at_max = _task_lines(pricer, profile, name, max(svc.autoscaling.max_count, svc.desired_count), committed)
    return resource(f"{name} service", SERVICE_TYPE, 1, desired, at_max)


def task_split(profile: Profile, name: str, tasks: int) -> tuple[int, int]:
    """(on-demand, Spot) tasks of `tasks` for this service's capacity provider strategy."""
    split = tasks_per_provider(capacity_provider_strategy(getattr(profile, name).spot_share_percent), tasks)
    return split.get(ON_DEMAND, 0), split.get(FARGATE_SPOT, 0)


def _task_lines(pricer: Pricer, profile: Profile, name: str, tasks: int, committed: int) -> list[CostComponent]:
    svc = getattr(profile, name)
    arch = "arm" if profile.compute.graviton else "x86"
    label = "ARM" if arch == "arm" else "x86"
    vcpu = dec(svc.cpu_units) / 1024
    gb = dec(svc.memory_mb) / 1024
    on_demand, spot = task_split(profile, name, tasks)
    lines: list[CostComponent] = []
    dims = (("vCPU", "vCPU-hours", vcpu, "vcpu_hour"), ("memory", "GB-hours", gb, "gb_hour"))
    if committed and on_demand:
        committed = min(committed, on_demand)
        if all(pricer.catalog.has(f"fargate.savings_plan.{arch}.{d}") for *_, d in dims):
            hours = dec(committed) * HOURS_PER_MONTH
            lines += [pricer.savings_plan_line(f"{what}, {label} (Savings Plan)", unit, hours * size,
                                               f"fargate.{arch}.{d}", f"fargate.savings_plan.{arch}.{d}")
                      for what, unit, size, d in dims]
            on_demand -= committed
        else:  # no rate to commit at: every on-demand hour stays on-demand, and the lines say why
            hours = dec(on_demand) * HOURS_PER_MONTH
            lines += [pricer.savings_plan_line(f"{what}, {label} (on-demand)", unit, hours * size,
                                               f"fargate.{arch}.{d}", f"fargate.savings_plan.{arch}.{d}")
                      for what, unit, size, d in dims]
            on_demand = 0
    if on_demand:
        od_hours = dec(on_demand) * HOURS_PER_MONTH
        lines += [pricer.line(f"{what}, {label} (on-demand)", unit, od_hours * size, f"fargate.{arch}.{d}")
                  for what, unit, size, d in dims]
    if spot:
        spot_hours = dec(spot) * HOURS_PER_MONTH
        lines.append(_spot_line(pricer, f"vCPU, {label} (Spot)", "vCPU-hours", spot_hours * vcpu, f"fargate.{arch}.vcpu_hour"))
        lines.append(_spot_line(pricer, f"memory, {label} (Spot)", "GB-hours", spot_hours * gb, f"fargate.{arch}.gb_hour"))
    if profile.network.task_subnets == "public":
        lines.append(pricer.line("public IPv4 (one per task)", "address-hours", dec(tasks) * HOURS_PER_MONTH, "ipv4.hour"))
    return lines


def _spot_line(pricer: Pricer, name: str, unit: str, quantity: Decimal, key: str) -> CostComponent:
    keys = [key, "fargate.spot_discount"]
    on_demand, discount = pricer.price(key), pricer.price("fargate.spot_discount")
    price = on_demand * (1 - discount) if on_demand is not None and discount is not None else None
    return pricer.priced(name, unit, quantity, keys, price, pricing=SPOT)
