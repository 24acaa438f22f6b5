"""`plan --usage-file FILE`: usage assumptions from YAML, validated field by field.

The file holds any of UsageAssumptions' fields (dau, peak_concurrency, messages_per_user, message_bytes,
fanout, api_requests_per_user, peak_factor); dashes are accepted for underscores. Command-line flags
win over the file; the file wins over the defaults.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, create_model

from chatops.errors import ChatopsError
from chatops.model.demand import UsageAssumptions
from chatops.model.loading import read_yaml_mapping


class UsageFileError(ChatopsError):
    """A usage file that cannot be used; every problem on its own line, naming file and field."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


def _partial_model() -> type[BaseModel]:
    # Same fields and bounds as UsageAssumptions, all optional: the file may set only some of them.
    fields: dict[str, Any] = {
        name: (info.annotation | None, info.__class__.merge_field_infos(info, default=None))
        for name, info in UsageAssumptions.model_fields.items()
    }
    return create_model("UsageFile", __config__=ConfigDict(extra="forbid", strict=False), **fields)


_UsageFile = _partial_model()


def read_usage_file(path: Path) -> dict[str, Any]:
    """The assumptions the file sets, validated; raises UsageFileError naming each bad field."""
    raw = read_yaml_mapping(path, UsageFileError)
    data = {str(key).replace("-", "_"): value for key, value in raw.items()}
    try:
        parsed = _UsageFile.model_validate(data)
    except ValidationError as exc:
        raise UsageFileError([f"{path}: {_describe(err)}" for err in exc.errors(include_url=False)]) from None
    return parsed.model_dump(exclude_none=True)


def _describe(err: dict[str, Any]) -> str:
    field = ".".join(str(part) for part in err["loc"]) or "(top level)"
    if err["type"] == "extra_forbidden":
        known = ", ".join(UsageAssumptions.model_fields)
        return f"{field}: unknown key; use {known}"
    return f"{field}: {err['msg']}"
