"""The price catalog of one region: a bundled snapshot, or the user's refreshed cache, which wins.

Files are JSON (see data/us-east-1.json): `prices` maps a key such as `fargate.x86.vcpu_hour` or
`rds.instance.db.r6g.large.multi_az` to {price, unit, status, source[, rule, from, factor]}. A key whose
status is `unconfirmed` has no price (null): it is listed so that what is missing is visible, and a line
that needs it shows "price not found". `source_dates` gives the date of each dated source, so a report
can name the oldest source behind its prices. Reading files is fine in this pure layer; writing the
cache is done by chatops/aws/pricing_api.py.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Mapping, Optional

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


#: Price statuses, strongest first (a line priced from several entries takes the weakest).
STATUS_ORDER: tuple[str, ...] = ("price-list", "confirmed", "corroborated", "corroborated-old", "derived",
                                 "derived-weak", "unconfirmed")
UNCONFIRMED = "unconfirmed"
#: Derivation rules whose price comes from another region's (copied, or scaled by a regional ratio).
OTHER_REGION_RULES = frozenset({"us_west_2", "eu_west_1", "same_as_use1", "euc1_ratio", "euc1_family_ratio",
                                "copied_region"})
_SOURCE_TOKEN = re.compile(r"\b[A-Z][A-Z0-9_]{2,}\b")


@dataclass(frozen=True)
class PriceEntry:
    key: str
    price: Optional[Decimal]  # None only when status is "unconfirmed"
    unit: str
    status: str
    source: str
    rule: str = ""
    derived_from: str = ""  # the key (or region:key) a derived price was computed from


@dataclass(frozen=True)
class PriceCatalog:
    region: str
    date: str
    origin: str  # "bundled" or "cache"
    path: str
    prices: Mapping[str, PriceEntry]
    #: Source key (e.g. VANTAGE_RDS_2021) -> ISO date of that source, for the dated ones.
    source_dates: Mapping[str, str] = field(default_factory=dict)

    def get(self, key: str) -> Optional[PriceEntry]:
        return self.prices.get(key)

    def price(self, key: str) -> Optional[Decimal]:
        """The price of `key`, or None when the catalog has no price for it (absent or unconfirmed)."""
        entry = self.prices.get(key)
        return entry.price if entry else None

    def has(self, key: str) -> bool:
        """True when the catalog prices `key` (an unconfirmed entry has no price)."""
        return self.price(key) is not None

    def sources_of(self, key: str) -> list[str]:
        """The dated sources an entry cites, directly or through the entries it is derived from."""
        found: list[str] = []
        seen: set[str] = set()
        while key in self.prices and key not in seen:
            seen.add(key)
            entry = self.prices[key]
            found += [t for t in _SOURCE_TOKEN.findall(entry.source) if t in self.source_dates and t not in found]
            key = entry.derived_from
        return found

    def oldest_source(self, keys: Iterable[str]) -> Optional[tuple[str, str]]:
        """(date, source) of the oldest dated source behind these keys, or None when none is dated."""
        dated = [(self.source_dates[s], s) for key in keys for s in self.sources_of(key)]
        return min(dated) if dated else None

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
        prices = {key: _entry(key, v) for key, v in data["prices"].items()}
        return PriceCatalog(region=str(data["region"]), date=str(data["date"]), origin=origin, path=path,
                            prices=prices, source_dates={str(k): str(v) for k, v in data.get("source_dates", {}).items()})
    except (KeyError, TypeError, AttributeError, InvalidOperation, ValueError) as exc:
        raise ChatopsError(f"{path}: malformed price catalog ({type(exc).__name__}: {exc}); delete it or run "
                           "`chatops prices refresh` again") from None


def _entry(key: str, v: dict) -> PriceEntry:
    status = str(v.get("status", ""))
    if v["price"] is None and status != UNCONFIRMED:
        raise ValueError(f"{key} has no price but its status is {status!r}, not {UNCONFIRMED!r}")
    price = None if v["price"] is None else Decimal(str(v["price"]))
    return PriceEntry(key=key, price=price, unit=str(v["unit"]), status=status, source=str(v.get("source", "")),
                      rule=str(v.get("rule", "")), derived_from=str(v.get("from", "")))


def weakest_status(statuses: Iterable[str]) -> str:
    """The weakest of several statuses (unknown ones count as weakest)."""
    rank = {s: i for i, s in enumerate(STATUS_ORDER)}
    return max(statuses, key=lambda s: rank.get(s, len(STATUS_ORDER)), default="")
