"""The bundled price snapshots: cited spot checks, provenance on every price, cache precedence."""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest

from datetime import date

from chatops.costing.catalog import bundled_regions, load_catalog
from chatops.errors import ChatopsError

REGIONS = ("us-east-1", "us-west-2", "eu-west-1", "eu-central-1")


@pytest.fixture(autouse=True)
def _no_user_cache(tmp_path, monkeypatch):
    # A real ~/.cache/chatops/prices must not change what these tests see.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "empty-cache"))


def test_four_regions_are_bundled():
    assert set(REGIONS) <= set(bundled_regions())


# (region, key, price, where the value is cited: /work/shared/reference/aws-prices-notes.md)
SPOT_CHECKS = [
    ("us-east-1", "fargate.x86.vcpu_hour", "0.04048", "Infracost golden ecs_service_test: 1 vCPU = $29.55/mo"),
    ("us-east-1", "fargate.x86.gb_hour", "0.004445", "Infracost golden: 2 GB = $6.49/mo"),
    ("us-east-1", "fargate.arm.vcpu_hour", "0.03238", "Price List USE1-Fargate-ARM-vCPU-Hours:perCPU"),
    ("us-east-1", "rds.instance.db.t3.large.single_az", "0.145", "Infracost golden db_instance_test $105.85/mo"),
    ("us-east-1", "rds.instance.db.t4g.micro.single_az", "0.016", "Price List InstanceUsage:db.t4g.micro 2026-08-12"),
    ("us-east-1", "rds.instance.db.m6g.large.multi_az", "0.318", "GitLab GET #236 single 0.159 / Multi-AZ 0.318"),
    ("us-east-1", "rds.storage.gp3.single_az", "0.115", "Price List RDS:GP3-Storage; Infracost 400 GB = $46"),
    ("us-east-1", "rds.proxy.vcpu_hour", "0.015", "Price List SKU AHVT2C6WP2BB5BXQ USE1-RDS:ProxyUsage"),
    ("us-east-1", "nat.hour", "0.045", "Infracost golden 730 h = $32.85"),
    ("us-east-1", "alb.hour", "0.0225", "FOCUS sample '$0.0225 per Application LoadBalancer-hour'"),
    ("us-east-1", "alb.lcu_hour", "0.008", "Infracost golden $5.84 per LCU-month"),
    ("us-east-1", "ipv4.hour", "0.005", "FOCUS sample '$0.005 per In-use public IPv4 address per hour'"),
    ("us-east-1", "waf.bot_control_month", "10", "AWS WAF cost guide (2026-06)"),
    ("us-east-1", "logs.ingest_gb", "0.50", "FOCUS sample '$0.50 per GB custom log data ingested'"),
    ("us-east-1", "elasticache.node.cache.r6g.large", "0.206", "Vantage cache 2022; CUR 2024"),
    ("eu-central-1", "fargate.x86.vcpu_hour", "0.04656", "Infracost output xpov: 0.5 vCPU = $16.99/mo"),
    ("eu-central-1", "nat.hour", "0.052", "Infracost output xpov/Baserow: $37.96/mo"),
    ("eu-central-1", "alb.hour", "0.027", "FOCUS ninja row eu-central-1"),
    ("eu-central-1", "logs.ingest_gb", "0.63", "Infracost output xpov/Baserow"),
    ("eu-central-1", "s3.storage_gb_month", "0.0245", "Frankfurt S3 description string"),
    ("eu-central-1", "elasticache.node.cache.t3.small", "0.038", "CUR 2024 EUC1 0.038"),
    ("eu-central-1", "rds.storage.gp3.single_az", "0.137", "issue 13; Cost Explorer EUC1-RDS:GP3-Storage 2.74 USD / 20 GB"),
    ("eu-central-1", "rds.storage.gp3.multi_az", "0.274", "issue 13: $0.274 Multi-AZ"),
    ("us-east-1", "elasticache.node.cache.m6g.12xlarge", "3.557", "Infracost golden elasticache_cluster_test $2,596.61/730 h"),
    ("us-east-1", "elasticache.reserved.cache.m6g.12xlarge", "2.428", "Infracost golden 1yr no upfront $1,772.44/730 h"),
    ("us-east-1", "rds.instance.db.m7g.xlarge.single_az", "0.337", "'$ 0.337 per RDS db.m7g.xlarge Single-AZ ... PostgreSQL'"),
    ("us-east-1", "elasticache.node.cache.r7g.large", "0.219", "'$0.219 per Memory optimized r7g.large node hour running Redis'"),
    ("eu-west-1", "nat.hour", "0.048", "Bulk Price List offer 20260925174521 EU-NatGateway-Hours"),
    # derived by a documented rule from the cited anchors above
    ("us-east-1", "rds.instance.db.r6g.16xlarge.single_az", "7.2", "size_scaling: 16 x db.r6g.xlarge 0.45"),
    ("us-east-1", "rds.instance.db.r6g.12xlarge.multi_az", "10.8", "multi_az: 2 x (12 x 0.45)"),
    ("us-east-1", "elasticache.node.cache.m6g.16xlarge", "4.7427", "size_scaling: 4/3 x cache.m6g.12xlarge 3.557"),
    ("us-west-2", "rds.instance.db.m7g.large.single_az", "0.1685", "us_west_2 copy of 0.337 / 2"),
]


@pytest.mark.parametrize("region,key,price,cited", SPOT_CHECKS)
def test_spot_checked_prices(region, key, price, cited):
    assert load_catalog(region).price(key) == Decimal(price), cited


def _doc(region: str) -> dict:
    from chatops.costing.catalog import bundled_path

    return json.loads(bundled_path(region).read_text())


@pytest.mark.parametrize("region", REGIONS)
def test_every_price_has_status_and_source(region):
    doc = _doc(region)
    assert doc["date"] and doc["source"] and doc["currency"] == "USD"
    for key, entry in doc["prices"].items():
        assert entry["status"] in doc["statuses"], key
        assert entry["source"], key
        if entry["status"] == "unconfirmed":
            assert entry["price"] is None, f"{key}: an unconfirmed entry carries no price"
            continue
        assert Decimal(entry["price"]) > 0, key
        if entry["status"] == "derived" and "rule" in entry:
            assert entry["rule"] in doc["rules"], key
    for source, day in doc["source_dates"].items():
        assert source in doc["sources"] and date.fromisoformat(day) <= date.fromisoformat(doc["date"]), source


def _resolve(region: str, ref: str) -> Decimal:
    other, _, key = ref.rpartition(":")
    return Decimal(_doc(other or region)["prices"][key]["price"])


@pytest.mark.parametrize("region", REGIONS)
def test_every_derivation_recomputes(region):
    """A derived price is `from` x `factor`, exact or rounded to 4 decimals: the rule can be checked."""
    checked = 0
    for key, entry in _doc(region)["prices"].items():
        if "from" not in entry:
            continue
        value = Fraction(_resolve(region, entry["from"])) * Fraction(entry["factor"])
        exact = Decimal(value.numerator) / Decimal(value.denominator)
        price = Decimal(entry["price"])
        assert price in (exact, exact.quantize(Decimal("0.0001"), ROUND_HALF_UP)), \
            f"{region} {key}: {entry['price']} != {entry['from']} x {entry['factor']}"
        checked += 1
    assert checked > 50


#: The classes the planner can pick: Graviton families up to the largest size (issue 13).
PLANNER_FAMILIES = {"db": ("t4g", "m6g", "r6g", "m7g", "r7g"), "cache": ("t4g", "m6g", "r6g", "m7g", "r7g")}


@pytest.mark.parametrize("region", REGIONS)
def test_catalog_lists_every_planner_class(region):
    """Every class the planner may pick has an entry: a price, or `unconfirmed` saying none was found."""
    from chatops.model.catalog import CACHE_NODE_TYPES, RDS_POSTGRES_CLASSES

    catalog = load_catalog(region)
    for name, cls in RDS_POSTGRES_CLASSES.items():
        if cls.family in PLANNER_FAMILIES["db"]:
            for az in ("single_az", "multi_az"):
                assert catalog.get(f"rds.instance.{name}.{az}") is not None, (region, name, az)
    for name, cls in CACHE_NODE_TYPES.items():
        if cls.family in PLANNER_FAMILIES["cache"]:
            assert catalog.get(f"elasticache.node.{name}") is not None, (region, name)
    # sourced or derived up to the largest size where an anchor exists
    for key in ("rds.instance.db.r6g.16xlarge.multi_az", "rds.instance.db.m6g.16xlarge.single_az",
                "rds.instance.db.m7g.16xlarge.multi_az", "rds.instance.db.t4g.2xlarge.multi_az",
                "elasticache.node.cache.r6g.16xlarge", "elasticache.node.cache.m6g.16xlarge",
                "elasticache.node.cache.r7g.16xlarge", "elasticache.node.cache.t4g.medium"):
        assert catalog.has(key), (region, key)
    # no source anywhere: listed, not priced
    for key in ("rds.instance.db.r7g.large.single_az", "elasticache.node.cache.m7g.large"):
        assert catalog.get(key).status == "unconfirmed" and not catalog.has(key) and catalog.price(key) is None


@pytest.mark.parametrize("region", REGIONS)
def test_derived_multi_az_is_twice_single_az(region):
    catalog = load_catalog(region)
    for key, entry in catalog.prices.items():
        if key.endswith(".multi_az") and entry.rule == "multi_az":
            assert entry.price == 2 * catalog.price(key.replace(".multi_az", ".single_az")), key


def test_region_copies_are_marked_derived():
    # eu-central-1 Fargate ARM had no source: 0.8 x x86, marked derived
    entry = load_catalog("eu-central-1").get("fargate.arm.vcpu_hour")
    assert entry.status == "derived" and entry.price == Decimal("0.037248")
    assert {e.status for e in load_catalog("us-west-2").prices.values()} == {"derived", "unconfirmed"}
    assert {e.rule for e in load_catalog("us-west-2").prices.values() if e.status == "derived"} == {"us_west_2"}
    ireland = load_catalog("eu-west-1")
    assert ireland.get("nat.hour").status == "corroborated"  # sourced for Ireland itself
    assert ireland.get("alb.hour").status == "derived" and ireland.get("alb.hour").rule == "eu_west_1"


def test_oldest_source_follows_derivations():
    catalog = load_catalog("us-west-2")
    # copied from us-east-1, which derived it from the 2021 Price List snapshot of db.r6g.xlarge
    assert catalog.oldest_source(["rds.instance.db.r6g.8xlarge.multi_az"]) == ("2021-08-03", "VANTAGE_RDS_2021")
    assert catalog.oldest_source(["nat.hour"]) == ("2024-07-01", "INFRACOST_GOLDEN")
    assert catalog.oldest_source(["no.such.key"]) is None


def test_a_price_without_value_must_say_unconfirmed(tmp_path):
    from chatops.costing.catalog import parse_catalog

    doc = _doc("us-east-1")
    doc["prices"]["nat.hour"]["price"] = None
    with pytest.raises(ChatopsError, match="nat.hour has no price"):
        parse_catalog(doc, origin="cache", path="x.json")


def test_user_cache_wins_over_snapshot(tmp_path, monkeypatch):
    from chatops.costing.catalog import bundled_path

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    doc = json.loads(bundled_path("us-east-1").read_text())
    doc["date"] = "2027-01-02"
    doc["prices"]["nat.hour"]["price"] = "0.05"
    target = tmp_path / "chatops" / "prices" / "us-east-1.json"
    target.parent.mkdir(parents=True)
    target.write_text(json.dumps(doc))
    catalog = load_catalog("us-east-1")
    assert catalog.origin == "cache" and catalog.date == "2027-01-02"
    assert catalog.price("nat.hour") == Decimal("0.05")


def test_broken_cache_is_one_line_error(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    target = tmp_path / "chatops" / "prices" / "us-east-1.json"
    target.parent.mkdir(parents=True)
    target.write_text("{not json")
    with pytest.raises(ChatopsError, match="unreadable price catalog"):
        load_catalog("us-east-1")


def test_unknown_region_says_how_to_fix():
    with pytest.raises(ChatopsError, match="prices refresh --region ap-east-1"):
        load_catalog("ap-east-1")
