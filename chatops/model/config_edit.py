"""Edit one stack's values in chatops.yaml text, keeping everything else (comments, order, quoting, flow style,
anchors), and prove that only those values changed. Pure: text in, text out; callers write the file.

Commands that record what they applied (`scale-to` the profile, `release` the image tags) compute the new
text *before* touching AWS, so a file that cannot be recorded stops them while nothing has changed yet, and
write it only after the update succeeded.

ruamel.yaml's round-trip mode does the editing: it keeps comments and styles and understands anchors and
merge keys (`prod: {<<: *base, profile: 50k-dau}`). Setting a value that a stack only inherits through a
merge key adds it to that stack's own mapping, which overrides the merged one, as YAML's merge-key rules say
(https://yaml.org/type/merge.html). An edit that would change anything else (an aliased mapping shared by
several stacks, for example) is refused by the check below rather than written.
"""

from __future__ import annotations

import io
from typing import Any, Mapping

from chatops.errors import ChatopsError

#: A path below `stacks.<stack>`, e.g. ("profile",) or ("images", "api", "tag").
KeyPath = tuple[str, ...]


class ConfigEditError(ChatopsError):
    """chatops.yaml cannot record the change; raised before anything is applied."""


def edited_config_text(text: str, stack: str, updates: Mapping[KeyPath, Any], where: str = "chatops.yaml") -> str:
    """`text` with `stacks.<stack>.<path> = value` for every update; raises ConfigEditError when the edit
    is impossible or would change more than those values."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap the user's long lines
    try:
        document = yaml.load(text)
    except YAMLError as exc:
        raise ConfigEditError(f"{where}: cannot be parsed to record the change ({_one_line(exc)})") from None
    stacks = document.get("stacks") if isinstance(document, dict) else None
    if not isinstance(stacks, dict) or not isinstance(stacks.get(stack), dict):
        raise ConfigEditError(f"{where}: no mapping stacks.{stack} to record the change in")
    for path, value in updates.items():
        _set(stacks[stack], path, value, f"stacks.{stack}", where)
    out = io.StringIO()
    yaml.dump(document, out)
    new_text = out.getvalue()
    _check_only(text, new_text, stack, updates, where)
    return new_text


def _set(mapping: Any, path: KeyPath, value: Any, prefix: str, where: str) -> None:
    from ruamel.yaml.comments import CommentedMap

    *parents, last = path
    node = mapping
    for key in parents:
        child = node.get(key)
        if child is None:
            child = CommentedMap()
            node[key] = child
        if not isinstance(child, dict):
            raise ConfigEditError(f"{where}: {prefix}.{key} is not a mapping; cannot set {'.'.join(path)}")
        node = child
    node[last] = value


def _check_only(old: str, new: str, stack: str, updates: Mapping[KeyPath, Any], where: str) -> None:
    """The new text, read as plain data, equals the old one with exactly the updates applied, and validates."""
    import yaml
    from pydantic import ValidationError

    from chatops.model.settings import ChatopsConfig

    expected = _unshared(yaml.safe_load(old))  # an alias must not carry the update to its other uses
    for path, value in updates.items():
        node = expected["stacks"][stack]
        for key in path[:-1]:
            node = node.setdefault(key, {})
        node[path[-1]] = value
    try:
        actual = yaml.safe_load(new)
    except yaml.YAMLError as exc:
        raise ConfigEditError(f"{where}: the edited file would not parse ({_one_line(exc)}); record the change "
                              "by hand") from None
    if actual != expected:
        changed = ", ".join(f"stacks.{stack}.{'.'.join(p)}" for p in updates)
        raise ConfigEditError(f"{where}: recording {changed} would also change other values (an anchor or alias "
                              f"shared with another stack?); give stacks.{stack} its own values and rerun")
    try:
        ChatopsConfig.model_validate(actual)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        raise ConfigEditError(f"{where}: the recorded change would not validate ({field}: {first['msg']})") from None


def _unshared(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _unshared(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_unshared(item) for item in value]
    return value


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())[:200]
