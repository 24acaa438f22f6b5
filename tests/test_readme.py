"""The README's promises stay true: CI runs its test command, and its tier table matches the profiles."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from chatops.model.loading import BUILTIN_TIERS, load_profile

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text()


def _code_after(heading_fragment: str) -> str:
    section = README.split(heading_fragment, 1)[1]
    return re.search(r"```bash\n(.+?)\n```", section, re.S).group(1).strip()


def test_ci_runs_exactly_the_readme_test_command():
    command = _code_after("Install and run the tests")
    ci_lines = [line.strip() for line in (REPO / ".ci" / "run").read_text().splitlines()]
    assert command in ci_lines


def test_main_job_command_runs_plan():
    assert _code_after("Install and run the main job").endswith("chatops plan --dau 50000")


@pytest.mark.parametrize("tier", BUILTIN_TIERS)
def test_tier_table_matches_profiles(tier):
    p = load_profile(tier)
    row = next(line for line in README.splitlines() if line.startswith(f"| {tier} |"))
    assert f"| {p.design.dau:,} | {p.design.peak_concurrent_connections:,} |" in row
    assert f"{p.api.desired_count}×{p.api.cpu_units}/{p.api.memory_mb}" in row
    assert f"{p.database.instance_class} {p.database.allocated_storage_gb} GB" in row
    assert f"{p.network.availability_zones} / {p.network.nat_gateways}" in row


@pytest.mark.parametrize("tier", BUILTIN_TIERS)
def test_tier_table_features_match_profiles_list(run, tier):
    """The features column is exactly what `chatops profiles list` shows."""
    import json

    listed = {p["name"]: p["features"] for p in json.loads(run("profiles", "list", "--json").stdout)["profiles"]}
    row = next(line for line in README.splitlines() if line.startswith(f"| {tier} |"))
    assert row.rstrip(" |").rsplit("|", 1)[1].strip() == (", ".join(listed[tier]) or "-")


def _json_table_commands() -> list[str]:
    section = README.split("## JSON output", 1)[1].split("\n## ", 1)[0]
    commands = []
    for line in section.splitlines():
        if line.startswith("| `"):
            first_cell = re.match(r"\|((?:[^|\\]|\\.)*)\|", line).group(1)  # up to the first unescaped |
            for spec in re.findall(r"`([^`]+)`", first_cell):
                words = spec.replace("\\|", "|").split()
                subs = [w for w in words[1:] if w != "|" and not w.startswith("(")]
                if words[0] in ("profiles", "prices"):
                    commands += [f"{words[0]} {s}" for s in subs if not s.startswith("-")]
                else:
                    commands.append(" ".join(w for w in words if not w.startswith("(")))
    return commands


def test_every_json_the_readme_promises_exists(run):
    promised = _json_table_commands()
    assert "plan" in promised and "profiles validate" in promised and "cost-report --actual" in promised
    for spec in promised:
        words = [w for w in spec.split() if not w.startswith("-")]
        help_text = run(*words, "--help").stdout
        assert "--json" in help_text or words == ["synth"], f"README promises --json on `{spec}`"
