"""The bundled price snapshots: cited spot checks, provenance on every price, cache precedence."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

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
]


@pytest.mark.parametrize("region,key,price,cited", SPOT_CHECKS)
def test_spot_checked_prices(region, key, price, cited):
    assert load_catalog(region).price(key) == Decimal(price), cited


@pytest.mark.parametrize("region", REGIONS)
def test_every_price_has_status_and_source(region):
    from chatops.costing.catalog import bundled_path

    doc = json.loads(bundled_path(region).read_text())
    assert doc["date"] and doc["source"] and doc["currency"] == "USD"
    for key, entry in doc["prices"].items():
        assert entry["status"] in doc["statuses"], key
        assert entry["source"], key
        assert Decimal(entry["price"]) > 0, key
        if entry["status"] == "derived" and "rule" in entry:
            assert entry["rule"] in doc["rules"], key


@pytest.mark.parametrize("region", REGIONS)
def test_catalog_covers_tier_and_right_sizing_classes(region):
    catalog = load_catalog(region)
    for fam, sizes in (("t3", ("micro", "small", "medium", "large", "xlarge", "2xlarge")),
                       ("t4g", ("micro", "small", "medium", "large", "xlarge", "2xlarge")),
                       ("m6g", ("large", "xlarge", "2xlarge", "4xlarge")),
                       ("r6g", ("large", "xlarge", "2xlarge", "4xlarge"))):
        for size in sizes:
            for az in ("single_az", "multi_az"):
                assert catalog.has(f"rds.instance.db.{fam}.{size}.{az}")
            if fam in ("t3", "t4g") and size not in ("micro", "small", "medium"):
                continue  # ElastiCache T3/T4g stop at medium
            assert catalog.has(f"elasticache.node.cache.{fam}.{size}")


@pytest.mark.parametrize("region", REGIONS)
def test_multi_az_is_twice_single_az(region):
    catalog = load_catalog(region)
    for key, entry in catalog.prices.items():
        if key.endswith(".multi_az"):
            assert entry.price == 2 * catalog.price(key.replace(".multi_az", ".single_az")), key


def test_unconfirmed_values_are_marked_derived():
    # eu-central-1 Fargate ARM had no source: 0.8 x x86, marked derived
    entry = load_catalog("eu-central-1").get("fargate.arm.vcpu_hour")
    assert entry.status == "derived" and entry.price == Decimal("0.037248")
    assert {e.status for e in load_catalog("us-west-2").prices.values()} == {"derived"}


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
