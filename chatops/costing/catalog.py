"""The price catalog of one region: a bundled snapshot, or the user's refreshed cache, which wins.

Files are JSON (see data/us-east-1.json): `prices` maps a key such as `fargate.x86.vcpu_hour` or
`rds.instance.db.r6g.large.multi_az` to {price, unit, status, source}. Reading files is fine in this
pure layer; writing the cache is done by chatops/aws/pricing_api.py.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Mapping, Optional

from chatops.errors import ChatopsError

DATA_DIR = Path(__file__).resolve().parent / "data"

#: Region code -> the `location` name the AWS Price List uses for it.
REGION_LOCATIONS: dict[str, str] = {
    "us-east-1": "US East (N. Virginia)",
    "us-east-2": "US East (Ohio)",
    "us-west-1": "US West (N. California)",
    "us-west-2": "US West (Oregon)",
    "ca-central-1": "Canada (Central)",
    "eu-west-1": "EU (Ireland)",
    "eu-west-2": "EU (London)",
    "eu-west-3": "EU (Paris)",
    "eu-central-1": "EU (Frankfurt)",
    "eu-north-1": "EU (Stockholm)",
    "ap-south-1": "Asia Pacific (Mumbai)",
    "ap-southeast-1": "Asia Pacific (Singapore)",
    "ap-southeast-2": "Asia Pacific (Sydney)",
    "ap-northeast-1": "Asia Pacific (Tokyo)",
    "sa-east-1": "South America (Sao Paulo)",
}


@dataclass(frozen=True)
class PriceEntry:
    key: str
    price: Decimal
    unit: str
    status: str
    source: str


@dataclass(frozen=True)
class PriceCatalog:
    region: str
    date: str
    origin: str  # "bundled" or "cache"
    path: str
    prices: Mapping[str, PriceEntry]

    def get(self, key: str) -> Optional[PriceEntry]:
        return self.prices.get(key)

    def price(self, key: str) -> Optional[Decimal]:
        entry = self.prices.get(key)
        return entry.price if entry else None

    def has(self, key: str) -> bool:
        return key in self.prices

    def age_days(self, today: date | None = None) -> int:
        return ((today or date.today()) - date.fromisoformat(self.date)).days

    def status_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for entry in self.prices.values():
            counts[entry.status] = counts.get(entry.status, 0) + 1
        return dict(sorted(counts.items()))


def cache_dir() -> Path:
    """$XDG_CACHE_HOME/chatops/prices, or ~/.cache/chatops/prices."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "chatops" / "prices"


def cache_path(region: str) -> Path:
    return cache_dir() / f"{region}.json"


def bundled_path(region: str) -> Path:
    return DATA_DIR / f"{region}.json"


def bundled_regions() -> list[str]:
    return sorted(p.stem for p in DATA_DIR.glob("*.json"))


def load_catalog(region: str) -> PriceCatalog:
    """The user's refreshed cache for the region if there is one, else the bundled snapshot."""
    cached = cache_path(region)
    if cached.is_file():
        return _load_cached(str(cached), cached.stat().st_mtime_ns, "cache")
    bundled = bundled_path(region)
    if bundled.is_file():
        return _load_cached(str(bundled), 0, "bundled")
    raise ChatopsError(f"no price catalog for region {region}; use one of {', '.join(bundled_regions())} "
                       f"or build one with `chatops prices refresh --region {region}`")


def load_bundled(region: str) -> Optional[PriceCatalog]:
    path = bundled_path(region)
    return _load_cached(str(path), 0, "bundled") if path.is_file() else None


@lru_cache(maxsize=32)
def _load_cached(path: str, mtime_ns: int, origin: str) -> PriceCatalog:
    # mtime is part of the cache key so a refresh in the same process is picked up.
    return parse_catalog(_read_json(Path(path)), origin=origin, path=path)


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ChatopsError(f"{path}: unreadable price catalog ({exc}); delete it or run "
                           "`chatops prices refresh` again") from None
    if not isinstance(data, dict):
        raise ChatopsError(f"{path}: not a price catalog; delete it or run `chatops prices refresh` again")
    return data


def parse_catalog(data: dict, origin: str, path: str) -> PriceCatalog:
    try:
        prices = {key: PriceEntry(key=key, price=Decimal(str(v["price"])), unit=str(v["unit"]),
                                  status=str(v.get("status", "")), source=str(v.get("source", "")))
                  for key, v in data["prices"].items()}
        return PriceCatalog(region=str(data["region"]), date=str(data["date"]), origin=origin, path=path,
                            prices=prices)
    except (KeyError, TypeError, AttributeError, InvalidOperation) as exc:
        raise ChatopsError(f"{path}: malformed price catalog ({type(exc).__name__}: {exc}); delete it or run "
                           "`chatops prices refresh` again") from None
