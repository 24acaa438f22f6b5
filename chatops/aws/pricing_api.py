"""`chatops prices refresh`: read a region's prices from the AWS Price List API (boto3 `pricing`
client, GetProducts with TERM_MATCH filters: on-demand and, for RDS and ElastiCache, reserved terms) and
the Fargate Compute Savings Plan rates from the Savings Plans API (boto3 `savingsplans` client,
DescribeSavingsPlansOfferingRates), and write them to the user's cache, which then wins over the
bundled snapshot. The Price List API answers only in us-east-1 (and ap-south-1); Savings Plans is a
global service answered in us-east-1."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Optional

from chatops.costing.catalog import REGION_LOCATIONS, cache_path, load_bundled
from chatops.costing.price_list import (ProductQuery, SavingsPlanRate, build_catalog_doc, parse_price_list_item,
                                       parse_savings_plan_rate, queries_for)
from chatops.errors import ChatopsError

PRICING_API_REGION = "us-east-1"
MAX_PAGES = 200  # a guard against a paginating endpoint that never ends


@dataclass(frozen=True)
class RefreshResult:
    path: Path
    fetched: int  # prices read from the APIs
    total: int  # prices in the catalog written
    warnings: list[str] = field(default_factory=list)


def _client(service: str, what: str, aws_profile: Optional[str], endpoint_url: Optional[str]) -> Any:
    import boto3
    from botocore.exceptions import BotoCoreError

    try:
        session = boto3.session.Session(profile_name=aws_profile) if aws_profile else boto3.session.Session()
        return session.client(service, region_name=PRICING_API_REGION, endpoint_url=endpoint_url)
    except BotoCoreError as exc:
        raise ChatopsError(f"cannot create the AWS {what} client ({exc}); check --aws-profile / AWS_PROFILE") from None


def pricing_client(aws_profile: Optional[str] = None, endpoint_url: Optional[str] = None) -> Any:
    return _client("pricing", "Price List", aws_profile, endpoint_url)


def savings_plans_client(aws_profile: Optional[str] = None, endpoint_url: Optional[str] = None) -> Any:
    return _client("savingsplans", "Savings Plans", aws_profile, endpoint_url)


def refresh_catalog(region: str, client: Any, today: Optional[date] = None,
                    savings_client: Optional[Any] = None) -> RefreshResult:
    """Rebuild `region`'s catalog from the Price List API (and the Savings Plans API when a client is
    given) into the cache. Savings Plans rates are optional: without them (no client, or access denied)
    the catalog is still written, the Fargate commitment lines stay on-demand, and a warning says why."""
    if region not in REGION_LOCATIONS:
        raise ChatopsError(f"unknown region {region}; use one of {', '.join(REGION_LOCATIONS)}")
    template = load_bundled(region) or load_bundled("us-east-1")
    assert template is not None, "the us-east-1 snapshot ships with the package"
    template_doc = json.loads(Path(template.path).read_text(encoding="utf-8"))
    products = {q: fetch_products(client, q, region) for q in queries_for(template.prices)}
    warnings: list[str] = []
    rates: list[SavingsPlanRate] = []
    if savings_client is None:
        warnings.append("Savings Plans rates not read (no client): Fargate commitment lines stay on-demand")
    else:
        try:
            rates = fetch_savings_plan_rates(savings_client, region)
        except ChatopsError as exc:
            warnings.append(f"{exc}; Fargate commitment lines stay on-demand")
    fetched_on = (today or date.today()).isoformat()
    doc, fetched = build_catalog_doc(region, template, template_doc, products, fetched_on, rates)
    if fetched == 0:
        raise ChatopsError(f"the AWS Price List API returned no usable prices for {region}; the cache was not "
                           "written (check the region and your access to pricing:GetProducts)")
    path = cache_path(region)
    _write_atomically(path, json.dumps(doc, indent=1) + "\n")
    return RefreshResult(path=path, fetched=fetched, total=len(doc["prices"]), warnings=warnings)


def fetch_savings_plan_rates(client: Any, region: str) -> list[SavingsPlanRate]:
    """The region's 1-year No Upfront Compute Savings Plan rates for Fargate (all pages)."""
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

    rates: list[SavingsPlanRate] = []
    token: Optional[str] = None
    for _ in range(MAX_PAGES):
        kwargs: dict[str, Any] = {"savingsPlanTypes": ["Compute"], "savingsPlanPaymentOptions": ["No Upfront"],
                                  "products": ["Fargate"], "serviceCodes": ["AmazonECS"],
                                  "filters": [{"name": "region", "values": [region]}], "maxResults": 1000}
        if token:
            kwargs["nextToken"] = token
        try:
            page = client.describe_savings_plans_offering_rates(**kwargs)
        except NoCredentialsError:
            raise ChatopsError("no AWS credentials for the Savings Plans API") from None
        except ClientError as exc:
            err = exc.response.get("Error", {})
            raise ChatopsError(f"AWS Savings Plans API refused DescribeSavingsPlansOfferingRates: "
                               f"{err.get('Code', 'error')}: {err.get('Message', '')}") from None
        except BotoCoreError as exc:
            raise ChatopsError(f"cannot reach the AWS Savings Plans API ({exc})") from None
        rates += [r for r in map(parse_savings_plan_rate, page.get("searchResults", [])) if r is not None]
        token = page.get("nextToken")
        if not token:
            break
    return rates


def fetch_products(client: Any, query: ProductQuery, region: str) -> list:
    """Every product of one query (all pages), parsed."""
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

    products = []
    token: Optional[str] = None
    for _ in range(MAX_PAGES):
        kwargs: dict[str, Any] = {"ServiceCode": query.service_code, "Filters": query.api_filters(region),
                                  "FormatVersion": "aws_v1", "MaxResults": 100}
        if token:
            kwargs["NextToken"] = token
        try:
            page = client.get_products(**kwargs)
        except NoCredentialsError:
            raise ChatopsError("no AWS credentials for the Price List API; set AWS_PROFILE (or --aws-profile) or "
                               "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY") from None
        except ClientError as exc:
            err = exc.response.get("Error", {})
            raise ChatopsError(f"AWS Price List API refused GetProducts for {query.service_code}: "
                               f"{err.get('Code', 'error')}: {err.get('Message', '')}; check that your "
                               "credentials allow pricing:GetProducts") from None
        except BotoCoreError as exc:
            raise ChatopsError(f"cannot reach the AWS Price List API ({exc}); check your network, "
                               "--endpoint-url / AWS_ENDPOINT_URL and credentials") from None
        products.extend(parse_price_list_item(item) for item in page.get("PriceList", []))
        token = page.get("NextToken")
        if not token:
            break
    return products


def _write_atomically(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        raise ChatopsError(f"cannot write the price cache {path} ({exc.strerror}); set XDG_CACHE_HOME to a "
                           "writable directory") from None
