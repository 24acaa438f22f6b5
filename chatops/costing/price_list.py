"""The AWS Price List API, as data: which GetProducts queries give which catalog price, and how a
PriceList entry (a JSON string: product.attributes + terms.OnDemand.*.priceDimensions.* and
terms.Reserved.*) becomes a unit price. Pure; chatops/aws/pricing_api.py does the calls and writes the
cache.

Commitments: an RDS or ElastiCache product's Reserved terms carry its 1-year No Upfront price (term
attributes LeaseContractLength "1yr", PurchaseOption "No Upfront", OfferingClass "standard" where
given; an "Hrs" dimension, and a "Quantity" upfront fee of 0). The Price List has no Savings Plans
rates: the Fargate Compute Savings Plan rates come from the Savings Plans API
(DescribeSavingsPlansOfferingRates), parsed here by `parse_savings_plan_rate`.

Queries are coarse (service, location, a product family) and the price is picked client-side by
attributes and by usage type with the region's prefix removed ("EUC1-NatGateway-Hours" ->
"NatGateway-Hours"; us-east-1 usage types often have no prefix), so one call serves many prices.
Prices the API does not give reliably (WAF, AWS Backup, dashboards, the Spot discount) are kept from
the bundled snapshot and say so in their source.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Iterable, Mapping, Optional, Sequence

from chatops.costing.catalog import REGION_LOCATIONS, PriceCatalog

#: Region code -> usage-type prefix in the Price List.
USAGE_PREFIXES: dict[str, str] = {
    "us-east-1": "USE1", "us-east-2": "USE2", "us-west-1": "USW1", "us-west-2": "USW2", "ca-central-1": "CAN1",
    "eu-west-1": "EU", "eu-west-2": "EUW2", "eu-west-3": "EUW3", "eu-central-1": "EUC1", "eu-north-1": "EUN1",
    "ap-south-1": "APS3", "ap-southeast-1": "APS1", "ap-southeast-2": "APS2", "ap-northeast-1": "APN1",
    "sa-east-1": "SAE1",
}


@dataclass(frozen=True)
class ProductQuery:
    """One GetProducts call (paged): TERM_MATCH on the location plus these fields."""

    service_code: str
    filters: tuple[tuple[str, str], ...] = ()
    location_field: str = "location"

    def api_filters(self, region: str) -> list[dict[str, str]]:
        where = [(self.location_field, REGION_LOCATIONS[region]), *self.filters]
        return [{"Type": "TERM_MATCH", "Field": f, "Value": v} for f, v in where]


@dataclass(frozen=True)
class PriceSelector:
    """Which product of a query's results is the catalog price `key`, and how to scale its unit."""

    key: str
    query: ProductQuery
    attributes: tuple[tuple[str, str], ...] = ()
    usagetype: Optional[str] = None
    scale: Decimal = Decimal(1)  # e.g. 1,000,000 for a per-request price stored per 1M requests
    reserved: bool = False  # the product's 1-year No Upfront reserved price, not its on-demand one


@dataclass(frozen=True)
class Product:
    sku: str
    attributes: Mapping[str, str]
    price: Optional[Decimal]
    description: str = ""
    #: Effective hourly price of the 1-year No Upfront standard reservation, when the product has one.
    reserved_1y_no_upfront: Optional[Decimal] = None
    reserved_description: str = ""


@dataclass(frozen=True)
class SavingsPlanRate:
    """One DescribeSavingsPlansOfferingRates result."""

    usage_type: str
    rate: Decimal
    unit: str
    plan_type: str
    payment_option: str
    duration_seconds: int
    offering_id: str = ""


ONE_YEAR_SECONDS = 31_536_000
HOURS_PER_YEAR = Decimal(8760)


ECS = ProductQuery("AmazonECS")
RDS_INSTANCE = ProductQuery("AmazonRDS", (("productFamily", "Database Instance"), ("databaseEngine", "PostgreSQL")))
RDS_STORAGE = ProductQuery("AmazonRDS", (("productFamily", "Database Storage"),))
RDS_SNAPSHOT = ProductQuery("AmazonRDS", (("productFamily", "Storage Snapshot"),))
RDS_PROXY = ProductQuery("AmazonRDS", (("productFamily", "RDS Proxy"),))
CACHE = ProductQuery("AmazonElastiCache", (("productFamily", "Cache Instance"), ("cacheEngine", "Redis")))
NAT = ProductQuery("AmazonEC2", (("productFamily", "NAT Gateway"),))
ALB = ProductQuery("AWSELB", (("productFamily", "Load Balancer-Application"),))
VPC = ProductQuery("AmazonVPC")
CLOUDWATCH = ProductQuery("AmazonCloudWatch")
SECRETS = ProductQuery("AWSSecretsManager")
SQS = ProductQuery("AWSQueueService")
SNS = ProductQuery("AmazonSNS")
S3 = ProductQuery("AmazonS3", (("productFamily", "Storage"), ("storageClass", "General Purpose")))
S3_REQUESTS = ProductQuery("AmazonS3", (("productFamily", "API Request"),))
ECR = ProductQuery("AmazonECR")
KMS = ProductQuery("awskms")
DATA_OUT = ProductQuery("AWSDataTransfer", (("transferType", "AWS Outbound"),), location_field="fromLocation")

MILLION = Decimal(1_000_000)
#: Rule of a refreshed region's price that the API did not give and that comes from another region's snapshot.
COPIED_REGION = "copied_region"
#: Source keys of refreshed prices (dated with the refresh day, so reports can name the oldest source).
PRICE_LIST_SOURCE = "PRICE_LIST_API"
SAVINGS_PLANS_SOURCE = "SAVINGS_PLANS_API"

FIXED_SELECTORS: dict[str, PriceSelector] = {s.key: s for s in (
    PriceSelector("fargate.x86.vcpu_hour", ECS, usagetype="Fargate-vCPU-Hours:perCPU"),
    PriceSelector("fargate.x86.gb_hour", ECS, usagetype="Fargate-GB-Hours"),
    PriceSelector("fargate.arm.vcpu_hour", ECS, usagetype="Fargate-ARM-vCPU-Hours:perCPU"),
    PriceSelector("fargate.arm.gb_hour", ECS, usagetype="Fargate-ARM-GB-Hours"),
    PriceSelector("rds.storage.gp3.single_az", RDS_STORAGE, (("volumeType", "General Purpose-GP3"),
                                                            ("deploymentOption", "Single-AZ"), ("databaseEngine", "PostgreSQL"))),
    PriceSelector("rds.storage.gp3.multi_az", RDS_STORAGE, (("volumeType", "General Purpose-GP3"),
                                                           ("deploymentOption", "Multi-AZ"), ("databaseEngine", "PostgreSQL"))),
    PriceSelector("rds.backup_storage", RDS_SNAPSHOT, usagetype="RDS:ChargedBackupUsage"),
    PriceSelector("rds.proxy.vcpu_hour", RDS_PROXY, usagetype="RDS:ProxyUsage"),
    PriceSelector("nat.hour", NAT, usagetype="NatGateway-Hours"),
    PriceSelector("nat.gb", NAT, usagetype="NatGateway-Bytes"),
    PriceSelector("alb.hour", ALB, usagetype="LoadBalancerUsage"),
    PriceSelector("alb.lcu_hour", ALB, usagetype="LCUUsage"),
    PriceSelector("ipv4.hour", VPC, usagetype="PublicIPv4:InUseAddress"),
    PriceSelector("cloudwatch.alarm_month", CLOUDWATCH, usagetype="CW:AlarmMonitorUsage"),
    PriceSelector("cloudwatch.metric_month", CLOUDWATCH, usagetype="CW:MetricMonitorUsage"),
    PriceSelector("logs.ingest_gb", CLOUDWATCH, usagetype="DataProcessing-Bytes"),
    PriceSelector("logs.storage_gb_month", CLOUDWATCH, usagetype="TimedStorage-ByteHrs"),
    PriceSelector("secretsmanager.secret_month", SECRETS, usagetype="AWSSecretsManager-Secrets"),
    PriceSelector("secretsmanager.api_10k", SECRETS, usagetype="AWSSecretsManager-APIRequest", scale=Decimal(10_000)),
    PriceSelector("sqs.requests_million", SQS, usagetype="Requests-Tier1", scale=MILLION),
    PriceSelector("sns.requests_million", SNS, usagetype="Requests-Tier1", scale=MILLION),
    PriceSelector("s3.storage_gb_month", S3, usagetype="TimedStorage-ByteHrs"),
    PriceSelector("s3.put_1k", S3_REQUESTS, usagetype="Requests-Tier1", scale=Decimal(1000)),
    PriceSelector("ecr.storage_gb_month", ECR, usagetype="TimedStorage-ByteHrs"),
    PriceSelector("kms.key_month", KMS, usagetype="KMS-Keys"),
    PriceSelector("data_transfer.out_gb", DATA_OUT, usagetype="DataTransfer-Out-Bytes"),
)}


#: Catalog key of each Fargate Compute Savings Plan rate -> its usage type (region prefix removed).
SAVINGS_PLAN_USAGE_TYPES: dict[str, str] = {
    "fargate.savings_plan.x86.vcpu_hour": "Fargate-vCPU-Hours:perCPU",
    "fargate.savings_plan.x86.gb_hour": "Fargate-GB-Hours",
    "fargate.savings_plan.arm.vcpu_hour": "Fargate-ARM-vCPU-Hours:perCPU",
    "fargate.savings_plan.arm.gb_hour": "Fargate-ARM-GB-Hours",
}


def selector_for(key: str) -> Optional[PriceSelector]:
    """The Price List selector of a catalog key, or None when the key is kept from the snapshot."""
    if key in FIXED_SELECTORS:
        return FIXED_SELECTORS[key]
    for prefix, reserved in (("rds.instance.", False), ("rds.reserved.", True)):
        if key.startswith(prefix):
            cls, deployment = key[len(prefix):].rsplit(".", 1)
            option = "Multi-AZ" if deployment == "multi_az" else "Single-AZ"
            return PriceSelector(key, RDS_INSTANCE, (("instanceType", cls), ("deploymentOption", option)),
                                 reserved=reserved)
    for prefix, reserved in (("elasticache.node.", False), ("elasticache.reserved.", True)):
        if key.startswith(prefix):
            return PriceSelector(key, CACHE, (("instanceType", key[len(prefix):]),), reserved=reserved)
    return None


def commitment_keys(keys: Iterable[str]) -> list[str]:
    """The reserved-price key of every instance class and node type among `keys` (a refresh reads them all)."""
    out = []
    for key in keys:
        if key.startswith("rds.instance."):
            out.append("rds.reserved." + key[len("rds.instance."):])
        elif key.startswith("elasticache.node."):
            out.append("elasticache.reserved." + key[len("elasticache.node."):])
    return out


def queries_for(keys: Iterable[str]) -> list[ProductQuery]:
    """Distinct queries needed for these keys, in first-use order."""
    out: list[ProductQuery] = []
    for key in keys:
        sel = selector_for(key)
        if sel is not None and sel.query not in out:
            out.append(sel.query)
    return out


def parse_price_list_item(item: str) -> Product:
    """One GetProducts PriceList entry -> sku, attributes, the first non-zero on-demand USD price
    (tiered prices: the lowest paid tier; free tiers are not applied in estimates) and the 1-year No
    Upfront reserved price when the entry has Reserved terms."""
    data = json.loads(item)
    product = data.get("product", {})
    terms = data.get("terms", {})
    reserved, reserved_description = _reserved_1y_no_upfront(terms.get("Reserved", {}))
    base = {"sku": str(product.get("sku", "")), "attributes": product.get("attributes", {}),
            "reserved_1y_no_upfront": reserved, "reserved_description": reserved_description}
    dims = []
    for term in terms.get("OnDemand", {}).values():
        dims.extend(term.get("priceDimensions", {}).values())
    dims.sort(key=lambda d: _decimal(d.get("beginRange", "0")) or Decimal(0))
    for dim in dims:
        usd = _decimal(dim.get("pricePerUnit", {}).get("USD"))
        if usd is not None and usd > 0:
            return Product(price=usd, description=str(dim.get("description", "")), **base)
    return Product(price=None, **base)


def _reserved_1y_no_upfront(terms: Mapping[str, dict]) -> tuple[Optional[Decimal], str]:
    """Effective hourly price (hourly fee + upfront fee / 8,760 h) of the 1-year No Upfront standard term."""
    for term in terms.values():
        attrs = term.get("termAttributes", {})
        if (attrs.get("LeaseContractLength") != "1yr" or attrs.get("PurchaseOption") != "No Upfront"
                or attrs.get("OfferingClass", "standard") != "standard"):
            continue
        hourly, upfront, description = None, Decimal(0), ""
        for dim in term.get("priceDimensions", {}).values():
            usd = _decimal(dim.get("pricePerUnit", {}).get("USD"))
            if usd is None:
                continue
            if dim.get("unit") == "Hrs":
                hourly, description = usd, str(dim.get("description", ""))
            elif dim.get("unit") == "Quantity":
                upfront = usd
        if hourly is not None:
            return hourly + upfront / HOURS_PER_YEAR, description
    return None, ""


def parse_savings_plan_rate(result: Mapping[str, object]) -> Optional[SavingsPlanRate]:
    """One DescribeSavingsPlansOfferingRates searchResults item, or None when it has no usable rate."""
    offering = result.get("savingsPlanOffering") or {}
    rate = _decimal(result.get("rate"))
    if not isinstance(offering, Mapping) or rate is None:
        return None
    return SavingsPlanRate(usage_type=str(result.get("usageType", "")), rate=rate, unit=str(result.get("unit", "")),
                           plan_type=str(offering.get("planType", "")),
                           payment_option=str(offering.get("paymentOption", "")),
                           duration_seconds=int(offering.get("durationSeconds", 0) or 0),
                           offering_id=str(offering.get("offeringId", "")))


def select_savings_plan_rate(key: str, rates: Iterable[SavingsPlanRate], region: str) -> Optional[SavingsPlanRate]:
    """The 1-year No Upfront Compute Savings Plan rate of a catalog key's Fargate usage type."""
    usage_type = SAVINGS_PLAN_USAGE_TYPES[key]
    for rate in rates:
        if (rate.plan_type == "Compute" and rate.payment_option == "No Upfront"
                and rate.duration_seconds == ONE_YEAR_SECONDS and strip_prefix(rate.usage_type, region) == usage_type
                and rate.rate > 0):
            return rate
    return None


def _decimal(value: object) -> Optional[Decimal]:
    if value in (None, "", "Inf"):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def strip_prefix(usagetype: str, region: str) -> str:
    prefix = USAGE_PREFIXES.get(region)
    if prefix and usagetype.startswith(prefix + "-"):
        return usagetype[len(prefix) + 1:]
    return usagetype


def select(selector: PriceSelector, products: Iterable[Product], region: str) -> Optional[Product]:
    """The first priced product matching the selector's attributes and usage type."""
    for product in products:
        attrs = product.attributes
        if any(attrs.get(k) != v for k, v in selector.attributes):
            continue
        if selector.usagetype and strip_prefix(attrs.get("usagetype", ""), region) != selector.usagetype:
            continue
        if selected_price(selector, product) is not None:
            return product
    return None


def selected_price(selector: PriceSelector, product: Product) -> Optional[Decimal]:
    return product.reserved_1y_no_upfront if selector.reserved else product.price


def build_catalog_doc(region: str, template: PriceCatalog, template_doc: dict,
                      products: Mapping[ProductQuery, list[Product]], fetched_on: str,
                      savings_rates: Iterable[SavingsPlanRate] = ()) -> tuple[dict, int]:
    """A catalog document for the user cache: every key of the template, from the Price List (or, for the
    Fargate Savings Plan rates, the Savings Plans API) where found, else kept from the template (saying
    so), plus the reserved price of every instance class and node type the API gives. Returns the
    document and how many prices were fetched."""
    prices: dict[str, dict] = {}
    fetched = 0
    rates = list(savings_rates)
    extra = [k for k in commitment_keys(template.prices) if k not in template.prices]
    for key in [*template.prices, *extra]:
        entry = _fetched_entry(key, template, products, rates, region, fetched_on)
        if entry is not None:
            fetched += 1
            prices[key] = entry
        elif key in template.prices:
            queried = selector_for(key) is not None or key in SAVINGS_PLAN_USAGE_TYPES
            prices[key] = _kept_entry(key, template_doc["prices"][key], template.region, region, queried)
    doc = {
        "schema": 1, "region": region, "location": REGION_LOCATIONS[region], "currency": "USD",
        "date": fetched_on, "origin": "cache",
        "source": f"AWS Price List API (boto3 pricing GetProducts) and Savings Plans API, read {fetched_on}; prices "
                  f"the APIs did not give are from the bundled {template.region} snapshot of {template.date}",
        "hours_per_month": 730,
        "statuses": template_doc.get("statuses", {}),
        "rules": {**template_doc.get("rules", {}),
                  **({COPIED_REGION: f"not read from the Price List API for {region}: the bundled {template.region} "
                                     "value"} if template.region != region else {})},
        "sources": {**template_doc.get("sources", {}),
                    PRICE_LIST_SOURCE: f"AWS Price List API GetProducts, read {fetched_on}",
                    SAVINGS_PLANS_SOURCE: f"AWS Savings Plans API DescribeSavingsPlansOfferingRates, read {fetched_on}"},
        "source_dates": {**template_doc.get("source_dates", {}), PRICE_LIST_SOURCE: fetched_on,
                         SAVINGS_PLANS_SOURCE: fetched_on},
        "prices": dict(sorted(prices.items())),
    }
    return doc, fetched


def _fetched_entry(key: str, template: PriceCatalog, products: Mapping[ProductQuery, list[Product]],
                   rates: Sequence[SavingsPlanRate], region: str, fetched_on: str) -> Optional[dict]:
    """The catalog entry of `key` as the APIs give it, or None when they do not."""
    unit = template.prices[key].unit if key in template.prices else _commitment_unit(key)
    if key in SAVINGS_PLAN_USAGE_TYPES:
        rate = select_savings_plan_rate(key, rates, region)
        if rate is None:
            return None
        return {"price": str(rate.rate.normalize()), "unit": unit, "status": "price-list",
                "source": f"{SAVINGS_PLANS_SOURCE}: 1-year No Upfront Compute Savings Plan {rate.usage_type}"
                          f" (offering {rate.offering_id}), read {fetched_on}"}
    sel = selector_for(key)
    found = select(sel, products.get(sel.query, []), region) if sel else None
    price = selected_price(sel, found) if sel is not None and found is not None else None
    if sel is None or found is None or price is None:
        return None
    description = found.reserved_description if sel.reserved else found.description
    term = "1-year No Upfront reserved, " if sel.reserved else ""
    return {"price": str((price * sel.scale).normalize()), "unit": unit, "status": "price-list",
            "source": f"{PRICE_LIST_SOURCE}: GetProducts {sel.query.service_code} sku {found.sku}, {term}read "
                      f"{fetched_on}: {description}".rstrip(": ")}


def _commitment_unit(key: str) -> str:
    return "node-hour" if key.startswith("elasticache.") else "instance-hour"


def _kept_entry(key: str, raw: dict, template_region: str, region: str, queried: bool) -> dict:
    """A bundled entry kept in a refreshed catalog, saying why; another region's value becomes `derived`."""
    kept = "kept from the bundled snapshot" if template_region == region else f"{template_region} bundled value"
    why = "not found in the Price List API response" if queried else "not read from the Price List API"
    entry = {**raw, "source": f"{kept} ({why}): {raw.get('source', '')}"}
    if template_region != region and raw.get("price") is not None:
        entry.update({"status": "derived", "rule": COPIED_REGION, "from": f"{template_region}:{key}", "factor": "1"})
    return entry
