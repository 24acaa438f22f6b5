"""The built-in tiers, validated ahead of time, so `chatops plan` need not load pydantic to trust them.

builtin_profiles.json holds each built-in profile exactly as pydantic and the cross-field rules accepted
it, with the SHA-256 of every input that acceptance depended on: the seven YAML files and the sources of
the model and its rules. At run time the snapshot is used only when every one of those files still has
the recorded hash; otherwise the loader validates the YAML files as usual (a stale snapshot is never
trusted). tests/model/test_builtin_snapshot.py checks that the committed snapshot equals a fresh validation
and rewrites it with CHATOPS_UPDATE_SNAPSHOT=1.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Optional

from chatops.model.profile import Profile
from chatops.model.records import record_from_data, record_to_data

SNAPSHOT_PATH = Path(__file__).resolve().with_name("builtin_profiles.json")

_MODEL_DIR = Path(__file__).resolve().parent
#: Sources that decide whether a profile file is valid: the records, the rules, the catalog they use.
MODEL_SOURCES = ("records.py", "profile.py", "profile_rules.py", "catalog.py")


def input_hashes(profiles_dir: Path, tiers: tuple[str, ...]) -> dict[str, str]:
    """SHA-256 of every file the validity of the built-in profiles depends on, by a stable name."""
    files = {f"profiles/{tier}.yaml": profiles_dir / f"{tier}.yaml" for tier in tiers}
    files.update({f"chatops/model/{name}": _MODEL_DIR / name for name in MODEL_SOURCES})
    return {name: hashlib.sha256(path.read_bytes()).hexdigest() for name, path in files.items()}


def snapshot_data(profiles: dict[str, Profile], hashes: dict[str, str]) -> dict[str, Any]:
    """What builtin_profiles.json holds for these validated profiles."""
    return {"inputs": hashes, "profiles": {tier: record_to_data(p) for tier, p in profiles.items()}}


def load_snapshot(profiles_dir: Path, tiers: tuple[str, ...]) -> Optional[dict[str, Profile]]:
    """The snapshot's profiles, or None when it is missing, unreadable or any input has changed."""
    try:
        data = json.loads(SNAPSHOT_PATH.read_text(encoding="utf-8"))
        if data["inputs"] != input_hashes(profiles_dir, tiers):
            return None
        return {tier: record_from_data(Profile, data["profiles"][tier]) for tier in tiers}
    except (OSError, ValueError, KeyError, TypeError):
        return None
