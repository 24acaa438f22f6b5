"""Field-by-field differences between two profiles (used by `profiles diff` and `scale-to`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

from chatops.model.loading import profile_to_data
from chatops.model.profile import Profile


@dataclass(frozen=True)
class FieldChange:
    path: str
    before: Any
    after: Any


def flatten(data: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Nested mappings as (dotted.path, leaf value) pairs, in field order."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from flatten(value, f"{prefix}.{key}" if prefix else str(key))
    else:
        yield prefix, data


def diff_profiles(a: Profile, b: Profile, include_identity: bool = False) -> list[FieldChange]:
    """Every leaf that differs. Name and description differ between any two tiers; skip them unless asked."""
    before = dict(flatten(profile_to_data(a)))
    after = dict(flatten(profile_to_data(b)))
    skipped = set() if include_identity else {"name", "description"}
    paths = list(before) + [p for p in after if p not in before]
    return [FieldChange(p, before.get(p), after.get(p)) for p in paths
            if p not in skipped and before.get(p) != after.get(p)]
