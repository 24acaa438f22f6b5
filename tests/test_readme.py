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
