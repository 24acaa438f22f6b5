"""BackupPlan under the mock engine: rules per tier, PITR, cross-region copy, selection, protect."""

from __future__ import annotations

import pytest

from chatops.model.loading import BUILTIN_TIERS, load_profile, profile_from_data, profile_to_data
from chatops.model.naming import LIMITS, Names
from chatops.model.profile import Profile
from tests.support.infra_data_harness import synth

DB_ARN = "arn:aws:rds:us-east-1:123456789012:db:chat-test-db"


def build(profile: Profile):
    from chatops.infra.backup import BackupPlan

    return synth(lambda: BackupPlan("backup", profile=profile, names=Names("chat", "test", "us-east-1"),
                                    database_arn=DB_ARN).vault_name)


@pytest.mark.parametrize("tier", BUILTIN_TIERS)
def test_rules_follow_the_profile(tier):
    p = load_profile(tier)
    g = build(p)
    rules = {r["ruleName"]: r for r in g.one("aws:backup/plan:Plan").plain("rules")}
    assert set(rules) == ({"daily", "weekly"} if p.backup.weekly_retention_days else {"daily"})
    daily = rules["daily"]
    assert daily["schedule"] == p.backup.daily_schedule
    assert daily["lifecycle"]["deleteAfter"] == p.backup.daily_retention_days
    assert bool(daily.get("enableContinuousBackup")) is p.backup.point_in_time_recovery
    if p.backup.point_in_time_recovery:
        assert daily["lifecycle"]["deleteAfter"] <= 35
    if "weekly" in rules:
        assert rules["weekly"]["schedule"] == p.backup.weekly_schedule
        assert rules["weekly"]["lifecycle"]["deleteAfter"] == p.backup.weekly_retention_days
        assert not rules["weekly"].get("enableContinuousBackup")
    assert g.value == Names("chat", "test", "us-east-1").of("backup_vault", "vault")


def test_selection_role_and_names():
    g = build(load_profile("dev"))
    selection = g.one("aws:backup/selection:Selection")
    assert selection.plain("resources") == [DB_ARN]
    policies = {a.plain("policyArn") for a in g.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")}
    assert any(p.endswith("AWSBackupServiceRolePolicyForBackup") for p in policies)
    # The role that runs backup jobs cannot restore: restores pass their own role.
    assert not any(p.endswith("AWSBackupServiceRolePolicyForRestores") for p in policies)
    assert len(g.one("aws:backup/vault:Vault").plain("name")) <= LIMITS["backup_vault"]
    assert len(g.one("aws:backup/plan:Plan").plain("name")) <= LIMITS["backup_plan"]
    assert len(selection.plain("name")) <= LIMITS["backup_selection"]


def test_vault_protected_in_prod_and_force_destroy_in_dev():
    prod = build(load_profile("100k-dau")).one("aws:backup/vault:Vault")
    dev = build(load_profile("dev")).one("aws:backup/vault:Vault")
    assert prod.protect and prod.plain("forceDestroy") is False
    assert not dev.protect and dev.plain("forceDestroy") is True


def test_cross_region_copy_goes_to_a_vault_in_the_destination_region():
    base = load_profile("100k-dau")
    data = profile_to_data(base)
    data["backup"]["cross_region_copy"] = {"enabled": True, "destination_region": "eu-west-1"}
    g = build(profile_from_data(data, source="test"))
    vaults = {v.name: v for v in g.of_type("aws:backup/vault:Vault")}
    assert vaults["copy-vault"].plain("region") == "eu-west-1"
    assert vaults["vault"].plain("region") is None
    for rule in g.one("aws:backup/plan:Plan").plain("rules"):
        copy = rule["copyActions"][0]
        assert copy["destinationVaultArn"].endswith("copy-vault")
        assert copy["lifecycle"]["deleteAfter"] == rule["lifecycle"]["deleteAfter"]
