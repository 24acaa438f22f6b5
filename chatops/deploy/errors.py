"""Pulumi and Automation API failures as one-line ChatopsErrors that say what to do next.

Automation API errors carry the CLI's whole stdout/stderr in their text; we match the few patterns a
user can act on (credentials, passphrase, lock, backend) and otherwise keep only the last error line.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from typing import Iterator

from chatops.deploy.pulumi_cli import MIN_PULUMI_VERSION, not_installed_message
from chatops.errors import ChatopsError

CREDENTIAL_PATTERNS = ("NoCredentialProviders", "no valid credential sources", "ExpiredToken",
                       "InvalidClientTokenId", "UnrecognizedClientException", "security token included in "
                       "the request is expired", "SignatureDoesNotMatch", "failed to refresh cached credentials")
PASSPHRASE_PATTERNS = ("incorrect passphrase", "passphrase must be set")
LOGIN_PATTERNS = ("PULUMI_ACCESS_TOKEN", "problem logging in", "401 HTTP error")
BACKEND_PATTERNS = ("unable to open bucket", "NoSuchBucket", "no such host", "connection refused",
                    "i/o timeout", "could not access backend", "failed to load checkpoint")


class DeployError(ChatopsError):
    """A deploy failure; `detail` keeps Pulumi's full output for --debug style logs, never for stderr."""

    def __init__(self, message: str, detail: str = ""):
        self.detail = detail
        super().__init__(message)


def explain(exc: BaseException, stack: str, backend: str = "") -> ChatopsError:
    """Map an exception raised by the Automation API to a one-line, actionable ChatopsError."""
    from pulumi.automation import errors as auto_errors

    if isinstance(exc, ChatopsError):
        return exc
    if isinstance(exc, FileNotFoundError):
        return DeployError(not_installed_message(), str(exc))
    if isinstance(exc, auto_errors.InvalidVersionError):
        return DeployError(f"the Pulumi CLI is too old ({first_line(str(exc))}); chatops needs {MIN_PULUMI_VERSION}"
                           " or newer: `curl -fsSL https://get.pulumi.com | sh` or `brew upgrade pulumi`", str(exc))
    text = str(exc)
    if isinstance(exc, auto_errors.ConcurrentUpdateError):
        return DeployError(f"stack {stack} is locked by another update; wait for it to finish, or run "
                           f"`chatops unlock --stack {stack}` if no other update is running", text)
    if isinstance(exc, auto_errors.StackNotFoundError):
        return DeployError(f"stack {stack} does not exist in {backend or 'the backend'} yet; create it with "
                           f"`chatops up --stack {stack}`", text)
    message = _explain_text(text, stack, backend)
    if message is not None:
        return DeployError(message, text)
    if isinstance(exc, auto_errors.InlineSourceRuntimeError):
        return DeployError(f"the chatops program failed while building stack {stack}: {last_error_line(text)}; "
                           "this is a chatops bug, please report it with CHATOPS_DEBUG=1 output", text)
    if isinstance(exc, auto_errors.CommandError):
        return DeployError(f"pulumi failed on stack {stack}: {last_error_line(text)}", text)
    return DeployError(f"{type(exc).__name__}: {first_line(text)}", text)


def _explain_text(text: str, stack: str, backend: str) -> str | None:
    if any(p in text for p in CREDENTIAL_PATTERNS):
        return ("AWS credentials are missing or expired; sign in (`aws sso login`, or set AWS_PROFILE / "
                "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), check with `aws sts get-caller-identity`, then retry")
    if any(p in text for p in PASSPHRASE_PATTERNS):
        return (f"wrong or missing secrets passphrase for stack {stack}: set PULUMI_CONFIG_PASSPHRASE or "
                "PULUMI_CONFIG_PASSPHRASE_FILE to the one the stack was created with (a chatops-generated one "
                "is in .chatops/passphrase beside chatops.yaml)")
    if any(p in text for p in LOGIN_PATTERNS):
        return (f"not logged in to the state backend {backend or ''}; set PULUMI_ACCESS_TOKEN (Pulumi Cloud) "
                "or change `backend:` in chatops.yaml").replace("  ", " ")
    if any(p in text for p in BACKEND_PATTERNS):
        return (f"the state backend {backend or ''} is not reachable ({last_error_line(text)}); check the "
                "URL in chatops.yaml, the network, and access to the bucket").replace("  ", " ")
    return None


@contextmanager
def pulumi_errors(stack: str, backend: str = "") -> Iterator[None]:
    """Translate whatever the Automation API raises inside the block; KeyboardInterrupt passes through."""
    try:
        yield
    except (KeyboardInterrupt, ChatopsError):
        raise
    except Exception as exc:  # the Automation API raises builtins too (FileNotFoundError, RuntimeError)
        raise explain(exc, stack, backend) from exc


def first_line(text: str) -> str:
    for line in text.strip().splitlines():
        if line.strip():
            return line.strip()
    return "no details"


def last_error_line(text: str) -> str:
    """The last `error: ...` line Pulumi printed (the most specific), else the last non-empty line."""
    # str(CommandError) is "code: N / stdout: ... / stderr: ...": drop those labels first
    lines = [re.sub(r"^(code|stdout|stderr):\s*", "", line.strip()) for line in text.splitlines()]
    lines = [line for line in lines if line and not re.fullmatch(r"\d+", line)]
    generic = {"error: update failed", "error: preview failed", "error: destroy failed", "error: refresh failed"}
    errors = [line for line in lines if re.match(r"^(error|\* |\w+Error)", line) and line not in generic]
    chosen = errors[-1] if errors else (lines[-1] if lines else "no details")
    return re.sub(r"^error:\s*", "", chosen)[:400]
