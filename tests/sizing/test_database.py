"""The database and storage rules against the worked examples in docs/sizing.md ("Database").

Every cell of the docs' table is recomputed here, so the documentation and the rules cannot drift apart.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from chatops.model.demand import UsageAssumptions
from chatops.model.loading import load_builtin_profiles
from chatops.sizing import database as db
from chatops.sizing.demand import estimate_demand
from chatops.sizing.optimize import optimize
from chatops.sizing.options import DatabaseOption, database_problems
from chatops.sizing.pricing import CatalogPricing

DOC = Path(__file__).parents[2] / "docs" / "sizing.md"
HEADROOM = 1.3


def _worked_examples() -> list[dict[str, str]]:
    text = DOC.read_text(encoding="utf-8")
    table = re.search(r"<!-- database worked examples -->\n(.*?)<!-- end database worked examples -->", text, re.S)
    assert table, "docs/sizing.md lost its database worked examples table"
    lines = [line.strip().strip("|").split("|") for line in table.group(1).strip().splitlines()]
    header = [cell.strip() for cell in lines[0]]
    return [dict(zip(header, (cell.strip() for cell in row))) for row in lines[2:]]


EXAMPLES = _worked_examples()


def _number(cell: str) -> float:
    return float(cell.replace(",", ""))


def _close(cell: str, value: float) -> bool:
    """Equal at the precision the docs print."""
    decimals = len(cell.split(".")[1]) if "." in cell else 0
    return round(value, decimals) == pytest.approx(_number(cell))


@pytest.mark.parametrize("row", EXAMPLES, ids=lambda r: r["DAU"])
def test_working_set_of_the_worked_example(row):
    d = estimate_demand(UsageAssumptions(dau=int(_number(row["DAU"]))))
    ws = db.working_set(d)
    assert _close(row["Recent heap GiB"], ws.recent_heap_gib)
    assert _close(row["Index pages GiB"], ws.index_pages_gib)
    assert _close(row["Users GiB"], ws.metadata_gib)
    assert _close(row["Working set GiB"], ws.total_gib)
    assert _close(row["Cache needed GiB"], ws.total_gib * HEADROOM)


@pytest.mark.parametrize("row", EXAMPLES, ids=lambda r: r["DAU"])
def test_load_of_the_worked_example(row):
    d = estimate_demand(UsageAssumptions(dau=int(_number(row["DAU"]))))
    assert _close(row["Writes/s"], d.peak_db_writes_per_second)
    assert _close(row["Reads/s"], d.peak_db_reads_per_second)
    assert _close(row["Primary vCPU"], db.primary_cpu_demand(d, replica=False))


@pytest.mark.parametrize("row", EXAMPLES, ids=lambda r: r["DAU"])
def test_storage_of_the_worked_example(row):
    d = estimate_demand(UsageAssumptions(dau=int(_number(row["DAU"]))))
    storage = db.plan_storage(d, HEADROOM, storage_months=3)
    assert _close(row["Growth GB/month"], d.storage_growth_gb_per_month)
    assert storage.allocated_gb == _number(row["Allocated GB"])
    assert storage.max_allocated_gb == _number(row["Ceiling GB"])
    assert _close(row["Runway months"], db.runway_months(storage.max_allocated_gb, d))
    assert db.runway_months(storage.max_allocated_gb, d) >= 12 * HEADROOM
    assert storage.max_allocated_gb >= 1.26 * storage.allocated_gb  # RDS's recommended margin


@pytest.mark.parametrize("row", [r for r in EXAMPLES if r["Class"].startswith("db.")], ids=lambda r: r["DAU"])
def test_class_of_the_worked_example_is_what_the_optimiser_picks(row):
    d = estimate_demand(UsageAssumptions(dau=int(_number(row["DAU"]))))
    pricing = CatalogPricing("us-east-1", d)
    assert optimize(d, load_builtin_profiles(), pricing, HEADROOM).profile.database.instance_class == row["Class"]


@pytest.mark.parametrize("instance_class, holds", [
    # 100,000 DAU: 6.97 GiB of cache needed; half of memory caches data.
    ("db.m6g.large", False),  # 8 GiB -> 4 GiB of cache
    ("db.t4g.large", False),  # 8 GiB, and a 30 % CPU baseline: 0.6 vCPU for 1.54 needed
    ("db.t4g.xlarge", True),  # 16 GiB, 40 % of 4 vCPUs = 1.6
    ("db.r6g.large", True),  # 16 GiB, 2 vCPUs
])
def test_the_tightest_of_working_set_writes_and_cpu_decides_at_100k(instance_class, holds):
    d = estimate_demand(UsageAssumptions(dau=100_000))
    assert (not database_problems(DatabaseOption(instance_class, proxy=True), d, HEADROOM, 80)) is holds


def test_1m_dau_needs_a_class_with_at_least_139_gib():
    d = estimate_demand(UsageAssumptions(dau=1_000_000))
    problems = database_problems(DatabaseOption("db.r6g.4xlarge", proxy=True), d, HEADROOM, 80)
    assert problems == ["working set needs 69.7 GiB of cache, db.r6g.4xlarge has 64.0"]
    assert not database_problems(DatabaseOption("db.r6g.8xlarge", proxy=True), d, HEADROOM, 80)


def test_storage_months_set_the_allocation_not_the_ceiling():
    d = estimate_demand(UsageAssumptions(dau=100_000))
    three, six = db.plan_storage(d, HEADROOM, 3), db.plan_storage(d, HEADROOM, 6)
    assert (three.allocated_gb, six.allocated_gb) == (297, 593)
    assert three.max_allocated_gb == six.max_allocated_gb == 1_600


def test_a_runway_beyond_the_largest_volume_is_refused():
    d = estimate_demand(UsageAssumptions(dau=10_000_000))
    with pytest.raises(ValueError, match="65,536 GB"):
        db.plan_storage(d, HEADROOM, 3)
