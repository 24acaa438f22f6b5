"""A Terraform state as if a plan had been applied: its planned values, with every attribute the plan
left unknown (ids, ARNs, endpoints ... what AWS assigns) filled in.

A filled value is what the mocks answered for that resource when there is one (the same id or ARN
the synthesized graph used), else, for `id` and `arn`, a fake of that shape, else null (an empty list
for a computed block, a null element in a partly known list). `tags_all`
gets `tags` (the provider computes one from the other; we set no default tags), so an unchanged
configuration plans as no change against its own state (tests/infra/test_provider_scale.py checks it).
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from tests.support.terraform.convert import Converted
from tests.support.terraform.locate import PROVIDER_SOURCE
from tests.support.terraform.schema import Block, ProviderSchema

FAKE_ACCOUNT = "123456789012"


def state_from_plan(plan: dict[str, Any], converted: Converted, schema: ProviderSchema,
                    details: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Terraform state (format version 4) holding every resource the plan would create."""
    unknown_by_address = {c["address"]: c["change"].get("after_unknown") or {} for c in plan["resource_changes"]}
    resources = []
    for planned in plan["planned_values"]["root_module"].get("resources", []):
        address, tf_type = planned["address"], planned["type"]
        answers = _answers(address, converted, schema, details)
        values = _fill(dict(planned.get("values") or {}), unknown_by_address.get(address, {}), schema.block(tf_type),
                       address, answers)
        if "tags_all" in values and values.get("tags") is not None:
            values["tags_all"] = dict(values["tags"])
        alias = converted.literal_config["resource"][tf_type][planned["name"]].get("provider")
        resources.append({
            "mode": "managed", "type": tf_type, "name": planned["name"],
            "provider": f'provider["{PROVIDER_SOURCE}"]' + (f".{alias.split('.', 1)[1]}" if alias else ""),
            "instances": [{"schema_version": schema.version(tf_type), "attributes": values,
                           "sensitive_attributes": _sensitive_paths(planned.get("sensitive_values") or {})}],
        })
    return {"version": 4, "terraform_version": plan.get("terraform_version", "1.11.0"), "serial": 1,
            "lineage": str(uuid.uuid4()), "outputs": {}, "resources": resources}


def write_state(path: Path, state: dict[str, Any]) -> Path:
    path.write_text(json.dumps(state, indent=1), encoding="utf-8")
    return path


def _sensitive_paths(marks: Any, path: tuple = ()) -> list[list[dict[str, Any]]]:
    """The plan's `sensitive_values` marks as state's `sensitive_attributes` paths (else Terraform plans
    an update only to mark the values sensitive)."""
    if marks is True:
        return [list(path)]
    found: list[list[dict[str, Any]]] = []
    if isinstance(marks, dict):
        for key, mark in marks.items():
            found += _sensitive_paths(mark, path + ({"type": "get_attr", "value": key},))
    elif isinstance(marks, list):
        for index, mark in enumerate(marks):
            found += _sensitive_paths(mark, path + ({"type": "index", "value": {"value": index, "type": "number"}},))
    return found


def _answers(address: str, converted: Converted, schema: ProviderSchema,
             details: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Top-level Terraform attribute -> the value the mocks answered for it (id included)."""
    urn = converted.urn_of(address)
    detail = details.get(urn, {})
    block = schema.block(address.split(".")[0])
    answers: dict[str, Any] = {"id": detail.get("id")}
    for key, value in (detail.get("outputs") or {}).items():
        name = block.terraform_name(key)
        if name in block.attributes and isinstance(value, (str, int, float, bool)):
            answers[name] = value
    return answers


def _fill(values: dict[str, Any], unknown: Any, block: Block, where: str, answers: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(unknown, dict):
        unknown = {}
    for name, spec in block.attributes.items():
        marker = unknown.get(name)
        if marker is True and answers is ZERO:
            values[name] = _zero(spec)
        elif marker is True:
            values[name] = answers.get(name) if answers.get(name) is not None else _fake(name, spec, where)
        elif marker:
            values[name] = _fill_value(values.get(name), marker, spec.get("type"), f"{where}.{name}")
        values.setdefault(name, None)
    for name, nested in block.block_types.items():
        marker = unknown.get(name)
        inner = block.nested(name)
        mode = nested["nesting_mode"]
        current = values.get(name)
        if marker is True:
            values[name] = None if mode in ("single", "group") else ({} if mode == "map" else [])
        elif mode in ("list", "set") and isinstance(current, list):
            markers = marker if isinstance(marker, list) else [{}] * len(current)
            values[name] = [_fill(dict(item), m, inner, f"{where}.{name}", ZERO) for item, m in zip(current, markers)]
        elif mode in ("single", "group") and isinstance(current, dict):
            values[name] = _fill(dict(current), marker or {}, inner, f"{where}.{name}", ZERO)
        else:
            values.setdefault(name, None if mode in ("single", "group") else ({} if mode == "map" else []))
    return values


def _fill_value(value: Any, marker: Any, tf_type: Any, where: str) -> Any:
    """A partly unknown attribute value (a list with unknown elements, an object with unknown keys)."""
    if marker is True:
        return _fake_of_type(where.rsplit(".", 1)[-1], tf_type, where)
    if isinstance(marker, list) and isinstance(value, list):
        inner = tf_type[1] if isinstance(tf_type, list) else "string"
        return [_fill_value(v, m, inner, f"{where}[{i}]") for i, (v, m) in enumerate(zip(value, marker))]
    if isinstance(marker, dict) and isinstance(value, dict):
        inner_types = tf_type[1] if isinstance(tf_type, list) and tf_type[0] == "object" else {}
        kind_map = isinstance(tf_type, list) and tf_type[0] == "map"
        return {k: _fill_value(v, marker.get(k), tf_type[1] if kind_map else inner_types.get(k, "string"),
                               f"{where}.{k}") for k, v in value.items()}
    return value


#: Inside a block, what the SDKv2 provider stores for an attribute AWS left unset: its zero value.
ZERO: dict[str, Any] = {}


def _zero(spec: dict[str, Any]) -> Any:
    return {"string": "", "number": 0, "bool": False}.get(spec.get("type"), None) \
        if not isinstance(spec.get("type"), list) else ({} if spec["type"][0] in ("map", "object") else [])


def _fake(name: str, spec: dict[str, Any], where: str) -> Any:
    """Only identities get a fake (ids and ARNs, which every resource has and others may point at);
    any other attribute AWS would fill stays null: an invented value could trip the provider's
    CustomizeDiff (e.g. a FIFO throughput scope on a standard SNS topic)."""
    if name == "id" or name == "arn":
        return _fake_of_type(name, "string", where)
    return _zero(spec)


def _fake_of_type(name: str, tf_type: Any, where: str) -> Any:
    if tf_type == "string":
        if name == "arn" or name.endswith("_arn"):
            service = where.split(".")[0].split("_")[1]
            return f"arn:aws:{service}:us-east-1:{FAKE_ACCOUNT}:{where.split('.')[1]}/{name}"
        return f"fake-{where.split('.')[1]}-{name}"
    if tf_type == "number":
        return 0
    if tf_type == "bool":
        return False
    if isinstance(tf_type, list) and tf_type[0] in ("list", "set"):
        return []
    if isinstance(tf_type, list) and tf_type[0] == "map":
        return {}
    if isinstance(tf_type, list) and tf_type[0] == "object":
        return {k: None for k in tf_type[1]}
    return None
