"""`chatops prices show | refresh`. Refresh runs against botocore's Stubber fed GetProducts responses
shaped like the real API (PriceList entries are JSON strings), because the AWS emulator has no Price
List API."""

from __future__ import annotations

import json
from decimal import Decimal

import boto3
import pytest
from botocore.stub import ANY, Stubber

from chatops.costing.catalog import load_bundled, load_catalog
from chatops.costing.price_list import (CACHE, NAT, RDS_INSTANCE, SQS, DATA_OUT, parse_price_list_item, queries_for,
                                        strip_prefix)


@pytest.fixture(autouse=True)
def cache_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache"


def item(sku: str, attributes: dict, dims: list[tuple[str, str, str]], family: str = "") -> str:
    """A PriceList entry as the API returns it: a JSON string. dims = (beginRange, endRange, USD)."""
    term = f"{sku}.JRTCKXETXF"
    return json.dumps({
        "product": {"productFamily": family, "attributes": attributes, "sku": sku},
        "serviceCode": attributes.get("servicecode", ""),
        "terms": {"OnDemand": {term: {
            "priceDimensions": {f"{term}.{i}": {
                "unit": "Hrs", "endRange": end, "description": f"${usd} per unit", "appliesTo": [],
                "rateCode": f"{term}.{i}", "beginRange": begin, "pricePerUnit": {"USD": usd}}
                for i, (begin, end, usd) in enumerate(dims)},
            "sku": sku, "effectiveDate": "2026-11-01T00:00:00Z", "offerTermCode": "JRTCKXETXF",
            "termAttributes": {}}}},
        "version": "20261101000000", "publicationDate": "2026-11-01T00:00:00Z",
    })


EUC1 = "EU (Frankfurt)"
RESPONSES = {
    NAT: [
        # two pages: the hours on the first, the data processing on the second
        {"PriceList": [item("NATH", {"servicecode": "AmazonEC2", "location": EUC1, "usagetype": "EUC1-NatGateway-Hours"},
                            [("0", "Inf", "0.0530000000")], "NAT Gateway")],
         "FormatVersion": "aws_v1", "NextToken": "page2"},
        {"PriceList": [item("NATB", {"servicecode": "AmazonEC2", "location": EUC1, "usagetype": "EUC1-NatGateway-Bytes"},
                            [("0", "Inf", "0.0530000000")], "NAT Gateway")],
         "FormatVersion": "aws_v1"},
    ],
    RDS_INSTANCE: [{"PriceList": [
        item("RDS1", {"servicecode": "AmazonRDS", "location": EUC1, "instanceType": "db.t3.micro",
                      "databaseEngine": "PostgreSQL", "deploymentOption": "Single-AZ",
                      "usagetype": "EUC1-InstanceUsage:db.t3.micro"}, [("0", "Inf", "0.0220000000")], "Database Instance"),
        item("RDS2", {"servicecode": "AmazonRDS", "location": EUC1, "instanceType": "db.t3.micro",
                      "databaseEngine": "PostgreSQL", "deploymentOption": "Multi-AZ",
                      "usagetype": "EUC1-Multi-AZUsage:db.t3.micro"}, [("0", "Inf", "0.0440000000")], "Database Instance"),
    ], "FormatVersion": "aws_v1"}],
    CACHE: [{"PriceList": [
        item("EC1", {"servicecode": "AmazonElastiCache", "location": EUC1, "instanceType": "cache.t3.micro",
                     "cacheEngine": "Redis", "usagetype": "EUC1-NodeUsage:cache.t3.micro"}, [("0", "Inf", "0.0200000000")],
             "Cache Instance"),
    ], "FormatVersion": "aws_v1"}],
    SQS: [{"PriceList": [
        # FIFO must not be mistaken for standard; the standard price is per request, stored per 1M
        item("SQSF", {"servicecode": "AWSQueueService", "location": EUC1, "usagetype": "EUC1-Requests-FIFO-Tier1"},
             [("0", "100000000000", "0.0000005000")]),
        item("SQS1", {"servicecode": "AWSQueueService", "location": EUC1, "usagetype": "EUC1-Requests-Tier1"},
             [("0", "100000000000", "0.0000004000"), ("100000000000", "200000000000", "0.0000003000")]),
    ], "FormatVersion": "aws_v1"}],
    DATA_OUT: [{"PriceList": [
        # the free first GB is skipped: estimates price the first paid tier
        item("DTO", {"servicecode": "AWSDataTransfer", "fromLocation": EUC1, "transferType": "AWS Outbound",
                     "usagetype": "EUC1-DataTransfer-Out-Bytes"},
             [("0", "1", "0.0000000000"), ("1", "10240", "0.0900000000"), ("10240", "51200", "0.0850000000")]),
    ], "FormatVersion": "aws_v1"}],
}


def stubbed_client(region: str = "eu-central-1"):
    client = boto3.client("pricing", region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test")
    stubber = Stubber(client)
    template = load_bundled(region)
    for query in queries_for(template.prices):
        pages = RESPONSES.get(query, [{"PriceList": [], "FormatVersion": "aws_v1"}])
        for i, page in enumerate(pages):
            expected = {"ServiceCode": query.service_code, "Filters": query.api_filters(region),
                        "FormatVersion": "aws_v1", "MaxResults": 100}
            if i:
                expected["NextToken"] = pages[i - 1]["NextToken"]
            stubber.add_response("get_products", page, expected)
    stubber.activate()
    return client, stubber


def test_refresh_writes_cache_that_wins(run, monkeypatch, cache_home):
    client, stubber = stubbed_client()
    monkeypatch.setattr("chatops.aws.pricing_api.pricing_client", lambda *a, **k: client)
    result = run("prices", "refresh", "--region", "eu-central-1")
    assert result.exit_code == 0, result.output
    stubber.assert_no_pending_responses()
    total = len(load_bundled("eu-central-1").prices)
    assert f"7 of {total} prices read from the AWS Price List API" in result.stdout
    path = cache_home / "chatops" / "prices" / "eu-central-1.json"
    doc = json.loads(path.read_text())
    assert doc["origin"] == "cache" and doc["location"] == "EU (Frankfurt)"
    catalog = load_catalog("eu-central-1")
    assert catalog.origin == "cache"
    assert catalog.price("nat.hour") == Decimal("0.053") and catalog.price("nat.gb") == Decimal("0.053")
    assert catalog.price("rds.instance.db.t3.micro.single_az") == Decimal("0.022")
    assert catalog.price("rds.instance.db.t3.micro.multi_az") == Decimal("0.044")
    assert catalog.price("elasticache.node.cache.t3.micro") == Decimal("0.02")
    assert catalog.price("sqs.requests_million") == Decimal("0.4")
    assert catalog.price("data_transfer.out_gb") == Decimal("0.09")
    assert catalog.get("nat.hour").status == "price-list" and "sku NATH" in catalog.get("nat.hour").source
    kept = catalog.get("waf.acl_month")
    assert kept.price == Decimal(5) and "kept from the bundled snapshot" in kept.source
    show = json.loads(run("prices", "show", "--region", "eu-central-1", "--json").stdout)
    assert show["origin"] == "cache" and show["statuses"]["price-list"] == 7
    # estimates now use the refreshed prices
    est = json.loads(run("cost-report", "-p", "dev", "--region", "eu-central-1", "--json").stdout)
    assert est["catalog"]["origin"] == "cache"


def test_refresh_with_no_prices_writes_nothing(run, monkeypatch, cache_home):
    client = boto3.client("pricing", region_name="us-east-1", aws_access_key_id="t", aws_secret_access_key="t")
    stubber = Stubber(client)
    for _ in queries_for(load_bundled("us-east-1").prices):
        stubber.add_response("get_products", {"PriceList": [], "FormatVersion": "aws_v1"}, {
            "ServiceCode": ANY, "Filters": ANY, "FormatVersion": "aws_v1", "MaxResults": 100})
    stubber.activate()
    monkeypatch.setattr("chatops.aws.pricing_api.pricing_client", lambda *a, **k: client)
    result = run("prices", "refresh", "--region", "us-east-1")
    assert result.exit_code == 1 and "no usable prices" in result.stderr
    assert not (cache_home / "chatops" / "prices" / "us-east-1.json").exists()


def test_refresh_access_denied_is_one_line(run, monkeypatch):
    client = boto3.client("pricing", region_name="us-east-1", aws_access_key_id="t", aws_secret_access_key="t")
    stubber = Stubber(client)
    stubber.add_client_error("get_products", service_error_code="AccessDeniedException",
                             service_message="not authorized to perform: pricing:GetProducts", http_status_code=400)
    stubber.activate()
    monkeypatch.setattr("chatops.aws.pricing_api.pricing_client", lambda *a, **k: client)
    result = run("prices", "refresh", "--region", "us-east-1")
    assert result.exit_code == 1 and "AccessDeniedException" in result.stderr
    assert "Traceback" not in result.output and len(result.stderr.strip().splitlines()) == 1


def test_refresh_unreachable_endpoint_is_one_line(run, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "t")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "t")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    result = run("prices", "refresh", "--region", "us-east-1", "--endpoint-url", "http://127.0.0.1:9")
    assert result.exit_code == 1 and "cannot reach the AWS Price List API" in result.stderr
    assert "Traceback" not in result.output


def test_refresh_unknown_region_is_usage_error(run):
    result = run("prices", "refresh", "--region", "mars-1")
    assert result.exit_code == 2 and "unknown region mars-1" in result.stderr


def test_show_bundled(run):
    result = run("prices", "show")
    assert result.exit_code == 0 and "bundled snapshot" in result.stdout and "days old" in result.stdout
    data = json.loads(run("prices", "show", "--region", "eu-west-1", "--json").stdout)
    assert data["origin"] == "bundled" and data["date"] and isinstance(data["age_days"], int)
    assert set(data["bundled_regions"]) >= {"us-east-1", "us-west-2", "eu-west-1", "eu-central-1"}


def test_show_unknown_region_is_one_line(run):
    result = run("prices", "show", "--region", "ap-east-1")
    assert result.exit_code == 1 and "prices refresh --region ap-east-1" in result.stderr


def test_parse_and_prefix_helpers():
    product = parse_price_list_item(RESPONSES[DATA_OUT][0]["PriceList"][0])
    assert product.price == Decimal("0.09") and product.sku == "DTO"
    assert strip_prefix("EUC1-NatGateway-Hours", "eu-central-1") == "NatGateway-Hours"
    assert strip_prefix("KMS-Keys", "us-east-1") == "KMS-Keys"
    assert strip_prefix("EU-LCUUsage", "eu-west-1") == "LCUUsage"


def test_help_has_examples(run):
    for args in (("prices", "--help"), ("prices", "show", "--help"), ("prices", "refresh", "--help")):
        result = run(*args)
        assert result.exit_code == 0 and "Examples:" in result.stdout
