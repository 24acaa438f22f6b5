"""Validate a command's real --json output against its schema in docs/schemas/ and the conventions of
docs/json.md that a schema cannot say (money rounded to cents, snake_case keys, `profile` never `tier`,
times in `*_at` keys as ISO 8601 strings, durations in `*_seconds` keys as numbers)."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

SCHEMAS = Path(__file__).resolve().parents[2] / "docs" / "schemas"

#: Maps whose keys are data, not our vocabulary (provider inputs, stack outputs, AWS names).
_DATA_MAPS = {"inputs", "outputs", "dimension", "statuses", "states", "headroom", "headroom_at_max", "price_status"}
_SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")
#: An ISO 8601 date-time as `datetime.isoformat()` writes it (2025-01-31T09:55:00+00:00, ...Z, fractions).
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")


@lru_cache(maxsize=None)
def _validator(name: str) -> Any:
    from jsonschema import Draft202012Validator

    schema = json.loads((SCHEMAS / f"{name}.json").read_text())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def assert_valid(name: str, data: Any) -> None:
    """`data` (parsed JSON) matches docs/schemas/<name>.json and the conventions."""
    errors = sorted(_validator(name).iter_errors(data), key=lambda e: list(e.path))
    assert not errors, f"{name}: " + "; ".join(f"{'/'.join(map(str, e.path)) or '(top)'}: {e.message}"
                                               for e in errors[:5])
    assert isinstance(data, dict) and data.get("schema_version") == 1
    assert not list(_convention_problems(data)), list(_convention_problems(data))[:5]


def _convention_problems(value: Any, path: str = "") -> Any:
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}/{key}"
            if not _SNAKE.match(str(key)):
                yield f"{where}: key is not snake_case"
            if key == "tier":
                yield f"{where}: the profile a report is about is `profile`, never `tier`"
            if str(key).endswith(("_monthly", "_hourly")) and isinstance(item, (int, float)) \
                    and not isinstance(item, bool) and round(item, 2) != item:
                yield f"{where}: money {item} is not rounded to cents"
            yield from _time_problems(str(key), item, where)
            if key not in _DATA_MAPS:
                yield from _convention_problems(item, where)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _convention_problems(item, f"{path}/{i}")


def _time_problems(key: str, item: Any, where: str) -> Any:
    """docs/json.md: times are ISO 8601 UTC in keys ending in `_at`, durations are seconds in keys ending in
    `_seconds`; a timestamp under any other key (`since`, `time`) breaks the one rule scripts rely on."""
    if key.endswith("_at") and item is not None and not (isinstance(item, str) and _TIMESTAMP.match(item)):
        yield f"{where}: a `*_at` key holds an ISO 8601 time, not {str(item)[:80]}"
    if isinstance(item, str) and _TIMESTAMP.match(item) and not key.endswith("_at"):
        yield f"{where}: the time {item!r} belongs in a key ending in `_at`"
    if key.endswith("_seconds") and item is not None:
        values = item if isinstance(item, list) else [item]  # a per-minute series of seconds is numbers too
        if any(isinstance(v, bool) or not isinstance(v, (int, float)) for v in values):
            yield f"{where}: a `*_seconds` key holds seconds as numbers, not {str(item)[:80]}"
