"""The optimiser's rules: only priced choices, the availability policy, the tier as a floor, incomplete
totals, read replicas only for reads, and explanations that name a cost for every runner-up."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest

from chatops.errors import ChatopsError
from chatops.model import catalog
from chatops.model.demand import UsageAssumptions
from chatops.model.loading import load_builtin_profiles
from chatops.model.profile_rules import rule_violations
from chatops.sizing import database as db
from chatops.sizing.availability import POLICIES, shortfalls
from chatops.sizing.demand import estimate_demand
from chatops.sizing.optimize import OPTIMIZED_NAME, optimize
from chatops.sizing.options import DatabaseOption, database_problems
from chatops.sizing.pricing import CatalogPricing

BUILTINS = load_builtin_profiles()


def _demand(dau: int, **usage):
    return estimate_demand(UsageAssumptions(dau=dau, **usage))


class Restricted(CatalogPricing):
    """The us-east-1 catalog with only some database classes and node types priced (a region's gaps)."""

    def __init__(self, demand, databases, caches):
        super().__init__("us-east-1", demand)
        self.databases, self.caches = set(databases), set(caches)

    def prices_database(self, instance_class, multi_az):
        return instance_class in self.databases and super().prices_database(instance_class, multi_az)

    def prices_cache(self, node_type):
        return node_type in self.caches and super().prices_cache(node_type)


def test_only_priced_classes_are_chosen():
    d = _demand(100_000)
    pricing = Restricted(d, {"db.r6g.xlarge", "db.m6g.2xlarge"}, {"cache.m6g.large"})
    o = optimize(d, BUILTINS, pricing, 1.3)
    assert o.profile.database.instance_class == "db.r6g.xlarge"  # r6g.large would be cheaper, but has no price
    assert o.profile.cache.node_type == "cache.m6g.large"


def test_no_priced_class_that_holds_the_demand_names_the_unpriced_ones_that_would():
    d = _demand(100_000)
    with pytest.raises(ChatopsError) as exc:
        optimize(d, BUILTINS, Restricted(d, {"db.t4g.small", "db.m6g.large"}, {"cache.t4g.micro"}), 1.3)
    message = str(exc.value)
    assert message.startswith("no profile fits: no priced database class holds this demand")
    assert "db.m6g.large: working set needs 7.0 GiB of cache" in message and "db.r6g.large" in message
    assert "\n" not in message


@pytest.mark.parametrize("availability", ["standard", "high"])
def test_the_optimum_meets_its_availability_policy(availability):
    d = _demand(30_000)
    o = optimize(d, BUILTINS, CatalogPricing("us-east-1", d), 1.3, availability)
    policy = POLICIES[availability]
    assert shortfalls(o.profile, policy) == []
    assert o.profile.database.multi_az is policy.multi_az_database
    assert o.profile.network.nat_gateways == policy.nat_gateways
    assert o.profile.workers.spot_share_percent <= policy.max_worker_spot_percent
    assert rule_violations(o.profile) == [] and o.profile.name == OPTIMIZED_NAME


def test_multi_az_is_a_policy_not_a_size():
    small_high = optimize(_demand(2_000), BUILTINS, CatalogPricing("us-east-1", _demand(2_000)), 1.3, "high")
    large_standard = optimize(_demand(200_000), BUILTINS, CatalogPricing("us-east-1", _demand(200_000)), 1.3)
    assert small_high.profile.database.multi_az and not large_standard.profile.database.multi_az


def test_a_read_replica_only_when_the_primary_cannot_carry_the_reads():
    # API-heavy users: 3,000 REST calls a day each, 35,000 reads/s at 200k DAU. In a region that prices
    # classes up to 4xlarge the primary cannot take every read; with a replica taking the history reads it can.
    d = _demand(200_000, api_requests_per_user=3_000)
    up_to_4xlarge = {c for c in catalog.RDS_POSTGRES_CLASSES if c.split(".")[2] in SIZES_UP_TO_4XLARGE}
    o = optimize(d, BUILTINS, Restricted(d, up_to_4xlarge, catalog.CACHE_NODE_TYPES), 1.3)
    primary = o.profile.database.instance_class
    assert o.profile.database.read_replica.enabled
    assert any("vCPU needed" in p for p in database_problems(DatabaseOption(primary, True), d, 1.3, 80))
    light = optimize(_demand(200_000), BUILTINS, CatalogPricing("us-east-1", _demand(200_000)), 1.3)
    assert not light.profile.database.read_replica.enabled


SIZES_UP_TO_4XLARGE = ("micro", "small", "medium", "large", "xlarge", "2xlarge", "4xlarge")


class Surcharged(CatalogPricing):
    """Every searched profile costs $10,000 more: only the built-in tier can win."""

    def quote(self, profile):
        estimate = super().quote(profile)
        extra = Decimal(10_000) if profile.name == OPTIMIZED_NAME else Decimal(0)
        return Quote(estimate.total_monthly + extra, estimate.fixed_monthly + extra, estimate.missing_prices)


@dataclass(frozen=True)
class Quote:
    total_monthly: Decimal
    fixed_monthly: Decimal
    missing_prices: list


def test_the_selected_tier_is_returned_when_nothing_searched_costs_less():
    d = _demand(50_000)
    o = optimize(d, BUILTINS, Surcharged("us-east-1", d), 1.3)
    assert o.from_tier == "50k-dau" and o.tier.profile == "50k-dau"
    assert o.quote.total_monthly == o.tier.total_monthly
    assert o.report.holds(1.3) and o.profile.name == OPTIMIZED_NAME


def test_a_tier_that_misses_the_policy_is_never_returned():
    d = _demand(50_000)
    # 50k-dau has 3 zones and Multi-AZ but 2 NAT gateways: not "high" (a NAT gateway per zone).
    o = optimize(d, BUILTINS, Surcharged("us-east-1", d), 1.3, "high")
    assert o.from_tier is None and "2 of 3 NAT gateways" in o.tier.policy_shortfalls


class Unpriced(CatalogPricing):
    """A catalog that misses one price every profile needs: totals are lower bounds."""

    def quote(self, profile):
        estimate = super().quote(profile)
        return Quote(estimate.total_monthly, estimate.fixed_monthly, ["waf.acl_month"])


def test_an_incomplete_total_says_so():
    d = _demand(20_000)
    o = optimize(d, BUILTINS, Unpriced("us-east-1", d), 1.3)
    assert o.complete is False and o.quote.missing_prices == ["waf.acl_month"]


def test_every_component_is_explained_with_runner_ups_and_their_cost():
    d = _demand(100_000)
    o = optimize(d, BUILTINS, CatalogPricing("us-east-1", d), 1.3)
    by_component = {c.component: c for c in o.choices}
    assert set(by_component) == {"compute", "realtime", "api", "workers", "database", "storage", "cache", "network",
                                 "waf"}
    for name in ("compute", "realtime", "api", "workers", "database", "cache", "network", "waf"):
        costed = [a for a in by_component[name].alternatives if a.delta_monthly is not None]
        assert costed and all(a.delta_monthly >= 0 for a in costed), name
    # The cheaper database class passed over says why it cannot hold the demand.
    assert any(a.delta_monthly is None and "working set" in a.reason for a in by_component["database"].alternatives)
    assert "working set" in by_component["database"].reason


def test_runner_up_costs_are_the_priced_difference():
    d = _demand(100_000)
    pricing = CatalogPricing("us-east-1", d)
    o = optimize(d, BUILTINS, pricing, 1.3)
    waf = next(c for c in o.choices if c.component == "waf")
    from chatops.sizing.optimize import with_bot_control

    with_bot = pricing.quote(with_bot_control(o.profile, True)).total_monthly
    assert waf.alternatives[0].delta_monthly == with_bot - o.quote.total_monthly


def test_storage_is_planned_for_the_requested_months_and_a_year_of_runway():
    d = _demand(100_000)
    o = optimize(d, BUILTINS, CatalogPricing("us-east-1", d), 1.3, storage_months=6)
    assert o.profile.database.allocated_storage_gb == 593
    assert db.runway_months(o.profile.database.max_allocated_storage_gb, d) >= 12 * 1.3


def test_graviton_profiles_use_graviton_classes_only():
    d = _demand(100_000)
    o = optimize(d, BUILTINS, CatalogPricing("us-east-1", d), 1.3)
    assert o.profile.compute.graviton
    assert catalog.RDS_POSTGRES_CLASSES[o.profile.database.instance_class].graviton
    assert catalog.CACHE_NODE_TYPES[o.profile.cache.node_type].graviton


def test_an_incomplete_total_is_rendered_as_a_lower_bound():
    from rich.console import Console

    from chatops.ui.optimize import render_optimum

    d = _demand(20_000)
    o = optimize(d, BUILTINS, Unpriced("us-east-1", d), 1.3)
    out = Console(record=True, width=200)
    render_optimum(out, o)
    text = out.export_text()
    assert f"Optimised total: at least ${o.quote.total_monthly:,.2f}/month" in text
    assert "waf.acl_month" in text and "lower bound" in text


def test_the_optimum_scales_its_api_on_what_its_tasks_serve():
    from chatops.sizing.capacity import api_requests_target

    result = optimize(_demand(50_000), BUILTINS, CatalogPricing("us-east-1", _demand(50_000)), 1.3)
    api = result.profile.api
    assert api.requests_per_target == api_requests_target(api.cpu_units)


def test_a_replica_must_hold_every_tasks_read_pool():
    from chatops.sizing.options import pool_shortfall

    option = DatabaseOption("db.r6g.large", proxy=True, replica="db.t4g.micro")
    problem = pool_shortfall(option, tasks=40, tasks_at_max=80, headroom=1.3)
    assert problem is not None and "on the read replica" in problem and "db.t4g.micro" in problem
    assert pool_shortfall(DatabaseOption("db.r6g.large", proxy=True, replica="db.r6g.xlarge"), 40, 80, 1.3) is None
