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


#: Reserved offer term codes and their attributes as the Price List publishes them (RDS-style: with OfferingClass).
RI_TERMS = {
    "4NA7Y494T4": {"LeaseContractLength": "1yr", "OfferingClass": "standard", "PurchaseOption": "No Upfront"},
    "HU7G6KETJZ": {"LeaseContractLength": "1yr", "OfferingClass": "standard", "PurchaseOption": "Partial Upfront"},
    "6QCMYABX3D": {"LeaseContractLength": "1yr", "OfferingClass": "standard", "PurchaseOption": "All Upfront"},
    "BPH4J8HBKS": {"LeaseContractLength": "3yr", "OfferingClass": "standard", "PurchaseOption": "No Upfront"},
}


def reserved_term(sku: str, code: str, hourly: str, upfront: str = "", description: str = "",
                  attributes: dict | None = None) -> tuple[str, dict]:
    """One terms.Reserved entry: an 'Hrs' dimension, and a 'Quantity' upfront fee when given."""
    term = f"{sku}.{code}"
    dims = {f"{term}.6YS6EN2CT7": {"unit": "Hrs", "endRange": "Inf", "beginRange": "0", "appliesTo": [],
                                   "description": description or f"reserved instance applied ({code})",
                                   "rateCode": f"{term}.6YS6EN2CT7", "pricePerUnit": {"USD": hourly}}}
    if upfront:
        dims[f"{term}.2TG2D8R56U"] = {"unit": "Quantity", "description": "Upfront Fee", "appliesTo": [],
                                      "rateCode": f"{term}.2TG2D8R56U", "pricePerUnit": {"USD": upfront}}
    return term, {"priceDimensions": dims, "sku": sku, "effectiveDate": "2026-11-01T00:00:00Z", "offerTermCode": code,
                  "termAttributes": attributes if attributes is not None else RI_TERMS[code]}


def item(sku: str, attributes: dict, dims: list[tuple[str, str, str]], family: str = "",
         reserved: list[tuple[str, dict]] = ()) -> str:
    """A PriceList entry as the API returns it: a JSON string. dims = (beginRange, endRange, USD)."""
    term = f"{sku}.JRTCKXETXF"
    terms: dict = {"OnDemand": {term: {
        "priceDimensions": {f"{term}.{i}": {
            "unit": "Hrs", "endRange": end, "description": f"${usd} per unit", "appliesTo": [],
            "rateCode": f"{term}.{i}", "beginRange": begin, "pricePerUnit": {"USD": usd}}
            for i, (begin, end, usd) in enumerate(dims)},
        "sku": sku, "effectiveDate": "2026-11-01T00:00:00Z", "offerTermCode": "JRTCKXETXF",
        "termAttributes": {}}}}
    if reserved:
        terms["Reserved"] = dict(reserved)
    return json.dumps({
        "product": {"productFamily": family, "attributes": attributes, "sku": sku},
        "serviceCode": attributes.get("servicecode", ""), "terms": terms,
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
        # Reserved terms come in the same entry: only the 1-year No Upfront standard one is the commitment price
        item("RDS1", {"servicecode": "AmazonRDS", "location": EUC1, "instanceType": "db.t3.micro",
                      "databaseEngine": "PostgreSQL", "deploymentOption": "Single-AZ",
                      "usagetype": "EUC1-InstanceUsage:db.t3.micro"}, [("0", "Inf", "0.0220000000")], "Database Instance",
             reserved=[reserved_term("RDS1", "HU7G6KETJZ", "0.0070000000", "61"),
                       reserved_term("RDS1", "4NA7Y494T4", "0.0150000000", "",
                                     "PostgreSQL, db.t3.micro reserved instance applied"),
                       reserved_term("RDS1", "6QCMYABX3D", "0.0000000000", "121"),
                       reserved_term("RDS1", "BPH4J8HBKS", "0.0110000000")]),
        item("RDS2", {"servicecode": "AmazonRDS", "location": EUC1, "instanceType": "db.t3.micro",
                      "databaseEngine": "PostgreSQL", "deploymentOption": "Multi-AZ",
                      "usagetype": "EUC1-Multi-AZUsage:db.t3.micro"}, [("0", "Inf", "0.0440000000")], "Database Instance",
             # an upfront fee of 0 with the No Upfront term: effective hourly = hourly + 0 / 8,760
             reserved=[reserved_term("RDS2", "4NA7Y494T4", "0.0300000000", "0")]),
    ], "FormatVersion": "aws_v1"}],
    CACHE: [{"PriceList": [
        # ElastiCache's reserved terms carry no OfferingClass; a legacy Heavy Utilization term is not it
        item("EC1", {"servicecode": "AmazonElastiCache", "location": EUC1, "instanceType": "cache.t3.micro",
                     "cacheEngine": "Redis", "usagetype": "EUC1-NodeUsage:cache.t3.micro"}, [("0", "Inf", "0.0200000000")],
             "Cache Instance",
             reserved=[reserved_term("EC1", "4NA7Y494T4", "0.0137000000", "",
                                     attributes={"LeaseContractLength": "1yr", "PurchaseOption": "No Upfront"}),
                       reserved_term("EC1", "Z2E3P23VKM", "0.0050000000", "40",
                                     attributes={"LeaseContractLength": "1yr", "PurchaseOption": "Heavy Utilization"})]),
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


def sp_rate(usage_type: str, rate: str, duration: int = 31536000, payment: str = "No Upfront") -> dict:
    """One DescribeSavingsPlansOfferingRates searchResults item as the API returns it."""
    return {"savingsPlanOffering": {"offeringId": f"off-{usage_type}-{duration}", "paymentOption": payment,
                                    "planType": "Compute", "durationSeconds": duration, "currency": "USD",
                                    "planDescription": f"{duration // 31536000} year {payment} Compute Savings Plan"},
            "rate": rate, "unit": "Hrs", "productType": "Fargate", "serviceCode": "AmazonECS",
            "usageType": usage_type, "operation": "", "properties": [{"name": "region", "value": "eu-central-1"}]}


SP_REQUEST = {"savingsPlanTypes": ["Compute"], "savingsPlanPaymentOptions": ["No Upfront"], "products": ["Fargate"],
              "serviceCodes": ["AmazonECS"], "filters": [{"name": "region", "values": ["eu-central-1"]}],
              "maxResults": 1000}


def stubbed_savings_plans(pages=None, error: str = ""):
    client = boto3.client("savingsplans", region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test")
    stubber = Stubber(client)
    if error:
        stubber.add_client_error("describe_savings_plans_offering_rates", service_error_code=error,
                                 service_message="not authorized", http_status_code=403)
    for i, page in enumerate(pages or []):
        stubber.add_response("describe_savings_plans_offering_rates", page,
                             {**SP_REQUEST, **({"nextToken": pages[i - 1]["nextToken"]} if i else {})})
    stubber.activate()
    return client, stubber


SP_PAGES = [
    {"searchResults": [sp_rate("EUC1-Fargate-vCPU-Hours:perCPU", "0.0373"),
                       sp_rate("EUC1-Fargate-vCPU-Hours:perCPU", "0.0280", duration=94608000),  # 3 years: not it
                       sp_rate("EUC1-Fargate-GB-Hours", "0.0041")], "nextToken": "sp2"},
    {"searchResults": [sp_rate("EUC1-Fargate-ARM-vCPU-Hours:perCPU", "0.0298"),
                       sp_rate("EUC1-Fargate-ARM-GB-Hours", "0.00327"),
                       sp_rate("EUC1-Fargate-EphemeralStorage-GB-Hours", "0.0001")]},
]


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
    sp_client, sp_stubber = stubbed_savings_plans(SP_PAGES)
    monkeypatch.setattr("chatops.aws.pricing_api.pricing_client", lambda *a, **k: client)
    monkeypatch.setattr("chatops.aws.pricing_api.savings_plans_client", lambda *a, **k: sp_client)
    result = run("prices", "refresh", "--region", "eu-central-1")
    assert result.exit_code == 0, result.output
    stubber.assert_no_pending_responses()
    sp_stubber.assert_no_pending_responses()
    # 7 on-demand prices, 3 reserved (two RDS deployments, one node type), 4 Savings Plan rates
    total = len(load_bundled("eu-central-1").prices) + 3
    assert f"14 of {total} prices read from the AWS Price List and Savings Plans APIs" in result.stdout
    assert result.stderr == ""
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
    assert show["origin"] == "cache" and show["statuses"]["price-list"] == 14
    # estimates now use the refreshed prices
    est = json.loads(run("cost-report", "-p", "dev", "--region", "eu-central-1", "--json").stdout)
    assert est["catalog"]["origin"] == "cache"


def test_refresh_reads_reserved_terms_and_savings_plan_rates(run, monkeypatch, cache_home):
    client, _ = stubbed_client()
    sp_client, _ = stubbed_savings_plans(SP_PAGES)
    monkeypatch.setattr("chatops.aws.pricing_api.pricing_client", lambda *a, **k: client)
    monkeypatch.setattr("chatops.aws.pricing_api.savings_plans_client", lambda *a, **k: sp_client)
    assert run("prices", "refresh", "--region", "eu-central-1").exit_code == 0
    catalog = load_catalog("eu-central-1")
    # 1-year No Upfront standard, not the partial, all-upfront or 3-year terms of the same product
    single = catalog.get("rds.reserved.db.t3.micro.single_az")
    assert single.price == Decimal("0.015") and single.status == "price-list"
    assert "sku RDS1, 1-year No Upfront reserved" in single.source and "PostgreSQL, db.t3.micro reserved" in single.source
    assert catalog.price("rds.reserved.db.t3.micro.multi_az") == Decimal("0.03")
    assert catalog.price("elasticache.reserved.cache.t3.micro") == Decimal("0.0137")
    assert catalog.get("rds.reserved.db.t3.small.single_az") is None  # not in the response: the factor applies
    # 1-year rates of the four Fargate usage types; the 3-year and ephemeral-storage ones are not used
    assert catalog.price("fargate.savings_plan.x86.vcpu_hour") == Decimal("0.0373")
    assert catalog.price("fargate.savings_plan.x86.gb_hour") == Decimal("0.0041")
    assert catalog.price("fargate.savings_plan.arm.vcpu_hour") == Decimal("0.0298")
    assert catalog.price("fargate.savings_plan.arm.gb_hour") == Decimal("0.00327")
    assert "SAVINGS_PLANS_API" in catalog.get("fargate.savings_plan.x86.vcpu_hour").source
    # the commitment estimate prices from them: reserved db.t3.micro, Savings Plan Fargate hours
    est = json.loads(run("cost-report", "-p", "dev", "--region", "eu-central-1", "--pricing", "commitment",
                         "--json").stdout)
    lines = {c["name"]: c for r in est["resources"] for c in r["components"]}
    db = next(c for name, c in lines.items() if name.startswith("instance (db.t3.micro"))
    assert Decimal(str(db["unit_price"])) == Decimal("0.015") and db["pricing"] == "reserved"
    assert db["price_status"] == "price-list"
    assert est["catalog"]["oldest_source"] is not None
    tier = json.loads(run("cost-report", "-p", "10k-dau", "--region", "eu-central-1", "--pricing", "commitment",
                          "--json").stdout)
    api = next(r for r in tier["resources"] if r["name"] == "api service")
    vcpu = next(c for c in api["components"] if c["name"].startswith("vCPU"))
    assert vcpu["name"] == "vCPU, x86 (Savings Plan)" and vcpu["pricing"] == "savings-plan"
    assert Decimal(str(vcpu["unit_price"])) == Decimal("0.0373") and api["on_demand_monthly"] > api["cost_monthly"]


def test_refresh_without_savings_plans_access_still_writes_with_a_warning(run, monkeypatch, cache_home):
    client, _ = stubbed_client()
    sp_client, sp_stubber = stubbed_savings_plans(error="AccessDeniedException")
    monkeypatch.setattr("chatops.aws.pricing_api.pricing_client", lambda *a, **k: client)
    monkeypatch.setattr("chatops.aws.pricing_api.savings_plans_client", lambda *a, **k: sp_client)
    result = run("prices", "refresh", "--region", "eu-central-1", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["fetched"] == 10 and "AccessDeniedException" in data["warnings"][0]
    assert "Warning: AWS Savings Plans API refused" in result.stderr and "stay on-demand" in result.stderr
    assert load_catalog("eu-central-1").price("fargate.savings_plan.x86.vcpu_hour") is None
    sp_stubber.assert_no_pending_responses()


def test_parse_reserved_terms_of_a_price_list_entry():
    product = parse_price_list_item(RESPONSES[RDS_INSTANCE][0]["PriceList"][0])
    assert product.price == Decimal("0.022") and product.reserved_1y_no_upfront == Decimal("0.015")
    # an upfront fee counts over the year's 8,760 hours
    term = dict([reserved_term("X", "4NA7Y494T4", "0.0100000000", "87.6")])
    data = json.loads(RESPONSES[RDS_INSTANCE][0]["PriceList"][1])
    data["terms"]["Reserved"] = term
    assert parse_price_list_item(json.dumps(data)).reserved_1y_no_upfront == Decimal("0.02")
    data["terms"].pop("Reserved")
    assert parse_price_list_item(json.dumps(data)).reserved_1y_no_upfront is None


def test_refresh_with_no_prices_writes_nothing(run, monkeypatch, cache_home):
    client = boto3.client("pricing", region_name="us-east-1", aws_access_key_id="t", aws_secret_access_key="t")
    stubber = Stubber(client)
    for _ in queries_for(load_bundled("us-east-1").prices):
        stubber.add_response("get_products", {"PriceList": [], "FormatVersion": "aws_v1"}, {
            "ServiceCode": ANY, "Filters": ANY, "FormatVersion": "aws_v1", "MaxResults": 100})
    stubber.activate()
    monkeypatch.setattr("chatops.aws.pricing_api.pricing_client", lambda *a, **k: client)
    monkeypatch.setattr("chatops.aws.pricing_api.savings_plans_client",
                        lambda *a, **k: stubbed_savings_plans(error="AccessDeniedException")[0])
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
    monkeypatch.setattr("chatops.aws.pricing_api.savings_plans_client", lambda *a, **k: stubbed_savings_plans()[0])
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
    assert data["oldest_source"] == {"date": "2021-08-03", "source": "VANTAGE_RDS_2021"}
    assert data["statuses"]["unconfirmed"] > 0
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


def test_refresh_of_a_region_without_snapshot_labels_copied_prices(run, monkeypatch, cache_home):
    client = boto3.client("pricing", region_name="us-east-1", aws_access_key_id="t", aws_secret_access_key="t")
    stubber = Stubber(client)
    mumbai = "Asia Pacific (Mumbai)"
    for query in queries_for(load_bundled("us-east-1").prices):
        page = {"PriceList": [], "FormatVersion": "aws_v1"}
        if query == NAT:
            page["PriceList"] = [item("NATM", {"servicecode": "AmazonEC2", "location": mumbai,
                                               "usagetype": "APS3-NatGateway-Hours"}, [("0", "Inf", "0.0560000000")])]
        stubber.add_response("get_products", page, {"ServiceCode": ANY, "Filters": ANY, "FormatVersion": "aws_v1",
                                                    "MaxResults": 100})
    stubber.activate()
    monkeypatch.setattr("chatops.aws.pricing_api.pricing_client", lambda *a, **k: client)
    monkeypatch.setattr("chatops.aws.pricing_api.savings_plans_client",
                        lambda *a, **k: stubbed_savings_plans(error="AccessDeniedException")[0])
    assert run("prices", "refresh", "--region", "ap-south-1").exit_code == 0
    catalog = load_catalog("ap-south-1")
    assert catalog.get("nat.hour").status == "price-list" and catalog.price("nat.hour") == Decimal("0.056")
    alb = catalog.get("alb.hour")
    assert alb.status == "derived" and alb.rule == "copied_region" and alb.derived_from == "us-east-1:alb.hour"
    assert catalog.get("rds.instance.db.r7g.large.single_az").status == "unconfirmed"
    data = json.loads(run("cost-report", "-p", "dev", "--region", "ap-south-1", "--json").stdout)
    assert data["from_other_region"]["lines"] > 0


def test_refresh_json_matches_its_schema(run, monkeypatch, cache_home):
    from tests.support.json_schemas import assert_valid

    client, _ = stubbed_client()
    sp_client, _ = stubbed_savings_plans(SP_PAGES)
    monkeypatch.setattr("chatops.aws.pricing_api.pricing_client", lambda *a, **k: client)
    monkeypatch.setattr("chatops.aws.pricing_api.savings_plans_client", lambda *a, **k: sp_client)
    result = run("prices", "refresh", "--region", "eu-central-1", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert_valid("prices-refresh", data)
    assert data["fetched"] == 14 and data["prices"] == len(load_bundled("eu-central-1").prices) + 3
