"""The Pulumi CLI check used by `doctor` and by the deploy errors."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from chatops.deploy import pulumi_cli
from chatops.errors import ChatopsError


def _fake_pulumi(bin_dir: Path, script: str) -> None:
    exe = bin_dir / "pulumi"
    exe.write_text("#!/bin/sh\n" + script + "\n")
    exe.chmod(0o755)


def test_missing_cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    status = pulumi_cli.check_pulumi_cli()
    assert not status.found and status.path is None and not status.ok
    assert "get.pulumi.com" in status.problem and pulumi_cli.MIN_PULUMI_VERSION in status.problem


def test_supported_cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _fake_pulumi(tmp_path, "echo v3.190.1")
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}/usr/bin:/bin")
    status = pulumi_cli.check_pulumi_cli()
    assert status.ok and status.version == "3.190.1" and status.path == str(tmp_path / "pulumi")


def test_old_cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _fake_pulumi(tmp_path, "echo v3.100.0")
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}/usr/bin:/bin")
    status = pulumi_cli.check_pulumi_cli()
    assert status.found and status.version == "3.100.0"
    assert "3.181.0" in status.problem and "upgrade" in status.problem


def test_broken_and_hanging_cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}/usr/bin:/bin")
    _fake_pulumi(tmp_path, "exit 3")
    assert "failed" in pulumi_cli.check_pulumi_cli().problem
    _fake_pulumi(tmp_path, "sleep 5")
    assert "did not answer" in pulumi_cli.check_pulumi_cli(timeout=0.3).problem


@pytest.mark.parametrize("text,expected", [("v3.181.0", True), ("3.272.0", True), ("v3.180.9", False),
                                           ("v4.0.0-alpha", False), ("garbage", False)])
def test_is_supported(text: str, expected: bool) -> None:
    assert (pulumi_cli.version_problem(text) is None) is expected


def test_a_newer_major_cli_gets_package_advice_not_too_old(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _fake_pulumi(tmp_path, "echo v4.2.0")
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}/usr/bin:/bin")
    problem = pulumi_cli.check_pulumi_cli().problem
    assert "upgrade the pulumi Python package" in problem and "too old" not in problem and "needs" not in problem


@pytest.mark.parametrize("version,expected", [
    ("4.0.0", "upgrade the pulumi Python package"),
    ("3.100.0", "the Pulumi CLI is 3.100.0, chatops needs 3.181.0 or newer"),
])
def test_the_sdk_checks_the_version_before_any_stack_command(deploy_project, version: str, expected: str) -> None:
    # Through the SDK's own PulumiCommand (its constructor validates), before `stack select` or `init`.
    deploy_project.double.scenario(version=version)
    with pytest.raises(ChatopsError, match=expected):
        pulumi_cli.pulumi_command()
    result = deploy_project.run("up", "--stack", "prod", "--yes")
    assert result.exit_code == 1 and expected in result.stderr, result.output
    assert set(deploy_project.double.commands()) == {"version"}
    assert not (deploy_project.dir / ".chatops").exists()  # no stack, no passphrase, no work dir


def test_a_supported_cli_gives_the_sdk_a_checked_command(deploy_project) -> None:
    command = pulumi_cli.pulumi_command()
    assert str(command.version) == "3.190.0"
