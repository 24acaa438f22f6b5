"""Shared fixtures."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from chatops.cli.main import cli


@pytest.fixture
def run():
    """Run the chatops CLI in-process; returns click's Result (stdout and stderr kept apart)."""
    runner = CliRunner()

    def _run(*args: str, input: str | None = None, env: dict | None = None):
        return runner.invoke(cli, list(args), input=input, env=env, catch_exceptions=False)

    return _run
