"""`plan --optimize`: the cheapest profile that holds the demand's peak with the headroom on every
dimension, under an availability policy, among the choices the price catalog prices.

Pure search, no I/O: prices come from a `Pricing` the caller builds over the costing module, so the
optimiser ranks exactly the totals `plan` prints. The search:

1. Start from the data of the built-in tier nearest the DAU (backups, alarms, health checks and WAF
   follow it), apply the availability policy (zones, NAT gateways, Multi-AZ, cache replicas) and the
   storage plan, and call that the reference profile.
2. List every option of every component (options.py) and price each as a change to the reference.
   Resources are priced independently, so the monthly total of a combination is the reference's total
   plus the changes of its options.
3. Combine: Graviton or x86, each task size of each service, and for each the cheapest database and
   cache options that hold the combined load (pooled connections, pub/sub per realtime task).
4. Price the cheapest combinations in full, keep the cheapest that passes every capacity check with
   no warning and every profile rule, and compare it with the built-in tier `plan` selects: the tier is
   returned instead when it meets the policy and costs less (so --optimize is never dearer than it).
5. Explain each component: the choice, the dimension that binds it, the runner-ups and their cost.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Callable, Iterable, Optional, Protocol, Sequence

from chatops.errors import ChatopsError
from chatops.model import catalog
from chatops.model.demand import DemandEstimate
from chatops.model.profile import DesignPoint, Profile, ReadReplica, RedisGroup, RedisSplit, Waf
from chatops.model.profile_rules import rule_violations
from chatops.sizing import capacity as cap
from chatops.sizing import database as db
from chatops.sizing import figures as f
from chatops.sizing import options as opt
from chatops.sizing.availability import POLICIES, Availability, shortfalls
from chatops.sizing.capacity import CapacityReport, profile_capacity
from chatops.sizing.options import CacheOption, DatabaseOption, Rejection, ServiceOption
from chatops.sizing.selection import production_tiers, select_tier

OPTIMIZED_NAME = "optimized"
SERVICES = ("realtime", "api", "workers")

#: Cheapest combinations priced in full before one is chosen (the sum of option prices ranks them).
FINALISTS = 6
#: Runner-ups shown per component.
RUNNER_UPS = 2


class Quote(Protocol):
    """What the optimiser reads from a cost estimate (chatops.costing.estimate.CostEstimate has it)."""

    @property
    def total_monthly(self) -> Decimal: ...

    @property
    def fixed_monthly(self) -> Decimal: ...

    @property
    def missing_prices(self) -> list[str]: ...


class Pricing(Protocol):
    def quote(self, profile: Profile) -> Quote: ...

    def prices_database(self, instance_class: str, multi_az: bool) -> bool: ...

    def prices_cache(self, node_type: str) -> bool: ...


@dataclass(frozen=True)
class Alternative:
    """A choice the optimiser passed over: what it would add a month, or why it cannot hold the demand."""

    label: str
    delta_monthly: Optional[Decimal]  # None: it does not hold the demand
    reason: str


@dataclass(frozen=True)
class Choice:
    component: str
    label: str
    reason: str
    alternatives: tuple[Alternative, ...]


@dataclass(frozen=True)
class TierComparison:
    profile: str
    total_monthly: Decimal
    policy_shortfalls: tuple[str, ...]  # empty: the tier meets the availability policy


@dataclass(frozen=True)
class Optimum:
    profile: Profile
    report: CapacityReport
    availability: Availability
    headroom: float
    storage_months: float
    quote: Quote
    choices: tuple[Choice, ...]
    tier: Optional[TierComparison]
    priced_profiles: int
    from_tier: Optional[str] = None  # the built-in tier returned because nothing searched was cheaper

    @property
    def complete(self) -> bool:
        return not self.quote.missing_prices


@dataclass(frozen=True)
class Combo:
    graviton: bool
    realtime: ServiceOption
    api: ServiceOption
    workers: ServiceOption
    database: DatabaseOption
    cache: CacheOption
    realtime_max: int  # the realtime autoscaling maximum the cache's pub/sub carries

    def service(self, name: str) -> ServiceOption:
        return getattr(self, name)

    def deployed(self, name: str) -> ServiceOption:
        """The service as the profile runs it (realtime with the maximum its cache carries)."""
        o = self.service(name)
        return replace(o, max_count=self.realtime_max) if name == "realtime" else o

    @property
    def tasks(self) -> int:
        return sum(self.service(s).desired for s in SERVICES)

    @property
    def tasks_at_max(self) -> int:
        return sum(self.deployed(s).max_count for s in SERVICES)


def optimize(demand: DemandEstimate, builtins: Sequence[Profile], pricing: Pricing, headroom: float,
             availability: str = "standard", storage_months: float = f.DEFAULT_STORAGE_MONTHS) -> Optimum:
    """The cheapest profile holding `demand` with `headroom` under the `availability` policy."""
    policy = POLICIES[availability]
    base = _base_tier(demand.dau, builtins)
    try:
        storage = db.plan_storage(demand, headroom, storage_months)
    except ValueError as exc:
        raise ChatopsError(f"no profile fits: {exc}; this demand needs several stacks (lower --dau or the usage "
                           "assumptions)") from None
    reference = _reference(base, demand, headroom, policy, storage)
    return _Search(demand, headroom, policy, pricing, reference, base.name, storage_months).run(builtins)


def _base_tier(dau: int, builtins: Sequence[Profile]) -> Profile:
    tiers = production_tiers(builtins)
    return next((p for p in tiers if p.design.dau >= dau), tiers[-1])


# --- building profiles -----------------------------------------------------------------------------------

def _reference(base: Profile, d: DemandEstimate, headroom: float, policy: Availability,
               storage: db.StoragePlan) -> Profile:
    description = (f"Optimised by `chatops plan --optimize` for {d.dau:,} DAU ({d.peak_concurrent_connections:,} peak "
                   f"connections), {headroom:g}x headroom, {policy.name} availability; non-sizing settings from "
                   f"{base.name}")
    return replace(
        base, name=OPTIMIZED_NAME, description=description,
        design=DesignPoint(dau=d.dau, peak_concurrent_connections=d.peak_concurrent_connections),
        network=replace(base.network, availability_zones=policy.zones, nat_gateways=policy.nat_gateways,
                        task_subnets="private"),
        compute=replace(base.compute, graviton=True),  # the database and cache options are priced against this
        database=replace(base.database, multi_az=policy.multi_az_database, allocated_storage_gb=storage.allocated_gb,
                         max_allocated_storage_gb=storage.max_allocated_gb),
        waf=_waf_limits(base, d))


def _waf_limits(base: Profile, d: DemandEstimate) -> Waf:
    # Per-IP limits: one IP (a corporate NAT, a mobile carrier gateway) may carry 20 % of the peak API
    # traffic in a 5-minute window; sockets 2.5x and the global rule 2x their sum, as the built-in tiers.
    api = max(2_000, math.ceil(d.peak_api_requests_per_second * 300 * 0.2 / 1_000) * 1_000)
    socket = int(api * 2.5)
    top = catalog.WAF_RATE_LIMIT_MAX
    return replace(base.waf, api_rate_limit_per_5min=min(api, top), socket_rate_limit_per_5min=min(socket, top),
                   global_rate_limit_per_5min=min(2 * (api + socket), top), bot_control=False)


def with_graviton(p: Profile, graviton: bool) -> Profile:
    return replace(p, compute=replace(p.compute, graviton=graviton))


def with_service(p: Profile, o: ServiceOption) -> Profile:
    svc = getattr(p, o.service)
    changes = dict(cpu_units=o.cpu_units, memory_mb=o.memory_mb, desired_count=o.desired,
                   spot_share_percent=o.spot_percent,
                   autoscaling=replace(svc.autoscaling, min_count=o.desired, max_count=o.max_count))
    if o.service == "realtime":
        changes["max_connections_per_task"] = int(o.per_task)
    if o.service == "api":  # the request policy follows the task size, or it scales on the wrong load
        changes["requests_per_target"] = cap.api_requests_target(o.cpu_units)
    return replace(p, **{o.service: replace(svc, **changes)})


def with_database(p: Profile, o: DatabaseOption) -> Profile:
    replica = ReadReplica(enabled=o.replica is not None, instance_class=o.replica or o.instance_class)
    # Behind the proxy every logged connection is a pooled one (a profile rule): logging follows the proxy.
    log_connections = p.database.log_connections and not o.proxy
    return replace(p, database=replace(p.database, instance_class=o.instance_class, read_replica=replica,
                                       proxy=replace(p.database.proxy, enabled=o.proxy),
                                       log_connections=log_connections))


def with_cache(p: Profile, o: CacheOption) -> Profile:
    replicas = o.nodes - 1
    split = RedisSplit(enabled=o.state_node_type is not None,
                       adapter=RedisGroup(node_type=o.node_type, replicas=replicas),
                       state=RedisGroup(node_type=o.state, replicas=replicas))
    return replace(p, cache=replace(p.cache, node_type=o.node_type, num_cache_nodes=o.nodes,
                                    automatic_failover=o.nodes > 1, split=split))


def with_bot_control(p: Profile, on: bool) -> Profile:
    return replace(p, waf=replace(p.waf, bot_control=on and p.waf.enabled))


def with_nat_per_zone(p: Profile) -> Profile:
    return replace(p, network=replace(p.network, nat_gateways=p.network.availability_zones))


def build(reference: Profile, c: Combo) -> Profile:
    p = with_graviton(reference, c.graviton)
    for name in SERVICES:
        p = with_service(p, c.deployed(name))
    return with_cache(with_database(p, c.database), c.cache)


# --- the search ------------------------------------------------------------------------------------------

class _Search:
    def __init__(self, d: DemandEstimate, headroom: float, policy: Availability, pricing: Pricing, reference: Profile,
                 base_name: str, storage_months: float):
        self.d, self.h, self.policy, self.pricing, self.ref = d, headroom, policy, pricing, reference
        self.base_name, self.storage_months = base_name, storage_months
        self.priced = 0
        self.engine = reference.cache.engine_version
        self.proxy_percent = reference.database.proxy.max_connections_percent

    def total(self, profile: Profile) -> Decimal:
        self.priced += 1
        return Decimal(self.pricing.quote(profile).total_monthly)

    def quote(self, profile: Profile) -> Quote:
        self.priced += 1
        return self.pricing.quote(profile)

    # 1. every option, priced as a change to the reference

    def price_options(self) -> None:
        self.ref_total = {g: self.total(with_graviton(self.ref, g)) for g in (True, False)}
        self.services: dict[str, list[ServiceOption]] = {}
        self.service_rejections: dict[str, list[Rejection]] = {}
        self.service_delta: dict[tuple[bool, ServiceOption], Decimal] = {}
        for name in SERVICES:
            self.services[name], self.service_rejections[name] = opt.service_options(name, self.d, self.h, self.policy,
                                                                               getattr(self.ref, name).autoscaling)
            for g, o in itertools.product((True, False), self.services[name]):
                base = with_graviton(self.ref, g)
                self.service_delta[g, o] = self.total(with_service(base, o)) - self.ref_total[g]
        self._price_databases()
        self._price_caches()

    def _price_databases(self) -> None:
        multi_az = self.policy.multi_az_database
        primaries = [c for c in catalog.RDS_POSTGRES_CLASSES if self.pricing.prices_database(c, multi_az)]
        self.unpriced_databases = [c for c in catalog.RDS_POSTGRES_CLASSES if c not in primaries]
        ref_total = self.ref_total[True]
        self.db_delta: dict[DatabaseOption, Decimal] = {}
        for c, proxy in itertools.product(primaries, (False, True)):
            o = DatabaseOption(c, proxy)
            self.db_delta[o] = self.total(with_database(self.ref, o)) - ref_total
        no_replica = DatabaseOption(self.ref.database.instance_class, self.ref.database.proxy.enabled)
        without = self.total(with_database(self.ref, no_replica))
        replicas = {r: self.total(with_database(self.ref, replace(no_replica, replica=r))) - without
                    for r in catalog.RDS_POSTGRES_CLASSES if self.pricing.prices_database(r, False)
                    and not opt.replica_problems(r, self.d, self.h)}
        # A replica is worth pricing only as the cheapest one that carries the reads, for each architecture.
        for g in (True, False):
            fitting = sorted((r for r in replicas if opt.class_fits_architecture(r, g)), key=lambda r: (replicas[r], r))
            if not fitting:
                continue
            for base in [o for o in self.db_delta if o.replica is None]:
                with_replica = replace(base, replica=fitting[0])
                self.db_delta[with_replica] = self.db_delta[base] + replicas[fitting[0]]
        self.db_problems = {o: opt.database_problems(o, self.d, self.h, self.proxy_percent) for o in self.db_delta}
        self.db_sorted = sorted(self.db_delta, key=lambda o: (self.db_delta[o], o.label))

    def _price_caches(self) -> None:
        nodes = 1 + self.policy.cache_replicas
        priced = [n for n in catalog.CACHE_NODE_TYPES if self.pricing.prices_cache(n)]
        self.unpriced_caches = [n for n in catalog.CACHE_NODE_TYPES if n not in priced]
        ref_total = self.ref_total[True]
        single = {n: self.total(with_cache(self.ref, CacheOption(n, None, nodes))) - ref_total for n in priced}
        ordered = sorted(priced, key=lambda n: (single[n], n))
        options, self.cache_rejections = opt.cache_options(ordered, self.d, self.h, self.policy)
        self.cache_delta = {o: single[o.node_type] if o.state_node_type is None
                            else self.total(with_cache(self.ref, o)) - ref_total for o in options}
        self.cache_sorted = sorted(self.cache_delta, key=lambda o: (self.cache_delta[o], o.label))

    # 2. combinations

    def cheapest_database(self, graviton: bool, tasks: int, tasks_at_max: int) -> Optional[DatabaseOption]:
        for o in self.db_sorted:
            if self.db_usable(o, graviton) and opt.pool_shortfall(o, tasks, tasks_at_max, self.h) is None:
                return o
        return None

    def db_usable(self, o: DatabaseOption, graviton: bool) -> bool:
        return (not self.db_problems[o] and opt.class_fits_architecture(o.instance_class, graviton)
                and (o.replica is None or opt.class_fits_architecture(o.replica, graviton)))

    def cheapest_cache(self, graviton: bool, realtime: ServiceOption) -> Optional[tuple[CacheOption, int]]:
        """The cheapest cache carrying `realtime`'s pub/sub, with the realtime maximum it carries."""
        for o in self.cache_sorted:
            if self.cache_usable(o, graviton):
                realtime_max, _ = self.pubsub(o, realtime)
                if realtime_max is not None:
                    return o, realtime_max
        return None

    def cache_usable(self, o: CacheOption, graviton: bool) -> bool:
        return all(opt.class_fits_architecture(n, graviton) for n in (o.node_type, o.state))

    def pubsub(self, o: CacheOption, realtime: ServiceOption) -> tuple[Optional[int], Optional[str]]:
        return opt.realtime_max_on(o, self.d, realtime, self.h, self.engine)

    def estimate(self, c: Combo) -> Decimal:
        return (self.ref_total[c.graviton] + sum(self.service_delta[c.graviton, c.service(s)] for s in SERVICES)
                + self.db_delta[c.database] + self.cache_delta[c.cache])

    def complete(self, graviton: bool, realtime: ServiceOption, api: ServiceOption, workers: ServiceOption,
                 database: Optional[DatabaseOption] = None, cache: Optional[CacheOption] = None) -> Optional[Combo]:
        """These services with the cheapest cache and database that carry them (or the given ones)."""
        if cache is None:
            found = self.cheapest_cache(graviton, realtime)
            if found is None:
                return None
            cache, realtime_max = found
        else:
            realtime_max, _ = self.pubsub(cache, realtime)
            if realtime_max is None:
                return None
        tasks = realtime.desired + api.desired + workers.desired
        tasks_at_max = realtime_max + api.max_count + workers.max_count
        database = database or self.cheapest_database(graviton, tasks, tasks_at_max)
        if database is None or opt.pool_shortfall(database, tasks, tasks_at_max, self.h) is not None:
            return None
        return Combo(graviton, realtime, api, workers, database, cache, realtime_max)

    def combos(self) -> list[Combo]:
        found = []
        for g in (True, False):
            for rt, api, wk in itertools.product(self.services["realtime"], self.services["api"],
                                                 self.services["workers"]):
                combo = self.complete(g, rt, api, wk)
                if combo is not None:
                    found.append(combo)
        return sorted(found, key=lambda c: (self.estimate(c), _key(c)))

    # 3. finalists priced in full, checked, compared with the tier

    def run(self, builtins: Sequence[Profile]) -> Optimum:
        self.price_options()
        ranked = self.combos()
        if not ranked:
            raise ChatopsError(self._nothing_fits())
        best: Optional[tuple[Decimal, Combo, Profile, Quote]] = None
        for c in ranked[:FINALISTS]:
            profile = build(self.ref, c)
            if not self._passes(profile):
                continue
            q = self.quote(profile)
            if best is None or Decimal(q.total_monthly) < best[0]:
                best = (Decimal(q.total_monthly), c, profile, q)
        if best is None:
            raise ChatopsError("no searched profile passes every capacity check and profile rule; this is a bug in "
                               "the optimiser (please report it with the plan command line)")
        total, combo, profile, q = best
        tier = self._tier(builtins)
        if tier is not None and tier[0].total_monthly < total and not tier[0].policy_shortfalls \
                and not profile_capacity(tier[1], self.d).warnings:
            return self._tier_optimum(tier)
        choices = _Explainer(self, ranked, combo, profile, total).choices()
        return Optimum(profile, profile_capacity(profile, self.d), self.policy, self.h, self.storage_months, q,
                       choices, tier[0] if tier else None, self.priced)

    def _passes(self, profile: Profile) -> bool:
        report = profile_capacity(profile, self.d)
        return report.holds(self.h) and not report.warnings and not rule_violations(profile)

    def _tier(self, builtins: Sequence[Profile]) -> Optional[tuple[TierComparison, Profile, Quote]]:
        chosen = select_tier(self.d, builtins, self.h).chosen
        if chosen is None:
            return None
        q = self.quote(chosen.profile)
        problems = tuple(shortfalls(chosen.profile, self.policy))
        return TierComparison(chosen.profile.name, Decimal(q.total_monthly), problems), chosen.profile, q

    def _tier_optimum(self, tier: tuple[TierComparison, Profile, Quote]) -> Optimum:
        comparison, profile, q = tier
        reason = (f"the built-in tier {profile.name} costs less than every profile searched and meets the "
                  f"{self.policy.name} availability policy, so it is the optimum")
        choice = Choice("profile", profile.name, reason, ())
        renamed = replace(profile, name=OPTIMIZED_NAME, description=f"{profile.description} (chosen by `chatops plan "
                          f"--optimize` for {self.d.dau:,} DAU)")
        return Optimum(renamed, profile_capacity(renamed, self.d), self.policy, self.h, self.storage_months, q,
                       (choice,), comparison, self.priced, from_tier=profile.name)

    def _nothing_fits(self) -> str:
        for name in SERVICES:
            if not self.services[name]:
                return (f"no profile fits: the {name} service {self.service_rejections[name][-1].problems[0]}; this "
                        "demand needs several stacks (lower --dau or the usage assumptions)")
        if all(self.db_problems.values()):
            largest = max(self.db_problems, key=lambda o: _smallest_graviton_first(o.instance_class))
            would_fit = sorted((c for c in self.unpriced_databases if not opt.database_problems(
                DatabaseOption(c, True), self.d, self.h, self.proxy_percent)), key=_smallest_graviton_first)
            return (f"no profile fits: no priced database class holds this demand (the largest priced, "
                    f"{largest.instance_class}: {'; '.join(self.db_problems[largest])})" + _unpriced_tail(would_fit))
        if not self.cache_sorted:
            would_fit = sorted((n for n in self.unpriced_caches if opt.cache_memory_problem(n, self.d, self.h) is None),
                               key=_smallest_graviton_first)
            return (f"no profile fits: no priced ElastiCache node type holds the state "
                    f"({self.cache_rejections[-1].problems[0]})" + _unpriced_tail(would_fit))
        strongest = max(self.cache_sorted, key=lambda o: cap.redis_ops_capacity(o.node_type, self.engine))
        fewest = min(self.services["realtime"], key=lambda o: o.desired)
        realtime_max, why = self.pubsub(strongest, fewest)
        if realtime_max is None:
            carries = [n for n in self.unpriced_caches
                       if opt.realtime_max_on(CacheOption(n, None, 1), self.d, fewest, self.h, self.engine)[0]]
            would_fit = sorted(carries, key=_smallest_graviton_first)
            return (f"no profile fits: {why} (the Socket.IO Redis adapter delivers every publish to every realtime "
                    "task)" + _unpriced_tail(would_fit))
        return ("no profile fits: no priced database class carries the pooled connections of any task layout without "
                "RDS Proxy, nor through it" + _unpriced_tail(self.unpriced_databases))


def _smallest_graviton_first(name: str) -> tuple:
    known = catalog.RDS_POSTGRES_CLASSES.get(name) or catalog.CACHE_NODE_TYPES[name]
    return (known.memory_gib, known.vcpu, not known.graviton, name)


def _unpriced_tail(would_fit: list[str]) -> str:
    """Where the answer is a price the catalog lacks, name the classes that would hold the demand."""
    if not would_fit:
        return "; this demand needs several stacks (lower --dau or the usage assumptions)"
    shown = ", ".join(would_fit[:6]) + (f" and {len(would_fit) - 6} more" if len(would_fit) > 6 else "")
    return (f"; {shown} would hold it but the price catalog has no price for them (`chatops prices refresh` "
            "fetches current prices)")


def _key(c: Combo) -> tuple:
    return (not c.graviton, *(c.service(s).label for s in SERVICES), c.database.label, c.cache.label)


# --- explaining the choice -------------------------------------------------------------------------------

class _Explainer:
    def __init__(self, search: _Search, ranked: list[Combo], combo: Combo, profile: Profile, total: Decimal):
        self.s, self.ranked, self.c, self.profile, self.total = search, ranked, combo, profile, total
        self.report = profile_capacity(profile, search.d)
        self.dims = {d.key: d for d in self.report.dimensions}

    def delta(self, profile: Profile) -> Decimal:
        return self.s.total(profile) - self.total

    def choices(self) -> tuple[Choice, ...]:
        return (self.compute(), *(self.service(n) for n in SERVICES), self.database(), self.storage(), self.cache(),
                self.network(), self.waf())

    def _runner_ups(self, combos: Iterable[Combo], label: Callable[[Combo], str]) -> list[Alternative]:
        ordered = sorted(combos, key=lambda c: (self.s.estimate(c), _key(c)))[:RUNNER_UPS]
        return [Alternative(label(c), self.delta(build(self.s.ref, c)), "holds the demand, costs more")
                for c in ordered]

    def compute(self) -> Choice:
        other = [c for c in self.ranked if c.graviton != self.c.graviton]
        if self.c.graviton:
            reason = ("Graviton (arm64) tasks, database and cache: the same capacity for less; build multi-arch "
                      "images (docs/deploying.md)")
        else:
            reason = "x86 tasks: no Graviton layout costs less with the classes the catalog prices"
        alternatives = self._runner_ups(other[:1], lambda c: "Graviton (arm64)" if c.graviton else "x86 tasks")
        return Choice("compute", "Graviton (arm64)" if self.c.graviton else "x86", reason, tuple(alternatives))

    def service(self, name: str) -> Choice:
        o = self.c.deployed(name)
        d = self.dims[{"realtime": "realtime_connections", "api": "api_requests_per_second",
                       "workers": "worker_jobs_per_second"}[name]]
        tasks = f"{o.desired} task{'s' if o.desired > 1 else ''}"
        reason = (f"{o.per_task:,.0f} {opt.SERVICE_UNITS[name]} per task, {tasks} "
                  f"for the peak {d.demand:,.1f} ({d.headroom:.2f}x; each task is one Node.js process, so the "
                  f"cheapest layout that holds it wins); autoscaling up to {o.max_count}")
        if o.max_count < self.c.service(name).max_count:
            reason += " (the most tasks the cache's pub/sub carries)"
        if name == "workers" and o.spot_percent:
            reason += (f"; {o.spot_percent}% on Fargate Spot: queue consumers retry a reclaimed job"
                       + ("" if o.spot_percent == 100 else ", the first task stays on-demand"))
        others = [self.s.complete(self.c.graviton, **{**self._services(), name: alt}) for alt in self.s.services[name]
                  if alt != self.c.service(name)]
        alternatives = self._runner_ups([c for c in others if c is not None], lambda c: c.service(name).label)
        alternatives += [Alternative(r.label, None, "; ".join(r.problems)) for r in self.s.service_rejections[name][:1]]
        return Choice(name, o.label, reason, tuple(alternatives))

    def _services(self) -> dict[str, ServiceOption]:
        return {s: self.c.service(s) for s in SERVICES}

    def database(self) -> Choice:
        o, dims = self.c.database, self.dims
        ws, writes = dims["db_memory_gib"], dims["db_writes_per_second"]
        cpu, conns = dims["db_cpu_vcpu"], dims["db_connections"]
        reason = (f"the cheapest priced class holding the working set ({ws.demand:,.1f} GiB in {ws.capacity:,.1f} GiB "
                  f"of cache, {ws.headroom:.2f}x), {writes.demand:,.0f} writes/s ({writes.headroom:.2f}x) and "
                  f"{cpu.demand:,.2f} vCPU ({cpu.headroom:.2f}x)")
        if o.proxy:
            reason += "; RDS Proxy: cheaper than a class whose connections hold every task's pool"
        else:
            reason += (f"; no proxy: {conns.demand_at_max:,.0f} pooled connections at the autoscaling maximum fit its "
                       f"{conns.capacity:,.0f}")
        reason += ("; a read replica takes the history reads, cheaper than a larger primary" if o.replica
                   else "; no read replica: the primary carries the reads")
        reason += (f"; {'Multi-AZ' if self.s.policy.multi_az_database else 'single-AZ'} by the {self.s.policy.name} "
                   "availability policy")
        usable = [a for a in self.s.db_sorted if a != o and self.s.db_usable(a, self.c.graviton)
                  and opt.pool_shortfall(a, self.c.tasks, self.c.tasks_at_max, self.s.h) is None]
        alternatives = self._runner_ups([replace(self.c, database=a) for a in usable], lambda c: c.database.label)
        cheaper = [a for a in self.s.db_sorted if self.s.db_delta[a] < self.s.db_delta[o] and a not in usable
                   and opt.class_fits_architecture(a.instance_class, self.c.graviton)]
        if cheaper:
            nearest = cheaper[-1]
            problems = self.s.db_problems[nearest] or [opt.pool_shortfall(nearest, self.c.tasks, self.c.tasks_at_max,
                                                                          self.s.h) or ""]
            alternatives.append(Alternative(nearest.label, None, "; ".join(problems)))
        return Choice("database", o.label, reason, tuple(alternatives))

    def storage(self) -> Choice:
        d, dbp = self.s.d, self.profile.database
        growth = d.storage_growth_gb_per_month
        runway = db.runway_months(dbp.max_allocated_storage_gb, d)
        reason = (f"{dbp.allocated_storage_gb:,} GB allocated: {self.s.storage_months:g} months of {growth:,.1f} GB a "
                  f"month (at least {f.RDS_STORAGE_MIN_GB} GB; gp3 is billed as allocated and never shrinks), "
                  f"autoscaling up to {dbp.max_allocated_storage_gb:,} GB: {runway:,.1f} months of runway (at least "
                  f"{f.STORAGE_RUNWAY_MONTHS} x {self.s.h:g} headroom)")
        label = f"{dbp.allocated_storage_gb:,} GB, up to {dbp.max_allocated_storage_gb:,} GB"
        return Choice("storage", label, reason, ())

    def cache(self) -> Choice:
        o = self.c.cache
        mem, ops = self.dims["redis_memory_mb"], self.dims["redis_pubsub_per_second"]
        reason = (f"the cheapest priced layout holding {mem.demand:,.0f} MB of state in {mem.capacity:,.0f} MB "
                  f"({mem.headroom:.2f}x) and {ops.demand:,.0f} pub/sub ops/s in {ops.capacity:,.0f} "
                  f"({ops.headroom:.2f}x; {ops.demand_at_max:,.0f} at the realtime maximum); {o.nodes} node(s) per "
                  f"group by the {self.s.policy.name} availability policy")
        others = [self.s.complete(self.c.graviton, self.c.realtime, self.c.api, self.c.workers, cache=a)
                  for a in self.s.cache_sorted if a != o and self.s.cache_usable(a, self.c.graviton)]
        usable = [c for c in others if c is not None]
        alternatives = self._runner_ups(usable, lambda c: c.cache.label)
        cheaper = [a for a in self.s.cache_sorted if self.s.cache_delta[a] < self.s.cache_delta[o]
                   and a not in {c.cache for c in usable} and self.s.cache_usable(a, self.c.graviton)]
        if cheaper:
            nearest = cheaper[-1]
            why = self.s.pubsub(nearest, self.c.realtime)[1] or opt.cache_memory_problem(nearest.state, self.s.d,
                                                                                          self.s.h)
            alternatives.append(Alternative(nearest.label, None, why or "cannot carry the other choices"))
        return Choice("cache", o.label, reason, tuple(alternatives))

    def network(self) -> Choice:
        n = self.profile.network
        label = f"{n.availability_zones} zones, {n.nat_gateways} NAT gateway{'s' if n.nat_gateways > 1 else ''}"
        reason = f"the {self.s.policy.name} availability policy: {self.s.policy.summary}"
        alternatives = []
        if not self.s.policy.nat_per_zone:
            alternatives.append(Alternative(f"a NAT gateway in each of the {n.availability_zones} zones",
                                            self.delta(with_nat_per_zone(self.profile)),
                                            "keeps egress up when the shared NAT gateway's zone fails "
                                            "(--availability high)"))
        return Choice("network", label, reason, tuple(alternatives))

    def waf(self) -> Choice:
        if not self.profile.waf.enabled:
            return Choice("waf", "WAF off", f"as the {self.s.base_name} tier this profile's settings come from", ())
        delta = self.delta(with_bot_control(self.profile, True))
        reason = ("web ACL with the managed rules and per-IP rate limits scaled to the peak; Bot Control off: it "
                  "blocks scrapers and credential stuffing but adds no capacity (turn it on in the profile if you "
                  "need it)")
        return Choice("waf", "WAF on, Bot Control off", reason,
                      (Alternative("Bot Control on", delta, "blocks bots; adds no capacity"),))
