"""Find and load profiles: a built-in tier name ("50k-dau", or short "50k") or a path to a YAML file.

Every problem in a file comes back at once, each as `file: field.path: message`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Union

from chatops.errors import ProfileError
from chatops.model.builtin_snapshot import load_snapshot
from chatops.model.profile import Profile
from chatops.model.records import record_to_data, validate_record

if TYPE_CHECKING:
    from pydantic import ValidationError

# yaml and pydantic are imported where a file is read or validated: `chatops plan` with the built-in
# tiers needs neither (see builtin_snapshot.py), and its start-up time is budgeted.

#: Built-in tiers, smallest first.
BUILTIN_TIERS: tuple[str, ...] = ("dev", "1k-dau", "5k-dau", "10k-dau", "25k-dau", "50k-dau", "100k-dau")


def _shipped_dir(installed_name: str, checkout_name: str) -> Path:
    # A wheel installs profiles/ and templates/ inside the package (setup.cfg package_dir); a checkout
    # or an editable install keeps them at the top of the repository, beside chatops/.
    package = Path(__file__).resolve().parents[1]
    installed = package / installed_name
    return installed if installed.is_dir() else package.parent / checkout_name


def builtin_profiles_dir() -> Path:
    """The profiles/ folder shipped with the package."""
    return _shipped_dir("builtin_profiles", "profiles")


def builtin_templates_dir() -> Path:
    """The templates/ folder shipped with the package."""
    return _shipped_dir("builtin_templates", "templates")


def read_dashboard_template() -> str:
    """The CloudWatch dashboard template the inline program renders (infra/ reads no files itself)."""
    return (builtin_templates_dir() / "dashboard.json.j2").read_text(encoding="utf-8")


def resolve_tier_name(ref: str) -> str | None:
    """'100k' -> '100k-dau'; 'dev' -> 'dev'; anything unknown -> None."""
    ref = ref.strip().lower()
    for candidate in (ref, f"{ref}-dau"):
        if candidate in BUILTIN_TIERS:
            return candidate
    return None


def looks_like_path(ref: str) -> bool:
    return ref.endswith((".yaml", ".yml")) or "/" in ref or "\\" in ref or Path(ref).exists()


def load_profile(ref: Union[str, Path]) -> Profile:
    """Load a built-in tier by name or a profile file by path."""
    text_ref = str(ref)
    tier = resolve_tier_name(text_ref) if not isinstance(ref, Path) else None
    if tier is not None and not Path(text_ref).is_file():
        return _load_builtin(tier)
    if isinstance(ref, Path) or looks_like_path(text_ref):
        return load_profile_file(Path(text_ref))
    raise ProfileError([f"{text_ref}: unknown tier; use one of {', '.join(BUILTIN_TIERS)} or a path to a "
                        "profile file (e.g. ./my-profile.yaml)"])


@lru_cache(maxsize=None)
def _load_builtin(tier: str) -> Profile:
    validated = _validated_snapshot()
    if tier in validated:
        return validated[tier]
    return load_profile_file(builtin_profiles_dir() / f"{tier}.yaml")


@lru_cache(maxsize=None)
def _validated_snapshot() -> dict[str, Profile]:
    """The built-in tiers as validated ahead of time; empty when any of their inputs changed since."""
    return load_snapshot(builtin_profiles_dir(), BUILTIN_TIERS) or {}


def load_builtin_profiles() -> list[Profile]:
    return [_load_builtin(t) for t in BUILTIN_TIERS]


def load_profile_file(path: Path) -> Profile:
    data = read_yaml_mapping(path, ProfileError)
    return profile_from_data(data, source=str(path))


def read_yaml_mapping(path: Path, error: type[Exception]) -> dict[str, Any]:
    """Read a YAML file that must hold a mapping; every way it can fail becomes one clear line."""
    name = str(path)
    if path.is_dir():
        raise error([f"{name}: is a directory, not a YAML file"])
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise error([f"{name}: file not found"]) from None
    except OSError as exc:
        raise error([f"{name}: cannot read ({exc.strerror})"]) from None
    if b"\x00" in raw:
        raise error([f"{name}: is a binary file, not YAML"])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise error([f"{name}: is not UTF-8 text"]) from None
    import yaml

    # libyaml's C parser is ~6x faster than the pure-Python one; both are the safe loader.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        data = yaml.load(text, Loader=loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise error([f"{name}: malformed YAML{where}: {problem}"]) from None
    if data is None:
        raise error([f"{name}: the file is empty"])
    if not isinstance(data, dict):
        raise error([f"{name}: expected a mapping of keys at the top level, got {type(data).__name__}"])
    return data


def profile_from_data(data: dict[str, Any], source: str) -> Profile:
    """Validate a parsed profile, reporting every problem at once: structural ones (unknown or missing
    keys, wrong types, bounds) and the field rules (classes, CPU/memory pairs ...), even when both occur."""
    from pydantic import ValidationError

    from chatops.model.profile_rules import rule_violations

    try:
        profile = validate_record(Profile, data)
    except ValidationError as exc:
        lines = format_validation_errors(exc, PROFILE_KEY_HINT)
        lines += _rules_despite_structure(data, exc)
        raise ProfileError([f"{source}: {line}" for line in lines]) from None
    problems = rule_violations(profile)
    if problems:
        raise ProfileError([f"{source}: {p}" for p in problems])
    return profile


def _rules_despite_structure(data: dict[str, Any], exc: "ValidationError") -> list[str]:
    """The rule violations of a profile that also has structural errors (an unknown key used to hide a
    wrong instance class). Each faulty value is swapped for a reference tier's (the smallest and the
    largest, in turn) and the rules run on both; a violation reported under both references, at a path
    that was not swapped, does not depend on the swapped values, so it is the file's own."""
    from pydantic import ValidationError

    from chatops.model.profile_rules import rule_violations

    if _REFERENCES_LOADING:
        return []  # a built-in tier itself is being validated: no reference to repair with
    faulty = [".".join(str(p) for p in err["loc"]) for err in exc.errors(include_url=False)]
    found: list[list[str]] = []
    for reference in (BUILTIN_TIERS[0], BUILTIN_TIERS[-1]):
        _REFERENCES_LOADING.append(reference)
        try:
            repaired = _repair(data, faulty, profile_to_data(_load_builtin(reference)))
            profile = validate_record(Profile, repaired)
        except (ValidationError, ProfileError):
            return []  # the file is too far from a profile (or a reference is broken) to say more
        finally:
            _REFERENCES_LOADING.pop()
        found.append([str(p) for p in rule_violations(profile)
                      if not any(p.path == path or p.path.startswith(path + ".") for path in faulty)])
    return [line for line in found[0] if line in found[1]]


_REFERENCES_LOADING: list[str] = []


def _repair(data: Any, faulty: list[str], reference: dict[str, Any]) -> dict[str, Any]:
    """A deep copy of `data` with each faulty path set to the reference's value (or removed when the
    reference has none, e.g. an unknown key)."""
    import copy

    repaired = copy.deepcopy(data)
    for path in faulty:
        loc = path.split(".") if path else []
        node, ref = repaired, reference
        for key in loc[:-1]:
            if not isinstance(node, dict):
                break
            if not isinstance(node.get(key), dict):
                node[key] = copy.deepcopy(ref.get(key, {})) if isinstance(ref, dict) else {}
            node, ref = node[key], ref.get(key, {}) if isinstance(ref, dict) else {}
        else:
            if isinstance(node, dict) and loc:
                if isinstance(ref, dict) and loc[-1] in ref:
                    node[loc[-1]] = copy.deepcopy(ref[loc[-1]])
                else:
                    node.pop(loc[-1], None)
    return repaired


PROFILE_KEY_HINT = "`chatops profiles show dev` lists every profile key"


def format_validation_errors(exc: "ValidationError", unknown_key_hint: str = "") -> list[str]:
    """pydantic errors as 'field.path: message' lines; `unknown_key_hint` says where valid keys are listed."""
    lines = []
    for err in exc.errors(include_url=False):
        path = ".".join(str(part) for part in err["loc"]) or "(top level)"
        message = err["msg"]
        # Records are dataclasses: pydantic reports their unknown and missing keys as arguments.
        if err["type"] in ("extra_forbidden", "unexpected_keyword_argument"):
            message = f"unknown key (check its spelling{'; ' + unknown_key_hint if unknown_key_hint else ''})"
        elif err["type"] in ("missing", "missing_argument"):
            message = "required key is missing"
        lines.append(f"{path}: {message}")
    return lines


def profile_to_data(profile: Profile) -> dict[str, Any]:
    """The profile as plain data, in the field order of the model (used by show, diff and --write)."""
    return record_to_data(profile)
