"""Every command's real --json output against its schema (docs/schemas/) and docs/json.md's conventions.

Commands that need AWS are validated where their harness runs them: doctor, status and cost-report
--actual in tests/aws/ (moto), prices refresh in tests/cli/test_prices.py (botocore Stubber)."""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path

import click
import pytest

from chatops.cli.main import COMMANDS
from chatops.model.loading import builtin_profiles_dir
from tests.support.json_schemas import SCHEMAS, assert_valid

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

DOCS = Path(__file__).resolve().parents[2] / "docs" / "json.md"


@pytest.fixture(autouse=True)
def _no_user_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "empty-cache"))


CASES = [
    ("plan", ["plan", "--dau", "50k", "--json"], 0),
    ("plan", ["plan", "--dau", "300k", "--json"], 3),
    ("plan", ["plan", "--dau", "40000", "--tier", "25k", "--json"], 3),
    ("plan", ["plan", "--dau", "250k", "--custom", "--json"], 0),
    ("plan", ["plan", "--dau", "50k", "--budget", "100", "--json"], 5),
    ("profiles-list", ["profiles", "list", "--json"], 0),
    ("profiles-show", ["profiles", "show", "100k", "--json"], 0),
    ("profiles-diff", ["profiles", "diff", "25k", "100k", "--json"], 0),
    ("cost-report", ["cost-report", "-p", "50k", "--json"], 0),
    ("cost-report", ["cost-report", "-p", "10k", "--dau", "1.5m", "--fail-above", "2k", "--json"], 5),
    ("cost-report-all", ["cost-report", "--all", "--json"], 0),
    ("cost-report-compare", ["cost-report", "--compare", "dev", "100k", "--json"], 0),
    ("cost-report-compare", ["cost-report", "--compare", "50k", "25k", "--fail-above", "1000", "--format", "JSON"], 0),
    ("prices-show", ["prices", "show", "--region", "eu-central-1", "--json"], 0),
    ("synth", ["synth", "--profile", "dev"], 0),
    ("preview-offline", ["preview", "--offline", "--profile", "100k", "--json"], 0),
    ("simulate", ["simulate", "--profile", "10k", "--json"], 0),
    ("cost-report", ["cost-report", "-p", "dev", "--simulate", "--json"], 0),
    ("cost-report", ["cost-report", "-p", "50k", "--pricing", "commitment", "--json"], 0),
    ("cost-report-all", ["cost-report", "--all", "--pricing", "commitment", "--json"], 0),
]


@pytest.mark.parametrize("schema,args,code", CASES, ids=[" ".join(c[1]) for c in CASES])
def test_json_output_matches_its_schema(run, schema, args, code):
    result = run(*args)
    assert result.exit_code == code, result.stderr
    assert_valid(schema, json.loads(result.stdout))


def test_profiles_validate_matches_its_schema(run, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text((builtin_profiles_dir() / "dev.yaml").read_text().replace("nat_gateways: 0", "nat_gateways: 5"))
    result = run("profiles", "validate", str(builtin_profiles_dir() / "dev.yaml"), str(bad), "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert_valid("profiles-validate", data)
    assert data["ok"] is False and [f["ok"] for f in data["files"]] == [True, False]


def _json_commands():
    """(schema-ish name, click command) of every command that takes --json."""
    for name, (module, attribute, _) in COMMANDS.items():
        command = getattr(importlib.import_module(module), attribute)
        subs = command.commands.items() if isinstance(command, click.Group) else [(None, command)]
        for sub_name, sub in subs:
            if any(p.name == "as_json" for p in sub.params):
                yield "-".join(filter(None, [name, sub_name])), sub


def test_every_json_command_has_a_schema_documented_in_json_md():
    documented = DOCS.read_text()
    files = {p.stem for p in SCHEMAS.glob("*.json")}
    for name, _ in _json_commands():
        assert name in files, f"{name} has --json but no docs/schemas/{name}.json"
    for stem in files:
        assert f"docs/schemas/{stem}.json" in documented, f"docs/json.md does not document {stem}.json"


def test_every_schema_is_exercised_by_a_test():
    """A schema no test validates would drift from the command silently."""
    tests = "\n".join(p.read_text() for p in Path(__file__).resolve().parents[1].rglob("test_*.py"))
    used = set(re.findall(r'assert_valid\("([a-z-]+)"', tests)) | {schema for schema, _, _ in CASES}
    assert {p.stem for p in SCHEMAS.glob("*.json")} <= used
