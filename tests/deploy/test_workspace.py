"""Backend URL and passphrase handling (no Pulumi CLI needed)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from chatops.deploy import workspace
from chatops.errors import ChatopsError
from chatops.model.settings import ChatopsConfig


def _config(backend: str | None = None) -> ChatopsConfig:
    data = {"project": "chat", "stacks": {"prod": {"profile": "10k-dau", "region": "eu-central-1",
                                                    "domain": "chat.example.com", "hosted_zone_id": "Z123"}}}
    if backend is not None:
        data["backend"] = backend
    return ChatopsConfig.model_validate(data)


def test_default_backend_is_local_state_beside_config(tmp_path: Path) -> None:
    url = workspace.backend_url(_config(), tmp_path / "chatops.yaml")
    assert url == f"file://{tmp_path.resolve()}/.chatops/state"
    workspace.ensure_local_backend(url)
    assert (tmp_path / ".chatops" / "state").is_dir()


@pytest.mark.parametrize("url", ["s3://bucket/prefix", "https://api.pulumi.com", "gs://b", "file:///srv/state"])
def test_explicit_backends_pass_through(tmp_path: Path, url: str) -> None:
    assert workspace.backend_url(_config(url), tmp_path / "chatops.yaml") == url


def test_relative_file_backend_is_relative_to_config(tmp_path: Path) -> None:
    url = workspace.backend_url(_config("file://state"), tmp_path / "chatops.yaml")
    assert url == f"file://{tmp_path.resolve()}/state"


def test_unknown_backend_scheme_is_a_one_line_error(tmp_path: Path) -> None:
    with pytest.raises(ChatopsError, match="not a state backend URL"):
        workspace.backend_url(_config("ftp://x"), tmp_path / "chatops.yaml")


def test_passphrase_from_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", "s3cret")
    assert workspace.passphrase_status(tmp_path / "chatops.yaml") == ("env", None)
    for got in (workspace.passphrase_for_new_stack(tmp_path / "chatops.yaml"),
                workspace.passphrase_for_existing_stack(tmp_path / "chatops.yaml", "prod")):
        assert got.env_vars == {} and not got.created
    assert not (tmp_path / ".chatops" / "passphrase").exists()


def test_passphrase_from_env_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE", raising=False)
    secret = tmp_path / "pp"
    secret.write_text("x")
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE_FILE", str(secret))
    assert workspace.passphrase_status(tmp_path / "chatops.yaml") == ("env-file", secret)
    assert workspace.passphrase_for_existing_stack(tmp_path / "chatops.yaml", "prod").path == secret
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE_FILE", str(tmp_path / "missing"))
    with pytest.raises(ChatopsError, match="no such file"):
        workspace.passphrase_for_existing_stack(tmp_path / "chatops.yaml", "prod")


def test_a_passphrase_is_generated_only_for_a_new_stack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE", raising=False)
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE_FILE", raising=False)
    config_path = tmp_path / "chatops.yaml"
    path = tmp_path / ".chatops" / "passphrase"
    with pytest.raises(ChatopsError) as info:
        workspace.passphrase_for_existing_stack(config_path, "prod")
    message = str(info.value)
    assert "PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE" in message and "\n" not in message
    assert not path.exists()  # an invented passphrase could never decrypt an existing stack's secrets

    first = workspace.passphrase_for_new_stack(config_path)
    assert first.created and first.path == path
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    value = path.read_text().strip()
    assert len(value) >= 32
    # Pulumi gets the file's path, never the value.
    assert first.env_vars == {"PULUMI_CONFIG_PASSPHRASE_FILE": str(path)}
    assert value not in repr(first)
    second = workspace.passphrase_for_existing_stack(config_path, "prod")
    assert not second.created and path.read_text().strip() == value
    assert workspace.passphrase_status(config_path) == ("generated", path)
