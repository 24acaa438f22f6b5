"""`chatops prices refresh`: read a region's prices from the AWS Price List API (boto3 `pricing`
client, GetProducts with TERM_MATCH filters) and write them to the user's cache, which then wins over
the bundled snapshot. The Price List API answers only in us-east-1 (and ap-south-1)."""

from __future__ import annotations

import json
import os
import tempfile
from datetime import date
from pathlib import Path
from typing import Any, Optional

from chatops.costing.catalog import REGION_LOCATIONS, cache_path, load_bundled
from chatops.costing.price_list import ProductQuery, build_catalog_doc, parse_price_list_item, queries_for
from chatops.errors import ChatopsError

PRICING_API_REGION = "us-east-1"
MAX_PAGES = 200  # a guard against a paginating endpoint that never ends


def pricing_client(aws_profile: Optional[str] = None, endpoint_url: Optional[str] = None) -> Any:
    import boto3
    from botocore.exceptions import BotoCoreError

    try:
        session = boto3.session.Session(profile_name=aws_profile) if aws_profile else boto3.session.Session()
        return session.client("pricing", region_name=PRICING_API_REGION, endpoint_url=endpoint_url)
    except BotoCoreError as exc:
        raise ChatopsError(f"cannot create the AWS Price List client ({exc}); check --aws-profile / AWS_PROFILE") from None


def refresh_catalog(region: str, client: Any, today: Optional[date] = None) -> tuple[Path, int, int]:
    """Rebuild `region`'s catalog from the Price List API into the cache.
    Returns (path written, prices read from the API, prices in the catalog)."""
    if region not in REGION_LOCATIONS:
        raise ChatopsError(f"unknown region {region}; use one of {', '.join(REGION_LOCATIONS)}")
    template = load_bundled(region) or load_bundled("us-east-1")
    assert template is not None, "the us-east-1 snapshot ships with the package"
    template_doc = json.loads(Path(template.path).read_text(encoding="utf-8"))
    products = {q: fetch_products(client, q, region) for q in queries_for(template.prices)}
    fetched_on = (today or date.today()).isoformat()
    doc, fetched = build_catalog_doc(region, template, template_doc, products, fetched_on)
    if fetched == 0:
        raise ChatopsError(f"the AWS Price List API returned no usable prices for {region}; the cache was not "
                           "written (check the region and your access to pricing:GetProducts)")
    path = cache_path(region)
    _write_atomically(path, json.dumps(doc, indent=1) + "\n")
    return path, fetched, len(doc["prices"])


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
