"""The validated snapshot of the built-in tiers: equal to a fresh validation, and never trusted when stale."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from chatops.errors import ProfileError
from chatops.model import builtin_snapshot, loading
from chatops.model.builtin_snapshot import SNAPSHOT_PATH, input_hashes, load_snapshot, snapshot_data
from chatops.model.loading import BUILTIN_TIERS, builtin_profiles_dir, load_profile_file


def _fresh_snapshot() -> dict:
    directory = builtin_profiles_dir()
    validated = {tier: load_profile_file(directory / f"{tier}.yaml") for tier in BUILTIN_TIERS}
    return snapshot_data(validated, input_hashes(directory, BUILTIN_TIERS))


def test_committed_snapshot_equals_a_fresh_validation():
    fresh = _fresh_snapshot()
    if os.environ.get("CHATOPS_UPDATE_SNAPSHOT") == "1":
        SNAPSHOT_PATH.write_text(json.dumps(fresh, indent=1) + "\n", encoding="utf-8")
    assert SNAPSHOT_PATH.exists(), "no snapshot: run once with CHATOPS_UPDATE_SNAPSHOT=1"
    assert json.loads(SNAPSHOT_PATH.read_text(encoding="utf-8")) == fresh, (
        "chatops/model/builtin_profiles.json is stale (a profile or the model changed); rerun this test with "
        "CHATOPS_UPDATE_SNAPSHOT=1 and review the diff")


def test_snapshot_profiles_equal_the_validated_ones():
    directory = builtin_profiles_dir()
    snapshot = load_snapshot(directory, BUILTIN_TIERS)
    assert snapshot is not None
    for tier in BUILTIN_TIERS:
        assert snapshot[tier] == load_profile_file(directory / f"{tier}.yaml")


@pytest.fixture
def profiles_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "profiles"
    shutil.copytree(builtin_profiles_dir(), copy)
    return copy


def test_a_changed_profile_file_makes_the_snapshot_stale(profiles_copy: Path):
    assert load_snapshot(profiles_copy, BUILTIN_TIERS) is not None
    path = profiles_copy / "10k-dau.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert load_snapshot(profiles_copy, BUILTIN_TIERS) is None


def test_a_changed_model_source_makes_the_snapshot_stale(monkeypatch, tmp_path: Path):
    model_copy = tmp_path / "model"
    shutil.copytree(SNAPSHOT_PATH.parent, model_copy)
    monkeypatch.setattr(builtin_snapshot, "_MODEL_DIR", model_copy)
    assert load_snapshot(builtin_profiles_dir(), BUILTIN_TIERS) is not None
    rules = model_copy / "profile_rules.py"
    rules.write_text(rules.read_text(encoding="utf-8") + "\n# a new rule\n", encoding="utf-8")
    assert load_snapshot(builtin_profiles_dir(), BUILTIN_TIERS) is None


def test_loader_validates_an_edited_builtin_file_instead_of_trusting_the_snapshot(monkeypatch, profiles_copy: Path):
    path = profiles_copy / "dev.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("nat_gateways: 0", "nat_gateways: 9"),
                    encoding="utf-8")
    monkeypatch.setattr(loading, "builtin_profiles_dir", lambda: profiles_copy)
    loading._validated_snapshot.cache_clear()
    loading._load_builtin.cache_clear()
    try:
        with pytest.raises(ProfileError, match="network.nat_gateways"):
            loading.load_profile("dev")
    finally:
        loading._validated_snapshot.cache_clear()
        loading._load_builtin.cache_clear()


def test_unreadable_snapshot_falls_back_to_validation(monkeypatch, tmp_path: Path):
    broken = tmp_path / "builtin_profiles.json"
    broken.write_text("{not json", encoding="utf-8")
    monkeypatch.setattr(builtin_snapshot, "SNAPSHOT_PATH", broken)
    assert load_snapshot(builtin_profiles_dir(), BUILTIN_TIERS) is None
