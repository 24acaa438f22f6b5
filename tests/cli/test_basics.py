"""The command surface: --version, --help lists every command, every command's --help ends with an example."""

from __future__ import annotations

import importlib

import click
import pytest

from chatops import __version__
from chatops.cli.main import COMMANDS


def test_version(run):
    result = run("--version")
    assert result.exit_code == 0 and __version__ in result.stdout


def test_help_lists_every_command(run):
    result = run("--help")
    assert result.exit_code == 0
    for name, (_, _, description) in COMMANDS.items():
        assert name in result.stdout and description.split()[0] in result.stdout


def _all_commands():
    for name, (module, attribute, _) in COMMANDS.items():
        command = getattr(importlib.import_module(module), attribute)
        yield (name,), command
        if isinstance(command, click.Group):
            for sub_name, sub in command.commands.items():
                yield (name, sub_name), sub


@pytest.mark.parametrize("path,command", list(_all_commands()), ids=lambda v: " ".join(v) if isinstance(v, tuple) else "")
def test_every_help_ends_with_an_example(run, path, command):
    result = run(*path, "--help")
    assert result.exit_code == 0, result.output
    tail = result.stdout.strip().splitlines()[-1].strip()
    assert "Example" in result.stdout and "chatops " in tail, result.stdout


def test_unknown_command_is_a_usage_error(run):
    result = run("frobnicate")
    assert result.exit_code == 2 and "No such command" in result.stderr
