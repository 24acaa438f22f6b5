"""`chatops init`: flags, prompts, --yes, no terminal, overwrite refusal, a second stack, strict errors."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from chatops.model.config_file import load_config

FLAGS = ["--project", "chat", "--stack", "prod", "--profile", "10k", "--region", "eu-central-1",
         "--domain", "chat.example.com", "--hosted-zone-id", "Z123EXAMPLE"]


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CHATOPS_CONFIG", raising=False)
    return tmp_path


def test_all_flags(run, tmp_path: Path) -> None:
    result = run("init", "--yes", *FLAGS, "--certificate-arn", "arn:aws:acm:eu-central-1:1:certificate/abc",
                 "--auth0-domain", "acme.eu.auth0.com", "--auth0-audience", "https://api.acme.io",
                 "--alert-email", "ops@acme.io", "--image-api", "ghcr.io/acme/api:1.2.3",
                 "--image-realtime", "registry.local:5000/rt:7", "--image-workers", ":2.0",
                 "--tag", "team=chat", "--tag", "cost-center=42", "--backend", "s3://state-bucket/chatops")
    assert result.exit_code == 0, result.output
    config, _ = load_config(str(tmp_path / "chatops.yaml"))
    entry = config.stacks["prod"]
    assert config.backend == "s3://state-bucket/chatops"
    assert entry.profile == "10k-dau" and entry.region == "eu-central-1" and entry.hosted_zone_id == "Z123EXAMPLE"
    assert entry.auth0.domain == "acme.eu.auth0.com" and entry.alert_email == "ops@acme.io"
    assert entry.images.api.repository == "ghcr.io/acme/api" and entry.images.api.tag == "1.2.3"
    assert entry.images.realtime.repository == "registry.local:5000/rt" and entry.images.realtime.tag == "7"
    assert entry.images.workers.repository is None and entry.images.workers.tag == "2.0"
    assert entry.tags == {"team": "chat", "cost-center": "42"}


def test_prompts_with_defaults(run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("chatops.cli.init.is_interactive", lambda: True)
    # project, stack, profile, region: defaults (Enter); domain; zone; Auth0 domain and audience
    result = run("init", input="\n\n25k\n\nchat.example.com\nZ999\nacme.eu.auth0.com\nhttps://api.acme.io\n")
    assert result.exit_code == 0, result.output
    config, _ = load_config(str(tmp_path / "chatops.yaml"))
    assert config.project == "chat" and list(config.stacks) == ["prod"]
    assert config.stacks["prod"].profile == "25k-dau" and config.stacks["prod"].region == "us-east-1"
    assert config.stacks["prod"].hosted_zone_id == "Z999"
    assert config.stacks["prod"].auth0.domain == "acme.eu.auth0.com"
    assert config.stacks["prod"].auth0.audience == "https://api.acme.io"
    assert "auth0: placeholders" not in result.stdout


def test_auth0_left_out_is_a_named_placeholder(run, tmp_path: Path) -> None:
    result = run("init", "--yes", *FLAGS)
    assert result.exit_code == 0, result.output
    assert "auth0: placeholders" in result.stdout and "doctor fails" in result.stdout
    text = (tmp_path / "chatops.yaml").read_text()
    assert "your-tenant.auth0.com" in text and "doctor` fails on placeholders" in text


def test_names_what_it_generated(run, tmp_path: Path) -> None:
    result = run("init", "--yes", "--domain", "chat.example.com", "--hosted-zone-id", "Z1")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Wrote chatops.yaml: stack prod of project chat" in out
    assert "profile: 10k-dau  (default)" in out and "region: us-east-1  (default)" in out
    assert "domain: chat.example.com\n" in out and "state: .chatops/state" in out
    assert "runbook --workflow --stack prod" in out


def test_two_stacks_cannot_share_a_domain(run, tmp_path: Path) -> None:
    assert run("init", "--yes", *FLAGS).exit_code == 0
    again = run("init", "--yes", "--stack", "staging", "--domain", "chat.example.com", "--hosted-zone-id", "Z1")
    # a usage error naming the flag and the stack that has the domain, not the file validator's wording
    assert again.exit_code == 2, again.output
    assert "--domain chat.example.com: stack prod in" in again.stderr and "already uses it" in again.stderr
    assert "(top level)" not in again.stderr and "Value error" not in again.stderr
    assert "--domain staging.chat.example.com" in again.stderr
    assert list(load_config(str(tmp_path / "chatops.yaml"))[0].stacks) == ["prod"]


def test_no_prompt_without_terminal(run, tmp_path: Path) -> None:
    # CliRunner's stdin is not a terminal: no prompt, defaults, but the domain has none.
    result = run("init", "--hosted-zone-id", "Z1")
    assert result.exit_code == 2 and "--domain is required" in result.output
    assert not (tmp_path / "chatops.yaml").exists()
    assert run("init", "--domain", "chat.example.com", "--hosted-zone-id", "Z1").exit_code == 0


def test_refuses_overwrite_and_keeps_first_stack(run, tmp_path: Path) -> None:
    assert run("init", "--yes", *FLAGS).exit_code == 0
    again = run("init", "--yes", *FLAGS)
    assert again.exit_code == 1 and "already exists" in again.stderr and "--force" in again.stderr
    second = run("init", "--yes", "--stack", "staging", "--profile", "1k-dau", "--domain", "staging.example.com",
                 "--hosted-zone-id", "Z123EXAMPLE")
    assert second.exit_code == 0, second.output
    config, _ = load_config(str(tmp_path / "chatops.yaml"))
    assert list(config.stacks) == ["prod", "staging"] and config.stacks["prod"].profile == "10k-dau"
    forced = run("init", "--yes", *FLAGS[:-4], "--profile", "50k", "--domain", "chat.example.com",
                 "--hosted-zone-id", "Z123EXAMPLE", "--force")
    assert forced.exit_code == 0
    assert load_config(str(tmp_path / "chatops.yaml"))[0].stacks["prod"].profile == "50k-dau"


def test_invalid_values_name_file_and_field(run, tmp_path: Path) -> None:
    result = run("init", "--yes", *FLAGS[:-2])  # no zone and no certificate
    assert result.exit_code == 1 and "chatops.yaml" in result.stderr and "hosted_zone_id" in result.stderr
    bad = run("init", "--yes", "--stack", "Prod_1", "--domain", "chat.example.com", "--hosted-zone-id", "Z1",
              "--region", "europe")
    assert bad.exit_code == 1 and "region" in bad.stderr and "Traceback" not in bad.output
    assert not (tmp_path / "chatops.yaml").exists()
    unknown = run("init", "--yes", "--profile", "3k", "--domain", "chat.example.com", "--hosted-zone-id", "Z1")
    assert unknown.exit_code == 2 and "unknown tier" in unknown.stderr


def test_bad_tag_is_usage_error(run) -> None:
    result = run("init", "--yes", *FLAGS, "--tag", "novalue")
    assert result.exit_code == 2 and "KEY=VALUE" in result.output


def test_unreadable_existing_file(run, tmp_path: Path) -> None:
    (tmp_path / "chatops.yaml").write_text("project: chat\nstacks: {}\nwat: 1\n")
    result = run("init", "--yes", *FLAGS)
    assert result.exit_code == 1 and "not a valid chatops.yaml" in result.stderr
    assert run("init", "--yes", *FLAGS, "--force").exit_code == 0
    assert yaml.safe_load((tmp_path / "chatops.yaml").read_text())["project"] == "chat"


def test_no_image_tag_until_the_first_release(run, tmp_path: Path) -> None:
    result = run("init", "--yes", *FLAGS)
    assert result.exit_code == 0, result.output
    images = load_config(str(tmp_path / "chatops.yaml"))[0].stacks["prod"].images
    assert (images.api.tag, images.realtime.tag, images.workers.tag) == (None, None, None)
    assert "latest" not in (tmp_path / "chatops.yaml").read_text()
    assert "chatops release --stack prod --tag TAG" in " ".join(result.stdout.split())


def test_image_tag_for_the_stacks_repositories(run, tmp_path: Path) -> None:
    digest = "sha256:" + "b" * 64
    result = run("init", "--yes", *FLAGS, "--image-tag", "1.4.2", "--image-api", f"ghcr.io/acme/api@{digest}")
    assert result.exit_code == 0, result.output
    images = load_config(str(tmp_path / "chatops.yaml"))[0].stacks["prod"].images
    assert images.api.repository == "ghcr.io/acme/api" and images.api.digest == digest and images.api.tag is None
    assert images.realtime.tag == "1.4.2" and images.workers.tag == "1.4.2" and images.workers.repository is None
    assert "chatops release" not in result.stdout


@pytest.mark.parametrize("ref,expected", [
    ("ghcr.io/acme/api:latest", "moving tag"),
    ("ghcr.io/acme/api", "give the tag"),
    ("ghcr.io/Acme/api:1", "not an image reference"),
    ("ghcr.io/acme/api@sha256:123", "not an image reference"),
])
def test_images_outside_ecr_must_name_one_build(run, tmp_path: Path, ref: str, expected: str) -> None:
    result = run("init", "--yes", *FLAGS, "--image-api", ref)
    assert result.exit_code == 2 and expected in result.stderr and "--image-api" in result.stderr
    assert not (tmp_path / "chatops.yaml").exists()
