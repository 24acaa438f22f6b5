"""Automation API failures as one-line messages, matched on the real texts Pulumi and pulumi-aws print."""

from __future__ import annotations

import pytest
from pulumi.automation import errors as auto_errors
from pulumi.automation._cmd import CommandResult

from chatops.deploy.errors import explain

BACKEND = "s3://acme-pulumi-state/chat"


def _command_error(stderr: str, stdout: str = "") -> Exception:
    return auto_errors.create_command_error(CommandResult(stdout=stdout, stderr=stderr, code=255))


def _provider_diag(text: str) -> str:
    """How a provider's configure failure reaches the CLI's output (diag.GetResourceInvalidError)."""
    return ("Diagnostics:\n  pulumi:providers:aws (default_7_0_0):\n    error: pulumi:providers:aws resource "
            f"'default_7_0_0' has a problem: {text}")


# pulumi/pulumi-aws provider/errors/*.txt (first lines), as pulumi-aws v7 reports credential problems.
NO_CREDENTIALS = "No valid credential sources found.\nPlease see https://www.pulumi.com/registry/packages/aws/..."
INVALID = "The configured AWS credentials are invalid or have expired.\nPlease see https://www.pulumi.com/..."
EXPIRED = "The configured AWS credentials have expired.\nRefresh the temporary credentials and try again."
SSO = "Failed to refresh cached SSO credentials.\nPlease refresh SSO login."
LOGIN = "The AWS login session for profile \"prod\" has expired or was not found.\nRun `aws login --profile prod`"
PROFILE = 'The AWS profile "prod-admin" was not found.\nConfigured profiles: default, staging.'


@pytest.mark.parametrize("text", [NO_CREDENTIALS, INVALID, EXPIRED, SSO, LOGIN, NO_CREDENTIALS.upper(),
                                  "error: ExpiredToken: The security token included in the request is expired"])
def test_pulumi_aws_v7_credential_texts(text: str) -> None:
    message = str(explain(_command_error("error: update failed", _provider_diag(text)), "prod", BACKEND))
    assert message.startswith("AWS credentials are missing or expired") and "aws sso login" in message


def test_a_missing_aws_profile_is_named() -> None:
    message = str(explain(_command_error("", _provider_diag(PROFILE)), "prod", BACKEND))
    assert "'prod-admin' was not found" in message and "AWS_PROFILE" in message


def test_a_provider_network_failure_is_not_a_backend_failure() -> None:
    # An RDS endpoint DNS failure during `up`: the provider's problem, on a line about the resource.
    rds = ("error: 1 error occurred:\n\t* creating RDS DB Instance (chat-prod-db): operation error RDS: "
           "CreateDBInstance, https response error StatusCode: 0, RequestID: , request send failed, Post "
           "\"https://rds.us-east-1.amazonaws.com/\": dial tcp: lookup rds.us-east-1.amazonaws.com on "
           "127.0.0.53:53: no such host")
    message = str(explain(_command_error("error: update failed", rds), "prod", BACKEND))
    assert "backend" not in message and "no such host" in message


@pytest.mark.parametrize("text", [
    "error: unable to open bucket s3://acme-pulumi-state/chat: NoSuchBucket",
    "error: failed to load checkpoint: blob (key \".pulumi/stacks/chat/prod.json\")",
    f"error: read {BACKEND}/.pulumi/meta.yaml: dial tcp: lookup acme-pulumi-state.s3.amazonaws.com: no such host",
])
def test_backend_failures_from_lines_about_the_backend(text: str) -> None:
    message = str(explain(_command_error(text), "prod", BACKEND))
    assert f"the state backend {BACKEND} is not reachable" in message


@pytest.mark.parametrize("exc,expected", [
    (_command_error("error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) "
                    "to end or delete the lock file with `pulumi cancel`."), "chatops unlock --stack prod"),
    (_command_error("error: [409] Conflict: Another update is currently in progress."), "locked by another update"),
    (_command_error("error: no stack named 'prod' found"), "chatops up --stack prod"),
    (_command_error("error: getting stack configuration: get stack secrets manager: passphrase must be set with "
                    "PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE environment variables"),
     "PULUMI_CONFIG_PASSPHRASE"),
    (_command_error("error: constructing secrets manager of type \"passphrase\": incorrect passphrase"),
     "PULUMI_CONFIG_PASSPHRASE"),
    (_command_error("error: PULUMI_ACCESS_TOKEN must be set for login during non-interactive CLI sessions"),
     "PULUMI_ACCESS_TOKEN"),
    (auto_errors.InvalidVersionError("Minimum version requirement failed. The minimum CLI version requirement is "
                                      "3.1.0, your current CLI version is 2.0.0. Please update the Pulumi CLI."),
     "the Pulumi CLI is 2.0.0, chatops needs 3.181.0 or newer"),
    (auto_errors.InvalidVersionError("Major version mismatch. You are using Pulumi CLI version 4.1.0 with "
                                      "Automation SDK v3. Please update the SDK."),
     "upgrade the pulumi Python package"),
    (FileNotFoundError(2, "No such file or directory", "pulumi"), "not on PATH"),
    (_command_error("error: something odd happened\nerror: update failed"), "pulumi failed on stack prod: "
                                                                              "something odd happened"),
])
def test_error_messages(exc: Exception, expected: str) -> None:
    message = str(explain(exc, "prod", "file:///x"))
    assert expected in message and "\n" not in message


def test_concurrent_update_is_the_sdk_class() -> None:
    exc = _command_error("error: the stack is currently locked by 1 lock(s).")
    assert isinstance(exc, auto_errors.ConcurrentUpdateError)
