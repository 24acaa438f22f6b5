"""`chatops destroy` through the real Automation API SDK and the Pulumi CLI double.

The prod stack is the program's real 50k-dau graph. The double's provider refuses to delete what AWS would
refuse (texts below: terraform-provider-aws's "deleting ... (%s): %s" wrappers around AWS's messages) unless
the state says the blocker is lifted, so `destroy --unprotect` only finishes if its targeted update of the
program in "destroying" mode really lifts every one of them.
"""

from __future__ import annotations

import json
import re

import pytest

from tests.support.json_schemas import assert_valid

from tests.conftest import SYNTH_SETTINGS
from tests.support.pulumi_double.harness import goal

SNAPSHOT = re.compile(r"chat-prod-db-final-\d{8}-\d{6}")

#: type -> (input the provider checks, value that lets the delete through, its refusal)
REFUSALS = {
    "aws:lb/loadBalancer:LoadBalancer": ("enableDeletionProtection", False, (
        "deleting ELBv2 Load Balancer ({id}): operation error Elastic Load Balancing v2: DeleteLoadBalancer, "
        "OperationNotPermitted: Load balancer '{id}' cannot be deleted because deletion protection is enabled")),
    "aws:rds/instance:Instance": ("deletionProtection", False, (
        "deleting RDS DB Instance ({id}): operation error RDS: DeleteDBInstance, InvalidParameterCombination: "
        "Cannot delete protected DB Instance, please disable deletion protection and try again.")),
    "aws:s3/bucket:Bucket": ("forceDestroy", True, (
        "deleting S3 Bucket ({id}): operation error S3: DeleteBucket, BucketNotEmpty: The bucket you tried to "
        "delete is not empty")),
    "aws:backup/vault:Vault": ("forceDestroy", True, (
        "deleting Backup Vault ({id}): operation error Backup: DeleteBackupVault, InvalidRequestException: Backup "
        "vault cannot be deleted because it contains recovery points")),
    "aws:ecr/repository:Repository": ("forceDelete", True, (
        "ECR Repository ({id}) not empty, consider using force_delete: RepositoryNotEmptyException: The repository "
        "cannot be deleted because it still contains images")),
}


@pytest.fixture(scope="module")
def destroying_graph():
    """The program's 50k-dau graph in destroying mode; the final snapshot name read from the stack config."""
    from chatops.infra.synth import synthesize_with_outputs
    from chatops.model.loading import load_profile

    settings = SYNTH_SETTINGS.model_copy(update={"destroying": True,
                                                 "final_snapshot_identifier": "{{config:chatops:finalSnapshot}}"})
    return synthesize_with_outputs(load_profile("50k-dau"), settings)


@pytest.fixture
def prod(deploy_project, graphs, destroying_graph):
    deploy_project.seed(graphs["50k-dau"].resources, "50k-dau", graphs["50k-dau"].outputs)
    refuse = {}
    for resource in graphs["50k-dau"].resources:
        rule = REFUSALS.get(resource["type"])
        if rule:
            key, allowed, message = rule
            refuse[resource["urn"]] = {"unless": {key: allowed}, "message": message.format(
                id=resource["urn"].rsplit("::", 1)[-1])}
    deploy_project.double.scenario(refuse_delete=refuse, goals=[
        goal(destroying_graph.resources, {"chatops:destroying": "true"}, destroying_graph.outputs),
        goal(graphs["50k-dau"].resources, {"chatops:tier": "50k-dau"}, graphs["50k-dau"].outputs)])
    return deploy_project


def test_prod_refuses_without_unprotect_and_lists_every_blocker(prod) -> None:
    result = prod.run("destroy", "--stack", "prod", "--yes", "--confirm", "prod")
    assert result.exit_code == 1
    for text in ("db (protected in the Pulumi state)", "db (RDS deletion protection is on)",
                 "alb (ALB deletion protection is on)", "alb-logs (S3 refuses to delete a bucket that still holds",
                 "vault (AWS Backup refuses", "api (ECR refuses", "redis (protected in the Pulumi state)"):
        assert text in result.stderr, text
    assert "--unprotect" in result.stderr
    assert not {"up", "state unprotect", "destroy"} & set(prod.double.commands())


def test_nothing_is_destroyed_or_relaxed_without_the_typed_confirmation(prod, monkeypatch) -> None:
    no_tty = prod.run("destroy", "--stack", "prod", "--unprotect")
    assert no_tty.exit_code == 1 and "--yes --confirm prod" in no_tty.stderr
    wrong = prod.run("destroy", "--stack", "prod", "--unprotect", "--yes", "--confirm", "staging")
    assert wrong.exit_code == 1 and "--confirm prod" in wrong.stderr
    monkeypatch.setattr("chatops.ui.changes.is_interactive", lambda: True)
    typo = prod.run("destroy", "--stack", "prod", "--unprotect", input="prd\n")
    assert typo.exit_code == 1 and "nothing was changed" in typo.stderr
    # every blocker was listed before each of those refusals
    assert "alb (aws:lb/loadBalancer:LoadBalancer): ALB deletion protection is on" in typo.stderr
    assert not {"up", "state unprotect", "state protect", "destroy"} & set(prod.double.commands())
    assert len(prod.state()) == len(prod.backend.resources("prod")) > 100


def test_destroy_unprotect_finishes_on_prod(prod) -> None:
    from chatops.deploy.teardown import blockers

    expected = [{"name": b.name, "type": b.type, "why": b.why} for b in blockers(prod.backend.resources("prod"))]
    result = prod.run("destroy", "--stack", "prod", "--unprotect", "--yes", "--confirm", "prod", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert_valid("destroy", report)
    assert report["result"] == "succeeded" and report["blockers"] == expected and len(expected) > 20
    [snapshot] = report["final_snapshots"]
    assert SNAPSHOT.fullmatch(snapshot)
    assert f"Final database snapshot: {snapshot}" in result.stderr  # printed, not only in JSON
    assert prod.backend.resources("prod") == []

    calls = prod.double.calls()
    commands = prod.double.commands()
    assert commands.index("up") < commands.index("state unprotect") < commands.index("destroy")
    up = next(c["argv"] for c in calls if "up" in c["argv"][:2])
    targets = {up[i + 1].rsplit("::", 1)[-1] for i, arg in enumerate(up) if arg == "--target"}
    assert targets == {"alb", "alb-logs", "vault", "api", "realtime", "workers", "db"}  # only what blocks
    relax = prod.backend.sidecar("prod")["history"][1]
    assert relax["kind"] == "update" and relax["config"]["chatops:destroying"]["value"] == "true"
    assert relax["config"]["chatops:finalSnapshot"]["value"] == snapshot  # the history says where the data went


def test_a_second_destroy_gets_its_own_snapshot_name() -> None:
    from chatops.deploy.teardown import unique_snapshot_name

    first = unique_snapshot_name("chat-prod-db-final", now=1_700_000_000)
    second = unique_snapshot_name(first, now=1_700_000_600)
    assert SNAPSHOT.fullmatch(first) and SNAPSHOT.fullmatch(second) and first != second


def test_a_dev_stack_is_destroyed_without_unprotect(deploy_project, graphs) -> None:
    deploy_project.seed(graphs["dev"].resources, "dev", graphs["dev"].outputs)
    result = deploy_project.run("destroy", "--stack", "prod", "--yes", "--confirm", "prod")
    assert result.exit_code == 0, result.output
    assert deploy_project.backend.resources("prod") == []
    assert "up" not in deploy_project.double.commands()  # nothing to relax
