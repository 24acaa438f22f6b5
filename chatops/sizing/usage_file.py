"""`plan --usage-file FILE`: usage assumptions from YAML, validated field by field.

The file holds any of UsageAssumptions' fields (dau, peak_concurrency, messages_per_user, message_bytes,
fanout, api_requests_per_user, peak_factor); dashes are accepted for underscores. Command-line flags
win over the file; the file wins over the defaults.
"""

from __future__ import annotations

import dataclasses
import typing
from pathlib import Path
from typing import Any, Optional

from chatops.errors import ChatopsError
from chatops.model.demand import UsageAssumptions
from chatops.model.loading import read_yaml_mapping
from chatops.model.numbers import WHOLE_FIELDS, NumberError, parse_number
from chatops.model.records import record_to_data, validate_record


class UsageFileError(ChatopsError):
    """A usage file that cannot be used; every problem on its own line, naming file and field."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


def _partial_record() -> type:
    # Same fields, types and bounds as UsageAssumptions, all optional: the file may set only some of them.
    hints = typing.get_type_hints(UsageAssumptions, include_extras=True)
    fields = [(f.name, Optional[hints[f.name]], dataclasses.field(default=None))
              for f in dataclasses.fields(UsageAssumptions)]
    partial = dataclasses.make_dataclass("UsageFile", fields, frozen=True, kw_only=True)
    partial.__pydantic_config__ = UsageAssumptions.__pydantic_config__  # type: ignore[attr-defined]
    return partial


_UsageFile = _partial_record()


def read_usage_file(path: Path) -> dict[str, Any]:
    """The assumptions the file sets, validated; raises UsageFileError naming each bad field."""
    raw = read_yaml_mapping(path, UsageFileError)
    data = {str(key).replace("-", "_"): value for key, value in raw.items()}
    problems = _parse_numbers(data)
    if problems:
        raise UsageFileError([f"{path}: {problem}" for problem in problems])
    from pydantic import ValidationError

    try:
        parsed = validate_record(_UsageFile, data)
    except ValidationError as exc:
        raise UsageFileError([f"{path}: {_describe(err)}" for err in exc.errors(include_url=False)]) from None
    return {name: value for name, value in record_to_data(parsed).items() if value is not None}


def _parse_numbers(data: dict[str, Any]) -> list[str]:
    """Numbers written as text (`dau: 50k`, `1.5m`, `"50,000"`) in the one syntax of the command line
    (chatops.model.numbers), replaced in `data` by their value; a problem per value that is not a number."""
    problems = []
    known = {f.name for f in dataclasses.fields(UsageAssumptions)}
    for key, value in data.items():
        if key in known and isinstance(value, str):
            try:
                data[key] = parse_number(value, whole=key in WHOLE_FIELDS)
            except NumberError as exc:
                problems.append(f"{key}: {exc}")
    return problems


def _describe(err: dict[str, Any]) -> str:
    field = ".".join(str(part) for part in err["loc"]) or "(top level)"
    if err["type"] in ("extra_forbidden", "unexpected_keyword_argument"):
        known = ", ".join(f.name for f in dataclasses.fields(UsageAssumptions))
        return f"{field}: unknown key; use {known}"
    return f"{field}: {err['msg']}"
