"""`chatops synth` and `chatops preview --offline` through the CLI."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def test_synth_prints_the_graph_as_json(run):
    result = run("synth", "--profile", "dev")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    types = {r["type"] for r in data["resources"]}
    assert {"aws:ec2/vpc:Vpc", "aws:ecs/service:Service", "aws:lb/loadBalancer:LoadBalancer"} <= types
    assert data["schema_version"] == 1 and data["profile"] == "dev" and data["stack"] == "synth"
    for r in data["resources"]:
        assert set(r) == {"urn", "type", "custom", "parent", "inputs", "dependencies", "protect"}


def test_synth_options_reach_names_and_region(run):
    result = run("synth", "--profile", "1k", "--stack", "staging", "--region", "eu-central-1",
                 "--domain", "chat.acme.io")
    assert result.exit_code == 0, result.stderr
    resources = json.loads(result.stdout)["resources"]
    (cluster,) = [r for r in resources if r["type"] == "aws:ecs/cluster:Cluster"]
    assert cluster["inputs"]["name"] == "chat-staging-cluster"
    (cert,) = [r for r in resources if r["type"] == "aws:acm/certificate:Certificate"]
    assert cert["inputs"]["domainName"] == "api.chat.acme.io"
    subnets = [r["inputs"]["availabilityZone"] for r in resources if r["type"] == "aws:ec2/subnet:Subnet"]
    assert all(z.startswith("eu-central-1") for z in subnets)


@pytest.mark.parametrize("args,code", [
    (("synth", "--profile", "nope"), 2),  # an unknown tier name is a usage error in every command
    (("synth",), 2),
    (("synth", "--profile", "dev", "--stack", "Bad_Name"), 2),
    (("synth", "--profile", "dev", "--region", "mars"), 2),
])
def test_synth_bad_input_is_one_line(run, args, code):
    result = run(*args)
    assert result.exit_code == code
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_preview_offline_tree(run):
    result = run("preview", "--offline", "--profile", "10k")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    for component in ("network", "security", "alb", "waf", "services", "database", "cache", "queues"):
        assert component in out
    assert "aws:ecs/service:Service" in out and "/mo" in out


def test_preview_offline_json(run):
    result = run("preview", "--offline", "--profile", "dev", "--json")
    assert result.exit_code == 0, result.stderr
    view = json.loads(result.stdout)
    assert view["profile"] == "dev" and view["resource_count"] > 100
    assert sum(c["resource_count"] for c in view["components"]) == view["resource_count"]
    names = {c["name"] for c in view["components"]}
    assert {"network", "alb", "services", "cluster"} <= names
    assert "waf" not in names
    priced = [r for c in view["components"] for r in c["resources"] if r["cost_monthly"] is not None]
    assert any(r["type"] == "aws:lb/loadBalancer:LoadBalancer" for r in priced)
    assert view["total_monthly"] == pytest.approx(sum(r["cost_monthly"] for r in priced), abs=0.1)
