"""The command-line contract across commands: one number syntax, unknown tiers and conflicting flags are
usage errors, settings precedence, files never overwritten without --force, --quiet, --no-color,
shell completion."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from chatops.model.numbers import NumberError, parse_number

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(autouse=True)
def _no_user_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "empty-cache"))


# ---- numbers ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("text,value", [("50000", 50000), ("50_000", 50000), ("50,000", 50000), ("50k", 50000),
                                        ("50K", 50000), ("1.5m", 1_500_000), ("2b", 2_000_000_000),
                                        ("1,250,000", 1_250_000), (" 40 ", 40), ("0.25", 0.25), (".5", 0.5)])
def test_number_syntax(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize("text", ["1,5", "1,5m", "50 kk", "5e4", "abc", "", "1__0k,", "50,00", "--5"])
def test_not_numbers(text):
    with pytest.raises(NumberError, match="is not a number"):
        parse_number(text)


def test_whole_numbers():
    assert parse_number("1.5k", whole=True) == 1500
    with pytest.raises(NumberError, match="not a whole number"):
        parse_number("1.5", whole=True)


@pytest.mark.parametrize("spelling", ["80000", "80_000", "80,000", "80k", "0.08m"])
def test_plan_and_cost_report_take_the_same_spellings(run, spelling):
    assert json.loads(run("plan", "--dau", spelling, "--json").stdout)["demand"]["dau"] == 80000
    assert json.loads(run("cost-report", "-p", "50k", "--dau", spelling, "--json").stdout)["dau"] == 80000


def test_number_errors_are_ours_not_clicks(run):
    result = run("cost-report", "-p", "dev", "--dau", "lots")
    assert result.exit_code == 2 and "'lots' is not a number (e.g. 50000, 50_000, 50,000, 50k or 1.5m)" in result.stderr
    assert "not a valid integer" not in result.stderr
    over = run("plan", "--dau", "2b")
    assert over.exit_code == 2 and "2,000,000,000 is outside (0, 1,000,000,000] daily active users" in over.stderr
    fraction = run("cost-report", "-p", "dev", "--fanout", "1.5k", "--peak-concurrency", "1.5")
    assert fraction.exit_code == 2 and "--peak-concurrency" in fraction.stderr


def test_usage_file_takes_the_same_syntax(run, tmp_path):
    usage = tmp_path / "usage.yaml"
    usage.write_text('dau: 80k\nmessages_per_user: "1,000"\nmessage_bytes: 1.5k\n')
    data = json.loads(run("plan", "--usage-file", str(usage), "--json").stdout)
    assert data["usage"]["dau"] == 80000 and data["usage"]["messages_per_user"] == 1000
    assert data["usage"]["message_bytes"] == 1500
    usage.write_text("dau: 80 thousand\n")
    bad = run("plan", "--usage-file", str(usage))
    assert bad.exit_code == 1 and f"{usage}: dau: '80 thousand' is not a number" in bad.stderr


# ---- usage errors -----------------------------------------------------------------------------------

@pytest.mark.parametrize("args", [
    ("plan", "--dau", "5k", "--tier", "7k"),
    ("cost-report", "-p", "7k"),
    ("cost-report", "--compare", "7k", "10k"),
    ("profiles", "show", "7k"),
    ("profiles", "diff", "10k", "7k"),
    ("synth", "--profile", "7k"),
    ("runbook", "--profile", "7k"),
    ("preview", "--offline", "--profile", "7k"),
    ("init", "--yes", "--profile", "7k", "--domain", "a.example.com", "--hosted-zone-id", "Z1"),
])
def test_an_unknown_tier_is_a_usage_error_everywhere(run, args, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run(*args)
    assert result.exit_code == 2 and "7k: unknown tier" in result.stderr, result.stderr
    assert not (tmp_path / "chatops.yaml").exists()


@pytest.mark.parametrize("args,message", [
    (("cost-report", "-p", "dev", "--format", "csv", "--json"), "--json and --format csv"),
    (("plan", "--dau", "5k", "--format", "markdown", "--json"), "--json and --format markdown"),
    (("cost-report", "-p", "dev", "--all"), "give exactly one of"),
    (("cost-report", "--stack", "prod", "--compare", "dev", "1k"), "does not go with --all or --compare"),
])
def test_conflicting_flags_are_usage_errors(run, args, message):
    result = run(*args)
    assert result.exit_code == 2 and message in result.stderr


def test_format_is_case_insensitive(run):
    upper = run("cost-report", "-p", "dev", "--format", "CSV")
    assert upper.exit_code == 0 and upper.stdout == run("cost-report", "-p", "dev", "--format", "csv").stdout
    assert run("plan", "--dau", "5k", "--format", "Markdown").stdout.startswith("## chatops plan: 5,000 DAU")


# ---- exit codes of outcomes -------------------------------------------------------------------------

def test_budget_gates_exit_5_after_the_report(run):
    over = run("plan", "--dau", "50k", "--budget", "1k")
    assert over.exit_code == 5 and "Over budget" in over.stdout and "over the budget of $1,000.00" in over.stderr
    assert run("plan", "--dau", "50k", "--budget", "10k").exit_code == 0
    report = run("cost-report", "-p", "50k", "--fail-above", "1,000", "--format", "markdown")
    assert report.exit_code == 5 and "**Over budget:**" in report.stdout
    assert run("cost-report", "--compare", "50k", "25k", "--fail-above", "1000").exit_code == 0  # B is 25k


def test_plan_markdown_for_pull_requests(run):
    md = run("plan", "--dau", "50k", "--format", "markdown").stdout
    for heading in ("## chatops plan: 50,000 DAU", "### Demand at the busiest minute", "### Capacity of 50k-dau",
                    "### Monthly cost: 50k-dau in us-east-1 (50,000 DAU)", "### Neighbouring tiers for this demand"):
        assert heading in md
    assert "**Selected tier: `50k-dau`**" in md and "| Resource | Component |" in md


# ---- settings precedence ----------------------------------------------------------------------------

@pytest.fixture
def project(tmp_path, monkeypatch):
    """A chatops.yaml with two stacks; the commands run from a subdirectory (found by walking up)."""
    (tmp_path / "chatops.yaml").write_text(
        "project: acme\nstacks:\n"
        "  prod:\n    profile: 50k-dau\n    region: eu-central-1\n    domain: chat.acme.io\n    hosted_zone_id: Z1\n"
        "  staging:\n    profile: 1k-dau\n    region: eu-west-1\n    domain: staging.acme.io\n    hosted_zone_id: Z1\n")
    work = tmp_path / "infra" / "deep"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    return tmp_path


def test_stack_means_the_chatops_yaml_stack_in_every_offline_command(run, project):
    runbook = run("runbook", "--stack", "prod").stdout
    assert "# Operations runbook: acme-prod (50k-dau)" in runbook and "eu-central-1" in runbook
    assert "us-east-1" not in runbook
    synth = json.loads(run("synth", "--stack", "prod").stdout)
    assert (synth["profile"], synth["project"], synth["region"]) == ("50k-dau", "acme", "eu-central-1")
    cert = next(r for r in synth["resources"] if r["type"] == "aws:acm/certificate:Certificate")
    assert cert["inputs"]["domainName"] == "api.chat.acme.io"
    preview = json.loads(run("preview", "--offline", "--stack", "staging", "--json").stdout)
    assert (preview["profile"], preview["stack"], preview["region"]) == ("1k-dau", "staging", "eu-west-1")
    cost = json.loads(run("cost-report", "--stack", "prod", "--json").stdout)
    assert (cost["profile"], cost["region"]) == ("50k-dau", "eu-central-1")


def test_flags_beat_environment_beat_chatops_yaml_beat_defaults(run, project):
    def region(*args, env=None):
        return json.loads(run("cost-report", *args, "--json", env=env).stdout)["region"]

    assert region("--stack", "prod") == "eu-central-1"                                          # chatops.yaml
    env = run("cost-report", "--stack", "prod", "--json", env={"AWS_REGION": "us-west-2"})
    assert json.loads(env.stdout)["region"] == "us-west-2"                                      # environment
    assert "region us-west-2 from AWS_REGION, not stack prod's eu-central-1" in env.stderr
    assert region("--stack", "prod", "--region", "eu-west-1", env={"AWS_REGION": "us-west-2"}) == "eu-west-1"  # flag
    assert region("--profile", "dev", env={"CHATOPS_CONFIG": str(project / "nowhere.yaml")}) == "us-east-1"  # default
    assert json.loads(run("cost-report", "--json", env={"CHATOPS_STACK": "staging"}).stdout)["profile"] == "1k-dau"
    assert json.loads(run("cost-report", "-p", "10k", "--stack", "prod", "--json").stdout)["profile"] == "10k-dau"


def test_an_unknown_stack_is_an_error_naming_the_stacks(run, project):
    result = run("runbook", "--stack", "qa")
    assert result.exit_code == 1 and "no stack named 'qa'; stacks: prod, staging" in result.stderr


def test_without_chatops_yaml_stack_is_only_a_name(run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    data = json.loads(run("synth", "--profile", "dev", "--stack", "qa").stdout)
    assert data["stack"] == "qa" and data["region"] == "us-east-1" and data["project"] == "chat"
    assert run("runbook").exit_code == 2  # neither --profile nor a stack


# ---- never overwrite --------------------------------------------------------------------------------

@pytest.mark.parametrize("args", [
    ("cost-report", "-p", "dev", "--format", "markdown"),
    ("cost-report", "--all", "--format", "html"),
    ("runbook", "--profile", "dev"),
    ("runbook", "--profile", "dev", "--workflow"),
    ("synth", "--profile", "dev"),
])
def test_output_files_are_never_overwritten_without_force(run, tmp_path, args):
    target = tmp_path / "out.txt"
    target.write_text("precious")
    refused = run(*args, "--output", str(target))
    assert refused.exit_code == 1 and "already exists; rerun with --force" in refused.stderr
    assert target.read_text() == "precious"
    forced = run(*args, "--output", str(target), "--force")
    assert forced.exit_code == 0 and target.read_text() != "precious" and f"Wrote {target}" in forced.stderr


# ---- --quiet, --no-color, completion ----------------------------------------------------------------

def test_quiet_drops_notes_not_results(run, tmp_path):
    target = tmp_path / "costs.md"
    result = run("--quiet", "cost-report", "-p", "dev", "--format", "markdown", "--output", str(target))
    assert result.exit_code == 0 and result.stderr == "" and target.exists()
    assert "load balancer" in run("-q", "cost-report", "-p", "dev").stdout


def test_no_color(run):
    assert "\x1b[" in run("plan", "--dau", "5k", env={"FORCE_COLOR": "1"}).stdout
    assert "\x1b[" not in run("--no-color", "plan", "--dau", "5k", env={"FORCE_COLOR": "1"}).stdout
    colours = re.compile(r"\x1b\[(?:\d+;)*(?:3[0-7]|9[0-7]|38)(?:;\d+)*m")
    assert colours.search(run("plan", "--dau", "5k", env={"FORCE_COLOR": "1"}).stdout)
    assert not colours.search(run("plan", "--dau", "5k", env={"FORCE_COLOR": "1", "NO_COLOR": "1"}).stdout)


def test_shell_completion_is_clicks():
    env = {**os.environ, "_CHATOPS_COMPLETE": "bash_complete", "COMP_WORDS": "chatops cost-report --profile 5",
           "COMP_CWORD": "3"}
    code = "import sys; sys.argv[0] = 'chatops'; from chatops.cli.main import main; main()"
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert "plain,5k-dau" in done.stdout.splitlines()
    env.update(COMP_WORDS="chatops pl", COMP_CWORD="1")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert "plain,plan" in done.stdout.splitlines()
    script = subprocess.run([sys.executable, "-c", code], env={**os.environ, "_CHATOPS_COMPLETE": "bash_source"},
                            capture_output=True, text=True, timeout=60)
    assert "_chatops_completion" in script.stdout


def test_chatops_stack_in_the_environment_does_not_break_all_or_compare(run):
    assert run("cost-report", "--all", "--format", "csv", env={"CHATOPS_STACK": "prod"}).exit_code == 0
    assert run("cost-report", "--compare", "dev", "1k", env={"CHATOPS_STACK": "prod"}).exit_code == 0
