"""The AWS Price List API, as data: which GetProducts queries give which catalog price, and how a
PriceList entry (a JSON string: product.attributes + terms.OnDemand.*.priceDimensions.*) becomes a
unit price. Pure; chatops/aws/pricing_api.py does the calls and writes the cache.

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
from typing import Iterable, Mapping, Optional

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


@dataclass(frozen=True)
class Product:
    sku: str
    attributes: Mapping[str, str]
    price: Optional[Decimal]
    description: str = ""


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


def selector_for(key: str) -> Optional[PriceSelector]:
    """The Price List selector of a catalog key, or None when the key is kept from the snapshot."""
    if key in FIXED_SELECTORS:
        return FIXED_SELECTORS[key]
    if key.startswith("rds.instance."):
        cls, deployment = key[len("rds.instance."):].rsplit(".", 1)
        option = "Multi-AZ" if deployment == "multi_az" else "Single-AZ"
        return PriceSelector(key, RDS_INSTANCE, (("instanceType", cls), ("deploymentOption", option)))
    if key.startswith("elasticache.node."):
        return PriceSelector(key, CACHE, (("instanceType", key[len("elasticache.node."):]),))
    return None


def queries_for(keys: Iterable[str]) -> list[ProductQuery]:
    """Distinct queries needed for these keys, in first-use order."""
    out: list[ProductQuery] = []
    for key in keys:
        sel = selector_for(key)
        if sel is not None and sel.query not in out:
            out.append(sel.query)
    return out


def parse_price_list_item(item: str) -> Product:
    """One GetProducts PriceList entry -> sku, attributes and the first non-zero on-demand USD price
    (tiered prices: the lowest paid tier; free tiers are not applied in estimates)."""
    data = json.loads(item)
    product = data.get("product", {})
    dims = []
    for term in data.get("terms", {}).get("OnDemand", {}).values():
        dims.extend(term.get("priceDimensions", {}).values())
    dims.sort(key=lambda d: _decimal(d.get("beginRange", "0")) or Decimal(0))
    for dim in dims:
        usd = _decimal(dim.get("pricePerUnit", {}).get("USD"))
        if usd is not None and usd > 0:
            return Product(sku=str(product.get("sku", "")), attributes=product.get("attributes", {}), price=usd,
                           description=str(dim.get("description", "")))
    return Product(sku=str(product.get("sku", "")), attributes=product.get("attributes", {}), price=None)


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
        if product.price is not None:
            return product
    return None


def build_catalog_doc(region: str, template: PriceCatalog, template_doc: dict,
                      products: Mapping[ProductQuery, list[Product]], fetched_on: str) -> tuple[dict, int]:
    """A catalog document for the user cache: every key of the template, from the Price List where
    found, else kept from the template (saying so). Returns the document and how many were fetched."""
    prices: dict[str, dict] = {}
    fetched = 0
    for key, entry in template.prices.items():
        sel = selector_for(key)
        found = select(sel, products.get(sel.query, []), region) if sel else None
        if found is not None and found.price is not None:
            fetched += 1
            prices[key] = {"price": str((found.price * sel.scale).normalize()), "unit": entry.unit,
                           "status": "price-list",
                           "source": f"AWS Price List API GetProducts {sel.query.service_code} sku {found.sku}, "
                                     f"read {fetched_on}: {found.description}".rstrip(": ")}
            continue
        prices[key] = _kept_entry(key, template_doc["prices"][key], template.region, region, sel is not None)
    doc = {
        "schema": 1, "region": region, "location": REGION_LOCATIONS[region], "currency": "USD",
        "date": fetched_on, "origin": "cache",
        "source": f"AWS Price List API (boto3 pricing GetProducts), read {fetched_on}; prices the API did not "
                  f"give are from the bundled {template.region} snapshot of {template.date}",
        "hours_per_month": 730,
        "statuses": template_doc.get("statuses", {}),
        "rules": {**template_doc.get("rules", {}),
                  **({COPIED_REGION: f"not read from the Price List API for {region}: the bundled {template.region} "
                                     "value"} if template.region != region else {})},
        "sources": template_doc.get("sources", {}), "source_dates": template_doc.get("source_dates", {}),
        "prices": dict(sorted(prices.items())),
    }
    return doc, fetched


def _kept_entry(key: str, raw: dict, template_region: str, region: str, queried: bool) -> dict:
    """A bundled entry kept in a refreshed catalog, saying why; another region's value becomes `derived`."""
    kept = "kept from the bundled snapshot" if template_region == region else f"{template_region} bundled value"
    why = "not found in the Price List API response" if queried else "not read from the Price List API"
    entry = {**raw, "source": f"{kept} ({why}): {raw.get('source', '')}"}
    if template_region != region and raw.get("price") is not None:
        entry.update({"status": "derived", "rule": COPIED_REGION, "from": f"{template_region}:{key}", "factor": "1"})
    return entry
