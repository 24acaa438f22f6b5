"""Frozen records that pydantic validates at the edge and that cost nothing to import on the fast path.

Profiles, usage assumptions and demand are stdlib dataclasses, not pydantic models: defining ~30
pydantic models (and importing pydantic.main) costs more than `chatops plan`'s whole start-up budget.
Validation is unchanged in substance: files are checked by a pydantic-core validator built, on first
use, from the same dataclasses, in pydantic's strict mode with unknown keys forbidden.

Field constraints are written as `Annotated[int, Limits(ge=1, le=100)]`; `Limits` takes pydantic
`Field` arguments and hands them to pydantic only when a validator is built.
"""

from __future__ import annotations

import dataclasses
import sys
import typing
from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated, Any, Optional, TypeVar

T = TypeVar("T")

#: The pydantic configuration of every record: unknown keys are errors, no coercion ("3" is not 3).
RECORD_CONFIG: dict[str, Any] = {"extra": "forbid", "strict": True}


class Record:
    """Base of every record: carries the pydantic configuration its validator is built with."""

    __pydantic_config__ = RECORD_CONFIG


#: Decorator for records: immutable, built by keyword only.
record = dataclass(frozen=True, kw_only=True)


class Limits:
    """pydantic `Field` arguments (gt, ge, le, pattern, description, ...) kept as plain data.

    Read directly by the command line (plan's flag bounds) and turned into a pydantic Field when a
    validator is built, so defining a record never imports pydantic.
    """

    __slots__ = ("arguments",)

    def __init__(self, **arguments: Any) -> None:
        self.arguments = arguments

    def __repr__(self) -> str:
        return f"Limits({', '.join(f'{k}={v!r}' for k, v in self.arguments.items())})"

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        from pydantic import Field

        return handler.generate_schema(Annotated[source, Field(**self.arguments)])


def validate_record(cls: type[T], data: Any) -> T:
    """`data` (parsed YAML/JSON) as a `cls` record; raises pydantic's ValidationError with every problem."""
    return _validator(cls).validate_python(data)


@lru_cache(maxsize=None)
def _validator(cls: type) -> Any:
    from pydantic import TypeAdapter
    from pydantic_core import SchemaValidator

    schema = TypeAdapter(cls).core_schema
    # pydantic's strict mode would also demand record *instances* for nested records; the input is a
    # mapping from a file, so nested records alone are validated from mappings. Every scalar stays strict.
    return SchemaValidator(_accept_mappings_for_records(schema))


def _accept_mappings_for_records(node: Any) -> Any:
    if isinstance(node, dict):
        copied = {key: _accept_mappings_for_records(value) for key, value in node.items()}
        if copied.get("type") == "dataclass":
            copied["strict"] = False
        return copied
    if isinstance(node, list):
        return [_accept_mappings_for_records(value) for value in node]
    return node


def record_to_data(record: Any) -> dict[str, Any]:
    """A record as plain data, in field order (nested records become mappings)."""
    return dataclasses.asdict(record)


def record_from_data(cls: type[T], data: dict[str, Any]) -> T:
    """Rebuild a record from data that `validate_record` already accepted (no checks: see loading.py)."""
    nested = _nested_record_fields(cls)
    values = {name: (record_from_data(nested[name], value) if name in nested and value is not None else value)
              for name, value in data.items()}
    return cls(**values)


@lru_cache(maxsize=None)
def _nested_record_fields(cls: type) -> dict[str, type]:
    """Field name -> record class, for fields holding a record (or an optional one)."""
    namespace = vars(sys.modules[cls.__module__])
    nested = {}
    for field in dataclasses.fields(cls):
        record_class = _record_class(field.type, namespace)
        if record_class is not None:
            nested[field.name] = record_class
    return nested


def _record_class(annotation: Any, namespace: dict[str, Any]) -> Optional[type]:
    if isinstance(annotation, str):
        # Postponed annotations: a record is named as "Network" or "Optional[RedisGroup]"; looking the name
        # up is enough, and far cheaper than evaluating every annotation (this runs on plan's fast path).
        annotation = namespace.get(annotation.removeprefix("Optional[").removesuffix("]"))
    candidates = [annotation, *typing.get_args(annotation)]
    return next((c for c in candidates if isinstance(c, type) and dataclasses.is_dataclass(c)), None)


def limits_of(cls: type, field: str) -> Limits:
    """The Limits declared on `cls.field` (empty when it has none)."""
    hint = _annotations(cls)[field]
    return next((m for m in getattr(hint, "__metadata__", ()) if isinstance(m, Limits)), Limits())


@lru_cache(maxsize=None)
def _annotations(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls, include_extras=True)


def default_of(cls: type, field: str) -> Any:
    return {f.name: f.default for f in dataclasses.fields(cls)}[field]
