"""Fixed monthly cost per 1,000 DAU: the built-in tier `plan` selects against `plan --optimize`.

For 10k, 100k and 1M DAU (default assumptions, 1.3x headroom, standard availability, on-demand prices of
the region's catalog) it prints the selected tier's and the optimum's fixed cost per 1,000 DAU, whether
every line is priced, the tightest headroom, the storage runway, and how long one search takes, then the
issue 13 targets and whether they are met. Informational: it never fails on a figure.

    python benchmarks/optimize.py [--region us-east-1] [--catalog FILE]

--catalog uses FILE as the region's price catalog (as `chatops prices refresh` would install it), to
measure with a catalog other than the bundled one.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Optional

DAUS = (10_000, 100_000, 1_000_000)
HEADROOM = 1.3
TARGET_100K_PER_1000 = Decimal("8.00")
TARGET_1M_PER_1000 = Decimal("6.00")
TARGET_SEARCH_SECONDS = 2.0


def _per_1000(amount: Decimal, dau: int) -> Decimal:
    return amount * 1000 / dau


def _measure(dau: int, region: str) -> dict:
    from chatops.costing.estimate import estimate_cost
    from chatops.errors import ChatopsError
    from chatops.model.demand import UsageAssumptions
    from chatops.model.loading import load_builtin_profiles
    from chatops.sizing import database as db
    from chatops.sizing.demand import estimate_demand
    from chatops.sizing.optimize import optimize
    from chatops.sizing.pricing import CatalogPricing
    from chatops.sizing.selection import select_tier

    builtins = load_builtin_profiles()
    demand = estimate_demand(UsageAssumptions(dau=dau))
    chosen = select_tier(demand, builtins, HEADROOM).chosen
    row: dict = {"dau": dau, "tier": chosen.profile.name if chosen else None}
    if chosen is not None:
        row["tier_fixed"] = estimate_cost(chosen.profile, region, demand).fixed_monthly
    start = time.perf_counter()
    try:
        o = optimize(demand, builtins, CatalogPricing(region, demand), HEADROOM)
    except ChatopsError as exc:
        row.update(seconds=time.perf_counter() - start, error=str(exc))
        return row
    row.update(seconds=time.perf_counter() - start, fixed=o.quote.fixed_monthly, total=o.quote.total_monthly,
               complete=o.complete, missing=o.quote.missing_prices, tightest=o.report.tightest,
               runway=db.runway_months(o.profile.database.max_allocated_storage_gb, demand),
               priced=o.priced_profiles, from_tier=o.from_tier,
               database=o.profile.database.instance_class, cache=o.profile.cache.node_type)
    return row


def _print(rows: list[dict], region: str) -> None:
    print(f"Fixed monthly cost per 1,000 DAU ({region}, on-demand, default assumptions, {HEADROOM}x headroom, "
          "standard availability)\n")
    print(f"{'DAU':>10}  {'tier':>9} {'tier $/1k':>10}  {'optimised $/1k':>14}  {'complete':>8}  "
          f"{'tightest':>28}  {'runway':>7}  {'search':>7}  database / cache")
    for r in rows:
        tier = f"${_per_1000(r['tier_fixed'], r['dau']):,.2f}" if r.get("tier") else "-"
        if "error" in r:
            print(f"{r['dau']:>10,}  {r['tier'] or 'none':>9} {tier:>10}  {'no fit':>14}  {'-':>8}  {'-':>28}  "
                  f"{'-':>7}  {r['seconds']:>6.2f}s")
            print(f"{'':>12}{r['error']}")
            continue
        optimised = f"{'' if r['complete'] else '>= '}${_per_1000(r['fixed'], r['dau']):,.2f}"
        tightest = f"{r['tightest'].key} {r['tightest'].headroom:.2f}x"
        print(f"{r['dau']:>10,}  {r['tier'] or 'none':>9} {tier:>10}  {optimised:>14}  {str(r['complete']):>8}  "
              f"{tightest:>28}  {r['runway']:>5.1f}mo  {r['seconds']:>6.2f}s  {r['database']} / {r['cache']}"
              + (f" (the tier {r['from_tier']})" if r["from_tier"] else ""))


def _targets(rows: list[dict]) -> None:
    by_dau = {r["dau"]: r for r in rows}
    print("\nTargets (issue 13):")
    r = by_dau[100_000]
    if "error" in r:
        print("  100k DAU: no priced profile fits")
    else:
        per = _per_1000(r["fixed"], r["dau"])
        ok = per <= TARGET_100K_PER_1000 and r["tightest"].headroom >= HEADROOM and r["runway"] >= 12
        print(f"  100k DAU <= ${TARGET_100K_PER_1000}/1k fixed, every dimension >= {HEADROOM}x, runway >= 12 months: "
              f"${per:,.2f}, {r['tightest'].headroom:.2f}x, {r['runway']:.1f} months -> {'met' if ok else 'NOT met'}")
    r = by_dau[1_000_000]
    if "error" in r:
        print("  1M DAU complete and <= $6.00/1k fixed: NOT met with this catalog (no priced profile fits; see above)")
    else:
        per = _per_1000(r["fixed"], r["dau"])
        ok = r["complete"] and per <= TARGET_1M_PER_1000
        print(f"  1M DAU complete and <= ${TARGET_1M_PER_1000}/1k fixed: complete={r['complete']}, ${per:,.2f} -> "
              f"{'met' if ok else 'NOT met'}")
    slowest = max(r["seconds"] for r in rows)
    print(f"  one search < {TARGET_SEARCH_SECONDS:g} s: slowest {slowest:.2f} s -> "
          f"{'met' if slowest < TARGET_SEARCH_SECONDS else 'NOT met'}")


def main(argv: Optional[list[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--catalog", type=Path, help="use this price catalog file for the region")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as cache_home:
        # Without --catalog, an empty cache: the bundled snapshot, never this machine's refreshed prices.
        os.environ["XDG_CACHE_HOME"] = cache_home
        if args.catalog is not None:
            target = Path(cache_home) / "chatops" / "prices" / f"{args.region}.json"
            target.parent.mkdir(parents=True)
            shutil.copyfile(args.catalog, target)
        rows = [_measure(dau, args.region) for dau in DAUS]
    _print(rows, args.region)
    _targets(rows)


if __name__ == "__main__":
    main()
