"""Every tier's program judged by the real AWS provider (terraform-provider-aws 5.100.0, which pulumi-aws
is generated from): the synthesized graph, converted to Terraform JSON by the provider's own schema,
must validate and plan offline with zero errors. Negative controls prove the harness would see a
defect: each mutates one input of the synthesized graph (not the program) to a value AWS rejects.

What this does not cover: no AWS API is called (-refresh=false, fake credentials), so quotas, name
collisions with existing resources, IAM policy semantics and service-side validation are not seen.
"""

from __future__ import annotations

import copy

import pytest

from chatops.model.loading import BUILTIN_TIERS
from tests.support.terraform.convert import Unmapped, convert

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _errors(result) -> list[str]:
    return [f"{d.get('summary')}: {d.get('detail', '')} ({d.get('address', '')})"
            for d in result.validate.get("diagnostics", []) if d.get("severity") == "error"]


@pytest.mark.parametrize("tier", BUILTIN_TIERS)
def test_every_tier_validates_and_plans_with_zero_errors(provider_bench, tier):
    result = provider_bench.conformance(tier)
    assert result.validate["valid"], "terraform validate:\n" + "\n".join(_errors(result))
    assert result.validate["error_count"] == 0
    assert result.plan_exit == 2, f"terraform plan (offline) failed:\n{result.plan_output[-4000:]}"
    assert "Error:" not in result.plan_output
    assert result.state is not None


@pytest.mark.parametrize("tier", BUILTIN_TIERS)
def test_every_aws_resource_is_in_the_configuration(provider_bench, graphs, tier):
    converted = provider_bench.converted(tier)
    custom = {r["urn"] for r in graphs[tier].resources if r["custom"]}
    assert custom == set(converted.addresses) | set(converted.left_out)
    assert all(urn.split("::")[2].split("$")[-1].startswith("random:") for urn in converted.left_out)


# -- negative controls: one input mutated in the synthesized graph, the provider must refuse it ---------

def _mutated(graphs, tier: str, type_token: str, change):
    synthesis = graphs[tier]
    resources = copy.deepcopy(synthesis.resources)
    targets = [r for r in resources if r["type"] == type_token]
    assert targets, f"{tier} has no {type_token} to mutate"
    change(targets[0]["inputs"])
    return resources, synthesis.details, targets[0]["urn"]


def _rejected(provider_bench, name: str, resources, details) -> str:
    converted = convert(resources, details, provider_bench.schema)
    result = provider_bench.check_config(name, converted)
    assert result.plan_exit == 1, "the provider accepted a configuration AWS rejects"
    return "\n".join(_errors(result)) + result.plan_output


def test_control_target_group_name_over_32_characters(provider_bench, graphs):
    def long_name(inputs):
        inputs.pop("namePrefix", None)      # the program uses a prefix; a fixed name is what AWS limits
        inputs["name"] = "chat-production-realtime-targets-x"

    resources, details, _ = _mutated(graphs, "dev", "aws:lb/targetGroup:TargetGroup", long_name)
    message = _rejected(provider_bench, "control-tg-name", resources, details)
    assert "cannot be longer than 32 characters" in message


def test_control_redis_engine_version_7(provider_bench, graphs):
    resources, details, _ = _mutated(graphs, "dev", "aws:elasticache/replicationGroup:ReplicationGroup",
                                     lambda i: i.update(engineVersion="7"))
    message = _rejected(provider_bench, "control-redis-7", resources, details)
    assert "engine_version" in message and "aws_elasticache_replication_group" in message


def test_control_automatic_failover_with_one_cache_node(provider_bench, graphs):
    def one_node_with_failover(inputs):
        inputs.update(numCacheClusters=1, automaticFailoverEnabled=True)
        inputs.pop("multiAzEnabled", None)

    resources, details, _ = _mutated(graphs, "dev", "aws:elasticache/replicationGroup:ReplicationGroup",
                                     one_node_with_failover)
    message = _rejected(provider_bench, "control-failover-one-node", resources, details)
    # internal/service/elasticache/replication_group.go CustomizeDiff, at plan time.
    assert '"num_cache_clusters": must be at least 2 if automatic_failover_enabled is true' in message


def test_an_input_the_schema_does_not_know_fails_the_conversion(provider_bench, graphs):
    resources, details, urn = _mutated(graphs, "dev", "aws:ec2/vpc:Vpc", lambda i: i.update(cidrBlok="10.0.0.0/16"))
    with pytest.raises(Unmapped, match="cidrBlok"):
        convert(resources, details, provider_bench.schema)


def test_cross_region_backup_copy_plans_with_its_vault_in_the_destination_region(provider_bench):
    """No built-in tier copies backups to another region; a profile may. The copy vault's per-resource
    `region` (pulumi-aws 7) reaches provider 5.100 as a provider alias for that region."""
    import dataclasses

    from chatops.infra.synth import synthesize_with_outputs
    from chatops.model.loading import load_profile
    from tests.conftest import SYNTH_SETTINGS

    profile = load_profile("50k-dau")
    backup = dataclasses.replace(profile.backup, cross_region_copy=dataclasses.replace(
        profile.backup.cross_region_copy, enabled=True, destination_region="eu-west-1"))
    synthesis = synthesize_with_outputs(dataclasses.replace(profile, backup=backup), SYNTH_SETTINGS)
    converted = convert(synthesis.resources, synthesis.details, provider_bench.schema)
    vaults = converted.config["resource"]["aws_backup_vault"]
    assert [v.get("provider") for v in vaults.values()].count("aws.eu_west_1") == 1
    result = provider_bench.check_config("cross-region-copy", converted)
    assert result.validate["valid"], "terraform validate:\n" + "\n".join(_errors(result))
    assert result.plan_exit == 2, f"terraform plan (offline) failed:\n{result.plan_output[-4000:]}"
