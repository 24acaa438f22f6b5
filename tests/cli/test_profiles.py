import json

import pytest
import yaml

from chatops.model.loading import BUILTIN_TIERS, builtin_profiles_dir


def test_list_table(run):
    result = run("profiles", "list")
    assert result.exit_code == 0
    for tier in BUILTIN_TIERS:
        assert tier in result.stdout
    assert "db.r6g.xlarge" in result.stdout


def test_list_json_is_plain_json(run):
    result = run("profiles", "list", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["schema_version"] == 1
    data = data["profiles"]
    assert [p["name"] for p in data] == list(BUILTIN_TIERS)
    assert data[-1]["features"] == ["WAF", "RDS Proxy", "Multi-AZ", "Read replica", "Redis split", "Graviton"]
    assert data[0]["design"]["peak_concurrent_connections"] == 100


@pytest.mark.parametrize("ref", ["50k-dau", "50k", "50K"])
def test_show_accepts_short_names(run, ref):
    result = run("profiles", "show", ref, "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["name"] == "50k-dau"


def test_show_tree(run):
    result = run("profiles", "show", "100k-dau")
    assert result.exit_code == 0
    assert "read_replica" in result.stdout and "db.r6g.large" in result.stdout


def test_show_profile_file(run, tmp_path):
    data = yaml.safe_load((builtin_profiles_dir() / "10k-dau.yaml").read_text())
    data["name"] = "mine"
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump(data))
    result = run("profiles", "show", str(path), "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["name"] == "mine"


def test_diff(run):
    result = run("profiles", "diff", "25k-dau", "50k-dau", "--json")
    assert result.exit_code == 0
    changes = {c["path"]: (c["before"], c["after"]) for c in json.loads(result.stdout)["changes"]}
    assert changes["database.instance_class"] == ("db.t3.large", "db.r6g.large")
    assert changes["database.multi_az"] == (False, True)
    assert "name" not in changes
    table = run("profiles", "diff", "25k", "50k")
    assert "database.multi_az" in table.stdout


def test_diff_same(run):
    result = run("profiles", "diff", "10k", "10k-dau")
    assert result.exit_code == 0
    assert "are the same" in result.stdout


def test_validate_ok_and_bad(run, tmp_path):
    good = builtin_profiles_dir() / "dev.yaml"
    bad = tmp_path / "my.yaml"
    data = yaml.safe_load(good.read_text())
    data["database"]["instance_class"] = "db.t3.huge"
    data["network"]["nat_gateways"] = 1
    bad.write_text(yaml.safe_dump(data))
    result = run("profiles", "validate", str(good), str(bad))
    assert result.exit_code == 1
    assert f"{bad}: database.instance_class: 'db.t3.huge' is not an RDS for PostgreSQL instance class" in result.stdout
    assert f"{bad}: network.nat_gateways:" in result.stdout
    assert "Traceback" not in result.output
    as_json = run("profiles", "validate", str(good), str(bad), "--json")
    assert as_json.exit_code == 1
    report = json.loads(as_json.stdout)
    rows = report["files"]
    assert report["ok"] is False and [r["ok"] for r in rows] == [True, False] and len(rows[1]["problems"]) == 2


def test_validate_all_shipped(run):
    files = [str(builtin_profiles_dir() / f"{t}.yaml") for t in BUILTIN_TIERS]
    result = run("profiles", "validate", *files)
    assert result.exit_code == 0, result.stdout


@pytest.mark.parametrize("args,expected,code", [
    (("profiles", "show", "nope"), "nope: unknown tier", 2),
    (("profiles", "show", "missing.yaml"), "missing.yaml: file not found", 1),
    (("profiles", "diff", "10k", "nope"), "nope: unknown tier", 2),
])
def test_bad_references_are_one_line(run, args, expected, code):
    result = run(*args)
    assert result.exit_code == code
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1 and expected in errors[0]
    assert "Traceback" not in result.output


def test_directory_empty_and_binary(run, tmp_path):
    (tmp_path / "empty.yaml").write_text("")
    (tmp_path / "bin.yaml").write_bytes(b"\x00\x01")
    for target, expected in ((tmp_path, "is a directory"), (tmp_path / "empty.yaml", "the file is empty"),
                             (tmp_path / "bin.yaml", "is a binary file")):
        result = run("profiles", "show", str(target))
        assert result.exit_code == 1 and expected in result.stderr


def test_validate_needs_a_file(run):
    result = run("profiles", "validate")
    assert result.exit_code == 2
