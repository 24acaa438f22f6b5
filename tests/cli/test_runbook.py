"""`chatops runbook`: renders offline with the stack's real names; --workflow renders the deploy workflow."""

from __future__ import annotations

import re

import pytest
import yaml

from chatops.cli.runbook import data_tier_names, render_runbook
from chatops.model.alarms import alarm_specs
from chatops.model.loading import BUILTIN_TIERS, load_profile
from chatops.model.naming import Names


@pytest.mark.parametrize("tier", BUILTIN_TIERS)
def test_runbook_names_every_alarm_with_its_threshold(run, tier):
    result = run("runbook", "--profile", tier, "--project", "acme", "--stack", "prod", "--region", "eu-central-1")
    assert result.exit_code == 0, result.output
    text = result.stdout
    names = Names("acme", "prod")
    for spec in alarm_specs(load_profile(tier)):
        assert f"### {names.of('alarm', spec.key)}" in text
        assert spec.threshold_display in text
    assert names.log_group("realtime") in text
    assert "eu-central-1" in text and "{{" not in text and "{%" not in text


def test_runbook_mentions_the_data_tier_it_has():
    big, small = render_runbook(load_profile("100k-dau"), "chat", "prod", "us-east-1"), \
        render_runbook(load_profile("dev"), "chat", "dev", "us-east-1")
    assert "chat-prod-db-replica" in big and "chat-prod-db-proxy" in big and "chat-prod-redis-adapter-003" in big
    assert "db-replica" not in small and "db-proxy" not in small
    assert "restore-db-instance-to-point-in-time" in big and "restore-db-instance-to-point-in-time" not in small
    assert "start-message-move-task" in small


def test_output_file(run, tmp_path):
    target = tmp_path / "docs" / "runbook.md"
    result = run("runbook", "--profile", "10k", "--output", str(target))
    assert result.exit_code == 0 and target.read_text().startswith("# Operations runbook: chat-prod (10k-dau)")


def test_workflow_is_valid_yaml_that_runs_chatops_up(run):
    result = run("runbook", "--workflow", "--profile", "50k-dau", "--stack", "prod", "--region", "eu-west-1")
    assert result.exit_code == 0, result.output
    doc = yaml.safe_load(result.stdout)
    assert doc["permissions"]["id-token"] == "write"
    steps = doc["jobs"]["deploy"]["steps"]
    commands = [s.get("run", "") for s in steps]
    # chatops from the repository checkout, never the bare name (an unrelated project owns it on PyPI)
    assert any('pip install "."' in c for c in commands)
    assert not any(re.search(r"pip install\s+\"?chatops\b", c) for c in commands)
    assert "chatops up --yes --stack prod" in commands
    uses = [s.get("uses", "") for s in steps]
    assert any(u.startswith("pulumi/actions@") for u in uses)
    creds = next(s for s in steps if s.get("uses", "").startswith("aws-actions/configure-aws-credentials"))
    assert creds["with"]["role-to-assume"] == "${{ vars.AWS_DEPLOY_ROLE_ARN }}"
    assert creds["with"]["aws-region"] == "eu-west-1"


@pytest.mark.parametrize("args", [
    ("--profile", "nope"),
    ("--profile", "dev", "--stack", "Bad_Name"),
    ("--profile", "dev", "--region", "moon-1"),
    ("--profile", "dev", "--project", "x" * 40),
])
def test_bad_input_is_a_short_error(run, args):
    result = run("runbook", *args)
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    assert len([line for line in result.stderr.splitlines() if line.startswith("Error")]) == 1


def test_help_ends_with_examples(run):
    result = run("runbook", "--help")
    assert result.exit_code == 0 and "Examples:" in result.stdout
    assert result.stdout.rstrip().splitlines()[-1].strip().startswith("chatops runbook")


@pytest.mark.parametrize("tier", ["dev", "100k-dau"])
def test_runbook_names_match_what_the_components_create(tier):
    """The names in the runbook are the physical names the data-tier components register."""
    import pulumi

    from chatops.infra.backup import BackupPlan
    from chatops.infra.cache import Cache
    from chatops.infra.database import Database
    from chatops.infra.queues import Queues
    from tests.support.infra_data_harness import synth

    profile, names = load_profile(tier), Names("chat", "prod", "us-east-1")

    def program():
        db = Database("db", profile=profile, names=names, subnet_ids=["s"], security_group_id="sg",
                      proxy_security_group_id="sgp")
        cache = Cache("cache", profile=profile, names=names, subnet_ids=["s"], security_group_id="sg")
        Queues("queues", profile=profile, names=names)
        BackupPlan("backup", profile=profile, names=names, database_arn=db.instance_arn)
        return pulumi.Output.all(cache.member_cluster_ids)

    g = synth(program)
    res = data_tier_names(profile, names)
    created = {str(r.plain("name") or r.plain("identifier") or r.plain("replicationGroupId")) for r in g.resources}
    for key in ("db", "backup_vault", "database_url_secret", "master_secret", "redis_secret"):
        assert res[key] in created, key
    for value in [*res["queues"].values(), *(grp["id"] for grp in res["redis_groups"])]:
        assert value in created
    if res["replica"]:
        assert res["replica"] in created and res["proxy"] in created
    assert [m["cluster_id"] for m in res["redis_members"]] == g.value[0]


@pytest.mark.parametrize("spec,ok", [(".", True), ("./tools/chatops", True),
                                     ("git+https://github.com/acme/chatops@v0.1.0", True),
                                     ("chatops @ git+https://github.com/acme/chatops@0123abc", True),
                                     ("chatops", False), ("chatops==0.1.0", False),
                                     ("git+https://github.com/acme/chatops", False)])
def test_workflow_never_installs_chatops_by_bare_name(run, spec, ok):
    result = run("runbook", "--workflow", "--profile", "dev", "--install", spec)
    if ok:
        assert result.exit_code == 0 and f'pip install "{spec}"' in result.stdout
    else:
        assert result.exit_code == 2 and "unrelated project" in result.stderr


def test_runbook_reads_outputs_where_outputs_json_puts_them(graphs):
    """`chatops outputs --json` is {"stack", "outputs": {...}}: the runbook's jq paths must go through .outputs."""
    text = render_runbook(load_profile("10k-dau"), "chat", "prod", "us-east-1")
    paths = re.findall(r"jq -r (\S+) ", text)
    assert paths and all(p.startswith(".outputs.") for p in paths), paths
    exported = set(graphs["10k-dau"].outputs)
    assert {p.removeprefix(".outputs.") for p in paths} <= exported
